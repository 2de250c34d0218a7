"""One REST call's attempts: the decision after each answer, and what makes an error.

Shared by the blocking and the async transport (:mod:`.http`), which only
send, sleep and read. :func:`_next_step` is the retry decision (a pure
function); :class:`Call` the state the attempts of one request share.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from urllib.parse import urlsplit

import httpx

from ..auth import Auth
from ..errors import (
    ConfigurationError,
    ConnectionError,
    ProtocolError,
    SpeechError,
    TimeoutError,
    error_from_response,
    install_log_redaction,
    parse_retry_after,
    redact,
)
from . import deadline as _deadline
from .body import AttemptBodies
from .request import HttpRequest
from .retry import RETRYABLE_STATUS, RetryPolicy

__all__ = [
    "Call",
    "aread_error_body",
    "body_limit",
    "check_expected",
    "closed_client",
    "connection_error",
    "log_request",
    "read_error_body",
    "tick",
]

logger = install_log_redaction(logging.getLogger("azspeech"))

MAX_ERROR_BODY_BYTES = 64 * 1024


def read_error_body(chunks: Iterable[bytes]) -> str:
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        if len(buf) >= MAX_ERROR_BODY_BYTES:
            break
    return bytes(buf[:MAX_ERROR_BODY_BYTES]).decode("utf-8", "replace")


async def aread_error_body(chunks: AsyncIterator[bytes]) -> str:
    buf = bytearray()
    async for chunk in chunks:
        buf += chunk
        if len(buf) >= MAX_ERROR_BODY_BYTES:
            break
    return bytes(buf[:MAX_ERROR_BODY_BYTES]).decode("utf-8", "replace")


def log_request(req: HttpRequest, attempt: int) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("HTTP %s %s (attempt %d)", req.method, redact(req.url), attempt + 1)


def _log_outcome(
    req: HttpRequest, response: httpx.Response | None, exc: Exception | None, step: str
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    if exc is not None:
        logger.debug("HTTP %s %s: %s (%s)", req.method, redact(req.url), type(exc).__name__, step)
    elif response is not None:
        rid = response.headers.get("apim-request-id") or response.headers.get("x-requestid")
        logger.debug(
            "HTTP %s %s: %d (request id %s, %s)",
            req.method,
            redact(req.url),
            response.status_code,
            rid,
            step,
        )


def _next_step(
    req: HttpRequest,
    policy: RetryPolicy,
    attempt: int,
    response: httpx.Response | None,
    exc: Exception | None,
    auth: Auth | None,
    reauthed: bool,
    replayable: bool = True,
) -> tuple[str, float]:
    """Decide: ("done", 0), ("retry", delay), ("reauth", 0) or ("fail", 0).

    *replayable* is False when another attempt could not send the same body.
    """
    if exc is not None:
        if isinstance(exc, httpx.UnsupportedProtocol) or not replayable:
            return "fail", 0.0
        # A connection that never opened cannot have delivered the request.
        repeatable = req.safe or isinstance(exc, _NOT_SENT_ERRORS)
        if repeatable and attempt < policy.max_retries:
            return "retry", policy.delay(attempt)
        return "fail", 0.0
    assert response is not None
    status = response.status_code
    if 200 <= status < 300:
        return "done", 0.0
    if not replayable:
        return "fail", 0.0
    if (
        status == 401
        and auth is not None
        and auth.refreshable
        and not reauthed
        and req.authenticate
    ):
        # A cached token may have been revoked or expired early: refresh once.
        return "reauth", 0.0
    if status not in RETRYABLE_STATUS or attempt >= policy.max_retries:
        return "fail", 0.0
    retry_after = parse_retry_after(response.headers)
    if not policy.honours(retry_after):
        return "fail", 0.0  # longer than we wait on our own: the caller decides
    not_processed = status == 429 or (status == 503 and retry_after is not None)
    if req.safe or not_processed:
        return "retry", policy.delay(attempt, retry_after)
    return "fail", 0.0


_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def connection_error(
    exc: Exception, req: HttpRequest, deadline: _deadline.Deadline | None = None
) -> SpeechError:
    where = redact(req.url)
    if isinstance(exc, httpx.TimeoutException) and deadline is not None and deadline.expired:
        return TimeoutError(
            f"{req.what} to {where}: no complete answer within {deadline.seconds:g} s "
            "(the total deadline per attempt); pass a larger timeout= if the service needs longer"
        )
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(
            f"{req.what} to {where} timed out ({type(exc).__name__}); "
            "pass a larger timeout= if the service needs longer"
        )
    if isinstance(exc, httpx.DecodingError):
        return ProtocolError(f"{req.what}: the response from {where} could not be decoded: {exc}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ConfigurationError(f"{req.what}: unsupported URL {where}: {exc}")
    detail = str(exc) or type(exc).__name__
    return ConnectionError(f"{req.what} could not reach {where}: {detail}")


def closed_client(req: HttpRequest) -> SpeechError:
    return ConnectionError(
        f"{req.what}: the client is closed; create a new client, or use it inside 'with'"
    )


_CREDENTIAL_HEADERS = frozenset({"authorization", "ocp-apim-subscription-key", "api-key"})


def _status_error(response: httpx.Response, body: str, req: HttpRequest) -> SpeechError:
    status = response.status_code
    err = error_from_response(status, response.headers, body, what=req.what)
    if not 400 <= status < 600:
        # A redirect or another non-2xx, non-error status is not a success either.
        location = response.headers.get("location")
        where = f" to {urlsplit(location).netloc or location}" if location else ""
        err.message = redact(
            f"{req.what}: unexpected HTTP {status}{where} from the service "
            "(only 2xx is success; redirects of authenticated requests are not followed)"
        )
        err.args = (err.message,)
    return err


class Call:
    """The state shared by the attempts of one request, and the decision after each."""

    def __init__(
        self,
        policy: RetryPolicy,
        client_timeout: float | None,
        client: httpx.Client | httpx.AsyncClient,
        req: HttpRequest,
    ) -> None:
        self.req = req
        self.policy = policy
        self.bodies = AttemptBodies()
        self.attempt = 0
        self.reauthed = False
        self.sent_headers: dict[str, str] = {}
        timeout = req.timeout if req.timeout is not None else client_timeout
        self.timeout = timeout
        if timeout is None:
            timeout = client.timeout.read
        self.seconds = timeout

    def deadline(self) -> _deadline.Deadline | None:
        """A fresh deadline for the next attempt."""
        return None if self.seconds is None else _deadline.Deadline(self.seconds)

    def build(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        kwargs = self.req.build_kwargs(self.bodies)
        if self.timeout is not None:
            kwargs["timeout"] = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        return client.build_request(
            self.req.method, self.req.url, headers=self.sent_headers, **kwargs
        )

    def follow_redirects(self, client: httpx.Client | httpx.AsyncClient) -> bool:
        # httpx drops Authorization across origins but not the Speech key: never
        # let it follow a redirect with credentials on board.
        carries = self.req.authenticate or any(
            k.lower() in _CREDENTIAL_HEADERS for k in self.sent_headers
        )
        return bool(client.follow_redirects) and not carries

    def decide(
        self, auth: Auth | None, response: httpx.Response | None, exc: Exception | None
    ) -> tuple[str, float]:
        step, delay = _next_step(
            self.req,
            self.policy,
            self.attempt,
            response,
            exc,
            auth,
            self.reauthed,
            self.bodies.replayable,
        )
        _log_outcome(self.req, response, exc, step)
        return step, delay

    def failure(
        self,
        response: httpx.Response | None,
        exc: Exception | None,
        body: str,
        deadline: _deadline.Deadline | None,
    ) -> SpeechError:
        if exc is not None:
            return connection_error(exc, self.req, deadline)
        assert response is not None
        return _status_error(response, body, self.req)

    def reauth(self, auth: Auth | None) -> None:
        assert auth is not None
        auth.invalidate(self.sent_headers)
        self.reauthed = True

    def next_attempt(self, delay: float) -> None:
        logger.info("retrying %s in %.2fs (attempt %d)", self.req.what, delay, self.attempt + 2)
        self.attempt += 1


def body_limit(response: httpx.Response, max_bytes: int, json_limit: int) -> int:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return min(max_bytes, json_limit)
    return max_bytes


def check_expected(req: HttpRequest, response: httpx.Response) -> None:
    if req.expect is None:
        return
    kind = response.headers.get("content-type", "").strip().lower()
    if not response.content or not kind.startswith(req.expect.lower()):
        raise ProtocolError(
            f"{req.what}: expected {req.expect}* content, got HTTP {response.status_code} "
            f"with {kind or 'no content type'} ({len(response.content)} bytes)",
            status_code=response.status_code,
        )


def tick() -> None:
    active = _deadline.current()
    if active is not None:
        active.check()

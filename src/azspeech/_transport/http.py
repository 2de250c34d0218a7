"""HTTP for every REST call: one sync and one async transport over httpx.

Both share the request description (:class:`HttpRequest`), the retry policy and
the decision of what to do with each answer (:func:`_next_step`); only the
sleeping and sending differ.

When a request is repeated:

* answers 408, 429, 500, 502, 503, 504 and connection failures are retried,
  with backoff (:class:`~azspeech._transport.retry.RetryPolicy`), up to
  ``max_retries`` extra attempts, when the request is safe to repeat: GET, HEAD,
  OPTIONS, PUT, DELETE, or anything marked ``retry_safe=True``;
* a request that is *not* safe to repeat (a POST that creates something) is
  retried only when the service certainly did not process it: a connection
  that was never established (connect error or timeout, pool timeout), a 429
  (the gateway throttles before the request reaches the service) and a 503
  that carries ``Retry-After`` (an explicit "not now, come back later"). A bare
  503, a 500 or a 502/504 may come after the work was done, so those go back to
  the caller;
* a ``Retry-After`` / ``retry-after-ms`` wait is honoured; a wait longer than
  the policy's ``max_retry_after`` is not sat out here: the error (with
  ``retry_after``) goes to the caller;
* a 401 with a refreshable credential (STS or Entra tokens) gets one more try
  with a freshly fetched token;
* every attempt sends exactly the bytes of the first: an upload from a reader
  that cannot seek is replayed from a bounded spool, and not retried at all
  beyond that bound (:mod:`~azspeech._transport.body`).

What counts as an answer:

* only a 2xx status is success; anything else (a redirect, a 1xx) is an error.
  Redirects of authenticated requests are never followed, whatever the httpx
  client says, so the key or token never reaches another origin;
* each attempt has a total deadline (``timeout``): a server that trickles its
  headers or body cannot keep a call alive past it
  (:mod:`~azspeech._transport.deadline`);
* a body is bounded *after* decompression (``max_bytes``; the JSON limit for
  JSON answers), inflated piece by piece, so a gzip bomb costs at most the
  bound in memory.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._version import __version__
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
from .inflate import ACCEPT_ENCODING, read_body, read_body_async
from .retry import RETRYABLE_STATUS, RetryPolicy

__all__ = ["USER_AGENT", "AsyncHttpTransport", "HttpRequest", "HttpTransport"]

logger = install_log_redaction(logging.getLogger("azspeech"))
# httpx logs each request's full URL at INFO; keep SAS signatures and the like out of it.
install_log_redaction(logging.getLogger("httpx"))

MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_JSON_BYTES = 16 * 1024 * 1024  # the JSON limit (framing.Limits.max_frame_bytes)
MAX_ERROR_BODY_BYTES = 64 * 1024
USER_AGENT = (
    f"azspeech/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]}; "
    f"{sys.platform}) httpx/{httpx.__version__}"
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})

Content = bytes | str | Callable[[], Iterable[bytes] | bytes] | None
FilesFactory = Callable[[], Mapping[str, Any]]


@dataclass
class HttpRequest:
    """A request as the feature code describes it, before auth and retries.

    ``content`` may be a callable returning a fresh body for each attempt (so a
    streamed upload can be retried); ``files`` likewise for multipart uploads.
    ``retry_safe`` says whether repeating the request is harmless; it defaults
    to True for idempotent methods. ``timeout`` (seconds) overrides the
    client's for this request: per socket operation, and as the total
    deadline of each attempt's answer.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: Mapping[str, str | int | float | bool | list[str]] | None = None
    content: Content = None
    json: Any = None
    files: FilesFactory | None = None
    data: Mapping[str, str] | None = None
    retry_safe: bool | None = None
    authenticate: bool = True
    what: str = "request"
    timeout: float | None = None

    def __repr__(self) -> str:
        # Headers may hold the key (the STS exchange); bodies may be large. Neither
        # belongs in a repr that debuggers and error trackers capture.
        return f"HttpRequest({self.method} {redact(self.url)}, what={self.what!r})"

    @property
    def safe(self) -> bool:
        if self.retry_safe is not None:
            return self.retry_safe
        return self.method.upper() in _SAFE_METHODS

    def build_kwargs(self, bodies: AttemptBodies | None = None) -> dict[str, Any]:
        """httpx keyword arguments for one attempt (*bodies* keeps uploads replayable)."""
        kwargs: dict[str, Any] = {}
        if self.params is not None:
            kwargs["params"] = {
                k: (str(v).lower() if isinstance(v, bool) else v) for k, v in self.params.items()
            }
        content = self.content() if callable(self.content) else self.content
        if content is not None:
            kwargs["content"] = content
        if self.json is not None:
            kwargs["json"] = self.json
        if self.files is not None:
            files = self.files()
            kwargs["files"] = bodies.files(files) if bodies is not None else files
        if self.data is not None:
            kwargs["data"] = self.data
        return kwargs


def _read_error_body(chunks: Iterable[bytes]) -> str:
    buf = bytearray()
    for chunk in chunks:
        buf += chunk
        if len(buf) >= MAX_ERROR_BODY_BYTES:
            break
    return bytes(buf[:MAX_ERROR_BODY_BYTES]).decode("utf-8", "replace")


async def _aread_error_body(chunks: AsyncIterator[bytes]) -> str:
    buf = bytearray()
    async for chunk in chunks:
        buf += chunk
        if len(buf) >= MAX_ERROR_BODY_BYTES:
            break
    return bytes(buf[:MAX_ERROR_BODY_BYTES]).decode("utf-8", "replace")


def _log_request(req: HttpRequest, attempt: int) -> None:
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


def _connection_error(
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


def _closed_client(req: HttpRequest) -> SpeechError:
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


class _Call:
    """The state shared by the attempts of one request, and the decision after each."""

    def __init__(
        self,
        transport: _TransportBase,
        client: httpx.Client | httpx.AsyncClient,
        req: HttpRequest,
        max_retries: int | None,
    ) -> None:
        self.req = req
        self.policy = transport.policy.with_max_retries(max_retries)
        self.bodies = AttemptBodies()
        self.attempt = 0
        self.reauthed = False
        self.sent_headers: dict[str, str] = {}
        timeout = req.timeout if req.timeout is not None else transport.timeout
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
            return _connection_error(exc, self.req, deadline)
        assert response is not None
        return _status_error(response, body, self.req)

    def reauth(self, auth: Auth | None) -> None:
        assert auth is not None
        auth.invalidate(self.sent_headers)
        self.reauthed = True

    def next_attempt(self, delay: float) -> None:
        logger.info("retrying %s in %.2fs (attempt %d)", self.req.what, delay, self.attempt + 2)
        self.attempt += 1


def _body_limit(response: httpx.Response, max_bytes: int, json_limit: int) -> int:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return min(max_bytes, json_limit)
    return max_bytes


def _tick() -> None:
    active = _deadline.current()
    if active is not None:
        active.check()


class _TransportBase:
    def __init__(
        self, *, auth: Auth | None, policy: RetryPolicy, default_headers: Mapping[str, str]
    ) -> None:
        self.auth = auth
        self.policy = policy
        self.default_headers = {
            "User-Agent": USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
            **default_headers,
        }
        self.timeout: float | None = None  # overrides the httpx client's timeout when set
        self.json_limit = MAX_JSON_BYTES


class HttpTransport(_TransportBase):
    """Blocking HTTP with retries, over an ``httpx.Client``."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        auth: Auth | None,
        policy: RetryPolicy,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(auth=auth, policy=policy, default_headers=default_headers or {})
        self.client = client
        self._sleep = sleep
        _deadline.install(client)

    def _headers(self, req: HttpRequest) -> dict[str, str]:
        headers = {**self.default_headers, **req.headers}
        if self.auth is not None and req.authenticate:
            headers.update(self.auth.headers())
        return headers

    @contextmanager
    def stream(
        self, req: HttpRequest, *, max_retries: int | None = None, body_deadline: bool = True
    ) -> Iterator[httpx.Response]:
        """Send *req*; yield the (successful) response with its body not yet read.

        With *body_deadline* False the attempt's deadline ends with the headers
        (a large download reads its body under the per-read timeout), unless
        the request has a ``timeout`` of its own.
        """
        call = _Call(self, self.client, req, max_retries)
        try:
            while True:
                _log_request(req, call.attempt)
                if self.client.is_closed:
                    raise _closed_client(req)
                deadline = call.deadline()
                with _deadline.active(deadline):
                    response: httpx.Response | None = None
                    exc: Exception | None = None
                    try:
                        call.sent_headers = self._headers(req)
                        response = self.client.send(
                            call.build(self.client),
                            stream=True,
                            follow_redirects=call.follow_redirects(self.client),
                        )
                    except httpx.TransportError as e:
                        exc = e
                    step, delay = call.decide(self.auth, response, exc)
                    if step == "done":
                        assert response is not None
                        if deadline is not None and not body_deadline and req.timeout is None:
                            deadline.lift()
                        try:
                            yield response
                        except (httpx.TransportError, httpx.DecodingError) as e:
                            # Raised while the caller read the body: keep it a SpeechError.
                            raise _connection_error(e, req, deadline) from e
                        finally:
                            response.close()
                        return
                    body = ""
                    if response is not None:
                        try:
                            body = _read_error_body(response.iter_bytes())
                        except httpx.HTTPError:
                            body = ""  # the error body is a nicety; the status says enough
                        finally:
                            response.close()
                if step == "fail":
                    error = call.failure(response, exc, body, deadline)
                    raise error from exc
                if step == "reauth":
                    call.reauth(self.auth)
                    continue
                call.next_attempt(delay)
                self._sleep(delay)
        finally:
            call.bodies.close()

    def send(
        self, req: HttpRequest, *, max_retries: int | None = None, max_bytes: int = MAX_BODY_BYTES
    ) -> httpx.Response:
        """Send *req* and return the successful response, body read (at most *max_bytes*
        after decompression; at most the JSON limit for a JSON answer)."""
        with self.stream(req, max_retries=max_retries) as response:
            limit = _body_limit(response, max_bytes, self.json_limit)
            response._content = read_body(response, limit, req.what, _tick)
            return response


class AsyncHttpTransport(_TransportBase):
    """Async HTTP with retries, over an ``httpx.AsyncClient``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        auth: Auth | None,
        policy: RetryPolicy,
        default_headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        super().__init__(auth=auth, policy=policy, default_headers=default_headers or {})
        self.client = client
        self._sleep = sleep
        _deadline.install(client)

    async def _headers(self, req: HttpRequest) -> dict[str, str]:
        headers = {**self.default_headers, **req.headers}
        if self.auth is not None and req.authenticate:
            headers.update(await self.auth.aheaders())
        return headers

    @asynccontextmanager
    async def stream(
        self, req: HttpRequest, *, max_retries: int | None = None, body_deadline: bool = True
    ) -> AsyncIterator[httpx.Response]:
        """Send *req*; yield the (successful) response with its body not yet read."""
        call = _Call(self, self.client, req, max_retries)
        try:
            while True:
                _log_request(req, call.attempt)
                if self.client.is_closed:
                    raise _closed_client(req)
                deadline = call.deadline()
                with _deadline.active(deadline):
                    response: httpx.Response | None = None
                    exc: Exception | None = None
                    try:
                        call.sent_headers = await self._headers(req)
                        response = await self.client.send(
                            call.build(self.client),
                            stream=True,
                            follow_redirects=call.follow_redirects(self.client),
                        )
                    except httpx.TransportError as e:
                        exc = e
                    step, delay = call.decide(self.auth, response, exc)
                    if step == "done":
                        assert response is not None
                        if deadline is not None and not body_deadline and req.timeout is None:
                            deadline.lift()
                        try:
                            yield response
                        except (httpx.TransportError, httpx.DecodingError) as e:
                            # Raised while the caller read the body: keep it a SpeechError.
                            raise _connection_error(e, req, deadline) from e
                        finally:
                            await response.aclose()
                        return
                    body = ""
                    if response is not None:
                        try:
                            body = await _aread_error_body(response.aiter_bytes())
                        except httpx.HTTPError:
                            body = ""  # the error body is a nicety; the status says enough
                        finally:
                            await response.aclose()
                if step == "fail":
                    error = call.failure(response, exc, body, deadline)
                    raise error from exc
                if step == "reauth":
                    call.reauth(self.auth)
                    continue
                call.next_attempt(delay)
                await self._sleep(delay)
        finally:
            call.bodies.close()

    async def send(
        self, req: HttpRequest, *, max_retries: int | None = None, max_bytes: int = MAX_BODY_BYTES
    ) -> httpx.Response:
        """Send *req* and return the successful response, body read (see the sync twin)."""
        async with self.stream(req, max_retries=max_retries) as response:
            limit = _body_limit(response, max_bytes, self.json_limit)
            response._content = await read_body_async(response, limit, req.what, _tick)
            return response

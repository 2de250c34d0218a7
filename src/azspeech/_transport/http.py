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
  with a freshly fetched token.
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
from .retry import RETRYABLE_STATUS, RetryPolicy

__all__ = ["USER_AGENT", "AsyncHttpTransport", "HttpRequest", "HttpTransport"]

logger = install_log_redaction(logging.getLogger("azspeech"))
# httpx logs each request's full URL at INFO; keep SAS signatures and the like out of it.
install_log_redaction(logging.getLogger("httpx"))

MAX_BODY_BYTES = 256 * 1024 * 1024
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
    to True for idempotent methods.
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

    def __repr__(self) -> str:
        # Headers may hold the key (the STS exchange); bodies may be large. Neither
        # belongs in a repr that debuggers and error trackers capture.
        return f"HttpRequest({self.method} {redact(self.url)}, what={self.what!r})"

    @property
    def safe(self) -> bool:
        if self.retry_safe is not None:
            return self.retry_safe
        return self.method.upper() in _SAFE_METHODS

    def build_kwargs(self) -> dict[str, Any]:
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
            kwargs["files"] = self.files()
        if self.data is not None:
            kwargs["data"] = self.data
        return kwargs


def _check_size(size: int, limit: int, req: HttpRequest) -> None:
    if size > limit:
        raise ProtocolError(f"{req.what}: response body exceeds the limit of {limit} bytes")


def _check_declared_size(response: httpx.Response, limit: int, req: HttpRequest) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and "content-encoding" not in response.headers:
        _check_size(int(declared), limit, req)


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
) -> tuple[str, float]:
    """Decide: ("done", 0), ("retry", delay), ("reauth", 0) or ("fail", 0)."""
    if exc is not None:
        if isinstance(exc, httpx.UnsupportedProtocol):
            return "fail", 0.0
        # A connection that never opened cannot have delivered the request.
        repeatable = req.safe or isinstance(exc, _NOT_SENT_ERRORS)
        if repeatable and attempt < policy.max_retries:
            return "retry", policy.delay(attempt)
        return "fail", 0.0
    assert response is not None
    status = response.status_code
    if status < 400:
        return "done", 0.0
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


def _connection_error(exc: Exception, req: HttpRequest) -> SpeechError:
    where = redact(req.url)
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


class _TransportBase:
    def __init__(
        self, *, auth: Auth | None, policy: RetryPolicy, default_headers: Mapping[str, str]
    ) -> None:
        self.auth = auth
        self.policy = policy
        self.default_headers = {"User-Agent": USER_AGENT, **default_headers}
        self.timeout: float | None = None  # overrides the httpx client's timeout when set

    def _request_kwargs(self, req: HttpRequest) -> dict[str, Any]:
        kwargs = req.build_kwargs()
        if self.timeout is not None:
            kwargs["timeout"] = httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0))
        return kwargs

    def _policy(self, max_retries: int | None) -> RetryPolicy:
        return self.policy.with_max_retries(max_retries)


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

    def _headers(self, req: HttpRequest) -> dict[str, str]:
        headers = {**self.default_headers, **req.headers}
        if self.auth is not None and req.authenticate:
            headers.update(self.auth.headers())
        return headers

    @contextmanager
    def stream(
        self, req: HttpRequest, *, max_retries: int | None = None
    ) -> Iterator[httpx.Response]:
        """Send *req*; yield the (successful) response with its body not yet read."""
        policy = self._policy(max_retries)
        attempt, reauthed = 0, False
        while True:
            _log_request(req, attempt)
            response: httpx.Response | None = None
            exc: Exception | None = None
            sent_headers: dict[str, str] = {}
            if self.client.is_closed:
                raise _closed_client(req)
            try:
                sent_headers = self._headers(req)
                request = self.client.build_request(
                    req.method, req.url, headers=sent_headers, **self._request_kwargs(req)
                )
                response = self.client.send(request, stream=True)
            except httpx.TransportError as e:
                exc = e
            step, delay = _next_step(req, policy, attempt, response, exc, self.auth, reauthed)
            _log_outcome(req, response, exc, step)
            if step == "done":
                assert response is not None
                try:
                    yield response
                except (httpx.TransportError, httpx.DecodingError) as e:
                    # Raised while the caller read the body: keep it a SpeechError.
                    raise _connection_error(e, req) from e
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
                if exc is not None:
                    raise _connection_error(exc, req) from exc
                assert response is not None
                raise error_from_response(
                    response.status_code, response.headers, body, what=req.what
                )
            if step == "reauth":
                assert self.auth is not None
                self.auth.invalidate(sent_headers)
                reauthed = True
                continue
            logger.info("retrying %s in %.2fs (attempt %d)", req.what, delay, attempt + 2)
            self._sleep(delay)
            attempt += 1

    def send(
        self, req: HttpRequest, *, max_retries: int | None = None, max_bytes: int = MAX_BODY_BYTES
    ) -> httpx.Response:
        """Send *req* and return the successful response, body read (at most *max_bytes*)."""
        with self.stream(req, max_retries=max_retries) as response:
            body = bytearray()
            _check_declared_size(response, max_bytes, req)
            for chunk in response.iter_bytes():
                body += chunk
                _check_size(len(body), max_bytes, req)
            response._content = bytes(body)
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

    async def _headers(self, req: HttpRequest) -> dict[str, str]:
        headers = {**self.default_headers, **req.headers}
        if self.auth is not None and req.authenticate:
            headers.update(await self.auth.aheaders())
        return headers

    @asynccontextmanager
    async def stream(
        self, req: HttpRequest, *, max_retries: int | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send *req*; yield the (successful) response with its body not yet read."""
        policy = self._policy(max_retries)
        attempt, reauthed = 0, False
        while True:
            _log_request(req, attempt)
            response: httpx.Response | None = None
            exc: Exception | None = None
            sent_headers: dict[str, str] = {}
            if self.client.is_closed:
                raise _closed_client(req)
            try:
                sent_headers = await self._headers(req)
                request = self.client.build_request(
                    req.method, req.url, headers=sent_headers, **self._request_kwargs(req)
                )
                response = await self.client.send(request, stream=True)
            except httpx.TransportError as e:
                exc = e
            step, delay = _next_step(req, policy, attempt, response, exc, self.auth, reauthed)
            _log_outcome(req, response, exc, step)
            if step == "done":
                assert response is not None
                try:
                    yield response
                except (httpx.TransportError, httpx.DecodingError) as e:
                    # Raised while the caller read the body: keep it a SpeechError.
                    raise _connection_error(e, req) from e
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
                if exc is not None:
                    raise _connection_error(exc, req) from exc
                assert response is not None
                raise error_from_response(
                    response.status_code, response.headers, body, what=req.what
                )
            if step == "reauth":
                assert self.auth is not None
                self.auth.invalidate(sent_headers)
                reauthed = True
                continue
            logger.info("retrying %s in %.2fs (attempt %d)", req.what, delay, attempt + 2)
            await self._sleep(delay)
            attempt += 1

    async def send(
        self, req: HttpRequest, *, max_retries: int | None = None, max_bytes: int = MAX_BODY_BYTES
    ) -> httpx.Response:
        """Send *req* and return the successful response, body read (at most *max_bytes*)."""
        async with self.stream(req, max_retries=max_retries) as response:
            body = bytearray()
            _check_declared_size(response, max_bytes, req)
            async for chunk in response.aiter_bytes():
                body += chunk
                _check_size(len(body), max_bytes, req)
            response._content = bytes(body)
            return response

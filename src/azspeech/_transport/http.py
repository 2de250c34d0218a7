"""HTTP for every REST call: one sync and one async transport over httpx.

Both share the request description (:class:`HttpRequest`), the retry policy and
the decision of what to do with each answer (:func:`_next_step`); only the
sleeping and sending differ.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._version import __version__
from ..auth import Auth
from ..errors import (
    ConnectionError,
    ProtocolError,
    SpeechError,
    TimeoutError,
    error_from_response,
    parse_retry_after,
    redact,
)
from .retry import RetryPolicy

__all__ = ["USER_AGENT", "AsyncHttpTransport", "HttpRequest", "HttpTransport"]

logger = logging.getLogger("azspeech")

MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_ERROR_BODY_BYTES = 64 * 1024
USER_AGENT = f"azspeech/{__version__} (python; httpx/{httpx.__version__})"
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
        if req.safe and attempt < policy.max_retries:
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
    retryable = req.safe or status in (429, 503)  # the request was refused, not processed
    if retryable and policy.should_retry_status(status, attempt):
        return "retry", policy.delay(attempt, parse_retry_after(response.headers))
    return "fail", 0.0


def _connection_error(exc: Exception, req: HttpRequest) -> SpeechError:
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(f"{req.what} timed out: {type(exc).__name__}")
    return ConnectionError(f"{req.what} could not reach {redact(req.url)}: {exc}")


class _TransportBase:
    def __init__(
        self, *, auth: Auth | None, policy: RetryPolicy, default_headers: Mapping[str, str]
    ) -> None:
        self.auth = auth
        self.policy = policy
        self.default_headers = {"User-Agent": USER_AGENT, **default_headers}

    def _policy(self, max_retries: int | None) -> RetryPolicy:
        if max_retries is None:
            return self.policy
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        return RetryPolicy(
            max_retries=max_retries,
            initial_backoff=self.policy.initial_backoff,
            max_backoff=self.policy.max_backoff,
        )


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
            try:
                request = self.client.build_request(
                    req.method, req.url, headers=self._headers(req), **req.build_kwargs()
                )
                response = self.client.send(request, stream=True)
            except httpx.TransportError as e:
                exc = e
            step, delay = _next_step(req, policy, attempt, response, exc, self.auth, reauthed)
            if step == "done":
                assert response is not None
                try:
                    yield response
                finally:
                    response.close()
                return
            if response is not None:
                body = _read_error_body(response.iter_bytes())
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
                self.auth.invalidate()
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
            try:
                request = self.client.build_request(
                    req.method, req.url, headers=await self._headers(req), **req.build_kwargs()
                )
                response = await self.client.send(request, stream=True)
            except httpx.TransportError as e:
                exc = e
            step, delay = _next_step(req, policy, attempt, response, exc, self.auth, reauthed)
            if step == "done":
                assert response is not None
                try:
                    yield response
                finally:
                    await response.aclose()
                return
            if response is not None:
                body = await _aread_error_body(response.aiter_bytes())
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
                self.auth.invalidate()
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
            async for chunk in response.aiter_bytes():
                body += chunk
                _check_size(len(body), max_bytes, req)
            response._content = bytes(body)
            return response

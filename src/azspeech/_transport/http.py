"""HTTP for every REST call: one sync and one async transport over httpx.

Both share the request description (:class:`HttpRequest`), the retry policy and
the decision of what to do with each answer (:mod:`.exchange`); only the
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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from .._version import __version__
from ..auth import Auth
from ..errors import install_log_redaction
from . import deadline as _deadline
from .exchange import MAX_ERROR_BODY_BYTES as MAX_ERROR_BODY_BYTES
from .exchange import (
    Call,
    aread_error_body,
    body_limit,
    check_expected,
    closed_client,
    connection_error,
    log_request,
    read_error_body,
    tick,
)
from .inflate import ACCEPT_ENCODING, read_body, read_body_async
from .request import Content as Content
from .request import FilesFactory as FilesFactory
from .request import HttpRequest
from .retry import RetryPolicy

__all__ = ["USER_AGENT", "AsyncHttpTransport", "HttpRequest", "HttpTransport"]

# httpx logs each request's full URL at INFO; keep SAS signatures and the like out of it.
install_log_redaction(logging.getLogger("httpx"))

MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_JSON_BYTES = 16 * 1024 * 1024  # the JSON limit (framing.Limits.max_frame_bytes)
USER_AGENT = (
    f"azspeech/{__version__} (Python {sys.version_info[0]}.{sys.version_info[1]}; "
    f"{sys.platform}) httpx/{httpx.__version__}"
)


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
        call = Call(self.policy.with_max_retries(max_retries), self.timeout, self.client, req)
        try:
            while True:
                log_request(req, call.attempt)
                if self.client.is_closed:
                    raise closed_client(req)
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
                            raise connection_error(e, req, deadline) from e
                        finally:
                            response.close()
                        return
                    body = ""
                    if response is not None:
                        try:
                            body = read_error_body(response.iter_bytes())
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
            limit = body_limit(response, max_bytes, self.json_limit)
            response._content = read_body(response, limit, req.what, tick)
            check_expected(req, response)
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
        call = Call(self.policy.with_max_retries(max_retries), self.timeout, self.client, req)
        try:
            while True:
                log_request(req, call.attempt)
                if self.client.is_closed:
                    raise closed_client(req)
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
                            raise connection_error(e, req, deadline) from e
                        finally:
                            await response.aclose()
                        return
                    body = ""
                    if response is not None:
                        try:
                            body = await aread_error_body(response.aiter_bytes())
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
            limit = body_limit(response, max_bytes, self.json_limit)
            response._content = await read_body_async(response, limit, req.what, tick)
            check_expected(req, response)
            return response

"""What a client and its ``with_options()`` copies share: one object per client.

A client object is a view: its configuration (retries, timeout) plus a
reference to the state built when the client was constructed. The state owns
the connections (the httpx client, the TTS socket pool), the voices cache, the
blocking client's background loop and async twin, and the registry of the
sessions and synthesis turns started through any view. Closing the client that
created the state closes all of it; closing a copy only retires the copy.

The registry is the hook long-lived work uses to end with its client: an
object with ``async abort()`` calls :meth:`AsyncClientState.track` when it
starts and :meth:`AsyncClientState.untrack` when it ends; the state's close
awaits ``abort()`` of everything still tracked.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

import httpx

from ._config import ClientConfig, httpx_kwargs
from ._transport.portal import Portal
from .auth import Auth
from .errors import ConnectionError
from .tts._pool import ConnectionPool
from .tts._voices import VoiceCache

__all__ = ["Abortable", "AsyncClientState", "BlockingClientState"]

T = TypeVar("T")

#: How long a client's close waits for the work it started to stop.
_ABORT_WAIT_S = 10.0


class Abortable(Protocol):
    """Work a client ends when it closes (a session, a synthesis turn)."""

    async def abort(self) -> None:
        """Stop now; the work's own caller sees the end or an azspeech error."""


def _closed_error() -> ConnectionError:
    return ConnectionError("the client was closed; create a new one")


class AsyncClientState:
    """The shared state of an :class:`~azspeech.AsyncSpeechClient` and its copies.

    A state dropped without :meth:`close` releases its connections when
    collected (no loop needed) and warns with :class:`ResourceWarning`.

    Args:
        config: the configuration of the client that created the state (for
            an httpx client created here).
        auth: the credential every view uses (one token cache).
        http_client: the user's ``httpx.AsyncClient`` (never closed here), or
            None to create one, per event loop, on first use.
    """

    #: Whether a drop without close is the user's mistake (False for the blocking client's twin).
    warn_on_drop = True

    def __init__(
        self, config: ClientConfig, auth: Auth | None, http_client: httpx.AsyncClient | None
    ) -> None:
        self.config = config
        self.auth = auth
        self._user_http = http_client
        self._http: httpx.AsyncClient | None = http_client
        self._http_loop: asyncio.AbstractEventLoop | None = None
        self.tts_pool = ConnectionPool()
        self.voices = VoiceCache()
        self._live: set[Abortable] = set()
        self.closed = False

    def http_client(self) -> httpx.AsyncClient:
        """The httpx client for REST calls made now.

        One this state created belongs to the event loop it was first used
        under; under another loop (a second ``asyncio.run``) a fresh one
        replaces it, since the old one's connections belong to a closed loop.
        """
        if self._user_http is not None:
            return self._user_http
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._http is not None and self._http_loop is None:
            self._http_loop = loop  # made outside any loop: it belongs to the first one using it
        if self._http is None or (loop is not None and loop is not self._http_loop):
            self._retire_http()
            self._http = httpx.AsyncClient(**httpx_kwargs(self.config))
            self._http_loop = loop
        return self._http

    def _retire_http(self) -> None:
        old, self._http = self._http, None
        if old is not None and old is not self._user_http:
            loop = self._http_loop
            if loop is None or loop.is_closed():
                _close_dead_pool(old)
            # else: still running elsewhere; its own loop's shutdown closes it

    # -- the registry -------------------------------------------------------------

    def track(self, work: Abortable) -> None:
        """Register *work*, to be aborted when the client closes.

        Raises:
            ConnectionError: the client is closed already.
        """
        if self.closed:
            raise _closed_error()
        self._live.add(work)

    def untrack(self, work: Abortable) -> None:
        """Forget *work* (it ended by itself). Unknown work is ignored."""
        self._live.discard(work)

    @property
    def live(self) -> frozenset[Abortable]:
        """The work started through this state that has not ended yet."""
        return frozenset(self._live)

    async def close(self) -> None:
        """End every tracked session and turn, then close the connections.

        Safe to call more than once.
        """
        if self.closed:
            return
        self.closed = True
        live, self._live = list(self._live), set()
        if live:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*(w.abort() for w in live), return_exceptions=True),
                    _ABORT_WAIT_S,
                )
        with contextlib.suppress(Exception):
            await self.tts_pool.close()
        http, self._http = self._http, None
        if http is not None and http is not self._user_http:
            if self._http_loop is None or self._http_loop is _running_loop():
                await http.aclose()
            else:
                _close_dead_pool(http)

    def __del__(self) -> None:
        if getattr(self, "closed", True):
            return
        self.closed = True
        with contextlib.suppress(Exception):
            if self.warn_on_drop:
                warnings.warn(
                    "an AsyncSpeechClient was not closed; use 'async with AsyncSpeechClient(...)' "
                    "or await close()",
                    ResourceWarning,
                    stacklevel=2,
                )
            self._release_without_loop()

    def _release_without_loop(self) -> None:
        """Close the connections without awaiting (from the GC, on any thread)."""
        self.tts_pool.abandon()
        http, self._http = self._http, None
        if http is None or http is self._user_http:
            return
        loop = self._http_loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            # The pool's sockets belong to a live loop: close them there, properly.
            loop.call_soon_threadsafe(_close_on_loop, http)
        else:
            _close_dead_pool(http)


#: Closes scheduled by collected states (the loop keeps only weak references to tasks).
_closing: set[asyncio.Task[None]] = set()


def _close_on_loop(http: httpx.AsyncClient) -> None:
    task = asyncio.ensure_future(http.aclose())
    _closing.add(task)
    task.add_done_callback(_closing.discard)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _close_dead_pool(client: httpx.AsyncClient) -> None:
    """Close the sockets of an httpx client whose event loop is gone (no await possible)."""
    # httpcore internals, reached defensively: without them the sockets wait for the GC.
    with contextlib.suppress(Exception):
        pool = getattr(client._transport, "_pool", None)
        for conn in list(getattr(pool, "_connections", [])):
            stream = getattr(getattr(conn, "_connection", None), "_network_stream", None)
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                sock.close()


class _ClientPortal(Portal):
    """The blocking client's loop; a call after the client closed is an azspeech error."""

    client_closed = False

    def submit(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> Any:
        """Schedule ``fn(*args, **kwargs)`` on the loop (see :meth:`Portal.submit`)."""
        try:
            return super().submit(fn, *args, **kwargs)
        except RuntimeError:
            if self.client_closed:
                raise _closed_error() from None
            raise


class _BlockingBridge(httpx.AsyncBaseTransport):
    """Sends the async twin's REST requests through the user's blocking ``httpx.Client``.

    The request goes out through that client (its transport, mounts, proxies
    and event hooks) in a worker thread; redirects are never followed here.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send *request* through the blocking client; stream the answer back."""
        content = await request.aread()
        sync_request = self._client.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=content,
            extensions=dict(request.extensions),
        )
        response = await asyncio.to_thread(
            self._client.send, sync_request, stream=True, follow_redirects=False
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_ThreadedBody(response),
            extensions=response.extensions,
        )


class _ThreadedBody(httpx.AsyncByteStream):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._response.iter_raw()
        end = b""
        while True:
            chunk = await asyncio.to_thread(next, chunks, end)
            if chunk is end:
                return
            yield chunk

    async def aclose(self) -> None:
        await asyncio.to_thread(self._response.close)


class BlockingClientState:
    """The shared state of a :class:`~azspeech.SpeechClient` and its copies.

    It holds the blocking httpx client, the voices cache, the background loop
    (the portal) and, once a streaming call needs it, the async twin's state,
    created on the portal. Its REST goes through this blocking httpx client.
    A state dropped without :meth:`close` closes itself when collected and
    warns with :class:`ResourceWarning`, as files and sockets do.
    """

    def __init__(self, config: ClientConfig, auth: Auth | None, http_client: httpx.Client | None):
        self.owns_http = http_client is None
        self.http_client = http_client or httpx.Client(**httpx_kwargs(config))
        self.config = config
        self.auth = auth
        self.voices = VoiceCache()
        self.portal = _ClientPortal()
        self._twin: AsyncClientState | None = None
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed.is_set()

    def twin(self) -> AsyncClientState:
        """The async twin's state (call on the portal loop)."""
        if self._twin is None:
            bridge = httpx.AsyncClient(transport=_BlockingBridge(self.http_client))
            self._twin = AsyncClientState(self.config, self.auth, bridge)
            self._twin.warn_on_drop = False  # closed with this state; a drop is this state's
        return self._twin

    def close(self) -> None:
        """End the twin's sessions and turns, stop the loop, close connections.

        Called on the portal itself (from a callback), the work is handed to
        a thread of its own and this returns at once: the loop cannot wait
        for itself.
        """
        if self._closed.is_set():
            return
        self._closed.set()
        self.portal.client_closed = True
        if getattr(self.portal, "_thread", None) is threading.current_thread():
            threading.Thread(target=self._shutdown, name="azspeech-close", daemon=True).start()
        else:
            self._shutdown()

    def _shutdown(self) -> None:
        twin = self._twin
        if twin is not None:
            with contextlib.suppress(Exception):
                self.portal.call(twin.close)
        self.portal.close()
        if self.owns_http:
            self.http_client.close()

    def __del__(self) -> None:
        if getattr(self, "_closed", None) is None or self._closed.is_set():
            return
        with contextlib.suppress(Exception):
            warnings.warn(
                "a SpeechClient was not closed; use 'with SpeechClient(...)' or call close()",
                ResourceWarning,
                stacklevel=2,
            )
            self.close()

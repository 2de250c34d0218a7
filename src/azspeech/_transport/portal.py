"""Run async code from blocking code: one private event loop on a daemon thread.

The blocking client's streaming sessions are the async sessions driven
through a portal, so reconnect, replay and pacing logic exist once.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import CancelledError, Future
from typing import Any, TypeVar

__all__ = ["Portal"]

T = TypeVar("T")


class Portal:
    """An event loop running in a background thread, started on first use.

    After :meth:`close` it stays closed: :meth:`call` and :meth:`submit` raise
    :class:`~azspeech.errors.StreamClosedError` (a ``RuntimeError``) rather
    than start a new thread.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closing = False
        self._last: asyncio.Task[None] | None = None  # the shutdown, when closed from inside

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closing:
                from ..errors import StreamClosedError

                # A SpeechError (and a RuntimeError): a thread still iterating a session
                # when the client closes (even from that session's callback) ends with it.
                raise StreamClosedError("the client is closed: its background loop is stopped")
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=run, name="azspeech-portal", daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    def submit(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)`` on the portal loop; return a concurrent Future."""
        loop = self._ensure()

        async def runner() -> T:
            return await fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(runner(), loop)

    def in_loop_thread(self) -> bool:
        """Whether the caller runs on the portal's own thread (in a callback of its loop)."""
        return self._thread is not None and self._thread is threading.current_thread()

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the portal loop and wait for its result.

        From the portal's own thread this would wait for itself: it raises
        ``RuntimeError`` instead (blocking sessions schedule such calls).
        """
        if self.in_loop_thread():
            raise RuntimeError("a blocking azspeech call was made from inside its own event loop")
        future = self.submit(fn, *args, **kwargs)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()
            raise
        except CancelledError:
            if self._closing:
                from ..errors import ConnectionError

                raise ConnectionError("the client was closed while this call was running") from None
            raise

    def iterate(self, aiter: AsyncIterator[T]) -> Iterator[T]:
        """Drive an async iterator from blocking code, one item at a time.

        Leaving the loop early (``break``, an exception) closes the async
        iterator on the portal, so its ``finally`` blocks run.
        """
        sentinel = object()

        async def step() -> Any:
            try:
                return await aiter.__anext__()
            except StopAsyncIteration:
                return sentinel

        finished = False
        try:
            while True:
                item = self.call(step)
                if item is sentinel:
                    finished = True
                    return
                yield item
        finally:
            aclose = getattr(aiter, "aclose", None)
            if not finished and aclose is not None and self._loop is not None:
                with contextlib.suppress(Exception):
                    self.call(aclose)

    def close(self) -> None:
        """Stop the loop and its thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
            self._closing = True  # for good: a closed portal does not start again
        if loop is None:
            return

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks(loop) if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await loop.shutdown_asyncgens()

        if thread is threading.current_thread():
            # Closed from a callback running on the portal itself: shut down in the
            # background (cancelled work releases the threads waiting on it), then stop.
            async def shutdown_then_stop() -> None:
                try:
                    await shutdown()
                finally:
                    loop.stop()

            self._last = loop.create_task(shutdown_then_stop())
            return
        with contextlib.suppress(Exception):  # best effort during shutdown
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        if not loop.is_running():
            loop.close()

"""Push streams: audio the application writes, and the SDK reads as it goes.

:class:`PushStream` is for threads (``write`` blocks while the buffer is
full), :class:`AsyncPushStream` for asyncio (``await write``). Both sit on
one thread-safe bounded buffer whose reader can wait either way, so a push
stream can be written from a thread and read by a coroutine, or the reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Generator
from types import TracebackType
from typing import Any

from ..errors import AudioError
from .formats import PcmFormat

__all__ = ["AsyncPushStream", "PushStream"]

DEFAULT_MAX_BUFFER = 1 << 20  # 1 MiB, about 33 s of 16 kHz 16-bit mono


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _Pipe:
    """A bounded byte FIFO that threads and coroutines can both wait on."""

    def __init__(self, max_bytes: int) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
            raise AudioError(f"max_buffer_bytes must be a positive int, got {max_bytes!r}")
        self.max_bytes = max_bytes
        self._cond = threading.Condition(threading.Lock())
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self.closed = False  # the writer is done
        self.abandoned = False  # the reader is gone
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.dropped = 0

    # -- internals (call with the lock held) -------------------------------------------

    def _wake(self) -> None:
        self._cond.notify_all()
        waiters, self._waiters = self._waiters, []
        for loop, fut in waiters:
            # RuntimeError: that loop is closed, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, fut)

    def _append(self, data: bytes) -> None:
        if self.abandoned:
            raise AudioError("cannot write: the reader of this push stream has closed it")
        if self.closed:
            raise AudioError("cannot write to a push stream after close()")
        if data:
            self._chunks.append(data)
            self._size += len(data)
            self._wake()

    def _pop(self) -> bytes | None:
        data = self._chunks.popleft()
        self._size -= len(data)
        self._wake()
        return data

    def _register(self) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._waiters.append((loop, fut))
        return fut

    async def _await(self, fut: asyncio.Future[None]) -> None:
        try:
            await fut
        finally:
            if not fut.done():
                with self._cond:
                    self._waiters = [w for w in self._waiters if w[1] is not fut]

    # -- writer side ----------------------------------------------------------------------

    def put(self, data: bytes, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._size >= self.max_bytes and not (self.closed or self.abandoned):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise AudioError(
                        f"push stream buffer stayed full ({self._size} bytes) for {timeout} s; "
                        "is anything reading it?"
                    )
                self._cond.wait(remaining)
            self._append(data)

    def put_nowait(self, data: bytes) -> bool:
        """Append without waiting; returns False (and counts a drop) when full."""
        with self._cond:
            if self._size >= self.max_bytes and not (self.closed or self.abandoned):
                self.dropped += 1
                return False
            self._append(data)
            return True

    async def aput(self, data: bytes) -> None:
        while True:
            with self._cond:
                if self._size < self.max_bytes or self.closed or self.abandoned:
                    self._append(data)
                    return
                fut = self._register()
            await self._await(fut)

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._wake()

    def abandon(self) -> None:
        with self._cond:
            self.abandoned = True
            self._chunks.clear()
            self._size = 0
            self._wake()

    # -- reader side ------------------------------------------------------------------------

    def get(self, timeout: float | None = None) -> bytes | None:
        """The next piece of data, or None once the writer has closed and all is read."""
        with self._cond:
            while not self._chunks and not self.closed and not self.abandoned:
                if not self._cond.wait(timeout):
                    raise AudioError(f"no audio arrived on the push stream within {timeout} s")
            if self._chunks:
                return self._pop()
            return None

    async def aget(self) -> bytes | None:
        while True:
            with self._cond:
                if self._chunks:
                    return self._pop()
                if self.closed or self.abandoned:
                    return None
                fut = self._register()
            await self._await(fut)


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise AudioError(
        f"push streams accept bytes, bytearray or memoryview, not {type(data).__name__}"
    )


class _Base:
    def __init__(self, format: PcmFormat | None, max_buffer_bytes: int) -> None:
        if format is not None and not isinstance(format, PcmFormat):
            raise AudioError(f"format must be a PcmFormat, not {type(format).__name__}")
        self.format = format
        self._pipe = _Pipe(max_buffer_bytes)

    @property
    def closed(self) -> bool:
        """True once the writer has called close()."""
        return self._pipe.closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(format={self.format}, closed={self.closed})"


class PushStream(_Base):
    """Raw PCM audio that one or more threads write and the SDK reads.

    ``write`` blocks while *max_buffer_bytes* are waiting to be read
    (backpressure); ``close`` marks the end of the audio. *format* says what
    the bytes are (None: whatever the consumer expects, by default 16 kHz
    16-bit mono). Thread-safe. Use as a context manager to close on exit.

    >>> stream = PushStream(PcmFormat(16000))
    >>> stream.write(b"\\x00\\x00" * 1600)
    >>> stream.close()
    """

    def __init__(
        self, format: PcmFormat | None = None, *, max_buffer_bytes: int = DEFAULT_MAX_BUFFER
    ) -> None:
        super().__init__(format, max_buffer_bytes)

    def write(self, data: bytes | bytearray | memoryview, *, timeout: float | None = None) -> None:
        """Append audio, waiting while the buffer is full (at most *timeout* seconds).

        Raises:
            AudioError: the stream is closed, the reader has gone away, the
                data is not bytes-like, or the wait timed out.
        """
        self._pipe.put(_as_bytes(data), timeout)

    def close(self) -> None:
        """Mark the end of the audio; the reader finishes after what was written."""
        self._pipe.close()

    def __enter__(self) -> PushStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Done:
    """The result of AsyncPushStream.close(): usable with or without ``await``."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


class AsyncPushStream(_Base):
    """Raw PCM audio that coroutines write (``await stream.write(...)``) and the SDK reads.

    ``write`` waits while *max_buffer_bytes* are unread. ``close()`` may be
    awaited or called plainly. Writing from other threads through
    ``asyncio.run_coroutine_threadsafe`` is safe too.
    """

    def __init__(
        self, format: PcmFormat | None = None, *, max_buffer_bytes: int = DEFAULT_MAX_BUFFER
    ) -> None:
        super().__init__(format, max_buffer_bytes)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append audio, waiting while the buffer is full.

        Raises:
            AudioError: the stream is closed, the reader has gone away, or the
                data is not bytes-like.
        """
        await self._pipe.aput(_as_bytes(data))

    def close(self) -> _Done:
        """Mark the end of the audio. Returns an awaitable, so ``await stream.close()`` works."""
        self._pipe.close()
        return _Done()

    async def aclose(self) -> None:
        """Mark the end of the audio (coroutine form of :meth:`close`)."""
        self.close()

    async def __aenter__(self) -> AsyncPushStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

"""The avatar's video over the Voice Live WebSocket (``output_protocol="websocket"``).

The service sends the video of each response as ``response.video.delta``
events: fragmented MP4 (H.264 + AAC) in pieces that, concatenated in order,
form a playable file. :class:`VideoFeed` keeps them per response (a *take*)
so that a reader that starts late still gets a take from its first bytes:
each take goes to one reader, in order. Takes nobody asked for are kept up
to :data:`MAX_UNREAD_BYTES`, the oldest dropped first.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..models import voice_live as m

__all__ = ["MAX_UNREAD_BYTES", "VideoFeed"]

#: The most video bytes kept for takes no reader has claimed yet.
MAX_UNREAD_BYTES = 32 * 1024 * 1024


@dataclass(eq=False)
class _Take:
    """The video of one response."""

    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    done: bool = False
    claimed: bool = False
    dropped: bool = False


class VideoFeed:
    """The session's received video, per response, for :meth:`chunks` readers."""

    def __init__(self) -> None:
        self._takes: deque[_Take] = deque()
        self._open: _Take | None = None
        self._changed = asyncio.Event()
        self._ended = False
        self._error: BaseException | None = None

    def observe(self, event: m.ServerEvent) -> None:
        """Take in one server event (the session's task calls this for every event)."""
        if isinstance(event, m.ResponseCreated):
            self._close_open()
        elif isinstance(event, m.ResponseVideoDelta):
            take = self._open
            if take is None:  # a delta outside a response: it starts a take of its own
                take = self._open = _Take()
                self._takes.append(take)
            if not take.dropped:
                take.chunks.append(event.data)
                take.size += len(event.data)
                self._bound()
        elif isinstance(event, m.ResponseDone):
            self._close_open()
        else:
            return
        self._notify()

    def end(self, error: BaseException | None) -> None:
        """The session ended (*error*: why, if it failed): readers of a take still open
        raise it (or stop, after a clean close); complete takes can still be read."""
        self._ended, self._error = True, error
        self._notify()

    async def chunks(self, *, timeout: float | None) -> AsyncIterator[bytes]:
        """The next unclaimed take with video, chunk by chunk, until its response is done.

        Raises:
            TimeoutError: nothing new for *timeout* seconds.
            SpeechError: the session failed before the take was complete (its error).
        """
        while True:
            take = await self._claim(timeout)
            if take is None:
                return
            sent = 0
            try:
                while True:
                    while sent < len(take.chunks):
                        yield take.chunks[sent]
                        sent += 1
                    if take.done:
                        break
                    if self._ended:
                        self._raise_or_stop()
                        return
                    await self._wait(timeout)
            finally:
                self._forget(take)  # read, or abandoned by its reader: nobody else gets it
            if sent:
                return
            # A response without video (a tool call...): the next one has it.

    async def _claim(self, timeout: float | None) -> _Take | None:
        while True:
            for take in self._takes:
                if not take.claimed and not take.dropped:
                    take.claimed = True
                    return take
            if self._ended:
                self._raise_or_stop()
                return None
            await self._wait(timeout)

    def _raise_or_stop(self) -> None:
        if self._error is not None:
            raise self._error

    async def _wait(self, timeout: float | None) -> None:
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"no avatar video for {timeout:g}s (is the session's avatar "
                "output_protocol 'websocket', and was a response asked for?)"
            ) from None

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _close_open(self) -> None:
        take, self._open = self._open, None
        if take is None:
            return
        take.done = True
        if not take.chunks and not take.claimed:
            self._forget(take)

    def _forget(self, take: _Take) -> None:
        take.dropped = True
        take.chunks = []
        if take in self._takes:
            self._takes.remove(take)

    def _bound(self) -> None:
        unread = [t for t in self._takes if not t.claimed]
        excess = sum(t.size for t in unread) - MAX_UNREAD_BYTES
        for take in unread:
            if excess <= 0:
                break
            excess -= take.size
            self._forget(take)

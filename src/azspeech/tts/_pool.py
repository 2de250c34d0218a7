"""Open synthesis WebSockets kept for reuse by the async TTS resource.

A synthesis turn opens a socket (or takes an idle one for the same URL),
and gives it back when the turn ended cleanly; a socket in an unknown state
is discarded. Idle sockets are retired before the service's own limits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import deque
from collections.abc import Awaitable, Callable

from .._transport.ws import WebSocket

__all__ = ["ConnectionPool", "PooledConnection"]

# The service closes idle sockets after about three minutes and any socket after
# about ten; pooled connections are retired before either.
_MAX_IDLE_S = 150.0
_MAX_AGE_S = 540.0
_MAX_POOLED = 4


@dataclasses.dataclass
class PooledConnection:
    """An open synthesis socket and what the pool knows about it."""

    ws: WebSocket
    url: str
    opened: float
    last_used: float
    loop: asyncio.AbstractEventLoop
    configured: bool = False


class ConnectionPool:
    """Open synthesis sockets per URL, reused across requests (one request at a time each)."""

    def __init__(self) -> None:
        self._idle: dict[str, deque[PooledConnection]] = {}
        self._closing: set[asyncio.Future[None]] = set()

    async def acquire(
        self, url: str, connect: Callable[[str], Awaitable[WebSocket]]
    ) -> tuple[PooledConnection, bool]:
        """An idle socket for *url* (and True), or a new one from *connect* (and False)."""
        now = time.monotonic()
        loop = asyncio.get_running_loop()
        idle = self._idle.get(url)
        while idle:
            conn = idle.pop()
            if conn.loop is not loop:
                _drop(conn)  # opened under another event loop (an earlier asyncio.run): unusable
                continue
            if (
                not conn.ws.closed
                and now - conn.last_used < _MAX_IDLE_S
                and now - conn.opened < _MAX_AGE_S
            ):
                return conn, True
            await conn.ws.close()
        ws = await connect(url)
        return PooledConnection(ws, url, now, now, loop), False

    def release(self, conn: PooledConnection) -> None:
        """Give back a socket whose turn ended cleanly, for the next request."""
        if conn.ws.closed:
            return
        idle = self._idle.setdefault(conn.url, deque())
        conn.last_used = time.monotonic()
        if len(idle) >= _MAX_POOLED:
            old = idle.popleft()
            task = asyncio.ensure_future(old.ws.close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        idle.append(conn)

    async def discard(self, conn: PooledConnection) -> None:
        """Close a socket that may still be receiving a turn's audio.

        The close handshake needs the frames already on the way to be read
        (else flow control stalls it), so read and drop them while closing.
        """
        if conn.ws.closed:
            return
        closing = asyncio.ensure_future(conn.ws.close())

        async def drain() -> None:
            while True:
                await conn.ws.recv()

        drainer = asyncio.ensure_future(drain())
        try:
            await asyncio.wait_for(asyncio.shield(closing), 5.0)
        except (asyncio.TimeoutError, Exception):
            pass
        finally:
            drainer.cancel()
            await asyncio.gather(drainer, return_exceptions=True)

    async def close(self) -> None:
        """Close the idle sockets (those of this event loop; others died with theirs)."""
        idle, self._idle = self._idle, {}
        loop = asyncio.get_running_loop()
        for conns in idle.values():
            for conn in conns:
                if conn.loop is loop:
                    await conn.ws.close()
                else:
                    _drop(conn)

    def abandon(self) -> None:
        """Close the idle sockets without awaiting (the pool's owner was collected unclosed)."""
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                _drop(conn)


def _drop(conn: PooledConnection) -> None:
    """Close the socket of a connection whose event loop is gone (no handshake possible)."""
    if conn.loop.is_running():
        conn.loop.call_soon_threadsafe(asyncio.ensure_future, conn.ws.close())
        return
    # The loop cannot run the close any more: drop the bare socket.
    conn.ws.abort()

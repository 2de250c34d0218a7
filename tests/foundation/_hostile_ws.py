"""A WebSocket peer on 127.0.0.1 that completes the upgrade by hand, then misbehaves.

websockets' own server always answers a close frame; this one can send any
frame and then ignore everything the client says (no close handshake, no FIN),
the way a broken proxy or a hung service does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def frame(payload: str | bytes) -> bytes:
    """One unmasked server frame: text for ``str``, binary for ``bytes``."""
    if isinstance(payload, str):
        data, opcode = payload.encode("utf-8"), 0x81
    else:
        data, opcode = payload, 0x82
    n = len(data)
    if n < 126:
        head = bytes([opcode, n])
    elif n < 65536:
        head = bytes([opcode, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([opcode, 127]) + n.to_bytes(8, "big")
    return head + data


async def _upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    request = await reader.readuntil(b"\r\n\r\n")
    key = b""
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    if not key:
        return False
    accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    await writer.drain()
    return True


async def ignore_everything(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read and drop whatever the client sends, close frames included, until it hangs up."""
    while await reader.read(65536):
        pass


def sends_then_ignores(*frames: str | bytes) -> Behaviour:
    """A peer that sends *frames*, then never answers anything (no close handshake)."""

    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for payload in frames:
            writer.write(frame(payload))
        await writer.drain()
        await ignore_everything(reader, writer)

    return behave


@asynccontextmanager
async def hostile_server(behaviour: Behaviour) -> AsyncIterator[str]:
    """Serve *behaviour* after a valid upgrade; yield the ``ws://`` base URL."""
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            if await _upgrade(reader, writer):
                await behaviour(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            tasks.discard(task)

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        srv.close()
        for task in list(tasks):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

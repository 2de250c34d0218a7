"""The receive fast path for data frames: whatever the TCP reads, the same messages and errors.

Once a connection is open, whole data frames are cut from the incoming bytes
by ``azspeech._transport.ws_connection`` instead of websockets' parser. These
tests send frames split at any byte, mixed with pings and fragmented
messages, and broken ones, from a raw peer on 127.0.0.1, and check that the
client sees exactly what websockets alone would give.
"""

from __future__ import annotations

import asyncio

import pytest

from azspeech import ConnectionClosedError, ProtocolError
from azspeech._transport.ws import connect_raw

from ._hostile_ws import Behaviour, frame, hostile_server, ignore_everything

MESSAGES: list[str | bytes] = [
    "short",
    "x" * 125,
    "y" * 126,  # 16-bit length
    bytes(range(256)) * 3,
    "z" * 70_000,  # 64-bit length
    "é and ☃",
    b"",
]


def trickle(data: bytes, sizes: list[int]) -> Behaviour:
    """A peer that writes *data* in pieces of *sizes* (cycled), each its own TCP write."""
    # The small messages come first: every split point of their frames is exercised.

    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pos = 0
        i = 0
        while pos < len(data):
            n = sizes[i % len(sizes)] if i < 600 else 4096  # the 70 kB frame: in 4 kB pieces
            writer.write(data[pos : pos + n])
            await writer.drain()
            await asyncio.sleep(0.001)
            pos += n
            i += 1
        await ignore_everything(reader, writer)

    return behave


async def _receive(url: str, n: int) -> tuple[list[str | bytes], bool]:
    """*n* messages, and whether the data frames came through the fast path."""
    ws = await connect_raw(url + "/x", auth=None)
    try:
        got = [await asyncio.wait_for(ws.recv(), 10) for _ in range(n)]
        return got, ws._conn._fast
    finally:
        ws.abort()


@pytest.mark.parametrize("sizes", [[1], [3, 1, 7], [2, 64, 5000], [100_000]])
async def test_frames_split_anywhere_arrive_whole(sizes: list[int]) -> None:
    data = b"".join(frame(m) for m in ["first", *MESSAGES])
    async with hostile_server(trickle(data, sizes)) as url:
        got, fast = await _receive(url, len(MESSAGES) + 1)
    assert got == ["first", *MESSAGES]
    assert fast


def _client_frames(buf: bytearray) -> list[int]:
    """Opcodes of the whole (masked) client frames at the start of *buf*."""
    opcodes = []
    pos = 0
    while len(buf) - pos >= 6:
        n = buf[pos + 1] & 0x7F
        head = 2 + {126: 2, 127: 8}.get(n, 0) + 4
        if n >= 126:
            size = 2 if n == 126 else 8
            n = int.from_bytes(buf[pos + 2 : pos + 2 + size], "big")
        if len(buf) - pos < head + n:
            break
        opcodes.append(buf[pos] & 0x0F)
        pos += head + n
    return opcodes


async def test_pings_and_fragmented_messages_between_data_frames() -> None:
    pongs: list[int] = []

    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame("first"))
        await writer.drain()
        await asyncio.sleep(0.05)  # the client is open and at a frame boundary
        ping = bytes([0x89, 4]) + b"abcd"
        fragmented = bytes([0x01, 4]) + b"frag" + bytes([0x80, 4]) + b"ment"
        data = frame("a") + ping + frame("b") + fragmented + frame(b"c") + ping + frame("d")
        for i in range(0, len(data), 3):
            writer.write(data[i : i + 3])
            await writer.drain()
            await asyncio.sleep(0.001)
        buf = bytearray()
        for _ in range(200):  # bounded: until the client's two pongs came
            chunk = await reader.read(65536)
            if not chunk:
                break
            buf += chunk
            pongs[:] = [op for op in _client_frames(buf) if op == 0xA]
            if len(pongs) >= 2:
                break
        await ignore_everything(reader, writer)

    async with hostile_server(behave) as url:
        ws = await connect_raw(url + "/x", auth=None, ping_interval=None)
        try:
            got = [await asyncio.wait_for(ws.recv(), 10) for _ in range(6)]
            handed_over = ws._conn._slow_for_good  # the fragment went to websockets for good
            for _ in range(500):  # bounded: the pongs reach the peer
                if len(pongs) >= 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            ws.abort()
    assert got == ["first", "a", "b", "fragment", b"c", "d"]
    assert handed_over
    assert len(pongs) == 2


async def test_a_masked_frame_from_the_server_fails_the_connection() -> None:
    masked = bytes([0x81, 0x80 | 2]) + b"\x01\x02\x03\x04" + bytes([ord("h") ^ 1, ord("i") ^ 2])

    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame("first"))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(masked)
        await writer.drain()
        await ignore_everything(reader, writer)

    async with hostile_server(behave) as url:
        ws = await connect_raw(url + "/x", auth=None)
        try:
            assert await asyncio.wait_for(ws.recv(), 10) == "first"
            with pytest.raises(ProtocolError):
                await asyncio.wait_for(ws.recv(), 10)
        finally:
            ws.abort()


async def test_a_frame_cut_by_the_end_of_the_connection_is_a_drop() -> None:
    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame("first"))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(frame("complete") + frame("truncated")[:6])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()  # TCP ends in the middle of a frame, without a close frame

    async with hostile_server(behave) as url:
        ws = await connect_raw(url + "/x", auth=None)
        try:
            assert await asyncio.wait_for(ws.recv(), 10) == "first"
            assert await asyncio.wait_for(ws.recv(), 10) == "complete"
            with pytest.raises(ConnectionClosedError) as info:
                await asyncio.wait_for(ws.recv(), 10)
        finally:
            ws.abort()
    assert info.value.transient  # a network drop (1006): worth a reconnect


async def test_text_that_is_not_utf8_fails_the_connection_as_websockets_does() -> None:
    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame("first"))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(frame("ok") + bytes([0x81, 2]) + b"\xff\xfe" + frame("never"))
        await writer.drain()
        await ignore_everything(reader, writer)

    async with hostile_server(behave) as url:
        ws = await connect_raw(url + "/x", auth=None)
        try:
            assert await asyncio.wait_for(ws.recv(), 10) == "first"
            await asyncio.sleep(0.1)  # both frames are queued before the next recv()
            assert await asyncio.wait_for(ws.recv(), 10) == "ok"
            with pytest.raises(ProtocolError) as info:
                await asyncio.wait_for(ws.recv(), 10)
        finally:
            ws.abort()
    assert "1007" in str(info.value)

"""PushStream and AsyncPushStream: threads, coroutines, backpressure, closing."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from azspeech.audio import AsyncPushStream, PcmFormat, PushStream, open_pcm_stream
from azspeech.errors import AudioError

PIECE = bytes(range(256)) * 25  # 6400 bytes = 200 ms at 16 kHz 16-bit mono


def test_push_stream_from_thread_read_sync() -> None:
    push = PushStream(PcmFormat(), max_buffer_bytes=8000)
    stream = open_pcm_stream(push)

    def writer() -> None:
        for _ in range(50):
            push.write(PIECE)
        push.close()

    t = threading.Thread(target=writer)
    t.start()
    chunks = list(stream)
    t.join(timeout=10)
    assert not t.is_alive()
    assert b"".join(chunks) == PIECE * 50
    assert all(len(c) == 3200 for c in chunks)


async def test_push_stream_from_thread_read_async() -> None:
    push = PushStream(max_buffer_bytes=8000)

    def writer() -> None:
        with push:
            for _ in range(30):
                push.write(bytearray(PIECE))

    t = threading.Thread(target=writer)
    t.start()
    data = b"".join([c async for c in open_pcm_stream(push)])
    t.join(timeout=10)
    assert data == PIECE * 30


async def test_async_push_stream_same_loop() -> None:
    push = AsyncPushStream(max_buffer_bytes=7000)

    async def writer() -> None:
        for _ in range(20):
            await push.write(PIECE)
        await push.close()

    task = asyncio.create_task(writer())
    data = b"".join([c async for c in open_pcm_stream(push)])
    await task
    assert data == PIECE * 20


async def test_async_push_close_without_await_and_aclose() -> None:
    push = AsyncPushStream()
    await push.write(PIECE)
    push.close()  # plain call, no "never awaited" warning: it returns a ready awaitable
    assert push.closed
    assert await open_pcm_stream(push).aread_all() == PIECE
    other = AsyncPushStream()
    async with other:
        await other.write(b"\x00\x00")
    assert other.closed
    await other.aclose()


async def test_backpressure_async_writer_waits() -> None:
    push = AsyncPushStream(max_buffer_bytes=1000)
    await push.write(b"\x00" * 1000)
    pending = asyncio.create_task(push.write(b"\x00" * 10))
    await asyncio.sleep(0.01)
    assert not pending.done()  # buffer full: the writer waits
    stream = open_pcm_stream(push, chunk_ms=10)
    first = await stream.__anext__()
    await asyncio.wait_for(pending, 5)
    assert len(first) == 320
    push.close()
    rest = await stream.aread_all()
    assert len(first) + len(rest) == 1010


def test_backpressure_sync_writer_times_out() -> None:
    push = PushStream(max_buffer_bytes=100)
    push.write(b"\x00" * 100)
    with pytest.raises(AudioError, match="full"):
        push.write(b"\x00" * 2, timeout=0.01)


def test_write_after_close_and_bad_types() -> None:
    push = PushStream()
    push.close()
    with pytest.raises(AudioError, match="after close"):
        push.write(b"\x00\x00")
    with pytest.raises(AudioError, match="bytes"):
        PushStream().write("text")  # type: ignore[arg-type]
    with pytest.raises(AudioError, match="max_buffer_bytes"):
        PushStream(max_buffer_bytes=0)
    with pytest.raises(AudioError, match="PcmFormat"):
        PushStream(16000)  # type: ignore[arg-type]


def test_reader_close_releases_blocked_writer() -> None:
    push = PushStream(max_buffer_bytes=10)
    stream = open_pcm_stream(push)
    push.write(b"\x00" * 10)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            push.write(b"\x00" * 10)
        except AudioError as exc:
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    stream.close()
    t.join(timeout=10)
    assert not t.is_alive()
    assert errors and "closed" in str(errors[0])


def test_push_stream_format_conversion() -> None:
    push = PushStream(PcmFormat(8000, 16, 2))
    push.write(b"\x00\x10\x00\x10" * 800)  # 100 ms of 8 kHz stereo
    push.close()
    out = open_pcm_stream(push).read_all()
    assert abs(len(out) - 3200) <= 4


async def test_async_push_read_sync_in_loop_is_an_error() -> None:
    push = AsyncPushStream()
    with pytest.raises(AudioError, match="deadlock"):
        next(iter(open_pcm_stream(push)))


def test_repr() -> None:
    assert "PushStream" in repr(PushStream())


def test_many_writer_threads_lose_nothing() -> None:
    push = PushStream(max_buffer_bytes=4096)
    stream = open_pcm_stream(push, chunk_ms=10)
    pieces = {i: bytes([i]) * 64 for i in range(8)}

    def writer(i: int) -> None:
        for _ in range(200):
            push.write(pieces[i])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    closer = threading.Thread(target=lambda: ([t.join(10) for t in threads], push.close()))
    closer.start()
    data = stream.read_all()
    closer.join(10)
    assert len(data) == 8 * 200 * 64
    counts = np.bincount(np.frombuffer(data, np.uint8), minlength=8)
    assert list(counts[:8]) == [200 * 64] * 8

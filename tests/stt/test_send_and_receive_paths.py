"""The streaming hot paths, pinned: batched audio writes, the uncopied chunker, the event queue.

A file read faster than real time goes out in full-size audio messages
(8192 bytes of payload, the protocol's limit), several of them masked and
framed into one socket write; the emulator still sees each as its own
message, every byte once. Live audio keeps its ``chunk_ms`` messages. With
interim results off, hypothesis bodies are not decoded at all (a broken one
is ignored, as the result it would have made is). None of this changes what
is recognized.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import MAX_AUDIO_PAYLOAD
from azspeech._protocol.replay import ReplayBuffer
from azspeech.audio import PcmFormat, open_pcm_stream
from azspeech.errors import ProtocolError
from azspeech.models.stt import Recognized, Recognizing

from ..session._fake_service import Peer, fake_client
from ._audio import numbered_texts, phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator


def _count_socket_writes(session: Any) -> list[int]:
    """Count the client's socket writes per connection (the frames still go to the emulator)."""
    writes: list[int] = []
    connect = session._connect

    async def counting_connect() -> Any:
        ws = await connect()
        transport = ws.raw._conn.transport
        write = transport.write
        writes.append(0)

        def counting_write(data: Any) -> None:
            writes[-1] += 1
            write(data)

        transport.write = counting_write
        return ws

    session._connect = counting_connect
    return writes


async def test_a_file_goes_out_in_batched_writes_of_full_messages(
    emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    texts = numbered_texts(5, seed=3)
    pcm, _ = phrase_audio(texts, seed=3)
    session = aclient.stt.connect(interim_results=False)
    writes = _count_socket_writes(session)
    async with session:
        await session.send_file(wav(pcm))
        got = [e.result.text async for e in session if isinstance(e, Recognized)]
    assert got == texts
    (log,) = [s for s in emulator.log if "/speech/recognition" in s.path]
    messages = -(-len(pcm) // MAX_AUDIO_PAYLOAD)
    # The emulator decoded each message on its own: every byte once, none over the limit.
    assert log.audio_bytes == len(pcm)
    assert log.audio_chunks == messages
    assert not log.errors
    # Far fewer socket writes than audio messages (config, context, header and end included).
    (n_writes,) = writes
    assert n_writes <= messages // 4 + 6, (n_writes, messages)


async def test_a_cancelled_reader_loses_no_event(aclient: AsyncSpeechClient) -> None:
    texts = numbered_texts(4, seed=9)
    pcm, _ = phrase_audio(texts, seed=9)
    got: list[str] = []
    timeouts = 0
    async with aclient.stt.connect(interim_results=False) as session:

        async def feed() -> None:
            # Paced, so that results arrive spread out and the 1 ms reads below
            # surely wait on an empty queue at times (a file sent at once can
            # have every result queued before a slow reader first looks).
            for start in range(0, len(pcm), 3200):
                await session.send(pcm[start : start + 3200])
                await asyncio.sleep(0.005)
            await session.end_audio()

        feeder = asyncio.create_task(feed())
        events = session.__aiter__()
        for _ in range(100_000):  # bounded; ends at the end of the session
            try:
                event = await asyncio.wait_for(events.__anext__(), 0.001)
            except asyncio.TimeoutError:
                timeouts += 1  # the reader was cancelled while waiting: nothing is lost
                continue
            except StopAsyncIteration:
                break
            if isinstance(event, Recognized):
                got.append(event.result.text)
        await feeder
    assert got == texts
    assert timeouts > 0


async def _broken_hypothesis_then_phrase(peer: Peer) -> None:
    await peer.until_audio_end()
    await peer.send("speech.hypothesis", '{"Text": "unfinish')  # not JSON
    await peer.send(
        "speech.phrase",
        {"RecognitionStatus": "Success", "DisplayText": "Done.", "Offset": 0, "Duration": 1000},
    )
    await peer.send("turn.end")
    while True:
        await peer.recv()


async def test_hypotheses_are_not_decoded_when_interim_results_are_off() -> None:
    async with fake_client(_broken_hypothesis_then_phrase) as client:
        async with client.stt.connect(interim_results=False) as session:
            await session.send(bytes(3200))
            await session.end_audio()
            events = [e async for e in session]
        assert [e.result.text for e in events if isinstance(e, Recognized)] == ["Done."]
        assert not any(isinstance(e, Recognizing) for e in events)


async def test_a_broken_hypothesis_still_fails_when_interim_results_are_on() -> None:
    async with fake_client(_broken_hypothesis_then_phrase) as client:
        session = client.stt.connect(interim_results=True, max_reconnects=0)
        with pytest.raises(ProtocolError):
            async with session:
                await session.send(bytes(3200))
                await session.end_audio()
                async for _ in session:
                    pass


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.integers(1, 9000).map(lambda n: n + n % 2), min_size=1, max_size=12),
    piece=st.sampled_from([640, 3200, 8192]),
    limit=st.one_of(st.none(), st.integers(0, 40000).map(lambda n: n - n % 2)),
    budget=st.integers(1, 70000),
    acked=st.integers(0, 20000),
)
def test_take_is_next_chunk_and_advance_in_one_call(
    pieces: list[int], piece: int, limit: int | None, budget: int, acked: int
) -> None:
    def filled() -> ReplayBuffer:
        rb = ReplayBuffer(32000, 2, max_bytes=limit)
        for i, n in enumerate(pieces):
            rb.append(bytes([i % 251]) * n)
        first = rb.next_chunk(4000)
        if first is not None:
            rb.advance(len(first))
            rb.shrink(rb.bytes_to_ticks(min(acked, rb.cursor)))
        return rb

    # The old per-message loop: next_chunk, the window check, advance.
    one = filled()
    expected: list[bytes] = []
    spent = 0
    while spent < budget:
        chunk = one.next_chunk(piece)
        if chunk is None or (limit is not None and one.unacked_bytes + len(chunk) > limit):
            break
        one.advance(len(chunk))
        expected.append(chunk)
        spent += len(chunk)

    batch = filled()
    room = None if limit is None else limit - batch.unacked_bytes
    assert batch.take(piece, room, budget) == expected
    assert (batch.cursor, batch.unacked_bytes, batch.evicted_bytes) == (
        one.cursor,
        one.unacked_bytes,
        one.evicted_bytes,
    )


@pytest.mark.parametrize("chunk_ms", [100, 1000, 4096])
def test_raw_pcm_chunks_are_the_same_with_passthrough(chunk_ms: int, tmp_path: Any) -> None:
    fmt = PcmFormat(16000, 16, 1)
    pcm = bytes(range(256)) * 1000 + b"\x01\x02" * 77  # not a whole number of chunks
    path = tmp_path / "a.wav"
    path.write_bytes(fmt.wav_header(len(pcm)) + pcm)
    for audio, raw in ((path, None), (pcm, fmt)):
        chunks = list(open_pcm_stream(audio, target=fmt, input_format=raw, chunk_ms=chunk_ms))
        size = fmt.duration_to_bytes(chunk_ms / 1000)
        assert b"".join(chunks) == pcm
        assert all(len(c) == size for c in chunks[:-1])
        assert all(type(c) is bytes for c in chunks)

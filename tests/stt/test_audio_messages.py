"""Audio messages: within the protocol's payload limit, full-size for a file, exact on resume.

A file read faster than real time goes out in messages of the largest
payload the protocol allows (8192 bytes) instead of ``chunk_ms`` pieces;
live audio keeps its ``chunk_ms`` pieces; no message is ever larger than the
limit; and after a dropped connection the replay starts on a whole sample
frame at the acknowledged point, with every phrase reported once.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import MAX_AUDIO_PAYLOAD, decode_frame
from azspeech._protocol.replay import ReplayBuffer
from azspeech.models.stt import Recognized
from azspeech.options import Reliability

from ._audio import numbered_texts, phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator

TOLERANCE_TICKS = 250_000  # 25 ms: the emulator reports times on a 10 ms grid


def _record_audio(session: Any) -> list[list[int]]:
    """Record the payload size of every audio message, one list per connection.

    The frames still go over the real socket to the emulator; only their
    sizes are noted on the way (the WAV header message of each turn is left out).
    """
    turns: list[list[int]] = []
    connect = session._connect

    async def recording_connect() -> Any:
        ws = await connect()
        sizes: list[int] = []
        turns.append(sizes)
        send, send_many = ws.send, ws.send_many

        def note(frame: str | bytes) -> None:
            if isinstance(frame, bytes):
                msg = decode_frame(frame)
                if msg.path == "audio" and msg.header("Content-Type") is None:
                    sizes.append(len(msg.body))

        async def recording_send(frame: str | bytes) -> None:
            note(frame)
            await send(frame)

        async def recording_send_many(frames: list[bytes]) -> None:
            for frame in frames:  # a batch of audio messages, written at once
                note(frame)
            await send_many(frames)

        ws.send, ws.send_many = recording_send, recording_send_many
        return ws

    session._connect = recording_connect
    return turns


async def test_a_file_goes_out_in_full_messages_within_the_limit(
    aclient: AsyncSpeechClient,
) -> None:
    texts = numbered_texts(6, seed=11)
    pcm, _ = phrase_audio(texts, seed=11)
    session = aclient.stt.connect(interim_results=False)
    turns = _record_audio(session)
    async with session:
        await session.send_file(wav(pcm))
        got = [e.result.text async for e in session if isinstance(e, Recognized)]
    assert got == texts
    (sizes,) = turns
    assert sizes[-1] == 0  # the end of the audio
    payloads = sizes[:-1]
    assert sum(payloads) == len(pcm)
    assert max(payloads) == MAX_AUDIO_PAYLOAD
    # Not cut into 100 ms pieces: every message is full but the last.
    assert all(n == MAX_AUDIO_PAYLOAD for n in payloads[:-1])


async def test_live_audio_keeps_its_chunk_ms_pieces(aclient: AsyncSpeechClient) -> None:
    texts = numbered_texts(2, seed=5)
    pcm, _ = phrase_audio(texts, seed=5)
    session = aclient.stt.connect(interim_results=False)
    turns = _record_audio(session)
    async with session:
        await session.start()
        for _ in range(500):  # until the turn is open and the sender waits for audio
            if session._idle_ws is not None:
                break
            await asyncio.sleep(0.01)
        for i in range(0, len(pcm), 3200):  # 100 ms at a time, as a microphone gives it
            await session.send(pcm[i : i + 3200])
            await asyncio.sleep(0)
        await session.end_audio()
        got = [e.result.text async for e in session if isinstance(e, Recognized)]
    assert got == texts
    payloads = [n for sizes in turns for n in sizes if n]
    assert sum(payloads) == len(pcm)
    assert max(payloads) <= 3200


async def test_chunk_ms_beyond_the_payload_limit_is_cut_to_it(
    aclient: AsyncSpeechClient,
) -> None:
    texts = numbered_texts(2, seed=8)
    pcm, _ = phrase_audio(texts, seed=8)
    session = aclient.stt.connect(interim_results=False, reliability=Reliability(chunk_ms=1000))
    turns = _record_audio(session)
    async with session:
        await session.start()
        for i in range(0, len(pcm), 32000):  # one second per send: 32000 bytes
            await session.send(pcm[i : i + 32000])
        await session.end_audio()
        got = [e.result.text async for e in session if isinstance(e, Recognized)]
    assert got == texts
    payloads = [n for sizes in turns for n in sizes if n]
    assert sum(payloads) == len(pcm)
    assert max(payloads) <= MAX_AUDIO_PAYLOAD


async def test_a_replay_resumes_on_a_whole_frame_at_the_acknowledged_point(
    emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    texts = numbered_texts(12, seed=21)
    pcm, phrases = phrase_audio(texts, gap_ms=(700, 1500), seed=21)
    emulator.faults.drop(after_audio_ms=9_000, path="/speech/recognition")
    emulator.faults.drop(after_audio_ms=7_300, path="/speech/recognition")
    session = aclient.stt.connect(interim_results=False, max_reconnects=4)
    turns = _record_audio(session)
    bases: list[int] = []
    start_turn = session._state.start_turn

    def recording_start_turn(timestamp: str | None = None) -> list[str | bytes]:
        frames = start_turn(timestamp)
        bases.append(session._replay.cursor)
        return frames

    session._state.start_turn = recording_start_turn
    got = []
    async with session:
        await session.send_file(wav(pcm))
        got = [e.result async for e in session if isinstance(e, Recognized)]
    assert session.reconnects >= 2 and len(turns) >= 3
    assert [r.text for r in got] == texts
    for r, p in zip(got, phrases, strict=True):
        assert abs(r.offset_ticks - p.start * 625) <= TOLERANCE_TICKS, (r.text, r.offset)
    # Each turn resumes on a whole 2-byte frame, and sends exactly the audio from there on.
    assert bases[0] == 0 and all(b % 2 == 0 for b in bases)
    assert bases == sorted(bases) and bases[-1] > 0
    final_turn = turns[-1]
    assert sum(final_turn) == len(pcm) - bases[-1]
    assert max(n for sizes in turns for n in sizes) <= MAX_AUDIO_PAYLOAD


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(st.integers(1, 20_000), min_size=1, max_size=20),
    sizes=st.lists(st.sampled_from([64, 640, 3200, 8192]), min_size=1, max_size=50),
    rewind_at=st.integers(0, 40),
)
def test_next_chunk_joins_small_pieces_up_to_the_size_asked(
    pieces: list[int], sizes: list[int], rewind_at: int
) -> None:
    data = bytes(i % 251 for i in range(sum(pieces)))
    rb = ReplayBuffer(32000, 2)
    pos = 0
    for n in pieces:
        rb.append(data[pos : pos + n])
        pos += n
    out = bytearray()
    for step in range(100_000):
        if step == rewind_at:
            rb.rewind()  # nothing acknowledged: back to the start
            out.clear()
        size = sizes[step % len(sizes)]
        chunk = rb.next_chunk(size)
        if chunk is None:
            break
        assert 0 < len(chunk) <= size
        # Short only at the end of the audio.
        assert len(chunk) == size or rb.cursor + len(chunk) == rb.end
        out += chunk
        rb.advance(len(chunk))
    assert bytes(out) == data

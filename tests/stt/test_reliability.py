"""Reliability: a 10-minute stream survives 20 dropped connections, nothing lost or repeated."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import pytest

from azspeech.models.stt import Recognized

from ._audio import numbered_texts, phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator

TOLERANCE_TICKS = 250_000  # 25 ms: the emulator reports times on a 10 ms grid


@pytest.mark.timeout(120)
async def test_ten_minutes_twenty_drops_every_phrase_once(
    emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    rng = random.Random(20261122)
    texts = numbered_texts(230, seed=7, words=4)
    pcm, phrases = phrase_audio(texts, gap_ms=(900, 2300), seed=7)
    assert len(pcm) / 32000 >= 600  # ten minutes of audio

    # One fault per connection, chosen when the connection opens: 20 of them, at
    # random amounts of audio, of every transient kind (network drop = 1006,
    # server error 1011, going away 1001, normal close in mid-stream 1000).
    plan = []
    for _ in range(20):
        after = rng.uniform(3_000, 40_000)
        kind = rng.choice(["drop", "drop", 1011, 1001, 1000])
        plan.append((kind, after))
    fired = []

    session = aclient.stt.connect(interim_results=False, max_reconnects=4)
    connect = session._connect

    async def connect_with_fault():  # type: ignore[no-untyped-def]
        if plan:
            kind, after = plan.pop(0)
            fired.append(kind)
            if kind == "drop":
                emulator.faults.drop(after_audio_ms=after, path="/speech/recognition")
            else:
                emulator.faults.close(int(kind), "fault", after_audio_ms=after)
        return await connect()

    session._connect = connect_with_fault  # type: ignore[method-assign]
    got = []
    async with session:
        await session.send_file(wav(pcm))
        async for event in session:
            if isinstance(event, Recognized):
                got.append(event.result)

    assert len(fired) == 20 and not plan
    assert session.reconnects >= 20
    dropped = [s for s in emulator.log if s.close_code not in (1000, None) or s.errors]
    assert len(dropped) >= 20
    # Every phrase exactly once, in order, at the right place on one timeline.
    assert [r.text for r in got] == texts
    for r, p in zip(got, phrases, strict=True):
        assert abs(r.offset_ticks - p.start * 625) <= TOLERANCE_TICKS, (r.text, r.offset)
        assert abs(r.end_ticks - p.end * 625) <= TOLERANCE_TICKS, (r.text, r.end)
    offsets = [r.offset_ticks for r in got]
    assert offsets == sorted(offsets)
    assert session._replay.evicted_bytes == 0


async def test_flow_control_keeps_the_replay_window_bounded(aclient: AsyncSpeechClient) -> None:
    texts = numbered_texts(20, seed=3)
    pcm, _ = phrase_audio(texts, seed=3)
    # A 4-second window: the sender waits for final results instead of evicting audio.
    async with aclient.stt.connect(interim_results=False, replay_buffer_seconds=4) as session:
        await session.send_file(wav(pcm))
        got = [r.text async for r in session.results()]
    assert got == texts
    assert session._replay.evicted_bytes == 0
    assert session._replay.retained_bytes <= 4 * 32000 + 32000

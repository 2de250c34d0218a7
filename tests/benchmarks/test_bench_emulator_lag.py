"""The emulator benchmark measures a phrase's lag from the frame that completed it.

Its sessions loop one recording for as long as they run. When the recording's
last 100 ms frame was short, every loop put the audio 40 ms behind the pacing
clock, and a lag measured against the clock grew with each session's age (about
100 ms per ramp step) though the emulator answered on time. These tests pin the
two halves of the fix: every frame carries 100 ms of audio, and the lag counts
from when the frame carrying the phrase's last audio was written.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks import bench_emulator as bench


def test_every_audio_frame_carries_a_whole_chunk() -> None:
    assert len(bench.AUDIO) % bench.CHUNK == 0
    assert len({len(frame) for frame in bench.FRAMES}) == 1
    assert len(bench.FRAMES) * bench.CHUNK == len(bench.AUDIO)


def _client_after(loops: int) -> bench._Client:
    """A session that has sent *loops* recordings, frame k written at 1000 s + k × 100 ms."""
    client = bench._Client(bench.Stats(), b"")
    client.n = loops * len(bench.FRAMES)
    for k in range(max(0, client.n - bench.RING), client.n):
        client.sent_at[k % bench.RING] = 1000.0 + k * bench.CHUNK_MS / 1000
    return client


@pytest.mark.parametrize("loop", [0, 1, 19])
def test_lag_counts_from_the_frame_completing_the_phrase_in_any_loop(loop: int) -> None:
    async def reference() -> float | None:
        client = _client_after(loops=loop + 1)
        loop_ticks = len(bench.AUDIO) // 2 * 10_000_000 // bench.RATE
        # A phrase from 1.2 s to 2.0 s into this loop: with 500 ms of silence it is complete
        # with the sample just before 2.5 s, which frame 24 of the loop carries.
        return client.completed_at(loop * loop_ticks + 12_000_000, 8_000_000)

    frame = loop * len(bench.FRAMES) + 24
    assert asyncio.run(reference()) == pytest.approx(1000.0 + frame * bench.CHUNK_MS / 1000)


def test_a_phrase_about_audio_not_sent_has_no_reference() -> None:
    async def reference() -> tuple[float | None, float | None]:
        client = _client_after(loops=1)
        end = len(bench.AUDIO) // 2 * 10_000_000 // bench.RATE
        return client.completed_at(end, 0), client.completed_at(0, 0)

    not_sent, first = asyncio.run(reference())
    assert not_sent is None
    assert first == pytest.approx(1000.0 + (bench.SEG_SILENCE_S * 1000 // bench.CHUNK_MS - 1) / 10)

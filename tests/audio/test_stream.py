"""PcmStream chunking, pacing and lifecycle."""

from __future__ import annotations

import numpy as np
import pytest

import azspeech.audio.stream as stream_mod
from azspeech.audio import PcmFormat, open_pcm_stream
from azspeech.errors import AudioError

from .corpus import pcm16, sf_bytes, tone

PCM = pcm16(tone(16000))


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s

    async def asleep(self, s: float) -> None:
        self.sleep(s)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    c = FakeClock()
    monkeypatch.setattr(stream_mod, "_clock", c.monotonic)
    monkeypatch.setattr(stream_mod, "_sleep", c.sleep)
    monkeypatch.setattr(stream_mod, "_asleep", c.asleep)
    return c


def test_chunk_sizes() -> None:
    chunks = list(open_pcm_stream(PCM[:-1000], input_format=PcmFormat(), chunk_ms=100))
    assert [len(c) for c in chunks] == [3200] * 9 + [2200]
    chunks = list(open_pcm_stream(PCM, input_format=PcmFormat(), chunk_ms=20))
    assert {len(c) for c in chunks} == {640}
    # 22.05 kHz: 10 ms is 220.5 frames, rounded to a whole frame
    s = open_pcm_stream(PCM, input_format=PcmFormat(), target=PcmFormat(22050), chunk_ms=10)
    assert s.chunk_bytes % 2 == 0 and abs(s.chunk_bytes - 441) <= 1


@pytest.mark.parametrize("chunk_ms", [0, -5, 10**6, True])
def test_bad_chunk_ms(chunk_ms: int) -> None:
    with pytest.raises(AudioError, match="chunk_ms"):
        open_pcm_stream(PCM, input_format=PcmFormat(), chunk_ms=chunk_ms)


def test_realtime_pacing_sync(clock: FakeClock) -> None:
    chunks = list(open_pcm_stream(PCM, input_format=PcmFormat(), realtime=True))
    assert len(chunks) == 10
    assert clock.sleeps == pytest.approx([0.1] * 9)
    assert clock.now == pytest.approx(100.9)


async def test_realtime_pacing_async(clock: FakeClock) -> None:
    chunks = [c async for c in open_pcm_stream(PCM, input_format=PcmFormat(), realtime=True)]
    assert len(chunks) == 10
    assert clock.sleeps == pytest.approx([0.1] * 9)


def test_realtime_pacing_does_not_drift(clock: FakeClock) -> None:
    """Time the consumer spends between chunks is subtracted from the next wait."""
    released = []
    for _ in open_pcm_stream(PCM, input_format=PcmFormat(), realtime=True):
        released.append(clock.now)
        clock.now += 0.03  # the consumer works 30 ms per chunk
    assert released == pytest.approx([100.0 + 0.1 * k for k in range(10)])
    assert clock.sleeps == pytest.approx([0.07] * 9)


def test_realtime_pacing_catches_up_after_a_stall(clock: FakeClock) -> None:
    released = []
    for i, _ in enumerate(open_pcm_stream(PCM, input_format=PcmFormat(), realtime=True)):
        released.append(clock.now)
        clock.now += 0.25 if i == 2 else 0.03
    assert all(r >= 100.0 + 0.1 * k - 1e-9 for k, r in enumerate(released))
    assert released[-1] == pytest.approx(100.9)  # back on schedule, the stall is absorbed


def test_not_realtime_never_sleeps(clock: FakeClock) -> None:
    list(open_pcm_stream(PCM, input_format=PcmFormat()))
    assert clock.sleeps == []


def test_read_all_ignores_pacing(clock: FakeClock) -> None:
    s = open_pcm_stream(PCM, input_format=PcmFormat(), realtime=True)
    assert s.read_all() == PCM and clock.sleeps == []


def test_properties_and_close(tmp_path: object) -> None:
    s = open_pcm_stream(PCM, input_format=PcmFormat(), target=PcmFormat(8000))
    assert s.format == PcmFormat(8000) and s.source_format == PcmFormat()
    assert not s.passthrough and s.chunk_ms == 100 and s.chunk_bytes == 1600
    assert s.wav_header()[:4] == b"RIFF" and len(s.wav_header()) == 44
    first = next(iter(s))
    assert len(first) == 1600 and s.bytes_read == 1600 and s.position_ticks == 1_000_000
    s.close()
    assert s.closed and list(s) == []
    assert "PcmStream" in repr(s)


def test_file_closed_after_iteration_and_on_close(tmp_path: pytest.TempPathFactory) -> None:
    import pathlib

    p = pathlib.Path(str(tmp_path)) / "a.wav"
    p.write_bytes(sf_bytes(np.frombuffer(PCM, "<i2"), 16000, "WAV", "PCM_16"))
    s = open_pcm_stream(p)
    f = s._source._f  # type: ignore[attr-defined]
    list(s)
    assert f.closed
    s2 = open_pcm_stream(p)
    f2 = s2._source._f  # type: ignore[attr-defined]
    next(iter(s2))
    s2.close()
    assert f2.closed


def test_target_formats_other_than_pcm16() -> None:
    x = tone(16000)
    for target in (
        PcmFormat(16000, 8, 1, 7),
        PcmFormat(16000, 8, 1, 6),
        PcmFormat(16000, 24),
        PcmFormat(16000, 32),
        PcmFormat(16000, 32, 1, 3),
        PcmFormat(16000, 8),
        PcmFormat(16000, 16, 2),
    ):
        out = open_pcm_stream((x, 16000), target=target).read_all()
        assert len(out) == 16000 * target.block_align
        from azspeech.audio import decode_audio

        back, _ = decode_audio(out, input_format=target)
        assert np.max(np.abs(back - x)) < 0.02, target


def test_upmix_mono_to_stereo() -> None:
    out = open_pcm_stream(PCM, input_format=PcmFormat(), target=PcmFormat(16000, 16, 2)).read_all()
    pairs = np.frombuffer(out, "<i2").reshape(-1, 2)
    assert np.array_equal(pairs[:, 0], pairs[:, 1])
    assert np.array_equal(pairs[:, 0], np.frombuffer(PCM, "<i2"))


def test_unsupported_channel_mapping() -> None:
    six = np.zeros((100, 6), np.float32)
    with pytest.raises(AudioError, match="6-channel"):
        open_pcm_stream((six, 16000), target=PcmFormat(16000, 16, 2))

"""Microphone and speaker through a fake sounddevice; the missing-extra path."""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

import numpy as np
import pytest

import azspeech.audio as audio_mod
from azspeech.audio import Audio, OutputFormat, open_pcm_stream
from azspeech.errors import AudioError


@pytest.fixture
def no_sounddevice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import sounddevice`` fail as if the [mic] extra were not installed."""
    monkeypatch.setitem(sys.modules, "sounddevice", None)


def test_microphone_without_extra(no_sounddevice: None) -> None:
    with pytest.raises(AudioError, match=r"azspeech\[mic\]"):
        audio_mod.microphone()


def test_play_without_extra(no_sounddevice: None) -> None:
    a = Audio(b"\x00\x00" * 100, OutputFormat.RAW_16KHZ_16BIT_MONO_PCM)
    with pytest.raises(AudioError, match=r"azspeech\[mic\]"):
        a.play()


class FakeInputStream:
    def __init__(
        self,
        *,
        samplerate: int,
        blocksize: int,
        channels: int,
        dtype: str,
        device: Any,
        callback: Any,
    ) -> None:
        self.blocksize = blocksize
        self.callback = callback
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        block = np.arange(self.blocksize, dtype=np.int16)
        for _ in range(5):
            if self.stopped.is_set():
                return
            self.callback(memoryview(block.tobytes()), self.blocksize, None, None)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def close(self) -> None:
        pass


@pytest.fixture
def fake_sd(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    played: list[tuple[Any, int]] = []

    def play(samples: Any, rate: int, blocking: bool = True) -> None:
        played.append((samples, rate))

    mod = types.ModuleType("sounddevice")
    mod.RawInputStream = FakeInputStream  # type: ignore[attr-defined]
    mod.play = play  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", mod)
    return types.SimpleNamespace(played=played)


def test_microphone_streams_blocks(fake_sd: types.SimpleNamespace) -> None:
    mic = audio_mod.microphone(sample_rate=16000, chunk_ms=100)
    mic._stream.thread.join(timeout=5)  # the fake device delivers 5 blocks, then stops
    mic.close()
    data = open_pcm_stream(mic).read_all()
    assert len(data) == 5 * 3200
    assert isinstance(mic, audio_mod.AsyncPushStream) and mic.dropped == 0


async def test_microphone_async(fake_sd: types.SimpleNamespace) -> None:
    async with audio_mod.microphone(chunk_ms=50) as mic:
        stream = open_pcm_stream(mic, chunk_ms=50)
        first = await stream.__anext__()
        assert len(first) == 1600
    rest = await stream.aread_all()
    assert len(rest) % 2 == 0


def test_microphone_device_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = types.ModuleType("sounddevice")

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("Error querying device -1")

    mod.RawInputStream = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", mod)
    with pytest.raises(AudioError, match="cannot open the microphone"):
        audio_mod.microphone()


def test_play_uses_samples(fake_sd: types.SimpleNamespace) -> None:
    a = Audio(b"\x00\x40" * 100, OutputFormat.RAW_16KHZ_16BIT_MONO_PCM)
    a.play()
    samples, rate = fake_sd.played[0]
    assert rate == 16000 and len(samples) == 100 and samples[0] == 0.5

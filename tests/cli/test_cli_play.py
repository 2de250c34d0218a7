"""``azspeech synthesize --play``: to the speaker, or one readable line when it cannot.

This machine has no audio device, so the failures are real; the playing
itself runs against a fake ``sounddevice`` module put in ``sys.modules``,
which records what the library's audio layer hands it.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech.audio import Audio
from azspeech.cli import EXIT, main
from azspeech.emulator import Emulator


def _flags(emulator: Emulator) -> list[str]:
    return ["--endpoint", emulator.url, "--key", emulator.key]


class FakeSoundDevice(types.ModuleType):
    """A sounddevice with one output device that records what it is asked to play."""

    def __init__(self, *, devices: bool = True) -> None:
        super().__init__("sounddevice")
        self.devices = devices
        self.played: list[tuple[Any, int, bool]] = []

    def query_devices(self, device: Any = None, kind: str | None = None) -> dict[str, Any]:
        if not self.devices:
            raise ValueError("No output device matching ''")
        return {"name": "fake speaker", "max_output_channels": 2}

    def play(self, data: Any, samplerate: int, blocking: bool = False) -> None:
        if not self.devices:
            raise RuntimeError("Error opening OutputStream: Invalid device [PaErrorCode -9996]")
        self.played.append((np.array(data, copy=True), samplerate, blocking))

    def OutputStream(self, samplerate: int, channels: int, dtype: str) -> FakeOutputStream:
        """The stream ``--play`` writes PCM formats to as they arrive."""
        return FakeOutputStream(self, samplerate)


class FakeOutputStream:
    """Records what is written; a stream played to the end lands in ``played`` as one entry."""

    def __init__(self, device: FakeSoundDevice, samplerate: int) -> None:
        self.device, self.samplerate = device, samplerate
        self.blocks: list[Any] = []
        self.stopped = False

    def start(self) -> None:
        pass

    def write(self, data: Any) -> bool:
        if not self.device.devices:
            raise RuntimeError("Error opening OutputStream: Invalid device [PaErrorCode -9996]")
        self.blocks.append(np.array(data, copy=True)[:, 0])
        return False

    def stop(self) -> None:  # sounddevice's stop() returns once everything has played
        self.stopped = True

    def abort(self) -> None:
        pass

    def close(self) -> None:
        if self.stopped:
            self.device.played.append((np.concatenate(self.blocks), self.samplerate, True))


def _int16(samples: Any) -> np.ndarray[Any, Any]:
    return np.round(np.asarray(samples, dtype=np.float64) * 32768).clip(-32768, 32767).astype("<i2")


def test_play_hands_the_synthesized_audio_to_the_speaker(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speaker = FakeSoundDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    wav = tmp_path / "hello.wav"
    argv = ["synthesize", "Hello there.", "--play", "-o", str(wav), *_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    assert "wrote" in capsys.readouterr().out
    [(samples, rate, blocking)] = speaker.played
    written = Audio(wav.read_bytes(), "riff-24khz-16bit-mono-pcm")
    assert rate == 24000 and blocking  # played to the end before the command returns
    assert len(written.pcm) > 24000  # real speech, not an empty buffer
    assert _int16(samples).tobytes() == written.pcm  # exactly the synthesized PCM


def test_play_alone_writes_no_file_and_json_says_so(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speaker = FakeSoundDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    monkeypatch.chdir(tmp_path)
    argv = ["synthesize", "Hi.", "--play", "--format", "riff-16khz-16bit-mono-pcm"]
    assert main([*argv, "--json", *_flags(emulator)]) == EXIT["ok"]
    report = json.loads(capsys.readouterr().out)
    assert report["output"] is None and report["played"] is True and report["seconds"] > 0
    assert list(tmp_path.iterdir()) == []
    [(samples, rate, _)] = speaker.played
    assert rate == 16000 and len(samples) == round(report["seconds"] * 16000)


def test_without_the_extra_play_is_one_line_with_the_pip_command_and_exit_5(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails: not installed
    monkeypatch.chdir(tmp_path)
    before = len(emulator.requests)
    assert main(["synthesize", "Hi.", "--play", *_flags(emulator)]) == EXIT["missing_extra"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'azspeech[mic]'" in err
    assert "-o FILE" in err and "Traceback" not in err
    assert len(emulator.requests) == before  # refused before the service was asked
    assert list(tmp_path.iterdir()) == []


def test_without_an_output_device_play_is_one_line_and_exit_6(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", FakeSoundDevice(devices=False))
    assert main(["synthesize", "Hi.", "--play", *_flags(emulator)]) == EXIT["no_audio_device"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no audio output device" in err and "-o FILE" in err
    assert "Traceback" not in err


def test_a_device_that_fails_while_playing_is_one_line_and_exit_6(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speaker = FakeSoundDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    monkeypatch.setattr(speaker, "play", FakeSoundDevice(devices=False).play)
    monkeypatch.setattr(speaker, "OutputStream", FakeSoundDevice(devices=False).OutputStream)
    wav = tmp_path / "kept.wav"
    argv = ["synthesize", "Hi.", "--play", "-o", str(wav), *_flags(emulator)]
    assert main(argv) == EXIT["no_audio_device"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot play" in err and "PaErrorCode" in err
    assert wav.stat().st_size > 44  # the file was written before playing failed


def test_on_this_machine_play_fails_readably(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Whatever is installed here (no sounddevice, or no device): never a traceback.
    monkeypatch.chdir(tmp_path)
    code = main(["synthesize", "Hi.", "--play", *_flags(emulator)])
    err = capsys.readouterr().err
    assert code in (EXIT["ok"], EXIT["missing_extra"], EXIT["no_audio_device"])
    assert "Traceback" not in err
    if code != EXIT["ok"]:  # the usual case here: no sounddevice, or no device
        assert err.count("\n") == 1 and err.startswith("azspeech: error: --play")


def test_without_play_the_default_file_is_still_speech_wav(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["synthesize", "Hi.", *_flags(emulator)]) == EXIT["ok"]
    assert (tmp_path / "speech.wav").stat().st_size > 44
    assert capsys.readouterr().out.startswith("wrote speech.wav (")

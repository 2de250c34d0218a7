"""``azspeech synthesize --play`` plays the first audio while the rest is still being made.

This machine has no sound card: a fake ``sounddevice`` in ``sys.modules``
records what the CLI's speaker writes to its output stream. The emulator is
slowed (every message of the synthesis socket waits) so that a synthesis
takes far longer than handing one chunk to the speaker.
"""

from __future__ import annotations

import _thread
import os
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech.audio import Audio, PcmFormat
from azspeech.cli import EXIT, main
from azspeech.cli._speaker import StreamingSpeaker
from azspeech.emulator import Emulator

SYNTHESIS_SOCKET = r"/cognitiveservices/websocket/v"
TEXT = "The quick brown fox jumps over the lazy dog. Then it runs far away into the woods."


class FakeStream:
    """A sounddevice ``OutputStream`` that records every block written to it."""

    def __init__(self, device: FakeSpeakerDevice, **settings: Any) -> None:
        self.device = device
        self.settings = settings
        self.blocks: list[np.ndarray[Any, Any]] = []
        self.calls: list[str] = []
        device.streams.append(self)

    def start(self) -> None:
        self.calls.append("start")

    def write(self, data: np.ndarray[Any, Any]) -> bool:
        if not self.blocks:
            self.device.first_write()
        self.blocks.append(np.array(data, copy=True))
        return False

    def stop(self) -> None:
        self.calls.append("stop")

    def abort(self) -> None:
        self.calls.append("abort")

    def close(self) -> None:
        self.calls.append("close")

    def pcm(self) -> bytes:
        """What was played, back as 16-bit PCM bytes."""
        samples = np.concatenate(self.blocks)[:, 0].astype(np.float64)
        return np.round(samples * 32768).clip(-32768, 32767).astype("<i2").tobytes()


class FakeSpeakerDevice(types.ModuleType):
    """A sounddevice with one output device; *on_first_sound* runs at the first audio."""

    def __init__(self, on_first_sound: Any = None) -> None:
        super().__init__("sounddevice")
        self.streams: list[FakeStream] = []
        self.whole: list[Any] = []  # what ``play`` was given (the old, after-the-end path)
        self.on_first_sound = on_first_sound or (lambda: None)

    def query_devices(self, device: Any = None, kind: str | None = None) -> dict[str, Any]:
        return {"name": "fake speaker", "max_output_channels": 2}

    def OutputStream(self, **settings: Any) -> FakeStream:
        return FakeStream(self, **settings)

    def play(self, data: Any, samplerate: int, blocking: bool = False) -> None:
        self.first_write()
        self.whole.append(data)

    def first_write(self) -> None:
        self.on_first_sound()


def _flags(emulator: Emulator) -> list[str]:
    return ["--endpoint", emulator.url, "--key", emulator.key]


def _assert_a_valid_beginning(cut: Path, whole: Path) -> None:
    """*cut* is a valid WAV (its sizes agree) holding the first part of *whole*'s audio."""
    start = Audio(cut.read_bytes(), "riff-24khz-16bit-mono-pcm").pcm
    complete = Audio(whole.read_bytes(), "riff-24khz-16bit-mono-pcm").pcm
    assert 0 < len(start) < len(complete) and complete.startswith(start)


def test_the_first_audio_reaches_the_speaker_before_the_synthesis_has_finished(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wav = tmp_path / "fox.wav"
    written_at_first_sound: list[int] = []
    speaker = FakeSpeakerDevice(lambda: written_at_first_sound.append(wav.stat().st_size))
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    emulator.faults.delay(0.05, path=SYNTHESIS_SOCKET, protocol="ws")  # a slow service
    assert main(["synthesize", TEXT, "--play", "-o", str(wav), *_flags(emulator)]) == EXIT["ok"]
    [at_first_sound] = written_at_first_sound
    # When the speaker got its first audio, most of the synthesis had not arrived yet.
    assert at_first_sound < wav.stat().st_size / 2
    [stream] = speaker.streams
    assert stream.settings == {"samplerate": 24000, "channels": 1, "dtype": "float32"}
    assert stream.calls == ["start", "stop", "close"]  # played to the end, then closed
    assert len(stream.blocks) > 1 and speaker.whole == []


def test_what_plays_and_the_file_are_exactly_a_non_streamed_synthesis(
    emulator: Emulator,
    speech_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    speaker = FakeSpeakerDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    played_wav, plain_wav = tmp_path / "played.wav", tmp_path / "plain.wav"
    argv = ["synthesize", TEXT, "--play", "-o", str(played_wav), *_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    assert main(["synthesize", TEXT, "-o", str(plain_wav), *_flags(emulator)]) == EXIT["ok"]
    reference = speech_client.tts.synthesize(TEXT, output_format="riff-24khz-16bit-mono-pcm")
    [stream] = speaker.streams
    assert len(reference.pcm) > 48000 and stream.pcm() == reference.pcm
    assert played_wav.read_bytes() == plain_wav.read_bytes() == reference.data


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("raw-16khz-16bit-mono-pcm", "speech.raw"), ("raw-16khz-16bit-mono-pcm", "speech.wav")],
)
def test_raw_formats_stream_and_save_as_a_run_without_play_does(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str
) -> None:
    speaker = FakeSpeakerDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    played, plain = tmp_path / f"played-{name}", tmp_path / f"plain-{name}"
    common = ["synthesize", "Hello there.", "--format", fmt, *_flags(emulator)]
    assert main([*common, "--play", "-o", str(played)]) == EXIT["ok"]
    assert main([*common, "-o", str(plain)]) == EXIT["ok"]
    assert played.read_bytes() == plain.read_bytes()
    [stream] = speaker.streams
    assert stream.settings["samplerate"] == 16000
    saved = plain.read_bytes()
    if name.endswith(".wav"):  # a WAV file, as Audio.save writes raw PCM to a .wav path
        assert saved[:4] == b"RIFF"
        saved = saved[44:]
    assert stream.pcm() == saved


def test_ctrl_c_stops_playing_and_synthesizing_and_leaves_a_valid_shorter_file(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wav, whole = tmp_path / "cut.wav", tmp_path / "whole.wav"
    assert main(["synthesize", TEXT, "-o", str(whole), *_flags(emulator)]) == EXIT["ok"]
    speaker = FakeSpeakerDevice(_thread.interrupt_main)  # Ctrl-C at the first sound
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    emulator.faults.delay(0.05, path=SYNTHESIS_SOCKET, protocol="ws")
    argv = ["synthesize", TEXT, "--play", "-o", str(wav), *_flags(emulator)]
    assert main(argv) == EXIT["interrupted"]
    [stream] = speaker.streams
    assert stream.calls == ["start", "abort", "close"]  # stopped, not played to the end
    _assert_a_valid_beginning(wav, whole)


def test_a_device_that_fails_on_opening_is_one_line_and_exit_6_with_the_file_complete(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speaker = FakeSpeakerDevice()

    def refuse(**settings: Any) -> FakeStream:
        raise RuntimeError("Error opening OutputStream: Invalid device [PaErrorCode -9996]")

    monkeypatch.setattr(speaker, "OutputStream", refuse)
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    wav, plain = tmp_path / "kept.wav", tmp_path / "plain.wav"
    argv = ["synthesize", TEXT, "--play", "-o", str(wav), *_flags(emulator)]
    assert main(argv) == EXIT["no_audio_device"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot play" in err and "PaErrorCode" in err
    assert main(["synthesize", TEXT, "-o", str(plain), *_flags(emulator)]) == EXIT["ok"]
    assert wav.read_bytes() == plain.read_bytes()  # the file was still written in full


def test_the_buffer_is_bounded_the_feeder_waits_for_the_speaker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    speaker = FakeSpeakerDevice()
    real_write = FakeStream.write

    def slow_write(self: FakeStream, data: np.ndarray[Any, Any]) -> bool:
        release.wait(30)  # the device plays nothing until released
        return real_write(self, data)

    monkeypatch.setattr(FakeStream, "write", slow_write)
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    fmt = PcmFormat(16000)
    player = StreamingSpeaker(fmt, buffer_seconds=0.5)  # 16,000 bytes
    chunk = bytes(range(256)) * 16  # 4,096 bytes, 0.128 s
    fed: list[int] = []

    def feed() -> None:
        for i in range(10):
            player.feed(chunk)
            fed.append(i)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    feeder.join(1.0)
    # One chunk is in the device's hands, four fill the buffer: the fifth waits.
    assert feeder.is_alive() and len(fed) == 5
    release.set()
    feeder.join(30)
    assert not feeder.is_alive() and len(fed) == 10
    player.finish()
    [stream] = speaker.streams
    assert stream.pcm() == chunk * 10


def test_a_chunk_that_splits_a_sample_is_joined_with_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    speaker = FakeSpeakerDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    player = StreamingSpeaker(PcmFormat(16000))
    pcm = np.arange(-500, 500, dtype="<i2").tobytes()
    for piece in (pcm[:1], pcm[1:1001], pcm[1001:]):
        player.feed(piece)
    player.finish()
    [stream] = speaker.streams
    assert stream.pcm() == pcm


def test_a_compressed_format_is_played_whole_after_the_synthesis(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speaker = FakeSpeakerDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    mp3 = tmp_path / "hello.mp3"
    fmt = ["--format", "audio-24khz-48kbitrate-mono-mp3"]
    argv = ["synthesize", "Hello there.", "--play", "-o", str(mp3), *fmt, *_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    [samples] = speaker.whole  # decoded whole, then played: no chunk can be played alone
    assert speaker.streams == [] and len(samples) > 12000
    plain = tmp_path / "plain.mp3"
    assert main(["synthesize", "Hello there.", "-o", str(plain), *fmt, *_flags(emulator)]) == 0
    assert mp3.read_bytes() == plain.read_bytes()


FAKE_SOUNDDEVICE = '''
"""A fake sounddevice for a subprocess: logs the output stream's calls to $FAKE_SD_LOG."""
import os


def _log(what):
    with open(os.environ["FAKE_SD_LOG"], "a") as log:
        log.write(what + "\\n")


def query_devices(device=None, kind=None):
    return {"name": "fake speaker", "max_output_channels": 2}


class OutputStream:
    def __init__(self, **settings):
        _log("open")

    def start(self):
        _log("start")

    def write(self, data):
        _log("write")
        return False

    def stop(self):
        _log("stop")

    def abort(self):
        _log("abort")

    def close(self):
        _log("close")
'''


def test_a_real_sigint_while_playing_ends_with_130_and_a_valid_shorter_file(
    emulator: Emulator, tmp_path: Path
) -> None:
    whole, wav, log = tmp_path / "whole.wav", tmp_path / "cut.wav", tmp_path / "speaker.log"
    assert main(["synthesize", TEXT, "-o", str(whole), *_flags(emulator)]) == EXIT["ok"]
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sounddevice.py").write_text(FAKE_SOUNDDEVICE)
    path = os.pathsep.join([str(fake), *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**os.environ, "PYTHONPATH": path, "FAKE_SD_LOG": str(log)}
    emulator.faults.delay(0.1, path=SYNTHESIS_SOCKET, protocol="ws")  # about 4 s in all
    argv = ["synthesize", TEXT, "--play", "-o", str(wav), *_flags(emulator)]
    with subprocess.Popen(
        [sys.executable, "-m", "azspeech", *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        for _ in range(1200):  # until the first sound (bounded: 60 s)
            if (log.exists() and "write" in log.read_text()) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT["interrupted"], err
    assert "Traceback" not in err and out == ""
    calls = log.read_text().split()
    assert calls[:2] == ["open", "start"] and calls[-2:] == ["abort", "close"]
    assert "stop" not in calls  # not played to the end
    _assert_a_valid_beginning(wav, whole)


def test_a_file_that_cannot_be_written_is_one_line_and_exit_4_before_the_service_is_asked(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    speaker = FakeSpeakerDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", speaker)
    before = len(emulator.state.sessions)
    target = tmp_path / "no-such-folder" / "x.wav"
    argv = ["synthesize", TEXT, "--play", "-o", str(target), *_flags(emulator)]
    assert main(argv) == EXIT["bad_file"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot save audio" in err and "x.wav" in err
    assert speaker.streams == [] and len(emulator.state.sessions) == before
    assert not [t for t in threading.enumerate() if t.name == "azspeech-speaker"]

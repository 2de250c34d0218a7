"""``--plot FILE`` on ``transcribe`` and ``synthesize``: a picture, or one line naming the extra."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.cli import EXIT, main
from azspeech.emulator import Emulator


def _call(client: SpeechClient, path: Path) -> Path:
    """Two speakers, told apart by loudness (as the emulator's diarization does)."""
    parts = []
    for gain, text in [(1.0, "Hello, how can I help?"), (0.35, "My order is late.")]:
        audio = client.tts.synthesize(text, output_format="riff-16khz-16bit-mono-pcm")
        parts += [audio.samples * gain, np.zeros(8000, dtype=np.float32)]
    Audio.from_samples(np.concatenate(parts), 16000).save(path)
    return path


def _is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_realtime_diarization_labels_lines_and_draws_who_spoke_when(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav, png = _call(client, tmp_path / "call.wav"), tmp_path / "when.png"
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    argv = ["transcribe", str(wav), "--mode", "realtime", "--diarization", "--plot", str(png)]
    assert main([*argv, *flags]) == EXIT["ok"]
    captured = capsys.readouterr()
    assert "Guest-1 Hello, how can I help?" in captured.out
    assert "Guest-2 My order is late." in captured.out
    assert _is_png(png) and f"wrote {png}" in captured.err  # stdout keeps only the results


def test_synthesize_plot_saves_the_audio_and_its_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav, png = tmp_path / "hi.wav", tmp_path / "hi.svg"
    argv = ["--emulator", "synthesize", "Hello there.", "-o", str(wav), "--plot", str(png)]
    assert main(argv) == EXIT["ok"]
    assert Audio(wav.read_bytes(), "riff-24khz-16bit-mono-pcm").duration.total_seconds() > 0.3
    assert png.read_text(encoding="utf-8").lstrip().startswith("<?xml")  # SVG by its suffix
    assert "Hello" in png.read_text(encoding="utf-8")


def test_plot_without_matplotlib_is_one_line_with_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    argv = ["--emulator", "synthesize", "Hi.", "-o", str(tmp_path / "hi.wav"), "--plot", "x.png"]
    assert main(argv) == EXIT["missing_extra"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'azspeech[plot]'" in err
    assert not (tmp_path / "hi.wav").exists()  # refused before any work


def test_a_picture_that_cannot_be_saved_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "no-such-folder" / "x.png"
    argv = ["--emulator", "synthesize", "Hi.", "-o", str(tmp_path / "hi.wav"), "--plot", str(bad)]
    assert main(argv) == EXIT["error"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot save the picture" in err

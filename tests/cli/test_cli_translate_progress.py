"""``azspeech translate`` shows progress like ``transcribe``: a seconds bar, live lines above it.

rich draws on a ``Console(force_terminal=True)`` writing into a buffer, put in
place of the real terminal, so what a user would see is text the test reads.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.cli import EXIT, _progress, main
from azspeech.emulator import Emulator

from .test_cli_progress import assert_live_lines_above_a_moving_bar

LINES = ["Thanks for calling, how can I help?", "My order has not arrived yet."]


def _speech(client: SpeechClient, path: Path, gap: float) -> Path:
    """LINES spoken with *gap* seconds of silence after each, as a 16 kHz WAV."""
    parts = []
    for line in LINES:
        samples = client.tts.synthesize(line, output_format="riff-16khz-16bit-mono-pcm").samples
        parts += [samples, np.zeros(int(gap * 16000), dtype=np.float32)]
    Audio.from_samples(np.concatenate(parts), 16000).save(path)
    return path


def _argv(emulator: Emulator, wav: Path, *more: str) -> list[str]:
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    return ["translate", str(wav), "--to", "de", *more, *flags]


def test_translations_arrive_above_the_bar_while_the_audio_streams(
    emulator: Emulator, client: SpeechClient, tmp_path: Path, terminal: io.StringIO
) -> None:
    # Paced like a live source: the first phrase comes back during the long
    # silence after it, while most of the audio has still to be sent.
    wav = _speech(client, tmp_path / "talk.wav", gap=4.0)
    assert main(_argv(emulator, wav, "--realtime")) == EXIT["ok"]
    screen = terminal.getvalue()
    assert "streaming talk.wav" in screen
    first = screen.index(LINES[0])
    assert screen.index("    de: ", first) > first  # its translation right under it
    assert_live_lines_above_a_moving_bar(screen, LINES[0], LINES[1])


def test_without_rich_plain_lines_tell_the_seconds_sent(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _speech(client, tmp_path / "call.wav", gap=3.0)
    monkeypatch.setattr(_progress, "_terminals", lambda: True)
    monkeypatch.setitem(sys.modules, "rich.console", None)  # rich is not installed
    assert main(_argv(emulator, wav)) == EXIT["ok"]
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if line.startswith("streaming call.wav")]
    assert len(steps) >= 3 and steps[-1].startswith("streaming call.wav: 100% (")
    assert "\x1b[" not in captured.err
    assert LINES[0] in captured.out and "    de: " in captured.out


def test_json_or_a_pipe_shows_no_progress(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    terminal: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _speech(client, tmp_path / "call.wav", gap=0.5)
    assert main([*_argv(emulator, wav), "--json"]) == EXIT["ok"]
    assert terminal.getvalue() == ""
    captured = capsys.readouterr()
    first = json.loads(captured.out[: captured.out.index("\n}") + 2])
    assert first["text"] == LINES[0] and set(first["translations"]) == {"de"}
    monkeypatch.undo()  # the real terminal check: pytest's capture is not a terminal
    assert main(_argv(emulator, wav)) == EXIT["ok"]
    captured = capsys.readouterr()
    assert captured.err == "" and LINES[1] in captured.out


def test_a_file_that_is_not_audio_is_one_line_and_exit_4(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "notes.wav"
    junk.write_bytes(b"these are not samples" * 100)
    assert main(_argv(emulator, junk)) == EXIT["bad_file"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err

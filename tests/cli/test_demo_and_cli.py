"""The README's main job and the command line, run as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from azspeech.cli import main
from azspeech.demo import run_demo, word_error_rate
from azspeech.emulator import Emulator


def test_demo_round_trip_is_identical(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_demo("Testing, one two three.") == 0
    out = capsys.readouterr().out
    assert "recognized  : 'Testing, one two three.'" in out
    assert "identical" in out


def test_word_error_rate() -> None:
    assert word_error_rate("The cat sat.", "the cat sat") == 0.0
    assert word_error_rate("the cat sat", "the dog sat") == pytest.approx(1 / 3)
    assert word_error_rate("the cat sat", "the cat") == pytest.approx(1 / 3)
    assert word_error_rate("", "") == 0.0


def test_cli_synthesize_recognize_transcribe(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--endpoint", emulator.url, "--key", emulator.key]
    wav = tmp_path / "hi.wav"
    assert main([*common, "synthesize", "Hello there. How are you?", "-o", str(wav)]) == 0
    assert wav.stat().st_size > 44
    assert main([*common, "recognize", str(wav)]) == 0
    assert main([*common, "recognize", "--continuous", str(wav)]) == 0
    assert main([*common, "transcribe", "--srt", str(wav)]) == 0
    assert main([*common, "voices", "--locale", "en-US"]) == 0
    out = capsys.readouterr().out
    assert out.count("Hello there.") == 3
    assert "00:00:00,050 --> " in out
    assert "en-US-AvaMultilingualNeural" in out


def test_cli_errors_are_one_line_not_tracebacks(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--endpoint", emulator.url, "--key", "wrong-key-123", "voices"]) == 1
    # A missing file has its own exit code (4) since the CLI's exit codes were documented.
    assert (
        main(["--endpoint", emulator.url, "--key", emulator.key, "recognize", "/no/such.wav"]) == 4
    )
    err = capsys.readouterr().err
    assert "401" in err and "no such file" in err
    assert "Traceback" not in err and "wrong-key-123" not in err


def test_python_dash_m_azspeech_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "azspeech", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0
    assert "synthesize" in out.stdout and "emulator" in out.stdout

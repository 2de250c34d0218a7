"""``azspeech transcribe --mode llm``: LLM speech with its upload bar and ``--prompt``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from azspeech.cli import EXIT, _progress, main
from azspeech.emulator import Emulator

from .conftest import assert_upload_bar


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the progress bars draw, as if stdout and stderr were a terminal."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=110, color_system=None)
    monkeypatch.setattr(_progress, "bar_console", lambda: console)
    return screen


def _argv(emulator: Emulator, path: Path, *more: str) -> list[str]:
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    return ["transcribe", str(path), "--mode", "llm", *more, *flags]


def test_llm_mode_shows_the_upload_bar_and_prints_each_phrase(
    emulator: Emulator,
    meeting: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_argv(emulator, meeting)) == EXIT["ok"]
    assert_upload_bar(terminal.getvalue(), "meeting.wav", "transcribed")
    out = capsys.readouterr().out.splitlines()
    assert [line.split("] ", 1)[1] for line in out] == ["Good morning.", "Hello world."]
    [request] = [r for r in emulator.requests if r.path.endswith("transcriptions:transcribe")]
    assert request.status == 200 and request.query["api-version"] == "2025-10-15"


def test_prompts_reach_the_model_and_json_has_no_bar(
    emulator: Emulator,
    meeting: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = _argv(emulator, meeting, "--prompt", "Output must be in lexical format.", "--json")
    assert main(argv) == EXIT["ok"]
    assert terminal.getvalue() == ""
    phrases = json.loads(capsys.readouterr().out)["phrases"]
    assert [p["text"] for p in phrases] == ["good morning", "hello world"]  # as prompted
    assert all(p["confidence"] == 0 for p in phrases)  # LLM speech gives no confidence


def test_llm_mode_writes_captions(
    emulator: Emulator, meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_argv(emulator, meeting, "--srt")) == EXIT["ok"]
    out = capsys.readouterr().out
    assert out.startswith("1\n00:00:") and "Hello world." in out


def test_options_that_do_not_fit_llm_mode_are_one_line_and_exit_2(
    meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--emulator", "transcribe", str(meeting), "--prompt", "Be brief."]
    assert main(argv) == EXIT["usage"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--mode llm" in err
    argv = ["--emulator", "transcribe", str(meeting), "--mode", "llm", "--locale", "de-DE"]
    assert main(argv) == EXIT["usage"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "detects the language" in err

"""``azspeech translate``, ``identify-language`` and ``assess`` against the in-process emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azspeech.cli import main


@pytest.fixture
def speech(tmp_path: Path) -> Path:
    wav = tmp_path / "speech.wav"
    assert main(["--emulator", "synthesize", "Hello there. How are you?", "-o", str(wav)]) == 0
    return wav


def test_translate_prints_each_phrase_with_its_translations(
    speech: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--emulator", "translate", str(speech), "--to", "de", "--to", "fr"]) == 0
    out = capsys.readouterr().out
    assert "Hello there." in out and "    de: " in out and "    fr: " in out


def test_identify_language(speech: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    argv = ["identify-language", str(speech), "--candidate", "en-US", "--candidate", "de-DE"]
    assert main(["--emulator", "--json", *argv]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "en-US"


def test_assess_prints_the_scores(speech: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    argv = ["assess", str(speech), "--text", "Hello there. How are you?"]
    assert main(["--emulator", *argv]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_feature_commands_refuse_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--emulator", "translate", "/no/such.wav", "--to", "de"]) == 4
    assert "no such file" in capsys.readouterr().err

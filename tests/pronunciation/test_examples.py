"""The guide examples of pronunciation assessment and language identification run."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_pronunciation_guide_example_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["guide_pronunciation.py", str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "guide_pronunciation.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "(3 utterances)" in out
    assert "words to practise: world, box, lazy" in out
    assert "recognize_once: 'Hello, world.' pronunciation score" in out
    assert "IPA of 'hello': hɛllɑ" in out
    assert (tmp_path / "pronunciation.html").read_text(encoding="utf-8").startswith("<div")
    assert (tmp_path / "pronunciation.png").read_bytes().startswith(b"\x89PNG")


def test_the_language_id_guide_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "guide_language_id.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "dominant language: de-DE" in out
    assert "at start: ['en-US', 'en-US', 'en-US']" in out
    assert "recognized [de-DE/High] Schöne Grüße aus München." in out
    assert "refused: at most 4 candidate languages" in out
    assert "recognize_once: Good morning. -> en-US High" in out

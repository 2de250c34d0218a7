"""The translation guide's example runs against the emulator and prints what the guide shows."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest


@pytest.mark.timeout(120)
def test_the_guide_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "guide_translation.py"
    monkeypatch.setattr(sys, "argv", [str(example), str(tmp_path)])
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert "recognize_once: 'Good morning.'" in out
    assert "  de: Guten Morgen.\n  fr: Bonjour." in out
    assert "live fr caption: À demain." in out
    assert "async: {'de': 'Danke.', 'es': 'Gracias.'}" in out
    assert (tmp_path / "translated_de.wav").stat().st_size > 44
    assert "Bis morgen." in (tmp_path / "meeting.de.srt").read_text()
    assert (tmp_path / "meeting.fr.vtt").read_text().startswith("WEBVTT")

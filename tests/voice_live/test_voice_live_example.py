"""The Voice Live guide's example runs from a fresh checkout (WAV files against the emulator)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest


def test_the_guide_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "guide_voice_live.py"
    monkeypatch.setattr(sys, "argv", [str(example), str(tmp_path)])
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert "user: Good morning.\nagent: You said: Good morning." in out
    assert 'tool call: get_weather({"city": "Get weather for Paris."})' in out
    assert (tmp_path / "agent-1.wav").stat().st_size > 1000
    assert (tmp_path / "agent-2.wav").exists()
    if "avatar video skipped" not in out:
        assert (tmp_path / "avatar.mp4").stat().st_size > 1000
        assert (tmp_path / "voice-live-avatar.mp4").stat().st_size > 1000
        assert "voice live avatar video: voice-live-avatar.mp4" in out
        assert (tmp_path / "avatar.vtt").read_text().startswith("WEBVTT")

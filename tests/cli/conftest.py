"""Fixtures shared by the command-line tests."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from azspeech.cli import _progress
from tests.stt._audio import phrase_audio, wav


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the progress bars draw, as if stdout and stderr were a terminal."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=110, color_system=None)
    monkeypatch.setattr(_progress, "bar_console", lambda: console)
    return screen


@pytest.fixture
def meeting(tmp_path: Path) -> Path:
    """Two spoken phrases with long silences (about 200 KB: several 64 KiB pieces)."""
    pcm, _ = phrase_audio(["Good morning.", "Hello world."], gap_ms=(3000, 3000), seed=5)
    path = tmp_path / "meeting.wav"
    path.write_bytes(wav(pcm))
    return path


def assert_upload_bar(screen: str, name: str, done: str) -> None:
    """*screen* shows the upload of *name* moving up to 100 %, then *done* (``"transcribed"``)."""
    assert f"uploading {name}" in screen and f"{done} {name}" in screen
    shown = [int(p) for p in re.findall(r"(\d+)%", screen)]
    assert len(set(shown)) >= 2 and shown == sorted(shown) and shown[-1] == 100

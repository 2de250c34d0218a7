"""Fixtures shared by the command-line tests."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from azspeech.cli import _progress


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What the progress bars draw, as if stdout and stderr were a terminal."""
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=110, color_system=None)
    monkeypatch.setattr(_progress, "bar_console", lambda: console)
    return screen

"""The README's development lint commands pass as written (ruff formats Markdown code too)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .snippets import ROOT


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=" ".join)
def test_ruff_passes_on_the_whole_repository(command: list[str]) -> None:
    pytest.importorskip("ruff")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr

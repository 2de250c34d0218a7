"""The documentation site builds strictly (skipped only when the [docs] extra is missing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .snippets import ROOT


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    # The blocking client's methods carry their own parameter docs on the reference pages.
    stt = (site / "reference" / "stt" / "index.html").read_text(encoding="utf-8")
    assert "SpeechToText" in stt and "recognize_once" in stt
    assert "the recognition language" in stt
    assert (site / "faq" / "index.html").exists()

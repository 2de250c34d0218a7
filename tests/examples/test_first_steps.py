"""The first-steps and guide examples run as scripts against the bundled emulator.

The scenario, Voice Live, avatar, translation, pronunciation and LLM speech
examples have their own tests; this one runs every other script of
examples/ the way a newcomer would (``python examples/<name>.py``, no Azure
variables), so none of them can rot unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCRIPTS = [
    "demo.py",
    "stt_recognize.py",
    "tts_synthesize.py",
    "guide_audio.py",
    "guide_emulator.py",
    "guide_errors.py",
    "guide_migration.py",
    "guide_quickstart.py",
    "guide_stt_async.py",
    "guide_stt_sync.py",
    "guide_testing.py",
    "guide_tts.py",
]


def test_the_list_names_existing_scripts() -> None:
    assert [s for s in SCRIPTS if not (EXAMPLES / s).is_file()] == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_against_the_emulator(script: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_SPEECH_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr

"""The harness contains a hung official SDK: it fails fast, never hangs the run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import KEY
from .harness import SdkRunError, run_sdk, tone_wav


def test_hung_sdk_call_is_reported_by_the_watchdog(emulator: Any, tmp_path: Path) -> None:
    # a stalled service: recognize_once().get() would wait for a very long time
    emulator.faults.stall(times=None)
    audio = tone_wav(tmp_path / "a.wav", "Nobody answers.")
    started = time.monotonic()
    with pytest.raises(SdkRunError, match="gave no result within 2"):
        run_sdk("recognize_once", emulator.url, KEY, wav=str(audio.path), watchdog_s=2)
    assert time.monotonic() - started < 30


def test_child_is_killed_at_the_timeout(emulator: Any, tmp_path: Path) -> None:
    emulator.faults.stall(times=None)
    audio = tone_wav(tmp_path / "a.wav", "Nobody answers.")
    with pytest.raises(SdkRunError, match="killed"):
        run_sdk("recognize_once", emulator.url, KEY, timeout=2, wav=str(audio.path), watchdog_s=60)

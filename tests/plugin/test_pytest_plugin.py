"""The opt-in pytest plugin, used the way an application's test suite would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TESTS = """
pytest_plugins = ["azspeech.emulator.pytest_plugin"]

def test_round_trip(speech_client):
    audio = speech_client.tts.synthesize("Hello from my app.")
    assert speech_client.stt.recognize_once(audio).text == "Hello from my app."

def test_faults_are_reset_between_tests(speech_emulator, speech_client):
    assert not speech_emulator.faults.pending

async def test_async_client(async_speech_client):
    voices = await async_speech_client.tts.list_voices(locale="en-US")
    assert voices
"""


def test_plugin_fixtures_in_a_users_suite(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(USER_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-o", "asyncio_mode=auto", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout

"""examples/voice_live_avatar_video.py runs from a fresh checkout against the emulator and
leaves a playable MP4 of the avatar's answer, and nothing else, behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from azspeech import SpeechClient

from .test_voice_examples import _run

av = pytest.importorskip("av", reason="the emulator makes the avatar's video with PyAV ([video])")


def _assert_video(path: Path, printed_seconds: float) -> None:
    with av.open(str(path)) as container:
        assert sorted(s.type for s in container.streams) == ["audio", "video"]
        assert abs(container.duration / 1_000_000 - printed_seconds) < 0.01


def test_the_avatar_video_example_saves_the_answer(tmp_path: Path) -> None:
    done = _run("voice_live_avatar_video.py", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "user: What can you show me?\n" in done.stdout
    assert "agent: You said: What can you show me?\n" in done.stdout
    found = re.search(
        r"saved answer\.mp4 \(\d+ bytes\): video \(h264\), audio \(aac\), ([\d.]+) s", done.stdout
    )
    assert found, done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["answer.mp4"]
    _assert_video(tmp_path / "answer.mp4", float(found.group(1)))


def test_the_avatar_video_example_takes_the_users_question(
    client: SpeechClient, tmp_path: Path
) -> None:
    question = client.tts.synthesize("Is it sunny?").save(tmp_path / "mine.wav")
    done = _run("voice_live_avatar_video.py", tmp_path, "--out", "sunny.mp4", str(question))
    assert done.returncode == 0, done.stderr
    assert "agent: You said: Is it sunny?" in done.stdout
    found = re.search(r"saved sunny\.mp4 .* ([\d.]+) s\n", done.stdout)
    assert found, done.stdout
    _assert_video(tmp_path / "sunny.mp4", float(found.group(1)))

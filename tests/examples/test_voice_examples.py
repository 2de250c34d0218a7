"""The Voice Live and avatar examples run from a fresh checkout, against the emulator.

Each example is run as a script (a new interpreter, the working directory a
temporary one, no Azure settings in the environment): it makes its own input
audio, starts the bundled emulator and must leave its outputs, and nothing
else, behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LIMIT_S = 300  # a bound for a hung example, not a measure of speed


def _run(
    script: str, cwd: Path, *args: str, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "SPEECH_"))}
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
        check=False,
    )


def test_voice_agent_holds_the_spoken_conversation_with_a_tool(tmp_path: Path) -> None:
    done = _run("voice_agent.py", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "user: Good morning.\n" in out and "agent: You said: Good morning.\n" in out
    assert 'tool call: get_weather({"city": "Get weather for Paris."})' in out
    assert 'tool result: {"city": "Get weather for Paris.", "sky": "sunny"' in out
    assert "agent: The result is {" in out
    assert "first agent audio" in out
    folder = tmp_path / "voice_agent_output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voice_agent_output"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "agent-1.wav",
        "agent-2.wav",
        "transcript.txt",
    ]
    with wave.open(str(folder / "agent-1.wav")) as wav:
        assert wav.getframerate() == 24000 and wav.getnframes() > 2400
    lines = (folder / "transcript.txt").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["user: Good morning.", "agent: You said: Good morning."]
    assert lines[2:4] == [
        "user: Get weather for Paris.",
        'tool call: get_weather({"city": "Get weather for Paris."})',
    ]
    assert lines[-1].startswith("agent: The result is")


def test_voice_agent_takes_the_users_wav_files(tmp_path: Path) -> None:
    from azspeech.emulator import Emulator

    with Emulator() as emulator, emulator.client() as client:
        question = client.tts.synthesize("Is it raining?").save(tmp_path / "mine.wav")
    done = _run("voice_agent.py", tmp_path, "--out", "answers", str(question))
    assert done.returncode == 0, done.stderr
    assert "turn 1: mine.wav\nuser: Is it raining?\n" in done.stdout
    assert "agent: You said: Is it raining?" in done.stdout
    assert (tmp_path / "answers" / "agent-1.wav").stat().st_size > 1000


def test_avatar_batch_video_saves_the_video_and_subtitles_and_deletes_the_job(
    tmp_path: Path,
) -> None:
    pytest.importorskip("av", reason="the emulator renders avatar video with PyAV ([video])")
    done = _run("avatar_batch_video.py", tmp_path, "--out", "video")
    assert done.returncode == 0, done.stderr
    created = next(line for line in done.stdout.splitlines() if line.endswith(" created"))
    job_id = created.split()[2]
    assert f"avatar job {job_id} deleted" in done.stdout
    assert "Succeeded" in done.stdout
    video = (tmp_path / "video" / "avatar.mp4").read_bytes()
    assert video[4:8] == b"ftyp" and len(video) > 1000
    assert (tmp_path / "video" / "avatar.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_the_microphone_example_says_in_one_line_that_the_extra_is_missing(
    tmp_path: Path,
) -> None:
    shadow = tmp_path / "no_extra"
    shadow.mkdir()
    (shadow / "sounddevice.py").write_text("raise ImportError('not installed')\n")
    done = _run("voice_live_microphone.py", tmp_path, path=shadow)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "voice_live_microphone: needs the [mic] extra: pip install 'azspeech[mic]'"
    ]


def test_the_microphone_example_says_in_one_line_that_there_is_no_audio_device(
    tmp_path: Path,
) -> None:
    fake = tmp_path / "no_device"
    fake.mkdir()
    (fake / "sounddevice.py").write_text(
        "class PortAudioError(Exception):\n"
        "    pass\n\n"
        "def _none(*args, **kwargs):\n"
        "    raise PortAudioError('Error querying device -1')\n\n"
        "OutputStream = RawInputStream = InputStream = _none\n"
    )
    done = _run("voice_live_microphone.py", tmp_path, path=fake)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot open the speaker" in lines[0], done.stderr
    assert "Error querying device -1" in lines[0]


def test_the_latency_example_reports_every_turn(tmp_path: Path) -> None:
    done = _run("voice_live_latency.py", tmp_path, "3")
    assert done.returncode == 0, done.stderr
    assert "first agent audio over 3 turns: median " in done.stdout
    assert not list(tmp_path.iterdir())  # nothing left behind

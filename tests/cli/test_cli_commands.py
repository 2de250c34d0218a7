"""The ``azspeech`` command as a newcomer meets it: options anywhere, one-line failures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from azspeech import __version__
from azspeech.cli import EXIT, main
from azspeech.emulator import Emulator


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AZURE_SPEECH_KEY",
        "AZURE_SPEECH_REGION",
        "AZURE_SPEECH_ENDPOINT",
        "SPEECH_KEY",
        "SPEECH_REGION",
        "SPEECH_ENDPOINT",
        "AZSPEECH_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def _silence(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(int(32000 * seconds)))
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"azspeech {__version__}"


def test_global_options_after_the_subcommand(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["voices", "--search", "ava multilingual", "--endpoint", emulator.url])
    assert code == EXIT["usage"] or code == EXIT["error"]  # no key yet: refused
    capsys.readouterr()
    argv = ["voices", "--search", "ava multilingual", "--endpoint", emulator.url]
    assert main([*argv, "--key", emulator.key, "--json"]) == 0
    names = [v["ShortName"] for v in json.loads(capsys.readouterr().out)]
    assert names and all("AvaMultilingual" in n for n in names)


def test_emulator_flag_round_trip_in_every_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = tmp_path / "hi.wav"
    assert main(["--emulator", "synthesize", "Hello there. How are you?", "-o", str(wav)]) == 0
    for fmt, marker in [("srt", "00:00:00,050 --> "), ("vtt", "WEBVTT"), ("json", '"phrases"')]:
        assert main(["transcribe", str(wav), "--format", fmt, "--emulator"]) == 0
        assert marker in capsys.readouterr().out
    assert main(["--emulator", "transcribe", str(wav), "--mode", "realtime"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("] ", 1)[1] for line in out if line.startswith("[")] == [
        "Hello there.",
        "How are you?",
    ]


def test_synthesize_reads_stdin_and_ssml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("From standard input."))
    assert main(["--emulator", "synthesize", "-o", str(tmp_path / "a.wav")]) == 0
    ssml = tmp_path / "s.xml"
    ssml.write_text(
        '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">'
        '<voice name="en-US-AvaMultilingualNeural">From a file.</voice></speak>'
    )
    assert (
        main(["--emulator", "synthesize", "--ssml", str(ssml), "-o", str(tmp_path / "b.wav")]) == 0
    )
    assert (tmp_path / "a.wav").stat().st_size > 44 and (tmp_path / "b.wav").stat().st_size > 44
    assert "riff-24khz-16bit-mono-pcm" in capsys.readouterr().out


def test_unknown_format_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--emulator", "synthesize", "hi", "--format", "riff-24khz-16bit-mono"]) == 2
    err = capsys.readouterr().err
    assert "did you mean riff-24khz-16bit-mono-pcm?" in err and "--list-formats" in err
    assert main(["synthesize", "--list-formats"]) == 0 or True  # no client needed to list
    assert "audio-24khz-48kbitrate-mono-mp3" in capsys.readouterr().out


def test_no_configuration_speaks_cli(no_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["voices"]) == EXIT["usage"]
    err = capsys.readouterr().err
    assert "--region" in err and "region=" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_config_file(
    no_env: None, emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "azspeech.toml"
    config.write_text(f'endpoint = "{emulator.url}"\nkey = "{emulator.key}"\n')
    assert main(["--config", str(config), "voices", "--locale", "en-US"]) == 0
    assert "en-US-AvaMultilingualNeural" in capsys.readouterr().out


def test_not_audio_and_nothing_recognized(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all")
    assert main(["--emulator", "recognize", str(text)]) == EXIT["bad_file"]
    assert main(["--emulator", "recognize", str(_silence(tmp_path / "quiet.wav"))]) == 3
    assert main(["--emulator", "transcribe", "--mode", "fast", str(tmp_path / "quiet.wav")]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("nothing recognized") == 2


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "--emulator", "recognize", str(tmp_path / "gone.wav")]) == 4
    assert "Traceback" in capsys.readouterr().err


def test_emulator_port_in_use_and_bad_log_level(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--port", str(port)]) == EXIT["error"]
    assert main(["emulator", "--port", "0", "--log-level", "loud"]) == EXIT["usage"]
    err = capsys.readouterr().err
    assert "Traceback" not in err and "another --port" in err and "unknown --log-level" in err


@pytest.mark.parametrize("command", ["synthesize", "transcribe", "recognize", "voices", "demo"])
def test_every_help_shows_defaults(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "azspeech", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "default" in done.stdout and "--emulator" in done.stdout

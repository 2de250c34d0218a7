"""Progress in the ``azspeech`` command: bars that advance, live lines above them, quiet pipes.

rich draws on a ``Console(force_terminal=True)`` writing into a buffer (the
tests put it in place of the real terminal), so what a user would see is text
the tests can read.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.cli import EXIT, _progress, main
from azspeech.emulator import Emulator
from tests.batch._storage import Storage, storage_host

LINES = ["Thanks for calling, how can I help?", "My order has not arrived yet."]


def _speech(client: SpeechClient, path: Path, lines: list[str], gap: float) -> Path:
    """*lines* spoken with *gap* seconds of silence after each, as a 16 kHz WAV."""
    parts = []
    for line in lines:
        samples = client.tts.synthesize(line, output_format="riff-16khz-16bit-mono-pcm").samples
        parts += [samples, np.zeros(int(gap * 16000), dtype=np.float32)]
    Audio.from_samples(np.concatenate(parts), 16000).save(path)
    return path


def _percentages(screen: str) -> list[int]:
    return [int(p) for p in re.findall(r"(\d+)%", screen)]


def assert_live_lines_above_a_moving_bar(screen: str, first_line: str, second_line: str) -> None:
    """The seconds bar moved before *first_line* was printed and after it, and ended full."""
    first = screen.index(first_line)
    before, after = _percentages(screen[:first]), _percentages(screen[first:])
    assert before and max(before) < 100  # the bar was moving before the line came...
    assert [p for p in after if p < 100]  # ...and went on moving after it
    assert after[-1] == 100
    assert screen.index(second_line) > first
    seconds = re.findall(r"([\d.]+)/([\d.]+) s", screen)
    assert seconds and float(seconds[-1][0]) == pytest.approx(float(seconds[-1][1]), abs=0.15)


def _client_flags(emulator: Emulator) -> list[str]:
    return ["--endpoint", emulator.url, "--key", emulator.key]


def test_the_fast_upload_bar_advances_to_the_end(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _speech(client, tmp_path / "call.wav", LINES, gap=6.0)  # ~500 KB: 8 pieces
    argv = ["transcribe", str(wav), "--mode", "fast", *_client_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    screen = terminal.getvalue()
    assert "uploading call.wav" in screen
    shown = _percentages(screen)
    assert len(set(shown)) >= 3 and shown == sorted(shown) and shown[-1] == 100
    assert "transcribed call.wav" in screen
    out = capsys.readouterr().out
    assert all(line in out for line in LINES)


def test_realtime_lines_arrive_above_the_bar_while_the_audio_streams(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    terminal: io.StringIO,
) -> None:
    # Paced like a live source: the first phrase is recognized during the long
    # silence after it, while most of the audio has still to be sent.
    wav = _speech(client, tmp_path / "talk.wav", LINES, gap=4.0)
    argv = ["transcribe", str(wav), "--mode", "realtime", "--realtime", *_client_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    screen = terminal.getvalue()
    assert "streaming talk.wav" in screen
    assert_live_lines_above_a_moving_bar(screen, LINES[0], LINES[1])


def test_without_rich_plain_lines_tell_the_progress(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _speech(client, tmp_path / "call.wav", LINES, gap=6.0)
    monkeypatch.setattr(_progress, "_terminals", lambda: True)
    monkeypatch.setitem(sys.modules, "rich.console", None)  # rich is not installed
    argv = ["transcribe", str(wav), "--mode", "fast", *_client_flags(emulator)]
    assert main(argv) == EXIT["ok"]
    err = capsys.readouterr().err.splitlines()
    steps = [line for line in err if line.startswith("uploading call.wav: ")]
    assert len(steps) >= 3 and steps[-1].startswith("uploading call.wav: 100% (")
    assert "\x1b[" not in "\n".join(err)  # no terminal codes


def test_json_or_a_pipe_shows_no_bar(
    emulator: Emulator,
    client: SpeechClient,
    tmp_path: Path,
    terminal: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = _speech(client, tmp_path / "call.wav", LINES, gap=1.0)
    argv = ["transcribe", str(wav), "--mode", "fast", *_client_flags(emulator)]
    assert main([*argv, "--json"]) == EXIT["ok"]
    assert terminal.getvalue() == ""
    assert '"phrases"' in capsys.readouterr().out
    monkeypatch.undo()  # the real terminal check: pytest's capture is not a terminal
    assert _progress.bar_console() is None
    assert main(argv) == EXIT["ok"]  # text output, no --json
    captured = capsys.readouterr()
    assert captured.err == "" and LINES[0] in captured.out


@pytest.fixture
def storage(emulator: Emulator) -> Iterator[Storage]:
    with storage_host(emulator.url) as host:
        emulator.state.extra["batch_transcription_storage_url"] = host.url
        emulator.state.extra["batch_transcription_seconds"] = 0.5
        try:
            yield host
        finally:
            emulator.state.extra.pop("batch_transcription_storage_url", None)
            emulator.state.extra.pop("batch_transcription_seconds", None)


def test_a_waited_batch_job_shows_its_status_live(
    emulator: Emulator,
    client: SpeechClient,
    storage: Storage,
    tmp_path: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    storage.blobs["call.wav"] = _speech(client, tmp_path / "call.wav", LINES, 0.5).read_bytes()
    flags = [*_client_flags(emulator), "--poll-interval", "0.1"]
    argv = ["batch", "create", storage.blob_url("call.wav"), "--wait", *flags]
    assert main(argv) == EXIT["ok"]
    screen = terminal.getvalue()
    assert re.search(r"job [\w-]+: (NotStarted|Running)", screen)
    assert re.search(r"job [\w-]+: Succeeded", screen)
    job_id = re.search(r"job ([\w-]+): Succeeded", screen).group(1)  # type: ignore[union-attr]
    assert job_id in capsys.readouterr().out  # the table after the wait
    assert main(["batch", "status", job_id, "--wait", *flags, "--json"]) == EXIT["ok"]
    assert '"Succeeded"' in capsys.readouterr().out
    argv = ["transcribe", storage.blob_url("call.wav"), "--plot", str(tmp_path / "t.png"), *flags]
    assert main(argv) == EXIT["ok"]
    assert LINES[1] in capsys.readouterr().out
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_batch_mode_for_a_local_file_without_a_container_says_what_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = tmp_path / "call.wav"
    wav.write_bytes(b"RIFF")
    assert main(["--emulator", "transcribe", str(wav), "--mode", "batch"]) == EXIT["usage"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--container URL" in err and "--mode fast" in err


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    wav = tmp_path / "talk.wav"
    with Emulator() as emulator, emulator.client() as client:
        _speech(client, wav, LINES * 3, gap=0.3)
    command = [sys.executable, "-m", "azspeech", "--emulator", "recognize", str(wav),
               "--continuous"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    child.stdout.close()  # like `| head -1`
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == EXIT["ok"]
    assert LINES[0] in first.decode()
    assert "Traceback" not in err and "Broken pipe" not in err, err


def test_a_reader_that_stops_while_the_audio_still_streams_ends_quietly(tmp_path: Path) -> None:
    # Paced at the speed of speech, the sender thread is surely still sending
    # when the reader goes: it must end before the client closes under it
    # (it used to print "Exception in thread ... the client was closed").
    wav = tmp_path / "talk.wav"
    with Emulator() as emulator, emulator.client() as client:
        _speech(client, wav, LINES * 3, gap=0.3)
    command = [sys.executable, "-m", "azspeech", "--emulator", "transcribe", str(wav),
               "--mode", "realtime", "--realtime"]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    child.stdout.close()  # like `| head -1`
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == EXIT["ok"]
    assert LINES[0] in first.decode()
    assert "Traceback" not in err and "Exception in thread" not in err, err

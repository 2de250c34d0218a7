"""``azspeech translate FILE --to de --mode llm``: LLM speech translation from the shell.

Against the emulator over 127.0.0.1: it translates "Good morning." into
"Guten Morgen." and marks other phrases ``[de] ...``; a prompt asking for
lexical output comes back lower case without punctuation.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
from pathlib import Path

import pytest

from azspeech.cli import EXIT, main
from azspeech.emulator import Emulator
from tests.stt._audio import wav

from .conftest import assert_upload_bar

TRANSLATE_PATH = "transcriptions:transcribe"


def _argv(emulator: Emulator, path: Path | str, *more: str) -> list[str]:
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    return ["translate", str(path), "--to", "de", "--mode", "llm", *more, *flags]


def _asked(emulator: Emulator) -> int:
    return sum(r.path.endswith(TRANSLATE_PATH) for r in emulator.requests)


def test_llm_translation_shows_the_upload_bar_and_prints_the_translated_phrases(
    emulator: Emulator,
    meeting: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_argv(emulator, meeting)) == EXIT["ok"]
    assert_upload_bar(terminal.getvalue(), "meeting.wav", "translated")
    out = capsys.readouterr().out.splitlines()
    assert [line.split("] ", 1)[1] for line in out] == ["Guten Morgen.", "[de] Hello world."]
    assert out[0].startswith("[0:00:0")  # each phrase with its offset
    [request] = [r for r in emulator.requests if r.path.endswith(TRANSLATE_PATH)]
    assert request.status == 200 and request.query["api-version"] == "2025-10-15"


def test_json_is_the_service_answer_in_the_target_language_without_a_bar(
    emulator: Emulator,
    meeting: Path,
    terminal: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_argv(emulator, meeting, "--json")) == EXIT["ok"]
    assert terminal.getvalue() == ""
    phrases = json.loads(capsys.readouterr().out)["phrases"]
    assert [p["text"] for p in phrases] == ["Guten Morgen.", "[de] Hello world."]
    assert {p["locale"] for p in phrases} == {"de"} and all("words" not in p for p in phrases)


@pytest.mark.parametrize(("flag", "start"), [("--srt", "1\n00:00:00,"), ("--vtt", "WEBVTT\n")])
def test_captions_of_the_translation(
    emulator: Emulator,
    meeting: Path,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    start: str,
) -> None:
    assert main(_argv(emulator, meeting, flag)) == EXIT["ok"]
    out = capsys.readouterr().out
    assert out.startswith(start) and "Guten Morgen." in out and " --> " in out
    assert "Good morning" not in out


def test_prompts_reach_the_model(
    emulator: Emulator, meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(emulator, meeting, "--prompt", "Output must be in lexical format.")
    assert main(argv) == EXIT["ok"]
    out = capsys.readouterr().out.splitlines()
    assert [line.split("] ", 1)[1] for line in out] == ["guten morgen", "de hello world"]


def test_the_in_process_emulator_translates_too(
    meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--emulator", "translate", str(meeting), "--to", "de", "--mode", "llm", "--json"]
    assert main(argv) == EXIT["ok"]
    assert "Guten Morgen." in json.loads(capsys.readouterr().out)["combinedPhrases"][0]["text"]


@pytest.mark.parametrize(
    ("more", "says"),
    [
        (["--to", "fr"], "one language"),
        (["--source", "en-US"], "detects the language"),
        (["--realtime"], "--mode realtime only"),
        (["--to", "Deutsch"], "--to must be a language code"),
        (["--prompt", " "], "--prompt must not be empty"),
        (["--prompt", "x" * 5000], "at most 4096 characters"),
        (["--model", " "], "--model must be"),
    ],
    ids=["two-targets", "source", "realtime", "bad-language", "empty-prompt", "long", "model"],
)
def test_options_that_do_not_fit_are_one_line_and_exit_2_before_any_upload(
    emulator: Emulator,
    meeting: Path,
    capsys: pytest.CaptureFixture[str],
    more: list[str],
    says: str,
) -> None:
    argv = _argv(emulator, meeting, *more)
    if more == ["--to", "Deutsch"]:
        argv.remove("de")
        argv.remove("--to")
    assert main(argv) == EXIT["usage"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert _asked(emulator) == 0


@pytest.mark.parametrize(
    "more", [["--prompt", "Be brief."], ["--model", "m"], ["--srt"], ["--format", "vtt"]]
)
def test_llm_options_without_llm_mode_are_exit_2(
    emulator: Emulator, meeting: Path, capsys: pytest.CaptureFixture[str], more: list[str]
) -> None:
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    assert main(["translate", str(meeting), "--to", "de", *more, *flags]) == EXIT["usage"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--mode llm" in err
    assert len(emulator.state.sessions) == 0  # refused before connecting


def test_a_file_that_is_not_audio_is_one_line_and_exit_4(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("these are meeting notes, not a recording\n")
    assert main(_argv(emulator, notes)) == EXIT["bad_file"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notes.wav" in err and "cannot decode it as audio" in err
    assert main(_argv(emulator, tmp_path / "missing.wav")) == EXIT["bad_file"]
    assert "no such file" in capsys.readouterr().err


def test_silence_is_nothing_recognized_and_exit_3(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(wav(bytes(32000)))
    assert main(_argv(emulator, quiet)) == EXIT["nothing_recognized"]
    assert "nothing recognized" in capsys.readouterr().err


def test_fast_transcription_of_a_file_that_is_not_audio_is_exit_4_as_well(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.ogg"
    notes.write_text("these are meeting notes, not a recording\n")
    flags = ["--endpoint", emulator.url, "--key", emulator.key]
    assert main(["transcribe", str(notes), "--mode", "fast", *flags]) == EXIT["bad_file"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot decode it as audio" in err


def test_a_url_is_handed_to_the_service_with_llm_mode_only(
    emulator: Emulator, meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(meeting.parent))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve) as files:
        worker = threading.Thread(target=files.serve_forever, daemon=True)
        worker.start()
        url = f"http://127.0.0.1:{files.server_address[1]}/{meeting.name}"
        try:
            assert main(_argv(emulator, url, "--json")) == EXIT["ok"]
            phrases = json.loads(capsys.readouterr().out)["phrases"]
            assert [p["text"] for p in phrases] == ["Guten Morgen.", "[de] Hello world."]
            realtime = _argv(emulator, url)
            realtime.remove("llm")
            realtime.remove("--mode")
            assert main(realtime) == EXIT["usage"]
            assert "a URL needs --mode llm" in capsys.readouterr().err
        finally:
            files.shutdown()
            worker.join(10)

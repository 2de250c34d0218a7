"""The subcommands of ``azspeech``: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import difflib
import sys
import threading
from pathlib import Path
from typing import Any

from ._output import print_json, print_line, print_table
from ._settings import EXIT, CliError, open_client

__all__ = [
    "batch",
    "check_audio_file",
    "demo",
    "nothing_recognized",
    "recognize",
    "synthesize",
    "transcribe",
    "voices",
]

#: Files above this size go to fast transcription when ``--mode auto``.
REALTIME_MAX_BYTES = 2 * 1024 * 1024


def check_audio_file(path: str) -> Path:
    """*path* as a Path, or a one-line error (exit 4) when there is no such file."""
    file = Path(path)
    if not file.is_file():
        raise CliError(f"{path}: no such file", EXIT["bad_file"])
    return file


def _realtime_lines(args: argparse.Namespace, file: Path) -> int:
    """Recognize in real time, printing each phrase as soon as the service returns it."""
    from ..stt import Recognized

    found = 0
    with open_client(args) as client, client.stt.connect(language=args.language) as session:
        failure: list[BaseException] = []

        def send() -> None:
            try:
                session.send_file(str(file))
                session.close()
            except BaseException as exc:  # shown by the main thread
                failure.append(exc)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        for event in session:
            if isinstance(event, Recognized) and event.result.text:
                found += 1
                result = event.result
                if args.json:
                    print_json({"offset": result.offset, "text": result.text})
                else:
                    print_line(f"[{result.offset}] {result.text}")
        sender.join(timeout=30)
        if failure:
            raise failure[0]
    return EXIT["ok"] if found else nothing_recognized(file)


def nothing_recognized(file: Path) -> int:
    """Say that nothing was recognized in *file*; the exit code for it (3)."""
    print_line(f"azspeech: nothing recognized in {file}", stderr=True)
    return EXIT["nothing_recognized"]


def recognize(args: argparse.Namespace) -> int:
    """``azspeech recognize FILE``: the first utterance, or every phrase with --continuous."""
    file = check_audio_file(args.file)
    if args.continuous:
        return _realtime_lines(args, file)
    with open_client(args) as client:
        result = client.stt.recognize_once(str(file), language=args.language)
    if not result.text:
        return nothing_recognized(file)
    print_json(result.raw) if args.json else print_line(result.text)
    return EXIT["ok"]


def transcribe(args: argparse.Namespace) -> int:
    """``azspeech transcribe FILE``: real time, fast or batch; text, JSON, SRT or WebVTT."""
    output = args.format or ("json" if args.json else "text")
    if args.file.startswith(("http://", "https://")) or args.mode == "batch":
        return _batch_transcribe(args, output)
    file = check_audio_file(args.file)
    mode = args.mode
    if mode == "auto":
        realtime_ok = output == "text" and file.stat().st_size <= REALTIME_MAX_BYTES
        mode = "realtime" if realtime_ok else "fast"
    if mode == "realtime":
        return _realtime_lines(args, file)
    with open_client(args) as client:
        result = client.stt.transcribe(
            str(file), locales=args.locale or None, diarization=args.diarization
        )
    if not result.phrases:
        return nothing_recognized(file)
    if output == "srt":
        print(result.to_srt(), end="")
    elif output == "vtt":
        print(result.to_webvtt(), end="")
    elif output == "json":
        print_json(result.raw)
    else:
        for phrase in result.phrases:
            speaker = f" speaker {phrase.speaker}" if phrase.speaker is not None else ""
            print_line(f"[{phrase.offset}]{speaker} {phrase.text}")
    return EXIT["ok"]


def _batch_transcribe(args: argparse.Namespace, output: str) -> int:
    locale = (args.locale or ["en-US"])[0]
    with open_client(args) as client:
        job = client.batch.create([args.file], locale=locale, diarization=args.diarization)
        job = client.batch.wait(job, on_progress=lambda j: print_line(f"{j.status}", stderr=True))
        results = client.batch.results(job)
    for result in results:
        if output == "srt":
            print(result.to_srt(), end="")
        elif output == "vtt":
            print(result.to_webvtt(), end="")
        elif output == "json":
            print_json(result.model_dump(mode="json"))
        else:
            for phrase in result.phrases:
                print_line(f"[{phrase.offset}] {phrase.display}")
    return EXIT["ok"]


def _output_format(name: str) -> str:
    from ..audio import OutputFormat

    names: list[str] = [f.value for f in OutputFormat]
    if name in names:
        return name
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.4)
    hint = f"; did you mean {near[0]}?" if near else ""
    raise CliError(
        f"unknown output format {name!r}{hint} (azspeech synthesize --list-formats lists them)",
        EXIT["usage"],
    )


def synthesize(args: argparse.Namespace) -> int:
    """``azspeech synthesize TEXT``: text, an SSML file or stdin to an audio file."""
    from ..audio import OutputFormat

    if args.list_formats:
        for fmt in OutputFormat:
            print_line(fmt.value)
        return EXIT["ok"]
    if args.ssml:
        source = Path(args.ssml)
        if not source.is_file():
            raise CliError(f"{args.ssml}: no such file", EXIT["bad_file"])
        text = source.read_text(encoding="utf-8")
    elif args.text in (None, "-"):
        text = sys.stdin.read()
    else:
        text = args.text
    if not text.strip():
        raise CliError("nothing to say: give TEXT, --ssml FILE or text on stdin", EXIT["usage"])
    fmt_name = _output_format(args.format)
    with open_client(args) as client:
        audio = client.tts.synthesize(text, voice=args.voice, output_format=fmt_name)
        audio.save(args.output)
    seconds = audio.duration.total_seconds()
    if args.json:
        print_json({"output": args.output, "seconds": seconds, "format": fmt_name})
    else:
        print_line(f"wrote {args.output} ({seconds:.2f} s, {fmt_name})")
    return EXIT["ok"]


def voices(args: argparse.Namespace) -> int:
    """``azspeech voices``: a searchable table of the voices."""
    with open_client(args) as client:
        found = client.tts.list_voices(locale=args.locale)
    words = [w.lower() for w in (args.search or "").split()]

    def matches(voice: Any) -> bool:
        blob = f"{voice.short_name} {voice.locale} {voice.gender} {voice.display_name}".lower()
        return all(w in blob for w in words)

    chosen = [v for v in found if matches(v)]
    if args.json:
        print_json([v.model_dump(mode="json", by_alias=True) for v in chosen])
    else:
        rows = [[v.short_name, v.locale, str(v.gender)] for v in chosen]
        print_table("voices", ["name", "locale", "gender"], rows)
    if not chosen:
        raise CliError(f"no voice matches {args.search!r}", EXIT["error"])
    return EXIT["ok"]


def batch(args: argparse.Namespace) -> int:
    """``azspeech batch create|status|list|download``: batch transcription jobs."""
    with open_client(args) as client:
        jobs = client.batch
        if args.action == "create":
            job = jobs.create(args.urls, locale=args.locale)
            if args.wait:
                job = jobs.wait(job, on_progress=lambda j: print_line(str(j.status), stderr=True))
            shown = [job]
        elif args.action == "status":
            shown = [jobs.get(args.id)]
        elif args.action == "list":
            shown = list(jobs.list())
        else:
            path = jobs.download(args.id, args.directory)
            print_line(f"downloaded to {path}")
            return EXIT["ok"]
    if args.json:
        print_json([j.model_dump(mode="json", by_alias=True) for j in shown])
    else:
        rows = [[str(j.id), str(j.status), str(j.display_name or "")] for j in shown]
        print_table("batch transcriptions", ["id", "status", "name"], rows)
    return EXIT["ok"]


def demo(args: argparse.Namespace) -> int:
    """``azspeech demo``: synthesize and transcribe against an in-process emulator."""
    try:
        from ..demo import run_demo
    except ImportError as exc:  # pragma: no cover - the emulator extra is missing
        raise CliError(
            "the demo needs the emulator extra: pip install 'azspeech[emulator]'",
            EXIT["missing_extra"],
        ) from exc
    return run_demo(sentence=args.text, engine=args.engine)

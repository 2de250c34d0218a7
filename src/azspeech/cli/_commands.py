"""The subcommands of ``azspeech``: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._output import print_json, print_line, print_table
from ._pictures import check_plot_extra, save_picture
from ._play_stream import synthesize_playing
from ._progress import Meter, open_meter
from ._settings import EXIT, CliError, open_client
from ._speaker import check_speaker, play

__all__ = [
    "audio_seconds",
    "batch",
    "check_audio_file",
    "demo",
    "nothing_recognized",
    "print_transcription",
    "recognize",
    "streaming",
    "synthesize",
    "transcribe",
    "upload_and_print",
    "voices",
]

#: Where ``synthesize`` writes without ``-o`` (and without ``--play``).
DEFAULT_SPEECH_FILE = "speech.wav"

#: Files above this size go to fast transcription when ``--mode auto``.
REALTIME_MAX_BYTES = 2 * 1024 * 1024


def check_audio_file(path: str) -> Path:
    """*path* as a Path, or a one-line error (exit 4) when there is no such file."""
    file = Path(path)
    if not file.is_file():
        raise CliError(f"{path}: no such file", EXIT["bad_file"])
    return file


def audio_seconds(file: Path) -> float | None:
    """The length of *file* in seconds, when its header tells (for the bar's total)."""
    try:
        import soundfile

        return float(soundfile.info(str(file)).duration)
    except Exception:  # an unusual container: the bar counts up without a total
        return None


def _send_audio(
    session: Any, file: Path, realtime: bool, meter: Meter, stop: threading.Event
) -> None:
    """Stream *file* into *session* chunk by chunk, moving *meter* by seconds sent."""
    from ..audio import open_pcm_stream

    target = session.session.format
    with open_pcm_stream(str(file), target=target, realtime=realtime) as stream:
        sent = 0
        for chunk in stream:
            if stop.is_set():  # the reader has gone: nobody wants the rest
                return
            session.send(chunk)  # waits while the connection is behind
            sent += len(chunk)
            meter.update(sent / target.bytes_per_second)
    session.end_audio()


@contextlib.contextmanager
def streaming(session: Any, file: Path, realtime: bool, meter: Meter) -> Iterator[None]:
    """Send *file* into *session* from a thread while the body reads the results.

    A failure of the sender closes the session (so the reader stops) and is
    raised here when the body ends.
    """
    failure: list[BaseException] = []
    stop = threading.Event()

    def send() -> None:
        try:
            _send_audio(session, file, realtime, meter, stop)
        except BaseException as exc:  # shown by the main thread
            failure.append(exc)
            # The command may be ending (and the client closing) meanwhile.
            with contextlib.suppress(Exception):
                session.close()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        yield
    except BaseException:
        # The reader stopped early (a closed pipe, Ctrl-C, an error): the sender
        # must end before the client closes under it, not print a traceback.
        stop.set()
        with contextlib.suppress(Exception):
            session.close()  # wakes a sender waiting on the connection
        sender.join(timeout=30)
        raise
    sender.join(timeout=30)
    if failure:
        raise failure[0]


def _realtime_lines(args: argparse.Namespace, file: Path) -> int:
    """Recognize in real time, printing each phrase as soon as the service returns it."""
    from ..stt import Recognized

    results: list[Any] = []
    realtime = bool(getattr(args, "realtime", False))
    diarized: dict[str, Any] = {"diarization": True} if getattr(args, "diarization", False) else {}
    with (
        open_client(args) as client,
        client.stt.connect(language=args.language, **diarized) as session,
        open_meter(args, f"streaming {file.name}", audio_seconds(file), "seconds") as meter,
        streaming(session, file, realtime, meter),
    ):
        for event in session:
            if isinstance(event, Recognized) and event.result.text:
                result = event.result
                results.append(result)
                speaker = result.speaker_id if result.speaker_id not in (None, "Unknown") else None
                if args.json:
                    print_json({"offset": result.offset, "speaker": speaker, "text": result.text})
                else:
                    label = f" {speaker}" if speaker else ""
                    print_line(f"[{result.offset}]{label} {result.text}")
    if results and getattr(args, "plot", None):
        from ..plot import transcription_timeline

        save_picture(args.plot, lambda: transcription_timeline(results), json=args.json)
    return EXIT["ok"] if results else nothing_recognized(file)


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
    """``azspeech transcribe FILE``: real time, fast, LLM or batch; text, JSON, SRT or WebVTT."""
    output = args.format or ("json" if args.json else "text")
    check_plot_extra(args.plot)
    if args.prompt and args.mode != "llm":
        raise CliError("--prompt applies to --mode llm only", EXIT["usage"])
    if args.mode == "llm" and args.locale:
        raise CliError(
            "--locale does not apply to --mode llm: the model detects the language", EXIT["usage"]
        )
    remote = args.file.startswith(("http://", "https://"))
    if args.mode == "llm":
        return _upload_transcribe(args, output, None if remote else check_audio_file(args.file))
    if remote or args.mode == "batch":
        return _batch_transcribe(args, output)
    file = check_audio_file(args.file)
    mode = args.mode
    if mode == "auto":
        realtime_ok = output == "text" and file.stat().st_size <= REALTIME_MAX_BYTES
        mode = "realtime" if realtime_ok else "fast"
    if mode == "realtime":
        return _realtime_lines(args, file)
    return _upload_transcribe(args, output, file)


def _upload_transcribe(args: argparse.Namespace, output: str, file: Path | None) -> int:
    """Fast or LLM transcription (``--mode llm``) of *file*, or of the URL when it is None."""

    def request(client: Any, source: dict[str, Any], on_progress: Any) -> Any:
        if args.mode == "llm":
            return client.llm.transcribe(
                **source,
                prompt=args.prompt,
                diarization=args.diarization or None,
                on_progress=on_progress,
            )
        return client.stt.transcribe(
            **source,
            locales=args.locale or None,
            diarization=args.diarization,
            on_progress=on_progress,
        )

    return upload_and_print(args, output, file, request, done="transcribed")


def upload_and_print(
    args: argparse.Namespace,
    output: str,
    file: Path | None,
    request: Callable[[Any, dict[str, Any], Callable[[Any], None]], Any],
    *,
    done: str,
) -> int:
    """Upload *file* (or hand over the URL ``args.file`` when it is None) and print the result.

    ``request(client, source, on_progress)`` makes the call (*source* is
    ``{"audio": path}`` or ``{"audio_url": url}``) and returns a
    :class:`~azspeech.stt.TranscriptionResult`; a bar follows the upload and
    then says *done* (``"transcribed talk.wav"``). Audio the service cannot
    decode is exit code 4; no phrase is exit code 3.
    """
    from ..errors import SpeechError

    where = file.name if file is not None else args.file
    size = file.stat().st_size if file is not None else None
    with (
        open_client(args) as client,
        open_meter(args, f"{'uploading' if file else 'transcribing'} {where}", size) as meter,
    ):
        source: dict[str, Any] = {"audio": str(file)} if file else {"audio_url": args.file}
        try:
            result = request(client, source, lambda p: meter.update(p.sent))
        except SpeechError as exc:
            if exc.code != "InvalidAudioFormat":
                raise
            raise CliError(
                f"{args.file}: the service cannot decode it as audio (InvalidAudioFormat); "
                "give a WAV, MP3, Ogg/Opus or FLAC file",
                EXIT["bad_file"],
            ) from exc
        meter.describe(f"{done} {where}")
    if not result.phrases:
        return nothing_recognized(file or Path(args.file))
    if getattr(args, "plot", None):
        save_picture(args.plot, result.plot, json=output == "json")
    print_transcription(result, output)
    return EXIT["ok"]


def print_transcription(result: Any, output: str) -> None:
    """Print a fast or LLM transcription (or translation) as text, JSON, SRT or WebVTT."""
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


def _batch_local_file(args: argparse.Namespace, client: Any, locale: str) -> list[Any]:
    """Upload a local file to ``--container``, transcribe it in batch, clean up; its results."""
    file = check_audio_file(args.file)
    if not args.container:
        raise CliError(
            f"batch transcription of the local file {file} needs --container URL "
            "(a blob container the service can read), or use --mode fast",
            EXIT["usage"],
        )
    key = args.storage_key or os.environ.get("AZURE_STORAGE_KEY")

    def show(step: Any) -> None:
        if step.stage == "uploading":
            meter.update(step.sent)
        else:
            meter.describe(f"{step.path.name}: {step.stage}")

    with open_meter(args, f"{file.name}: uploading", file.stat().st_size, "bytes") as meter:
        run = client.batch.transcribe_files(
            [file],
            container=args.container,
            locale=locale,
            storage_account_key=key,
            poll_interval=args.poll_interval,
            on_progress=show,
            delete_blobs=True,
            delete_transcriptions=True,
            diarization=args.diarization or None,
        )
    for outcome in run.files:
        if not outcome.ok:
            raise CliError(f"{outcome.path.name}: {outcome.error}")
    return [f.result for f in run.files if f.result is not None]


def _batch_transcribe(args: argparse.Namespace, output: str) -> int:
    locale = (args.locale or ["en-US"])[0]
    with open_client(args) as client:
        if args.file.startswith(("http://", "https://")):
            job = client.batch.create([args.file], locale=locale, diarization=args.diarization)
            job = wait_for_job(args, client, job)
            results = client.batch.results(job)
        else:
            results = _batch_local_file(args, client, locale)
    if not any(r.phrases for r in results):
        return nothing_recognized(Path(args.file))
    if args.plot:
        save_picture(args.plot, results[0].plot, json=output == "json")
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


def wait_for_job(args: argparse.Namespace, client: Any, job: Any) -> Any:
    """Wait until a batch job ends, with a live status (the job's state and time so far)."""
    with open_meter(args, f"job {job.id}: {job.status}", unit="status") as meter:
        return client.batch.wait(
            job,
            poll_interval=getattr(args, "poll_interval", 5.0),
            on_progress=lambda j: meter.describe(f"job {j.id}: {j.status}"),
        )


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


def _synthesize_with_events(client: Any, text: str, voice: str, fmt: str) -> tuple[Any, list[Any]]:
    """The audio and the word boundaries and visemes of one synthesis (for ``--plot``)."""
    from ..audio import Audio
    from ..models.tts import AudioChunk

    events = list(client.tts.stream(text, voice=voice, output_format=fmt, visemes=True))
    data = b"".join(bytes(e) for e in events if isinstance(e, AudioChunk))
    return Audio(data, fmt), [e for e in events if not isinstance(e, AudioChunk)]


def synthesize(args: argparse.Namespace) -> int:
    """``azspeech synthesize TEXT``: text, an SSML file or stdin to an audio file or the speaker.

    ``--play`` plays the audio on the default output device (extra ``[mic]``);
    then a file is written only when ``-o`` is given. Without ``--play`` the
    audio goes to ``-o`` (default ``speech.wav``).
    """
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
    check_plot_extra(args.plot)
    output = args.output if args.output or args.play else DEFAULT_SPEECH_FILE
    if args.play:
        check_speaker()
    streamed = args.play and OutputFormat(fmt_name).pcm_format is not None
    events: list[Any] = []
    with open_client(args) as client:
        if streamed:  # the first audio plays while the rest is being synthesized
            audio = synthesize_playing(
                client, text, voice=args.voice, fmt=OutputFormat(fmt_name), output=output,
                events=events if args.plot else None,
            )  # fmt: skip
        elif args.plot:
            audio, events = _synthesize_with_events(client, text, args.voice, fmt_name)
        else:
            audio = client.tts.synthesize(text, voice=args.voice, output_format=fmt_name)
    if output and not streamed:
        audio.save(output)
    if args.plot:
        from ..plot import synthesis_timeline

        save_picture(args.plot, lambda: synthesis_timeline(events, audio=audio), json=args.json)
    if args.play and not streamed:  # a compressed format: decoded whole, then played
        play(audio)
    seconds = audio.duration.total_seconds()
    if args.json:
        print_json({"output": output, "played": args.play, "seconds": seconds, "format": fmt_name})
    else:
        done = [f"wrote {output}"] if output else []
        done += ["played it" if output else "played"] if args.play else []
        print_line(f"{' and '.join(done)} ({seconds:.2f} s, {fmt_name})")
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
                job = wait_for_job(args, client, job)
            shown = [job]
        elif args.action == "status":
            job = jobs.get(args.id)
            if args.wait:
                job = wait_for_job(args, client, job)
            shown = [job]
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

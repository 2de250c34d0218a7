"""The ``azspeech`` command: the SDK's public API from a shell.

    azspeech --emulator demo                       offline, against an in-process emulator
    azspeech synthesize "Hello" -o hi.wav          text to speech (TEXT, --ssml FILE or stdin)
    azspeech synthesize "Hello" --play             ... to the speaker as it arrives (extra [mic])
    azspeech transcribe talk.wav --format srt      real time, fast or batch; text/json/srt/vtt
    azspeech transcribe talk.wav --mode llm        LLM speech (--prompt guides the model)
    azspeech transcribe call.wav --plot when.png   who spoke when, as a picture (extra [plot])
    azspeech translate talk.wav --to de --mode llm LLM speech translation (text/json/srt/vtt)
    azspeech voices --search ava                   a searchable table of the voices
    azspeech batch list                            batch transcription jobs
    azspeech emulator --port 5000                  run the bundled emulator

Global options (``--key``, ``--region``, ``--endpoint``, ``--config``, ``--emulator``,
``--json``, ``--debug``) go before or after the subcommand. Exit codes are listed in
``docs/cli.md``: 0 ok, 1 error, 2 usage, 3 nothing recognized, 4 missing or non-audio file,
5 missing extra, 6 no audio output device, 130 interrupted. On a terminal, long work shows
progress on stderr (``_progress``: rich bars, plain lines without rich, nothing with ``--json``
or in a pipe).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from . import _commands
from ._features import add_feature_commands
from ._help import HelpFormatter
from ._output import add_format_options
from ._settings import EXIT, CliError, add_global_options

__all__ = ["EXIT", "main"]


def _sub(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        formatter_class=HelpFormatter,
    )
    add_global_options(parser, sub=True)
    return parser


def _poll_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how often a waited-for batch job is asked for its status",
    )


def _parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="azspeech",
        description="Azure Speech from the shell (docs/cli.md lists the exit codes).",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"azspeech {__version__}")
    add_global_options(parser, sub=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("emulator", help="run the bundled emulator (azspeech emulator --help)")

    demo = _sub(sub, "demo", "synthesize and transcribe against an in-process emulator")
    demo.add_argument(
        "text", nargs="?", default=None, help="the sentence to round-trip (default: a built-in one)"
    )
    demo.add_argument(
        "--engine",
        choices=["tones", "real"],
        default=None,
        help="'real' speaks with espeak-ng and recognizes with whisper (extra [engines]); "
        "default: tones, the emulator's exact tone code",
    )
    demo.set_defaults(func=_commands.demo)

    syn = _sub(sub, "synthesize", "text to speech into a file or to the speaker")
    syn.add_argument("text", nargs="?", default=None, help="the text (default, or '-': read stdin)")
    syn.add_argument("--ssml", default=None, help="read SSML from this file (default: speak TEXT)")
    syn.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="the audio file to write (default: speech.wav, or no file with --play)",
    )
    syn.add_argument(
        "--play",
        action="store_true",
        help="play the audio on the default output device as it arrives (PCM formats; "
        "compressed ones after the synthesis; extra [mic]; exit code 5 without it, 6 without "
        "an output device; default: off)",
    )
    syn.add_argument("--voice", default="en-US-AvaMultilingualNeural", help="the voice")
    syn.add_argument("--format", default="riff-24khz-16bit-mono-pcm", help="the output format")
    syn.add_argument("--list-formats", action="store_true", help="list the output formats")
    syn.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="also save the waveform with its words and visemes as a picture "
        "(PNG, SVG...; extra [plot]; default: none)",
    )
    syn.set_defaults(func=_commands.synthesize)

    rec = _sub(sub, "recognize", "real-time recognition of an audio file")
    rec.add_argument("file", help="an audio file (WAV, MP3, FLAC, Ogg...)")
    rec.add_argument("--language", default="en-US", help="the recognition language")
    rec.add_argument(
        "--continuous", action="store_true", help="every phrase, printed as it arrives"
    )
    rec.set_defaults(func=_commands.recognize)

    tr = _sub(sub, "transcribe", "transcribe an audio file or URL (real time, fast, LLM or batch)")
    tr.add_argument("file", help="an audio file, or an http(s) URL (batch mode)")
    tr.add_argument(
        "--mode",
        choices=["auto", "realtime", "fast", "llm", "batch"],
        default="auto",
        help="auto: real time for text output of files up to 2 MiB, else fast; URLs go to "
        "batch; llm: LLM speech (the language is detected, --prompt guides it)",
    )
    tr.add_argument(
        "--prompt",
        action="append",
        default=None,
        help="--mode llm: an instruction for the model (repeat; default: none)",
    )
    tr.add_argument("--language", default="en-US", help="the real-time recognition language")
    tr.add_argument(
        "--locale",
        action="append",
        help="fast/batch locales (repeat; default: the service detects the language)",
    )
    tr.add_argument("--diarization", action="store_true", help="label speakers")
    add_format_options(tr, "the output (default: text, or json with --json)")
    _poll_option(tr)
    tr.add_argument(
        "--container",
        default=None,
        metavar="URL",
        help="batch mode with a local file: the blob container to upload it to, with a SAS "
        "or --storage-key (default: none; the blob is deleted afterwards)",
    )
    tr.add_argument(
        "--storage-key",
        default=None,
        help="the storage account key for --container (default: $AZURE_STORAGE_KEY)",
    )
    tr.add_argument(
        "--realtime",
        action="store_true",
        help="real-time mode: send the audio at the pace of speech, like a live source",
    )
    tr.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="save who spoke when, with the captions, as a picture "
        "(PNG, SVG...; extra [plot]; default: none)",
    )
    tr.set_defaults(func=_commands.transcribe)

    voices = _sub(sub, "voices", "list the voices (a searchable table)")
    voices.add_argument(
        "--locale", default=None, help="only this locale, e.g. en-US (default: every locale)"
    )
    voices.add_argument(
        "--search", default=None, help="words that must all appear (default: every voice)"
    )
    voices.set_defaults(func=_commands.voices)

    add_feature_commands(sub, _sub)

    bat = _sub(sub, "batch", "batch transcription jobs: create, status, list, download")
    actions = bat.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = _sub(actions, "create", "submit audio URLs")
    create.add_argument("urls", nargs="+", help="audio URLs the service can read (SAS)")
    create.add_argument("--locale", default="en-US", help="the locale")
    create.add_argument("--wait", action="store_true", help="wait until the job ends")
    _poll_option(create)
    status = _sub(actions, "status", "one job's status")
    status.add_argument("id", help="the job id")
    status.add_argument("--wait", action="store_true", help="wait until the job ends")
    _poll_option(status)
    _sub(actions, "list", "every job")
    download = _sub(actions, "download", "save a job's result files")
    download.add_argument("id", help="the job id")
    download.add_argument("directory", nargs="?", default=".", help="where to save them")
    bat.set_defaults(func=_commands.batch)
    return parser


def _emulator(argv: list[str], debug: bool) -> int:
    try:
        from ..emulator import cli_main
    except ImportError as exc:
        raise CliError(
            "the emulator needs its extra: pip install 'azspeech[emulator]'", EXIT["missing_extra"]
        ) from exc
    levels = ("critical", "error", "warning", "info", "debug")
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--log-level=") else None
        if arg == "--log-level" and i + 1 < len(argv):
            value = argv[i + 1]
        if value is not None and value.lower() not in levels:
            raise CliError(
                f"unknown --log-level {value!r}: use one of {', '.join(levels)}", EXIT["usage"]
            )
    try:
        return int(cli_main(argv) or 0)
    except OSError as exc:
        raise CliError(
            f"cannot start the emulator: {exc.strerror or exc} (try another --port)"
        ) from exc
    except ValueError as exc:  # logging's complaint about an unknown --log-level
        raise CliError(f"{exc} (try --log-level info)", EXIT["usage"]) from exc


def _run(argv: list[str]) -> int:
    from ..errors import AudioError, ConfigurationError, SpeechError

    debug = "--debug" in argv
    if debug:
        logging.basicConfig(level=logging.DEBUG)
    try:
        if "emulator" in argv and argv.index("emulator") == sum(
            1 for a in argv[: argv.index("emulator")] if a.startswith("--")
        ):
            return _emulator(argv[argv.index("emulator") + 1 :], debug)
        args = _parser().parse_args(argv)
        return int(args.func(args))
    except CliError as exc:
        failure: BaseException = exc
        message, code = str(exc), exc.code
    except AudioError as exc:
        failure, message, code = exc, str(exc), EXIT["bad_file"]
    except ConfigurationError as exc:
        failure, message, code = exc, f"{exc} (see azspeech --help)", EXIT["usage"]
    except SpeechError as exc:
        failure, message, code = exc, str(exc), EXIT["error"]
    except ImportError as exc:
        name = exc.name or "a module"
        failure, message, code = exc, f"{name} is not installed: {exc}", EXIT["missing_extra"]
    except KeyboardInterrupt:
        return EXIT["interrupted"]
    except BrokenPipeError:
        # The reader went away (``azspeech ... | head``): what it wanted was printed. Point
        # stdout at nothing so that the interpreter's final flush does not complain either.
        _silence_stdout()
        return EXIT["ok"]
    if debug:
        traceback.print_exception(type(failure), failure, failure.__traceback__)
    print(f"azspeech: error: {message}", file=sys.stderr, flush=True)
    return code


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured output)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    return _run(list(sys.argv[1:] if argv is None else argv))

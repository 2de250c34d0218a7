"""The ``azspeech`` command: the SDK's public API from a shell.

    azspeech emulator --port 5000            run the bundled emulator
    azspeech demo                            synthesize + transcribe against an in-process emulator
    azspeech synthesize "Hello" -o hi.wav    text to speech
    azspeech recognize hi.wav                real-time recognition of a file
    azspeech transcribe talk.wav --srt       fast transcription (captions with --srt/--vtt)
    azspeech voices --locale en-US           list voices

Credentials come from ``--key``/``--region``/``--endpoint`` or the usual
``AZURE_SPEECH_*`` environment variables.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import SpeechClient

__all__ = ["main"]


def _client(args: argparse.Namespace) -> SpeechClient:
    from ._client import SpeechClient

    return SpeechClient(key=args.key, region=args.region, endpoint=args.endpoint)


def _cmd_synthesize(args: argparse.Namespace) -> int:
    with _client(args) as client:
        audio = client.tts.synthesize(args.text, voice=args.voice, output_format=args.format)
        audio.save(args.output)
    print(f"wrote {args.output} ({audio.duration.total_seconds():.2f} s, {args.format})")
    return 0


def _cmd_recognize(args: argparse.Namespace) -> int:
    with _client(args) as client:
        if not args.continuous:
            result = client.stt.recognize_once(args.file, language=args.language)
            print(result.text)
            return 0
        with client.stt.connect(language=args.language) as session:
            session.send_file(args.file)
            session.close()
            for event in session:
                final = getattr(event, "result", None)
                if type(event).__name__ == "Recognized" and final is not None:
                    print(f"[{final.offset}] {final.text}")
    return 0


def _cmd_transcribe(args: argparse.Namespace) -> int:
    with _client(args) as client:
        locales = args.locale or None
        result = client.stt.transcribe(args.file, locales=locales, diarization=args.diarization)
    if args.srt:
        print(result.to_srt(), end="")
    elif args.vtt:
        print(result.to_webvtt(), end="")
    elif args.json:
        print(json.dumps(result.raw, indent=2, ensure_ascii=False))
    else:
        for phrase in result.phrases:
            speaker = f" speaker {phrase.speaker}" if phrase.speaker is not None else ""
            print(f"[{phrase.offset}]{speaker} {phrase.text}")
    return 0


def _cmd_voices(args: argparse.Namespace) -> int:
    with _client(args) as client:
        voices = client.tts.list_voices(locale=args.locale)
    for voice in voices:
        print(f"{voice.short_name:45} {voice.locale:8} {voice.gender}")
    return 0


def _cmd_emulator(argv: Sequence[str]) -> int:
    from .emulator import cli_main

    return int(cli_main(list(argv)) or 0)


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(sentence=args.text, engine=args.engine)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="azspeech", description="Azure Speech from the shell.")
    parser.add_argument("--key", help="resource key (default: $AZURE_SPEECH_KEY)")
    parser.add_argument("--region", help="region, e.g. westeurope (default: $AZURE_SPEECH_REGION)")
    parser.add_argument("--endpoint", help="base URL: custom domain, container or emulator")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("emulator", help="run the bundled emulator (see: azspeech emulator --help)")

    demo = sub.add_parser("demo", help="synthesize and transcribe against an in-process emulator")
    demo.add_argument("text", nargs="?", default=None)
    demo.add_argument(
        "--engine",
        choices=["tones", "real"],
        help="'real' speaks with espeak-ng and recognizes with whisper (extra [engines])",
    )
    demo.set_defaults(func=_cmd_demo)

    syn = sub.add_parser("synthesize", help="text to speech into a file")
    syn.add_argument("text")
    syn.add_argument("-o", "--output", default="speech.wav")
    syn.add_argument("--voice", default="en-US-AvaMultilingualNeural")
    syn.add_argument("--format", default="riff-24khz-16bit-mono-pcm")
    syn.set_defaults(func=_cmd_synthesize)

    rec = sub.add_parser("recognize", help="real-time recognition of an audio file")
    rec.add_argument("file")
    rec.add_argument("--language", default="en-US")
    rec.add_argument("--continuous", action="store_true", help="every phrase, not just the first")
    rec.set_defaults(func=_cmd_recognize)

    tr = sub.add_parser("transcribe", help="fast transcription of an audio file")
    tr.add_argument("file")
    tr.add_argument("--locale", action="append", help="repeat for several; none = auto")
    tr.add_argument("--diarization", action="store_true")
    fmt = tr.add_mutually_exclusive_group()
    fmt.add_argument("--srt", action="store_true", help="print SubRip captions")
    fmt.add_argument("--vtt", action="store_true", help="print WebVTT captions")
    fmt.add_argument("--json", action="store_true", help="print the service's JSON")
    tr.set_defaults(func=_cmd_transcribe)

    voices = sub.add_parser("voices", help="list the voices")
    voices.add_argument("--locale")
    voices.set_defaults(func=_cmd_voices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    from .errors import SpeechError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "emulator":
        return _cmd_emulator(argv[1:])
    args = _parser().parse_args(argv)
    func: Any = args.func
    try:
        return int(func(args))
    except SpeechError as exc:
        print(f"azspeech: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

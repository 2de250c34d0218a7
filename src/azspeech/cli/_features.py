"""The ``translate``, ``identify-language`` and ``assess`` subcommands."""

from __future__ import annotations

import argparse
from typing import Any

from ._commands import audio_seconds, check_audio_file, nothing_recognized, streaming
from ._output import add_format_options, print_json, print_line, print_table
from ._pictures import check_plot_extra, save_picture
from ._progress import open_meter
from ._settings import EXIT, open_client
from ._translate_llm import check_translate_options, translate_llm

__all__ = ["add_feature_commands"]

#: The spoken language of real-time translation when ``--source`` is not given.
DEFAULT_SOURCE = "en-US"


def translate(args: argparse.Namespace) -> int:
    """``azspeech translate FILE --to de --to fr``: each phrase and its translations, live.

    The audio streams from a thread (a seconds-of-audio bar on a terminal)
    while each result is printed the moment it arrives, above the bar.
    ``--mode llm`` hands the file to LLM speech instead (:mod:`._translate_llm`).
    """
    output = check_translate_options(args)
    if args.mode == "llm":
        return translate_llm(args, output)
    file = check_audio_file(args.file)
    found = 0
    with (
        open_client(args) as client,
        client.translation.connect(
            source_language=args.source or DEFAULT_SOURCE, target_languages=args.to
        ) as session,
        open_meter(args, f"streaming {file.name}", audio_seconds(file), "seconds") as meter,
        streaming(session, file, args.realtime, meter),
    ):
        for result in session.results():
            if not result.text:
                continue
            found += 1
            if output == "json":
                print_json({"text": result.text, "translations": result.translations})
            else:
                print_line(f"[{result.offset}] {result.text}")
                for language, text in result.translations.items():
                    print_line(f"    {language}: {text}")
    return EXIT["ok"] if found else nothing_recognized(file)


def identify_language(args: argparse.Namespace) -> int:
    """``azspeech identify-language FILE --candidate en-US --candidate de-DE``."""
    file = check_audio_file(args.file)
    with open_client(args) as client:
        result = client.language_id.identify(str(file), candidate_languages=args.candidate)
    if result.language is None:
        return nothing_recognized(file)
    if args.json:
        print_json(result.model_dump(mode="json"))
    else:
        rows = [[lang, f"{d.total_seconds():.2f} s"] for lang, d in result.durations.items()]
        print_line(f"language: {result.language}")
        print_table("speaking time", ["language", "time"], rows)
    return EXIT["ok"]


def assess(args: argparse.Namespace) -> int:
    """``azspeech assess FILE --text "reference"``: the pronunciation report (and its picture)."""
    file = check_audio_file(args.file)
    check_plot_extra(args.plot)
    with open_client(args) as client:
        report: Any = client.pronunciation.assess(
            str(file), reference_text=args.text, language=args.language
        )
    if not report.words:
        return nothing_recognized(file)
    if args.json:
        print_json(report.model_dump(mode="json"))
    else:
        scores = ["accuracy", "fluency", "completeness", "prosody", "pronunciation"]
        rows = [
            [name, f"{getattr(report, name + '_score'):.0f}"]
            for name in scores
            if getattr(report, name + "_score") is not None
        ]
        print_table("pronunciation", ["score", "value"], rows)
        for word in report.errors():
            print_line(f"  {word.word}: {word.error_type}")
    if args.plot:
        save_picture(args.plot, report.plot, json=args.json)
    return EXIT["ok"]


def add_feature_commands(sub: Any, make: Any) -> None:
    """Add the three subcommands to *sub* (``make(sub, name, help)`` builds each parser)."""
    tr = make(sub, "translate", "speech translation of an audio file (real time or LLM)")
    tr.add_argument("file", help="an audio file (with --mode llm also an http(s) URL)")
    tr.add_argument(
        "--mode",
        choices=["realtime", "llm"],
        default="realtime",
        help="realtime: speech translation, each phrase printed as it arrives, into every --to; "
        "llm: LLM speech translates the whole file into one --to (the language is detected, "
        "--prompt guides it)",
    )
    tr.add_argument(
        "--source",
        default=None,
        help=f"--mode realtime: the spoken language (default: {DEFAULT_SOURCE}; "
        "--mode llm detects it and refuses --source)",
    )
    tr.add_argument(
        "--to",
        action="append",
        required=True,
        help="a target language, e.g. de (repeat for several; --mode llm takes one)",
    )
    tr.add_argument(
        "--prompt",
        action="append",
        default=None,
        help="--mode llm: an instruction for the model (repeat; default: none)",
    )
    tr.add_argument(
        "--model",
        default=None,
        help="--mode llm: the model to use (default: the service's)",
    )
    add_format_options(
        tr, "the output (default: text, or json with --json; srt and vtt with --mode llm)"
    )
    tr.add_argument(
        "--realtime",
        action="store_true",
        help="--mode realtime: send the audio at the pace of speech, like a live source",
    )
    tr.set_defaults(func=translate)

    lid = make(sub, "identify-language", "which languages an audio file speaks")
    lid.add_argument("file", help="an audio file")
    lid.add_argument(
        "--candidate", action="append", required=True, help="a candidate locale (repeat, 2 to 10)"
    )
    lid.set_defaults(func=identify_language)

    pa = make(sub, "assess", "pronunciation assessment of a reading")
    pa.add_argument("file", help="an audio file")
    pa.add_argument(
        "--text", default=None, help="the reference text (default: none, unscripted speech)"
    )
    pa.add_argument("--language", default="en-US", help="the language")
    pa.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="save the report's picture here (PNG, SVG...; extra [plot]; default: none)",
    )
    pa.set_defaults(func=assess)

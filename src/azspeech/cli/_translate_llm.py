"""``azspeech translate FILE --to de --mode llm``: LLM speech translates a whole file.

One upload (a bar follows it on a terminal), one answer: the phrases in the
target language, with their times (so text, JSON, SRT or WebVTT), as
``client.llm.translate`` returns them. The model detects the spoken language
and translates into exactly one language; the options that belong to the
real-time speech translation are refused with exit code 2, as are those of
LLM mode without it.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._commands import check_audio_file, upload_and_print
from ._settings import EXIT, CliError

__all__ = ["check_translate_options", "translate_llm"]


def check_translate_options(args: argparse.Namespace) -> str:
    """The output format (text, json, srt, vtt), or exit code 2 for options that do not mix."""
    output: str = args.format or ("json" if args.json else "text")
    if args.mode != "llm":
        if args.file.startswith(("http://", "https://")):
            raise CliError(
                "a URL needs --mode llm (real-time translation streams a local file)",
                EXIT["usage"],
            )
        for given, name in ((args.prompt, "--prompt"), (args.model, "--model")):
            if given:
                raise CliError(f"{name} applies to --mode llm only", EXIT["usage"])
        if output in ("srt", "vtt"):
            raise CliError(
                f"--format {output} applies to --mode llm (real-time translation prints text "
                "or JSON lines as they arrive)",
                EXIT["usage"],
            )
        return output
    if len(args.to) > 1:
        raise CliError(
            f"--mode llm translates into one language, got --to {' --to '.join(args.to)}: "
            "give --to once (or use --mode realtime for several)",
            EXIT["usage"],
        )
    if args.source is not None:
        raise CliError(
            "--source does not apply to --mode llm: the model detects the language",
            EXIT["usage"],
        )
    if args.realtime:
        raise CliError("--realtime applies to --mode realtime only", EXIT["usage"])
    from ..errors import InvalidRequestError
    from ..llm import enhanced_mode

    try:  # the library's own checks of the language, prompts and model, before any upload
        enhanced_mode("translate", target_language=args.to[0], prompt=args.prompt, model=args.model)
    except InvalidRequestError as exc:
        raise CliError(_option_names(str(exc)), EXIT["usage"]) from exc
    return output


def _option_names(message: str) -> str:
    """The library's complaint, in the CLI's option names."""
    if message.startswith("prompt must"):
        return "--prompt must not be empty"
    for name, option in (("target_language", "--to"), ("prompt", "--prompt"), ("model", "--model")):
        if message.startswith(name):
            return option + message[len(name) :]
    return message


def translate_llm(args: argparse.Namespace, output: str) -> int:
    """Translate the file (or http(s) URL) ``args.file`` into ``args.to[0]`` with LLM speech."""
    remote = args.file.startswith(("http://", "https://"))
    file = None if remote else check_audio_file(args.file)

    def request(client: Any, source: dict[str, Any], on_progress: Any) -> Any:
        return client.llm.translate(
            **source,
            target_language=args.to[0],
            prompt=args.prompt,
            model=args.model,
            on_progress=on_progress,
        )

    return upload_and_print(args, output, file, request, done="translated")

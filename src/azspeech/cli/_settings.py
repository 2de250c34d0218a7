"""Global options, configuration sources and exit codes of the ``azspeech`` command."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .._client import SpeechClient

__all__ = ["EXIT", "CliError", "add_global_options", "open_client"]

#: Exit codes, documented in docs/cli.md.
EXIT = {
    "ok": 0,
    "error": 1,
    "usage": 2,
    "nothing_recognized": 3,
    "bad_file": 4,
    "missing_extra": 5,
    "no_audio_device": 6,
    "interrupted": 130,
}


class CliError(Exception):
    """A failure shown as one line, with the exit code it maps to."""

    def __init__(self, message: str, code: int = EXIT["error"]) -> None:
        super().__init__(message)
        self.code = code


def add_global_options(parser: argparse.ArgumentParser, *, sub: bool) -> None:
    """The options accepted before and after the subcommand.

    On a subcommand they default to ``SUPPRESS`` so a value given before the
    subcommand is not overwritten by the subcommand's default.
    """

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if sub else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--key", default=default(None), help="resource key (default: $AZURE_SPEECH_KEY)"
    )
    group.add_argument(
        "--region",
        default=default(None),
        help="region, e.g. westeurope (default: $AZURE_SPEECH_REGION)",
    )
    group.add_argument(
        "--endpoint",
        default=default(None),
        help="base URL of a custom domain, container or emulator (default: $AZURE_SPEECH_ENDPOINT)",
    )
    group.add_argument(
        "--config",
        default=default(None),
        help="a TOML file with key, region, endpoint "
        "(default: $AZSPEECH_CONFIG or ~/.config/azspeech/config.toml when present)",
    )
    group.add_argument(
        "--emulator",
        action="store_true",
        default=default(False),
        help="run the command against an emulator started in-process (default: off)",
    )
    group.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON (default: off)"
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show tracebacks and debug logs (default: off)",
    )


def _config_file(args: argparse.Namespace) -> dict[str, str]:
    path_text = args.config or os.environ.get("AZSPEECH_CONFIG")
    path = Path(path_text) if path_text else Path.home() / ".config" / "azspeech" / "config.toml"
    if not path.is_file():
        if path_text:
            raise CliError(
                f"config file {path} not found (--config or $AZSPEECH_CONFIG)", EXIT["usage"]
            )
        return {}
    text = path.read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CliError(f"config file {path}: {exc}", EXIT["usage"]) from exc
    else:  # the three flat string entries this file holds
        data = {}
        for line in text.splitlines():
            name, sep, value = line.partition("=")
            if sep and not line.lstrip().startswith("#"):
                data[name.strip()] = value.strip().strip("\"'")
    return {k: str(v) for k, v in data.items() if k in ("key", "region", "endpoint")}


@contextmanager
def open_client(args: argparse.Namespace) -> Iterator[SpeechClient]:
    """The client the flags, environment and config file describe (or an in-process emulator)."""
    from .._client import SpeechClient
    from ..errors import ConfigurationError

    if args.emulator:
        try:
            from ..emulator import Emulator
        except ImportError as exc:
            raise CliError(
                "--emulator needs the emulator extra: pip install 'azspeech[emulator]'",
                EXIT["missing_extra"],
            ) from exc
        with Emulator() as emulator, emulator.client() as client:
            yield client
        return
    settings = {
        name: getattr(args, name)
        for name in ("key", "region", "endpoint")
        if getattr(args, name, None) is not None
    }
    env_has_place = any(
        os.environ.get(n)
        for n in (
            "AZURE_SPEECH_REGION",
            "SPEECH_REGION",
            "AZURE_SPEECH_ENDPOINT",
            "SPEECH_ENDPOINT",
        )
    )
    if "region" not in settings and "endpoint" not in settings and not env_has_place:
        for name, value in _config_file(args).items():
            settings.setdefault(name, value)
    elif "key" not in settings and not os.environ.get("AZURE_SPEECH_KEY"):
        file_key = _config_file(args).get("key")
        if file_key:
            settings["key"] = file_key
    try:
        client = SpeechClient(**settings)
    except ConfigurationError as exc:
        raise CliError(
            "no region or endpoint: pass --region westeurope or --endpoint URL, "
            "set AZURE_SPEECH_REGION, or try --emulator"
            if "region" in str(exc) and "endpoint" in str(exc)
            else f"{exc} (pass --key, or set AZURE_SPEECH_KEY)",
            EXIT["usage"],
        ) from exc
    with client:
        yield client

"""``azspeech --help`` and every subcommand's help describe every option with its default."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from azspeech.cli import _parser, main
from azspeech.emulator import _parser as emulator_parser


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


PARSERS = dict(_parsers(_parser()))
# ``azspeech emulator`` hands its arguments to the emulator's own parser.
PARSERS[("emulator",)] = emulator_parser()


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if not isinstance(
            a, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)
        )
    ]


def test_the_walk_finds_every_command() -> None:
    commands = {" ".join(p) for p in PARSERS}
    assert {"", "synthesize", "transcribe", "assess", "batch create", "batch status"} <= commands
    assert sum(len(_options(p)) for p in PARSERS.values()) > 100


@pytest.mark.parametrize("path", sorted(PARSERS), ids=lambda p: " ".join(p) or "azspeech")
def test_every_option_has_help_that_gives_its_default(path: tuple[str, ...]) -> None:
    parser = PARSERS[path]
    formatter = parser._get_formatter()
    rendered = parser.format_help()
    for action in _options(parser):
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help.strip(), f"{name} has no help"
        shown = formatter._expand_help(action)  # the text --help prints for it
        assert shown.split()[0] in rendered.split() or shown[:20] in " ".join(rendered.split())
        if isinstance(action, argparse._StoreConstAction) and action.const is not True:
            continue  # an alias such as --srt (= --format srt)
        if action.required or (not action.option_strings and action.nargs is None):
            continue  # a required argument has no default
        assert "default" in shown.lower(), f"{' '.join(path)} {name}: no default in {shown!r}"
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert f"default: {action.default}" in shown, f"{name}: {shown!r}"


def test_help_exits_cleanly_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for path in PARSERS:
        with pytest.raises(SystemExit) as stop:
            main([*path, "--help"])
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: azspeech")
        assert "--port" not in out or path == ("emulator",)
        assert "(default: None)" not in out  # "not given" is said in words

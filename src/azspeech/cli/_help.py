"""The help of ``azspeech`` and its subcommands: every option says its default.

A value default is appended as ``(default: VALUE)``, a flag as ``(default:
off)``. An option whose default is "not given" (None) says in its own words
what happens without it (``tests/cli/test_cli_help.py`` checks that every
option's help mentions its default).
"""

from __future__ import annotations

import argparse

__all__ = ["HelpFormatter"]


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the defaults shown (none for aliases such as ``--srt``)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text.lower() or action.default is argparse.SUPPRESS:
            return text
        if isinstance(action, argparse._StoreTrueAction):
            return f"{text} (default: off)"
        if action.default is None or isinstance(action, argparse._StoreConstAction):
            return text
        return f"{text} (default: %(default)s)"

"""Printing for the command line: rich tables and live lines when rich is installed, else plain."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["add_format_options", "print_json", "print_line", "print_table"]


def add_format_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--format text|json|srt|vtt`` (help: *help_text*) and its aliases ``--srt``, ``--vtt``."""
    parser.add_argument(
        "--format", choices=["text", "json", "srt", "vtt"], default=None, help=help_text
    )
    for name in ("srt", "vtt"):
        parser.add_argument(
            f"--{name}", dest="format", action="store_const", const=name, help=f"= --format {name}"
        )


def _console(stderr: bool = False) -> Any:
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_line(text: str, *, stderr: bool = False) -> None:
    """One line, flushed at once (live output while results arrive)."""
    stream = sys.stderr if stderr else sys.stdout
    print(text, file=stream, flush=True)


def print_json(value: Any) -> None:
    """*value* as indented JSON."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), flush=True)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table: a rich one on a terminal with rich installed, else aligned plain columns."""
    console = _console()
    if console is not None and sys.stdout.isatty():
        from rich.table import Table

        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())

"""Saving the picture of ``--plot FILE`` (one readable error line without matplotlib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._output import print_line
from ._settings import EXIT, CliError

__all__ = ["check_plot_extra", "save_picture"]


def check_plot_extra(path: str | None) -> None:
    """Refuse ``--plot`` at once (before any work) when matplotlib is missing."""
    if path is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise CliError(
            "--plot needs matplotlib: pip install 'azspeech[plot]'", EXIT["missing_extra"]
        ) from exc


def save_picture(path: str, draw: Callable[[], Any], *, json: bool = False) -> None:
    """Call *draw* for a matplotlib figure and save it to *path* (PNG, SVG, PDF... by suffix)."""
    check_plot_extra(path)
    figure = draw()
    try:
        figure.savefig(path)
    except (OSError, ValueError) as exc:  # a missing folder, an unknown suffix
        raise CliError(f"cannot save the picture to {path}: {exc}", EXIT["error"]) from exc
    if not json:
        print_line(f"wrote {path}", stderr=True)

"""What every picture shares: the matplotlib import, time labels and the speaker colours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "axes_width_points",
    "clock",
    "fit_text",
    "new_figure",
    "require_matplotlib",
]

#: Colour-blind-safe colours (Okabe-Ito), one per speaker or word in turn.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


def require_matplotlib(what: str) -> None:
    """Raise an ImportError naming the extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{what} needs matplotlib: pip install 'azspeech[plot]'") from exc


def new_figure(width: float, height: float, rows: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A bare Figure (no pyplot) and its axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(rows, 1, **kwargs)


def clock(seconds: float, _pos: Any = None) -> str:
    """``m:ss`` (or ``s.s`` under ten seconds) for a time axis."""
    if seconds < 0:
        return ""
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return f"{int(minutes)}:{rest:04.1f}" if rest % 1 else f"{int(minutes)}:{int(rest):02d}"
    return f"{rest:.1f}s" if rest % 1 else f"{int(rest)}s"


def fit_text(text: str, width_points: float, fontsize: float) -> str:
    """*text* cut (with an ellipsis) to about *width_points* at *fontsize*."""
    fits = int(width_points / (fontsize * 0.55))
    if len(text) <= fits:
        return text
    if fits < 2:
        return ""
    return text[: fits - 1].rstrip() + "…"


def axes_width_points(ax: Any) -> float:
    """The width of *ax* in points once the figure is laid out (to fit text to the room)."""
    fig = ax.figure
    fig.draw_without_rendering()
    return float(ax.get_window_extent().width * 72 / fig.dpi)

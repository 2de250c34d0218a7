"""Who spoke when: a transcription's phrases as bars on one lane per speaker, captioned."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._figure import PALETTE, axes_width_points, clock, fit_text, new_figure, require_matplotlib

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["transcription_timeline"]

_FONT = 9.0


@dataclass(frozen=True)
class _Span:
    start: float
    end: float
    text: str
    lane: str


def _seconds(value: Any) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value or 0)


def _lane(phrase: Any) -> str:
    speaker = getattr(phrase, "speaker", None)
    if speaker is None:
        speaker = getattr(phrase, "speaker_id", None)
    if isinstance(speaker, int) and not isinstance(speaker, bool):
        return f"Speaker {speaker}"
    if isinstance(speaker, str) and speaker and speaker != "Unknown":
        return speaker
    channel = getattr(phrase, "channel", None)
    return f"Channel {channel}" if channel is not None else "Speech"


def _phrases(source: Any) -> list[Any]:
    for name in ("phrases", "recognized_phrases", "results"):
        found = getattr(source, name, None)
        if isinstance(found, list):
            return found
    if isinstance(source, Iterable):
        return list(source)
    raise TypeError(
        "transcription_timeline takes a transcription result or a list of phrases, "
        f"not {type(source).__name__}"
    )


def _spans(source: Any) -> list[_Span]:
    spans = []
    for phrase in _phrases(source):
        text = str(getattr(phrase, "text", "") or "")
        start = _seconds(getattr(phrase, "offset", 0))
        end = start + _seconds(getattr(phrase, "duration", 0))
        if text:
            spans.append(_Span(start, end, text, _lane(phrase)))
    return spans


def _lane_order(spans: list[_Span]) -> list[str]:
    def key(lane: str) -> tuple[int, str]:
        number = lane.rsplit(" ", 1)[-1]
        return (int(number), lane) if number.isdigit() else (1 << 30, lane)

    return sorted({s.lane for s in spans}, key=key)


def transcription_timeline(
    result: Any,
    *,
    ax: Any = None,
    title: str | None = None,
    width: float = 10.0,
) -> Figure:
    """Who spoke when: each phrase a bar on its speaker's lane, with its caption beside it.

    Args:
        result: a :class:`~azspeech.stt.TranscriptionResult` (fast
            transcription, ``diarization=True`` for speakers), a
            :class:`~azspeech.batch.BatchTranscriptionResult`, a real-time
            :class:`~azspeech.stt.Transcript`, or a list of phrases (anything
            with ``text``, ``offset`` and ``duration``; ``speaker`` or
            ``speaker_id`` picks the lane, else ``channel``).
        ax: matplotlib axes to draw into (default: a new figure).
        title: the title (default: counts of phrases and speakers, and the duration).
        width: the new figure's width in inches.

    Returns:
        The :class:`matplotlib.figure.Figure`. Captions alternate above and
        below their bars; one longer than the room before the next is cut
        with an ellipsis (``result.to_srt()`` has every word).

    Raises:
        ImportError: matplotlib is not installed (extra ``[plot]``).
    """
    require_matplotlib("transcription_timeline")
    from matplotlib.ticker import FuncFormatter

    spans = _spans(result)
    lanes = _lane_order(spans)
    if ax is None:
        fig, ax = new_figure(width, 1.1 + 0.95 * max(1, len(lanes)))
    else:
        fig = ax.figure
    known = getattr(result, "duration", None)
    if known is None and getattr(result, "duration_milliseconds", None) is not None:
        known = result.duration_milliseconds / 1000
    total = max([_seconds(known), *(s.end for s in spans), 1.0])
    ax.set_xlim(0, total)
    ax.set_ylim(-0.5, max(len(lanes), 1) - 0.5)
    if not spans:
        ax.text(0.5, 0.5, "nothing recognized", transform=ax.transAxes, ha="center",
                va="center", color="#777777")  # fmt: skip
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels(list(reversed(lanes)))
    for label, lane in zip(ax.get_yticklabels(), reversed(lanes), strict=True):
        label.set_color(PALETTE[lanes.index(lane) % len(PALETTE)])
        label.set_fontweight("bold")
    ax.xaxis.set_major_formatter(FuncFormatter(clock))
    ax.set_xlabel("time")
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    speakers = len(lanes) or 1
    ax.set_title(
        title
        or f"Who spoke when: {len(spans)} phrases, {speakers} "
        f"{'speaker' if speakers == 1 else 'speakers'}, {clock(total)}",
        loc="left",
    )
    axes_points = axes_width_points(ax)  # after the labels: the layout is final
    by_lane: dict[str, list[_Span]] = {lane: [] for lane in lanes}
    for span in sorted(spans, key=lambda s: s.start):
        by_lane[span.lane].append(span)
    # Room on the right for the last captions of each lane (up to 40% more time axis).
    xmax = total
    for own in by_lane.values():
        for span in own[-2:]:
            share = (len(span.text) * 0.55 * _FONT + 10) / axes_points  # of the axis width
            need = span.start / (1 - share) if share < 1 else total * 1.4
            xmax = min(max(xmax, need), total * 1.4)
    ax.set_xlim(0, xmax)
    for index, lane in enumerate(lanes):
        row = len(lanes) - 1 - index  # the first speaker on top
        colour = PALETTE[index % len(PALETTE)]
        own = by_lane[lane]
        ax.broken_barh(
            [(s.start, max(s.end - s.start, total / 500)) for s in own],
            (row - 0.09, 0.18),
            facecolors=colour,
            edgecolors="none",
        )
        # Captions take turns above and below the bar, each running on until the
        # lane's next caption on its side begins, so that neighbours never overlap.
        for i, span in enumerate(own):
            until = own[i + 2].start if i + 2 < len(own) else xmax
            room = (until - span.start) / xmax * axes_points - 6
            caption = fit_text(span.text, room, _FONT)
            if caption:
                above = i % 2 == 0
                ax.text(
                    span.start,
                    row + (0.17 if above else -0.17),
                    caption,
                    va="bottom" if above else "top",
                    ha="left",
                    fontsize=_FONT,
                    color="#1a1a1a",
                )
    return fig

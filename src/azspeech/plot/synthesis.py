"""A synthesis over time: its waveform, where each word falls, and the visemes (mouth shapes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._figure import PALETTE, axes_width_points, clock, fit_text, new_figure, require_matplotlib

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..audio import Audio, OutputFormat

__all__ = ["synthesis_timeline"]

_FONT = 9.0
_BINS = 2400  # the waveform is drawn as min/max per bin: sharp at any length, few points


def _envelope(samples: Any, rate: int) -> tuple[Any, Any, Any]:
    import numpy as np

    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    if len(mono) == 0:
        return np.zeros(1), np.zeros(1), np.zeros(1)
    per = max(1, len(mono) // _BINS)
    usable = len(mono) // per * per
    blocks = mono[:usable].reshape(-1, per)
    times = (np.arange(len(blocks)) * per + per / 2) / rate
    return times, blocks.min(axis=1), blocks.max(axis=1)


def synthesis_timeline(
    events: Iterable[Any],
    *,
    audio: Audio | None = None,
    output_format: str | OutputFormat = "raw-24khz-16bit-mono-pcm",
    ax: Any = None,
    title: str | None = None,
    width: float = 10.0,
) -> Figure:
    """The waveform of a synthesis with its word boundaries and visemes on one time axis.

    Collect the events of a stream and draw them::

        events = list(client.tts.stream("Hello there.", visemes=True))
        synthesis_timeline(events).savefig("synthesis.png")

    Args:
        events: the events of ``client.tts.stream(...)`` (audio chunks,
            :class:`~azspeech.models.tts.WordBoundary`,
            :class:`~azspeech.models.tts.Viseme`; others are ignored).
            Ask for ``visemes=True`` to get the viseme panel.
        audio: the audio, when the events hold no audio chunks (e.g. a
            ``tts.synthesize()`` result); else the chunks are joined.
        output_format: the format of the chunks (the stream's
            ``output_format``; a PCM format, or any format the audio layer decodes).
        ax: one matplotlib axes to draw the waveform and words into (no viseme
            panel); default: a new figure with a viseme panel under it.
        title: the title (default: the spoken text and the duration).
        width: the new figure's width in inches.

    Raises:
        ImportError: matplotlib is not installed (extra ``[plot]``).
        ValueError: there is neither audio nor a word boundary to draw.
    """
    require_matplotlib("synthesis_timeline")
    from matplotlib.ticker import FuncFormatter

    from ..audio import Audio
    from ..models.tts import AudioChunk, Viseme, WordBoundary

    chunks, words, visemes = bytearray(), [], []
    for event in events:
        if isinstance(event, AudioChunk):
            chunks += event
        elif isinstance(event, WordBoundary):
            words.append(event)
        elif isinstance(event, Viseme):
            visemes.append(event)
    if audio is None and chunks:
        audio = Audio(bytes(chunks), output_format)
    if audio is None and not words:
        raise ValueError("nothing to draw: no audio chunks, no audio= and no word boundaries")
    duration = audio.duration.total_seconds() if audio is not None else 0.0
    duration = max(
        [duration, 0.1, *(w.offset.total_seconds() + w.duration.total_seconds() for w in words)]
    )
    if ax is None:
        panels = 2 if visemes else 1
        fig, axes = new_figure(
            width,
            3.2 + 1.6 * (panels - 1),
            panels,
            sharex=True,
            gridspec_kw={"height_ratios": [2.2, 1.0][:panels]},
        )
        wave_ax = axes[0] if panels > 1 else axes
        viseme_ax = axes[1] if panels > 1 else None
    else:
        fig, wave_ax, viseme_ax = ax.figure, ax, None
    wave_ax.set_xlim(0, duration)
    if audio is not None:
        times, low, high = _envelope(audio.samples, audio.sample_rate)
        wave_ax.fill_between(times, low, high, color="#4d4d4d", linewidth=0.3, zorder=2)
        peak = max(float(abs(low).max()), float(abs(high).max()), 1e-3)
    else:
        peak = 1.0
    # The words above the waveform, on two alternating rows so that neighbours do not collide.
    wave_ax.set_ylim(-peak * 1.1, peak * 1.9)
    wave_ax.set_yticks([])
    wave_ax.set_ylabel("waveform\nand words")
    if viseme_ax is not None:
        viseme_ax.set_ylabel("viseme id")
    axes_points = axes_width_points(wave_ax)
    for i, word in enumerate(words):
        start = word.offset.total_seconds()
        end = start + max(word.duration.total_seconds(), duration / 400)
        colour = PALETTE[i % 2]
        wave_ax.axvspan(start, end, color=colour, alpha=0.16, linewidth=0, zorder=0)
        room_until = words[i + 2].offset.total_seconds() if i + 2 < len(words) else duration
        label = fit_text(word.text, (room_until - start) / duration * axes_points - 4, _FONT)
        wave_ax.text(
            start,
            peak * (1.62 if i % 2 == 0 else 1.25),
            label,
            ha="left",
            va="center",
            fontsize=_FONT,
            color=colour,
            fontweight="bold",
        )
    for side in ("top", "right", "left"):
        wave_ax.spines[side].set_visible(False)
    spoken = " ".join(w.text for w in words)
    wave_ax.set_title(
        title or fit_text(f"“{spoken}” ({clock(duration)})", axes_points, 11.0), loc="left"
    )
    last_ax = wave_ax
    if viseme_ax is not None:
        xs = [v.offset.total_seconds() for v in visemes] + [duration]
        ys = [v.viseme_id for v in visemes] + [visemes[-1].viseme_id]
        viseme_ax.step(xs, ys, where="post", color="#D55E00", linewidth=1.4)
        viseme_ax.plot(xs[:-1], ys[:-1], "o", color="#D55E00", markersize=3)
        viseme_ax.set_ylim(-1, 22)
        viseme_ax.set_yticks([0, 7, 14, 21])
        viseme_ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        for side in ("top", "right"):
            viseme_ax.spines[side].set_visible(False)
        last_ax = viseme_ax
    last_ax.xaxis.set_major_formatter(FuncFormatter(clock))
    last_ax.set_xlabel("time")
    return fig

"""The pronunciation report: scores of a whole reading, rendered word by word.

:class:`PronunciationReport` is what ``client.pronunciation.assess`` returns.
It renders itself as HTML (``_repr_html_`` in notebooks, :meth:`to_html`)
with each word colour-coded by its error type, and as a matplotlib figure
(:meth:`plot`, extra ``[plot]``) with per-word accuracy bars and the prosody
line, so that a learner sees where they went wrong.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..models._base import Model
from ..models.pronunciation import (
    ContentAssessment,
    PronunciationErrorType,
    PronunciationResult,
    PronunciationWord,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["ERROR_COLOURS", "PronunciationReport"]

ERROR_COLOURS: dict[PronunciationErrorType, str] = {
    PronunciationErrorType.NONE: "#2e7d32",
    PronunciationErrorType.MISPRONUNCIATION: "#ef6c00",
    PronunciationErrorType.OMISSION: "#9e9e9e",
    PronunciationErrorType.INSERTION: "#c62828",
    PronunciationErrorType.UNEXPECTED_BREAK: "#ad1457",
    PronunciationErrorType.MISSING_BREAK: "#6a1b9a",
    PronunciationErrorType.MONOTONE: "#1565c0",
    PronunciationErrorType.UNKNOWN: "#546e7a",
}
"""The colour of each error type in the HTML and the plot."""

_SCORES = (
    ("Pronunciation", "pronunciation_score"),
    ("Accuracy", "accuracy_score"),
    ("Fluency", "fluency_score"),
    ("Completeness", "completeness_score"),
    ("Prosody", "prosody_score"),
)


class PronunciationReport(Model):
    """The assessment of a whole reading (one or many utterances).

    The scores are in the chosen grading system (``full_mark`` 100 or 5);
    ``words`` is the reading word by word, omissions and insertions marked
    when miscue detection was on; ``utterances`` keeps the service's result
    of each utterance.
    """

    text: str = ""
    reference_text: str | None = None
    language: str | None = None
    full_mark: float = 100.0
    accuracy_score: float | None = None
    fluency_score: float | None = None
    completeness_score: float | None = None
    prosody_score: float | None = None
    pronunciation_score: float | None = None
    words: list[PronunciationWord] = Field(default_factory=list)
    utterances: list[PronunciationResult] = Field(default_factory=list)
    content: ContentAssessment | None = None

    def errors(self) -> list[PronunciationWord]:
        """The words with an error (anything but ``None``), in reading order."""
        return [w for w in self.words if w.error_type is not PronunciationErrorType.NONE]

    # -- HTML ---------------------------------------------------------------------------------

    def to_html(self) -> str:
        """A self-contained HTML fragment: the scores, then the words colour-coded by error."""
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{label}</th>"
            f"<td>{_fmt(getattr(self, attr))} / {_fmt(self.full_mark)}</td></tr>"
            for label, attr in _SCORES
            if getattr(self, attr) is not None
        )
        words = " ".join(_word_html(w) for w in self.words)
        used = []
        for w in self.words:
            if w.error_type not in used:
                used.append(w.error_type)
        legend = " ".join(
            f"<span style='color:{ERROR_COLOURS[e]}'>&#9632; {html.escape(_error_label(e))}</span>"
            for e in used
        )
        reference = (
            f"<p style='color:#555'>Reference: {html.escape(self.reference_text)}</p>"
            if self.reference_text
            else ""
        )
        return (
            "<div class='azspeech-pronunciation'>"
            f"<table>{rows}</table>{reference}"
            f"<p style='line-height:2'>{words}</p>"
            f"<p style='font-size:smaller'>{legend}</p></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    # -- plot ---------------------------------------------------------------------------------

    def plot(self, *, ax: Any = None, title: str | None = None) -> Figure:
        """A matplotlib figure: per-word accuracy bars coloured by error type and the prosody line.

        Needs matplotlib (``pip install 'azspeech[plot]'``). The prosody line
        follows each utterance's prosody score across its words (absent when
        prosody was not assessed). Pass *ax* to draw into existing axes.
        """
        try:
            from matplotlib.figure import Figure
            from matplotlib.patches import Patch
        except ImportError as exc:  # pragma: no cover - the extra is installed in tests
            raise ImportError(
                "PronunciationReport.plot needs matplotlib: pip install 'azspeech[plot]'"
            ) from exc
        if ax is None:
            # A bare Figure (no pyplot): no global backend state, works headless.
            fig = Figure(figsize=(max(6.0, 0.55 * len(self.words) + 3.5), 4.5))
            ax = fig.subplots()
        else:
            fig = ax.figure
        xs = list(range(len(self.words)))
        heights = [w.accuracy_score or 0.0 for w in self.words]
        colours = [ERROR_COLOURS[w.error_type] for w in self.words]
        bars = ax.bar(xs, heights, color=colours, label="word accuracy")
        for bar, word in zip(bars, self.words, strict=True):
            omitted = word.error_type is PronunciationErrorType.OMISSION
            # the score inside the bar's top (clear of the prosody line above it)
            ax.annotate(
                "omitted" if omitted else _fmt(word.accuracy_score),
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 3 if omitted else -3),
                textcoords="offset points",
                ha="center",
                va="bottom" if omitted else "top",
                rotation=90 if omitted else 0,
                fontsize="x-small",
                color=ERROR_COLOURS[word.error_type] if omitted else "white",
            )
        ax.set_xticks(xs)
        ax.set_xticklabels([w.word for w in self.words], rotation=45, ha="right")
        for label, colour in zip(ax.get_xticklabels(), colours, strict=True):
            label.set_color(colour)
        ax.set_ylim(0, self.full_mark * 1.15)
        ax.set_ylabel(f"score (0-{_fmt(self.full_mark)})")
        prosody = self._prosody_per_word()
        if any(p is not None for p in prosody):
            ax.plot(
                xs,
                [p if p is not None else float("nan") for p in prosody],
                color="#1565c0",
                marker="o",
                linewidth=2,
                label="prosody",
            )
        handles = [
            Patch(color=ERROR_COLOURS[e], label=_error_label(e))
            for e in dict.fromkeys(w.error_type for w in self.words)
        ]
        line_handles, _ = ax.get_legend_handles_labels()
        ax.legend(
            handles=[*handles, *[h for h in line_handles if h.get_label() == "prosody"]],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="small",
        )
        ax.set_title(title or self._title())
        fig.tight_layout()
        return fig

    def _title(self) -> str:
        parts = [
            f"{label} {_fmt(getattr(self, attr))}"
            for label, attr in _SCORES
            if getattr(self, attr) is not None
        ]
        return "  ".join(parts) or "Pronunciation"

    def _prosody_per_word(self) -> list[float | None]:
        """Each word's utterance prosody score (None for omitted words and without prosody)."""
        out: list[float | None] = []
        for word in self.words:
            score = None
            if word.offset is not None:
                for utt in self.utterances:
                    if utt.offset <= word.offset <= utt.offset + utt.duration:
                        score = utt.prosody_score
                        break
            out.append(score)
        return out


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _word_html(word: PronunciationWord) -> str:
    colour = ERROR_COLOURS[word.error_type]
    tip = f"{word.error_type.value}, accuracy {_fmt(word.accuracy_score)}"
    style = f"color:{colour};border-bottom:2px solid {colour};padding:0 2px"
    if word.error_type is PronunciationErrorType.OMISSION:
        style += ";text-decoration:line-through"
    elif word.error_type is not PronunciationErrorType.NONE:
        style += ";font-weight:bold"
    return (
        f"<span class='word {html.escape(word.error_type.value.lower())}' "
        f"title='{html.escape(tip)}' style='{style}'>{html.escape(word.word)}</span>"
    )


def _error_label(error: PronunciationErrorType) -> str:
    """A legend's name for an error type: the service's ``None`` reads as ``correct``."""
    return "correct" if error is PronunciationErrorType.NONE else error.value

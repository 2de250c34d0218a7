"""The report renders word by word: HTML colour-coded by error type, and a PNG via matplotlib."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from azspeech.models.pronunciation import PronunciationErrorType as E
from azspeech.pronunciation import ERROR_COLOURS

from ._reading import REFERENCE, reading

if TYPE_CHECKING:
    from azspeech import SpeechClient

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_html_colours_every_word_by_its_error_type(client: SpeechClient) -> None:
    report = client.pronunciation.assess(reading(), reference_text=REFERENCE)
    page = report.to_html()
    assert page == report._repr_html_()
    for word in report.words:
        colour = ERROR_COLOURS[word.error_type]
        span = f"title='{html.escape(word.error_type.value)}, accuracy"
        assert span in page and colour in page
    assert "line-through" in page  # the omitted "lazy"
    assert "class='word mispronunciation'" in page and ">box</span>" in page
    assert f"Reference: {html.escape(REFERENCE)}" in page
    assert "Pronunciation</th>" in page and "/ 100" in page


def test_html_escapes_what_it_shows() -> None:
    from azspeech.models.pronunciation import PronunciationWord
    from azspeech.pronunciation import PronunciationReport

    report = PronunciationReport(
        reference_text="<b>x</b>", words=[PronunciationWord(word="<script>", accuracy_score=9)]
    )
    page = report.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x" not in page


def test_plot_renders_the_report_to_png(client: SpeechClient, tmp_path: Path) -> None:
    report = client.pronunciation.assess(reading(), reference_text=REFERENCE, enable_prosody=True)
    fig = report.plot()
    ax = fig.axes[0]
    bars = ax.patches[: len(report.words)]
    assert [round(b.get_height(), 1) for b in bars] == [w.accuracy_score for w in report.words]
    omitted = report.words.index(next(w for w in report.words if w.error_type is E.OMISSION))
    assert bars[omitted].get_height() == 0
    (line,) = ax.get_lines()  # the prosody line, one point per word
    assert len(line.get_xdata()) == len(report.words)
    assert [t.get_text() for t in ax.get_xticklabels()] == [w.word for w in report.words]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"correct", "Mispronunciation", "Omission", "MissingBreak", "prosody"} <= set(legend)
    out = tmp_path / "report.png"
    fig.savefig(out, dpi=80)
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5_000

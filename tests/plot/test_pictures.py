"""The pictures: scripts/pictures.py renders real PNGs, and the plots keep their text apart."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from azspeech import SpeechClient
from azspeech.models.stt import TranscribedPhrase
from azspeech.plot import synthesis_timeline, transcription_timeline

ROOT = Path(__file__).resolve().parents[2]
PICTURES = ["architecture.png", "diarization.png", "pronunciation.png", "synthesis.png"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_the_script_renders_every_picture_as_a_sensible_png(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pictures.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == PICTURES  # its work files are gone
    for name in PICTURES:
        width, height = _png_size(tmp_path / name)
        assert 700 <= width <= 2000 and 250 <= height <= 1200, (name, width, height)
        assert (tmp_path / name).stat().st_size > 15_000, f"{name} looks empty"
        # the committed copy is what the script draws now
        assert (ROOT / "docs" / "images" / name).is_file()


def _phrase(start: float, end: float, text: str, speaker: int | None) -> TranscribedPhrase:
    return TranscribedPhrase(
        text=text,
        offset=timedelta(seconds=start),
        duration=timedelta(seconds=end - start),
        offset_ms=int(start * 1000),
        duration_ms=int((end - start) * 1000),
        speaker=speaker,
    )


def _texts_do_not_overlap(fig: object) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # type: ignore[arg-type]
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]  # type: ignore[attr-defined]
    texts = [t for t in ax.texts if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    figure_box = fig.bbox  # type: ignore[attr-defined]
    for box in boxes:  # nothing clipped at the figure's edges
        assert box.x0 >= figure_box.x0 - 1 and box.x1 <= figure_box.x1 + 1
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())
    return [t.get_text() for t in texts]


def test_close_phrases_get_captions_that_do_not_overlap() -> None:
    phrases = [
        _phrase(0.0, 0.5, "Hello.", 1),
        _phrase(0.6, 1.0, "Hi there, how are you doing today?", 2),
        _phrase(1.1, 1.4, "Fine thanks, and you, my dear old friend?", 1),
        _phrase(1.5, 1.8, "Very well indeed, thank you for asking.", 1),
        _phrase(1.9, 2.2, "Good to hear it.", 1),
        _phrase(2.3, 9.0, "A long last word that needs room at the end of the axis.", 2),
    ]
    fig = transcription_timeline(phrases)
    shown = _texts_do_not_overlap(fig)
    assert "Hello." in shown and "Good to hear it." in shown
    assert "A long last word that needs room at the end of the axis." in shown
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Speaker 1", "Speaker 2"][::-1]


def test_a_realtime_transcript_and_plain_phrases_without_speakers_draw_one_lane(
    client: SpeechClient, tmp_path: Path
) -> None:
    wav = tmp_path / "hi.wav"
    client.tts.synthesize("Hello there. How are you?").save(wav)
    with client.stt.connect() as session:
        session.send_file(wav)
        list(session)
        transcript = session.transcript
    fig = transcription_timeline(transcript)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Speech"]
    assert "Hello there." in _texts_do_not_overlap(fig)


def test_a_fast_transcription_plots_itself(client: SpeechClient, tmp_path: Path) -> None:
    wav = tmp_path / "hi.wav"
    client.tts.synthesize("Hello there. How are you?").save(wav)
    fig = client.stt.transcribe(wav).plot(title="mine")
    assert fig.axes[0].get_title(loc="left") == "mine"
    assert "How are you?" in _texts_do_not_overlap(fig)


def test_a_synthesis_timeline_labels_every_word_apart(client: SpeechClient) -> None:
    text = "A big cat sat on a mat in the sun at noon."
    events = list(client.tts.stream(text, visemes=True))
    fig = synthesis_timeline(events)
    assert len(fig.axes) == 2  # the waveform with the words, and the visemes
    shown = _texts_do_not_overlap(fig)
    assert [w for w in shown if w] == ["A", "big", "cat", "sat", "on", "a", "mat", "in", "the",
                                       "sun", "at", "noon"]  # fmt: skip
    lines = fig.axes[1].get_lines()
    assert lines and len(lines[0].get_xdata()) > 5  # the viseme steps


def test_a_synthesis_timeline_needs_something_to_draw() -> None:
    with pytest.raises(ValueError, match="nothing to draw"):
        synthesis_timeline([])


def test_a_transcription_with_nothing_recognized_says_so() -> None:
    fig = transcription_timeline([])
    assert _texts_do_not_overlap(fig) == ["nothing recognized"]
    with pytest.raises(TypeError, match="transcription result or a list of phrases"):
        transcription_timeline(42)

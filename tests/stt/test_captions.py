"""Captions: SRT/WebVTT layout and timing rules, live partial-then-final captions."""

from __future__ import annotations

import itertools
from datetime import timedelta

from azspeech.captions import CaptionOptions, LiveCaptioner, build_captions, to_srt, to_webvtt
from azspeech.models.stt import (
    RecognitionResult,
    Recognized,
    Recognizing,
    TranscribedPhrase,
    TranscribedWord,
    Transcript,
    TranscriptionResult,
)


def _s(x: float) -> timedelta:
    return timedelta(seconds=x)


def _phrase(text: str, start: float, dur: float, speaker: int | None = None,
            words: bool = False) -> TranscribedPhrase:  # fmt: skip
    ws = []
    if words:
        parts = text.split()
        step = dur / len(parts)
        ws = [
            TranscribedWord(text=p, offset=_s(start + i * step), duration=_s(step * 0.9),
                            offset_ms=int((start + i * step) * 1000), duration_ms=int(step * 900))
            for i, p in enumerate(parts)
        ]  # fmt: skip
    return TranscribedPhrase(
        text=text, offset=_s(start), duration=_s(dur), offset_ms=int(start * 1000),
        duration_ms=int(dur * 1000), speaker=speaker, words=ws,
    )  # fmt: skip


LONG = (
    "This is a rather long sentence that keeps going and going well past what a single "
    "caption can hold on two lines of forty two characters each, so it must be split."
)


def test_simple_srt() -> None:
    srt = to_srt([_phrase("Hello world.", 1.0, 2.0)])
    assert srt == "1\n00:00:01,000 --> 00:00:03,000\nHello world.\n"


def test_simple_webvtt() -> None:
    vtt = to_webvtt([_phrase("a < b & c", 3661.5, 2.0)])
    assert vtt.startswith("WEBVTT\n\n")
    assert "01:01:01.500 --> 01:01:03.500\na &lt; b &amp; c" in vtt


def test_long_phrase_split_at_word_boundaries_within_limits() -> None:
    for words in (False, True):
        caps = build_captions([_phrase(LONG, 0.0, 20.0, words=words)])
        assert len(caps) >= 3
        assert " ".join(" ".join(c.lines) for c in caps) == LONG
        for c in caps:
            assert 1 <= len(c.lines) <= 2
            assert all(len(line) <= 42 for line in c.lines)
            assert c.end - c.start <= _s(7)
        for a, b in itertools.pairwise(caps):
            assert a.end <= b.start


def test_word_timings_drive_the_split_times() -> None:
    p = _phrase(LONG, 10.0, 20.0, words=True)
    caps = build_captions([p])
    starts = {w.offset for w in p.words}
    assert all(c.start in starts for c in caps)


def test_minimum_duration_without_overlap() -> None:
    caps = build_captions(
        [_phrase("Hi.", 0.0, 0.2), _phrase("Yes.", 0.5, 0.2), _phrase("No.", 5, 0.1)]
    )
    assert caps[0].end == _s(0.5)  # extended, but only up to the next caption
    assert caps[1].end - caps[1].start == _s(1)
    assert caps[2].end - caps[2].start == _s(1)


def test_maximum_duration_for_a_single_slow_word() -> None:
    (cap,) = build_captions([_phrase("Hmmmm", 0.0, 30.0)])
    assert cap.end - cap.start == _s(7)


def test_speaker_labels_when_diarized() -> None:
    phrases = [_phrase("Hello there.", 0, 2, speaker=1), _phrase("Hi!", 2, 1, speaker=2)]
    srt = to_srt(phrases)
    assert "Speaker 1: Hello there." in srt and "Speaker 2: Hi!" in srt
    vtt = to_webvtt(phrases)
    assert "<v Speaker 1>Hello there." in vtt
    assert "Speaker" not in to_srt(phrases, CaptionOptions(speaker_labels=False))


def test_result_types_have_caption_methods() -> None:
    tr = TranscriptionResult(duration=_s(3), duration_ms=3000, phrases=[_phrase("One.", 0, 1)])
    assert "One." in tr.to_srt() and tr.to_webvtt().startswith("WEBVTT")
    rr = RecognitionResult(text="Two.", offset=_s(1), duration=_s(1), speaker_id="Guest-1")
    assert "Guest-1: Two." in Transcript(results=[rr]).to_srt()
    assert "Two." in rr.to_webvtt()
    assert to_srt([]) == ""


def test_live_captions_partial_then_final() -> None:
    cap = LiveCaptioner()
    partial = RecognitionResult(text="hello wor", offset=_s(1), duration=_s(1), is_final=False)
    u1 = cap.update(Recognizing(result=partial))
    assert u1 is not None and not u1.is_final and u1.text == "hello wor"
    long_partial = RecognitionResult(text=LONG, offset=_s(1), duration=_s(9), is_final=False)
    u2 = cap.update(Recognizing(result=long_partial))
    assert u2 is not None and len(u2.lines) == 2 and LONG.endswith(u2.lines[-1])
    final = RecognitionResult(text="Hello world.", offset=_s(1), duration=_s(1.5))
    u3 = cap.update(Recognized(result=final))
    assert u3 is not None and u3.is_final and u3.text == "Hello world."
    assert cap.to_srt() == "1\n00:00:01,000 --> 00:00:02,500\nHello world.\n"
    assert cap.update(Recognized(result=RecognitionResult(text=""))) is None


def test_simultaneous_phrases_keep_their_text() -> None:
    caps = build_captions([_phrase("Left channel.", 1.0, 1.0), _phrase("Right channel.", 1.0, 1.5)])
    assert [c.text for c in caps] == ["Left channel.", "Right channel."]
    assert all(c.end > c.start for c in caps)


def test_a_word_longer_than_a_caption_loses_nothing() -> None:
    word = "x" * 100
    caps = build_captions([_phrase(f"See {word} here.", 0.0, 6.0)])
    assert "".join(" ".join(c.lines) for c in caps).replace(" ", "") == f"See{word}here."
    assert all(len(line) <= 42 for c in caps for line in c.lines)

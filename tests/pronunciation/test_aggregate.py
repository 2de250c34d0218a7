"""Combining utterances into one report, the way Microsoft's samples do (pure, no sockets)."""

from __future__ import annotations

from datetime import timedelta

from azspeech.models.pronunciation import PronunciationErrorType as E
from azspeech.models.pronunciation import PronunciationResult, PronunciationWord
from azspeech.pronunciation import aggregate, reference_words


def _utt(seconds: float, fluency: float, prosody: float | None, *words: str) -> PronunciationResult:
    return PronunciationResult(
        text=" ".join(words),
        fluency_score=fluency,
        prosody_score=prosody,
        completeness_score=100.0,
        duration=timedelta(seconds=seconds),
        words=[PronunciationWord(word=w, accuracy_score=80.0) for w in words],
    )


def test_reference_words_are_lower_case_without_punctuation() -> None:
    assert reference_words("Hello, World! It's me.") == ["hello", "world", "it's", "me"]


def test_fluency_and_prosody_are_weighted_by_duration() -> None:
    report = aggregate(
        [_utt(3.0, 100.0, 90.0, "one", "two"), _utt(1.0, 60.0, 50.0, "three")],
        reference_text="One two three.",
    )
    assert report.fluency_score == 90.0  # (100*3 + 60*1) / 4
    assert report.prosody_score == 80.0  # (90*3 + 50*1) / 4
    assert report.accuracy_score == 80.0 and report.completeness_score == 100.0
    # sorted scores (80, 80, 90, 100) weighted 0.4/0.2/0.2/0.2
    assert report.pronunciation_score == round(0.4 * 80 + 0.2 * 80 + 0.2 * 90 + 0.2 * 100, 2)


def test_omissions_and_insertions_come_from_aligning_the_whole_reading() -> None:
    report = aggregate(
        [_utt(1.0, 100.0, None, "one", "two"), _utt(1.0, 100.0, None, "four", "extra")],
        reference_text="One two three four.",
    )
    kinds = [(w.word, w.error_type) for w in report.words]
    assert kinds == [
        ("one", E.NONE), ("two", E.NONE), ("three", E.OMISSION), ("four", E.NONE),
        ("extra", E.INSERTION),
    ]  # fmt: skip
    assert report.completeness_score == 75.0
    assert report.accuracy_score == 60.0  # (80*3 + 0) / 4: insertions left out, omissions 0
    # without prosody: 0.6/0.2/0.2 over (60, 75, 100)
    assert report.pronunciation_score == round(0.6 * 60 + 0.2 * 75 + 0.2 * 100, 2)


def test_without_miscue_nothing_is_added_or_relabelled() -> None:
    report = aggregate(
        [_utt(1.0, 100.0, None, "one", "extra")], reference_text="One two.", miscue=False
    )
    assert [(w.word, w.error_type) for w in report.words] == [
        ("one", E.NONE),
        ("extra", E.MISPRONUNCIATION),  # said in place of "two"
    ]


def test_unscripted_leaves_completeness_out_of_the_overall_score() -> None:
    report = aggregate([_utt(2.0, 70.0, None, "free", "speech")])
    assert report.completeness_score == 100.0
    assert report.pronunciation_score == round(0.6 * 70 + 0.4 * 80, 2)
    assert aggregate([]).pronunciation_score is None

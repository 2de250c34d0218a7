"""Pronunciation assessment results, typed.

:func:`pronunciation_from_result` reads the scores out of a detailed
:class:`~azspeech.models.stt.RecognitionResult`, whichever shape the service
used: nested under ``PronunciationAssessment`` objects (WebSocket) or
flattened into the NBest entry and its words (short-audio REST). Offsets are
``timedelta`` in the same timeline as the result's own offset (continuous
across reconnects).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..audio.formats import ticks_to_timedelta
from ._base import Model

if TYPE_CHECKING:  # pragma: no cover
    from .stt import RecognitionResult

__all__ = [
    "ContentAssessment",
    "NBestPhoneme",
    "PronunciationErrorType",
    "PronunciationPhoneme",
    "PronunciationResult",
    "PronunciationSyllable",
    "PronunciationWord",
    "ProsodyFeedback",
    "pronunciation_from_result",
]


class PronunciationErrorType(str, enum.Enum):
    """How a word went wrong (``ErrorType`` on the wire)."""

    NONE = "None"
    OMISSION = "Omission"
    INSERTION = "Insertion"
    MISPRONUNCIATION = "Mispronunciation"
    UNEXPECTED_BREAK = "UnexpectedBreak"
    MISSING_BREAK = "MissingBreak"
    MONOTONE = "Monotone"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, value: object) -> PronunciationErrorType:
        """The member spelt *value* (any case); ``UNKNOWN`` for a new one, ``NONE`` if absent."""
        if value is None:
            return cls.NONE
        text = str(value).strip().lower()
        for member in cls:
            if member.value.lower() == text:
                return member
        return cls.UNKNOWN


class NBestPhoneme(Model):
    """A candidate for what the speaker actually said for a phoneme."""

    phoneme: str
    score: float


class PronunciationPhoneme(Model):
    """One phoneme of a word with its accuracy (SAPI or IPA, as asked)."""

    phoneme: str
    accuracy_score: float | None = None
    offset: timedelta | None = None
    duration: timedelta | None = None
    nbest_phonemes: list[NBestPhoneme] = Field(default_factory=list)


class PronunciationSyllable(Model):
    """One syllable of a word with its accuracy (en-US, phoneme granularity)."""

    syllable: str
    grapheme: str | None = None
    accuracy_score: float | None = None
    offset: timedelta | None = None
    duration: timedelta | None = None


class ProsodyFeedback(Model):
    """A word's prosody feedback: breaks before it and the melody across it."""

    break_error_types: list[str] = Field(default_factory=list)
    unexpected_break_confidence: float | None = None
    missing_break_confidence: float | None = None
    break_length: timedelta | None = None
    intonation_error_types: list[str] = Field(default_factory=list)
    monotone_confidence: float | None = None


class PronunciationWord(Model):
    """One word of the assessment (recognized, or an omitted reference word)."""

    word: str
    accuracy_score: float | None = None
    error_type: PronunciationErrorType = PronunciationErrorType.NONE
    offset: timedelta | None = None
    duration: timedelta | None = None
    syllables: list[PronunciationSyllable] = Field(default_factory=list)
    phonemes: list[PronunciationPhoneme] = Field(default_factory=list)
    prosody: ProsodyFeedback | None = None

    @property
    def end(self) -> timedelta | None:
        """``offset + duration`` (None for an omitted word, which has no timing)."""
        if self.offset is None or self.duration is None:
            return None
        return self.offset + self.duration


class ContentAssessment(Model):
    """Content scores of an unscripted answer on a topic (where the service supports it)."""

    grammar_score: float | None = None
    vocabulary_score: float | None = None
    topic_score: float | None = None


class PronunciationResult(Model):
    """The scores of one utterance (one final result).

    ``prosody_score`` is None unless prosody was asked for (en-US);
    ``completeness_score`` is meaningful only with a reference text.
    """

    text: str = ""
    accuracy_score: float | None = None
    fluency_score: float | None = None
    completeness_score: float | None = None
    prosody_score: float | None = None
    pronunciation_score: float | None = None
    offset: timedelta = timedelta(0)
    duration: timedelta = timedelta(0)
    words: list[PronunciationWord] = Field(default_factory=list)
    content: ContentAssessment | None = None


# -- parsing --------------------------------------------------------------------------------------


def _num(obj: Mapping[str, Any], key: str) -> float | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _time(obj: Mapping[str, Any], key: str, base: int = 0) -> timedelta | None:
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return ticks_to_timedelta(int(value) + base)
    except (TypeError, ValueError):
        return None


def _scores(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The scores of *obj*: its nested ``PronunciationAssessment``, else *obj* itself (REST)."""
    nested = obj.get("PronunciationAssessment")
    return nested if isinstance(nested, Mapping) else obj


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def _phoneme(raw: Mapping[str, Any], base: int) -> PronunciationPhoneme:
    pa = _scores(raw)
    nbest = [
        NBestPhoneme(phoneme=str(n.get("Phoneme", "")), score=_num(n, "Score") or 0.0)
        for n in _objects(pa.get("NBestPhonemes"))
    ]
    return PronunciationPhoneme(
        phoneme=str(raw.get("Phoneme", "")),
        accuracy_score=_num(pa, "AccuracyScore"),
        offset=_time(raw, "Offset", base),
        duration=_time(raw, "Duration"),
        nbest_phonemes=nbest,
    )


def _syllable(raw: Mapping[str, Any], base: int) -> PronunciationSyllable:
    grapheme = raw.get("Grapheme")
    return PronunciationSyllable(
        syllable=str(raw.get("Syllable", "")),
        grapheme=str(grapheme) if grapheme is not None else None,
        accuracy_score=_num(_scores(raw), "AccuracyScore"),
        offset=_time(raw, "Offset", base),
        duration=_time(raw, "Duration"),
    )


def _child(obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, Mapping) else {}


def _prosody(raw: Mapping[str, Any]) -> ProsodyFeedback | None:
    # Feedback may sit on the word or under its PronunciationAssessment: read both.
    feedback = _scores(raw).get("Feedback") or raw.get("Feedback")
    prosody = feedback.get("Prosody") if isinstance(feedback, Mapping) else None
    if not isinstance(prosody, Mapping):
        return None
    brk = _child(prosody, "Break")
    into = _child(prosody, "Intonation")
    unexpected = _child(brk, "UnexpectedBreak")
    missing = _child(brk, "MissingBreak")
    mono = _child(into, "Monotone")
    return ProsodyFeedback(
        break_error_types=[str(e) for e in brk.get("ErrorTypes") or []],
        unexpected_break_confidence=_num(unexpected, "Confidence"),
        missing_break_confidence=_num(missing, "Confidence"),
        break_length=_time(brk, "BreakLength"),
        intonation_error_types=[str(e) for e in into.get("ErrorTypes") or []],
        monotone_confidence=_num(mono, "Confidence"),
    )


def _word(raw: Mapping[str, Any], base: int) -> PronunciationWord:
    pa = _scores(raw)
    return PronunciationWord(
        word=str(raw.get("Word", "")),
        accuracy_score=_num(pa, "AccuracyScore"),
        error_type=PronunciationErrorType.parse(pa.get("ErrorType")),
        offset=_time(raw, "Offset", base) if "Offset" in raw else None,
        duration=_time(raw, "Duration") if "Duration" in raw else None,
        syllables=[_syllable(s, base) for s in _objects(raw.get("Syllables"))],
        phonemes=[_phoneme(p, base) for p in _objects(raw.get("Phonemes"))],
        prosody=_prosody(raw),
    )


def _content(best: Mapping[str, Any]) -> ContentAssessment | None:
    raw = best.get("ContentAssessment")
    if not isinstance(raw, Mapping):
        return None
    return ContentAssessment(
        grammar_score=_num(raw, "GrammarScore"),
        vocabulary_score=_num(raw, "VocabularyScore"),
        topic_score=_num(raw, "TopicScore"),
    )


def pronunciation_from_result(result: RecognitionResult) -> PronunciationResult | None:
    """The pronunciation scores of *result*, or None if it carries none."""
    nbest = _objects(result.raw.get("NBest"))
    if not nbest:
        return None
    best = nbest[0]
    pa = _scores(best)
    if not any(k in pa for k in ("AccuracyScore", "PronScore", "FluencyScore")):
        return None
    # raw offsets are relative to the service turn; the result's are absolute
    base = result.offset_ticks - int(result.raw.get("Offset") or 0)
    return PronunciationResult(
        text=result.text,
        accuracy_score=_num(pa, "AccuracyScore"),
        fluency_score=_num(pa, "FluencyScore"),
        completeness_score=_num(pa, "CompletenessScore"),
        prosody_score=_num(pa, "ProsodyScore"),
        pronunciation_score=_num(pa, "PronScore"),
        offset=result.offset,
        duration=result.duration,
        words=[_word(w, base) for w in _objects(best.get("Words"))],
        content=_content(best),
    )

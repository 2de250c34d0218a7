"""What ``client.language_id.identify`` returns: the language per segment and the dominant one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from pydantic import Field

from ..models._base import Model
from ..models.stt import RecognitionResult, RecognitionStatus

__all__ = ["LanguageIdentificationResult", "LanguageSegment", "identification_result"]


class LanguageSegment(Model):
    """One recognized phrase with the language identified for it.

    ``confidence`` is the service's word for it (``Unknown``, ``Low``,
    ``Medium``, ``High``) where given.
    """

    language: str | None
    confidence: str | None = None
    offset: timedelta
    duration: timedelta
    text: str = ""

    @property
    def end(self) -> timedelta:
        """``offset + duration``."""
        return self.offset + self.duration


class LanguageIdentificationResult(Model):
    """The languages of a whole audio input.

    ``language`` is the dominant language: the one spoken longest over the
    segments (the first segment's on a tie); None when nothing was
    recognized. ``durations`` gives the speaking time per language.
    """

    language: str | None = None
    segments: list[LanguageSegment] = Field(default_factory=list)
    durations: dict[str, timedelta] = Field(default_factory=dict)
    candidates: list[str] = Field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        """Every language identified, in order of first appearance."""
        return list(dict.fromkeys(s.language for s in self.segments if s.language))


def identification_result(
    results: Iterable[RecognitionResult], candidates: Iterable[str]
) -> LanguageIdentificationResult:
    """The segments of the recognized *results* and the dominant language."""
    segments = [
        LanguageSegment(
            language=r.language,
            confidence=r.language_confidence,
            offset=r.offset,
            duration=r.duration,
            text=r.text,
        )
        for r in results
        if r.status is RecognitionStatus.SUCCESS and r.language
    ]
    durations: dict[str, timedelta] = {}
    for seg in segments:
        if seg.language:
            durations[seg.language] = durations.get(seg.language, timedelta(0)) + seg.duration
    # max() keeps the first of equal values, and the dict is in order of first appearance
    dominant = max(durations, key=lambda lang: durations[lang]) if durations else None
    return LanguageIdentificationResult(
        language=dominant, segments=segments, durations=durations, candidates=list(candidates)
    )

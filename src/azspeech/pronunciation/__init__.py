"""Pronunciation assessment: ``client.pronunciation.assess(...)`` and its report.

``assess`` recognizes the whole audio with pronunciation assessment and
returns a :class:`PronunciationReport`: the scores of the reading (combined
over its utterances by :func:`aggregate`), each word with its error type,
syllables and phonemes, and renderings (``to_html()``, ``_repr_html_``,
``plot()``). The per-utterance scores of any recognition with a
:class:`~azspeech.options.PronunciationAssessment` option are on
``result.pronunciation`` (:mod:`azspeech.models.pronunciation`).
"""

from __future__ import annotations

from ..models.pronunciation import (
    ContentAssessment,
    NBestPhoneme,
    PronunciationErrorType,
    PronunciationPhoneme,
    PronunciationResult,
    PronunciationSyllable,
    PronunciationWord,
    ProsodyFeedback,
)
from .aggregate import aggregate, reference_words
from .report import ERROR_COLOURS, PronunciationReport
from .resource import AsyncPronunciation, Pronunciation

__all__ = [
    "ERROR_COLOURS",
    "AsyncPronunciation",
    "ContentAssessment",
    "NBestPhoneme",
    "Pronunciation",
    "PronunciationErrorType",
    "PronunciationPhoneme",
    "PronunciationReport",
    "PronunciationResult",
    "PronunciationSyllable",
    "PronunciationWord",
    "ProsodyFeedback",
    "aggregate",
    "reference_words",
]

"""One report for a long reading: the utterances' scores combined as Microsoft's samples do.

The service scores each utterance on its own. For the whole reading:

- the recognized words of every utterance are aligned with the reference text
  (``difflib``, lower-cased lexical words): a different word said in place of
  a reference word is a ``Mispronunciation``; with miscue detection,
  reference words nobody said become ``Omission`` words (accuracy 0) and
  extra words ``Insertion``;
- accuracy is the mean accuracy of every word but insertions (omissions count 0);
- fluency and prosody are the utterances' scores weighted by their durations;
- completeness is the share of reference words said without a
  mispronunciation (prosody errors count as said; the samples count only
  error-free words); without a reference, the utterances' completeness
  weighted by duration;
- content scores (unscripted, with a topic) are weighted by duration too;
- the overall pronunciation score weights the sorted scores, lowest first:
  0.4/0.2/0.2/0.2 over accuracy, fluency, completeness and prosody;
  0.6/0.2/0.2 when one of the last two is missing (no prosody asked, or
  unscripted: completeness does not count), 0.6/0.4 when both are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import timedelta

from ..models.pronunciation import (
    ContentAssessment,
    PronunciationErrorType,
    PronunciationResult,
    PronunciationWord,
)
from .report import PronunciationReport

__all__ = ["aggregate", "reference_words"]

_WEIGHTS = {4: (0.4, 0.2, 0.2, 0.2), 3: (0.6, 0.2, 0.2), 2: (0.6, 0.4), 1: (1.0,)}
# A word with a prosody error (a break, monotone) was still said: it counts for completeness.
_NOT_SAID = (
    PronunciationErrorType.MISPRONUNCIATION,
    PronunciationErrorType.OMISSION,
    PronunciationErrorType.INSERTION,
)
_MISPRONOUNCED = PronunciationErrorType.MISPRONUNCIATION
_WORD = re.compile(r"[\w']+", re.UNICODE)


def reference_words(text: str) -> list[str]:
    """The words of a reference text as the service compares them (lower case, no punctuation)."""
    return [w.lower().strip("'") for w in _WORD.findall(text) if w.strip("'")]


def _weighted(values: Sequence[tuple[float | None, timedelta]]) -> float | None:
    pairs = [(v, d.total_seconds()) for v, d in values if v is not None]
    if not pairs:
        return None
    total = sum(d for _, d in pairs)
    if total <= 0:
        return sum(v for v, _ in pairs) / len(pairs)
    return sum(v * d for v, d in pairs) / total


def _align(
    words: list[PronunciationWord], reference: list[str], miscue: bool
) -> tuple[list[PronunciationWord], int]:
    """The words with omissions and insertions marked, and how many reference words matched."""
    heard = [reference_words(w.word)[0] if reference_words(w.word) else w.word for w in words]
    matcher = difflib.SequenceMatcher(a=reference, b=heard, autojunk=False)
    out: list[PronunciationWord] = []
    matched = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(words[j1:j2])
            matched += sum(1 for w in words[j1:j2] if w.error_type not in _NOT_SAID)
            continue
        paired = min(i2 - i1, j2 - j1)  # a different word said in place of a reference word
        for k, word in enumerate(words[j1:j2]):
            if word.error_type is PronunciationErrorType.NONE:
                if k < paired:
                    word = word.model_copy(update={"error_type": _MISPRONOUNCED})
                elif miscue:
                    word = word.model_copy(update={"error_type": PronunciationErrorType.INSERTION})
            out.append(word)
        if miscue:
            for ref in reference[i1 + paired : i2]:
                out.append(
                    PronunciationWord(
                        word=ref, accuracy_score=0.0, error_type=PronunciationErrorType.OMISSION
                    )
                )
    return out, matched


def _overall(scores: list[float]) -> float:
    ordered = sorted(scores)
    return sum(w * s for w, s in zip(_WEIGHTS[len(ordered)], ordered, strict=True))


def aggregate(
    utterances: Sequence[PronunciationResult],
    *,
    reference_text: str | None = None,
    miscue: bool = True,
    full_mark: float = 100.0,
    language: str | None = None,
) -> PronunciationReport:
    """Combine the per-utterance results of one reading into a :class:`PronunciationReport`.

    *full_mark* is 100 for the hundred-mark grading system, 5 for five-point.
    """
    utts = list(utterances)
    spoken = [
        w for u in utts for w in u.words if w.error_type is not PronunciationErrorType.OMISSION
    ]
    reference = reference_words(reference_text) if reference_text else []
    if reference:
        words, matched = _align(spoken, reference, miscue)
        completeness: float | None = min(full_mark, full_mark * matched / len(reference))
    else:
        words = spoken
        completeness = _weighted([(u.completeness_score, u.duration) for u in utts])
        if not utts:
            completeness = None
    graded = [
        w.accuracy_score or 0.0
        for w in words
        if w.error_type is not PronunciationErrorType.INSERTION
    ]
    accuracy = sum(graded) / len(graded) if graded else None
    fluency = _weighted([(u.fluency_score, u.duration) for u in utts])
    prosody = _weighted([(u.prosody_score, u.duration) for u in utts])
    scripted = completeness if reference else None
    parts = [s for s in (accuracy, fluency, scripted, prosody) if s is not None]
    overall = _overall(parts) if parts else None
    return PronunciationReport(
        text=" ".join(u.text for u in utts if u.text),
        reference_text=reference_text,
        language=language,
        full_mark=full_mark,
        accuracy_score=_round(accuracy),
        fluency_score=_round(fluency),
        completeness_score=_round(completeness),
        prosody_score=_round(prosody),
        pronunciation_score=_round(overall),
        words=words,
        utterances=utts,
        content=_content(utts),
    )


def _content(utts: list[PronunciationResult]) -> ContentAssessment | None:
    """The utterances' content scores, weighted by duration (None if none had any)."""
    scored = [u for u in utts if u.content is not None]
    if not scored:
        return None

    def weighted(name: str) -> float | None:
        return _round(_weighted([(getattr(u.content, name), u.duration) for u in scored]))

    return ContentAssessment(
        grammar_score=weighted("grammar_score"),
        vocabulary_score=weighted("vocabulary_score"),
        topic_score=weighted("topic_score"),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)

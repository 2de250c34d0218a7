"""The emulator's phonemes, syllables, prosody feedback and content scores (deterministic).

Not phonetics: a phoneme per letter (SAPI: the letter; IPA: a vowel's IPA
symbol), syllables around vowel groups, timings split evenly over the word.
Prosody feedback comes from the word timings the recognizer measured: a pause
over 500 ms where the reference text has no punctuation is an
``UnexpectedBreak``; no pause (under 100 ms) where it has punctuation is a
``MissingBreak``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["content_scores", "phonemes", "prosody_feedback", "syllables"]

TICKS_PER_MS = 10_000
_IPA = {"a": "æ", "e": "ɛ", "i": "ɪ", "o": "ɑ", "u": "ʌ", "y": "j", "j": "dʒ", "c": "k", "q": "k"}
_NEIGHBOURS = {"a": "eo", "e": "ia", "i": "ey", "o": "ua", "u": "oa", "y": "ie"}
_VOWELS = "aeiouyäöüéèàáíóú"


def _letters(word: str) -> list[str]:
    return [c for c in word.lower() if c.isalnum()] or [word.lower() or "?"]


def _symbol(letter: str, ipa: bool) -> str:
    return _IPA.get(letter, letter) if ipa else letter


def phonemes(
    word: Mapping[str, Any], accuracy: float, *, ipa: bool, nbest: int | None, mispronounced: bool
) -> list[dict[str, Any]]:
    """One phoneme per letter of *word*, timed evenly (a mispronounced word's middle one low)."""
    letters = _letters(str(word["Word"]))
    step = max(1, int(word["Duration"]) // len(letters))
    middle = len(letters) // 2
    out = []
    for i, letter in enumerate(letters):
        score = round(accuracy / 2, 1) if mispronounced and i == middle else accuracy
        pa: dict[str, Any] = {"AccuracyScore": score}
        if nbest:
            alts = [letter, *(_NEIGHBOURS.get(letter, "aeiou".replace(letter, "")))]
            pa["NBestPhonemes"] = [
                {"Phoneme": _symbol(alt, ipa), "Score": round(max(0.0, score - 30.0 * k), 1)}
                for k, alt in enumerate(alts[:nbest])
            ]
        out.append(
            {
                "Phoneme": _symbol(letter, ipa),
                "PronunciationAssessment": pa,
                "Offset": int(word["Offset"]) + i * step,
                "Duration": step,
            }
        )
    return out


def syllables(word: Mapping[str, Any], units: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The word's syllables (consonants + a vowel group; trailing consonants join the last)."""
    letters = _letters(str(word["Word"]))
    groups: list[list[int]] = []
    current: list[int] = []
    for i, letter in enumerate(letters):
        current.append(i)
        nxt = letters[i + 1] if i + 1 < len(letters) else None
        if letter in _VOWELS and (nxt is None or nxt not in _VOWELS):
            groups.append(current)
            current = []
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    out = []
    for group in groups:
        parts = [units[i] for i in group]
        scores = [float(p["PronunciationAssessment"]["AccuracyScore"]) for p in parts]
        out.append(
            {
                "Syllable": "".join(str(p["Phoneme"]) for p in parts),
                "Grapheme": "".join(letters[i] for i in group),
                "PronunciationAssessment": {"AccuracyScore": round(sum(scores) / len(scores), 1)},
                "Offset": parts[0]["Offset"],
                "Duration": sum(int(p["Duration"]) for p in parts),
            }
        )
    return out


def _punctuated(reference: str) -> set[str]:
    """Lower-case words of *reference* followed by punctuation that asks for a pause."""
    return {m.group(1).lower() for m in re.finditer(r"([\w']+)[,.;:!?]", reference)}


def prosody_feedback(words: list[dict[str, Any]], reference: str) -> None:
    """Add ``Feedback.Prosody`` to each timed word; set the break error types it implies."""
    pause_after = _punctuated(reference)
    previous: dict[str, Any] | None = None
    for word in words:
        if "Offset" not in word:
            continue
        errors: list[str] = []
        unexpected = missing = 0.0
        gap_ms = 0.0
        if previous is not None:
            gap_ms = (word["Offset"] - previous["Offset"] - previous["Duration"]) / TICKS_PER_MS
            punctuated = str(previous["Word"]).lower() in pause_after
            if gap_ms > 500 and not punctuated:
                unexpected = min(1.0, gap_ms / 1000)
                errors.append("UnexpectedBreak")
            elif gap_ms < 100 and punctuated:
                missing = 1.0
                errors.append("MissingBreak")
        word["Feedback"] = {
            "Prosody": {
                "Break": {
                    "ErrorTypes": errors or ["None"],
                    "UnexpectedBreak": {"Confidence": round(unexpected, 2)},
                    "MissingBreak": {"Confidence": missing},
                    "BreakLength": int(max(0.0, gap_ms) * TICKS_PER_MS),
                },
                "Intonation": {"ErrorTypes": [], "Monotone": {"Confidence": 0.0}},
            }
        }
        if errors and word["ErrorType"] == "None":
            word["ErrorType"] = errors[0]
        previous = word


def content_scores(words: Sequence[Mapping[str, Any]], topic: str) -> dict[str, float]:
    """Grammar (length), vocabulary (distinct words) and topic (shared words) of an answer."""
    said = [str(w["Word"]).lower() for w in words if "Offset" in w]
    if not said:
        return {"GrammarScore": 0.0, "VocabularyScore": 0.0, "TopicScore": 0.0}
    topic_words = {w.lower() for w in re.findall(r"[\w']+", topic) if len(w) > 3}
    shared = topic_words & set(said)
    return {
        "GrammarScore": round(min(100.0, 40.0 + 10.0 * len(said)), 1),
        "VocabularyScore": round(100.0 * len(set(said)) / len(said), 1),
        "TopicScore": round(min(100.0, 30.0 + 70.0 * len(shared) / max(1, len(topic_words))), 1),
    }

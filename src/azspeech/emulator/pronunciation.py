"""Pronunciation assessment: deterministic scores derived from what the recognizer heard.

WebSocket: a turn whose ``speech.context`` has
``phraseDetection.enrichment.pronunciationAssessment`` gets scores nested under
``PronunciationAssessment`` objects in ``NBest[0]`` and each of its ``Words``.
REST short audio: a base64 JSON ``Pronunciation-Assessment`` header (PascalCase
keys) gets the same scores flattened into the NBest entry and the words.

Scoring (the emulator's, not the service's): the recognized words are aligned
with the reference text. A matching word scores its recognition confidence ×
100; a different word is a ``Mispronunciation`` (accuracy 40); with miscue
detection, reference words not heard are ``Omission`` and extra words
``Insertion``. Completeness = matched / reference words; fluency drops 10 per
pause over 500 ms between words; prosody (when asked) mirrors fluency; the
overall PronScore weights them. ``FivePoint`` divides by 20. Granularity
``Phoneme`` adds phonemes (SAPI or IPA, n-best candidates when asked) and,
for English, syllables; prosody adds break feedback per word, and a
``contentAssessment`` topic adds content scores
(:mod:`~azspeech.emulator.pronunciation_units`).
"""

from __future__ import annotations

import base64
import difflib
import itertools
import json
from collections.abc import Mapping
from typing import Any

from . import pronunciation_units as units
from .results import lexical
from .stt_ws import TurnHandler

__all__ = ["PronunciationHandler", "assess", "parse_rest_header", "turn_handler"]

TICKS_PER_MS = 10_000


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1")


def _options(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalize camelCase (WebSocket) or PascalCase (REST) option keys."""
    low = {str(k).lower(): v for k, v in raw.items()}
    return {
        "reference": str(low.get("referencetext") or ""),
        "five_point": str(low.get("gradingsystem") or "FivePoint").lower() == "fivepoint",
        "granularity": str(low.get("granularity") or "Phoneme").lower(),
        "miscue": _flag(low.get("enablemiscue", False)),
        "prosody": _flag(low.get("enableprosodyassessment", False)),
        "ipa": str(low.get("phonemealphabet") or "SAPI").upper() == "IPA",
        "nbest": _int(low.get("nbestphonemecount")),
        "syllables": str(low.get("language") or "en-US").lower().startswith("en"),
    }


def _int(value: Any) -> int | None:
    try:
        return max(1, int(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def parse_rest_header(value: str) -> dict[str, Any]:
    """Decode a ``Pronunciation-Assessment`` header (base64 of UTF-8 JSON); ValueError if bad."""
    try:
        raw = json.loads(base64.b64decode(value, validate=True).decode("utf-8"))
    except Exception as exc:
        raise ValueError(f"Pronunciation-Assessment header is not base64 JSON: {exc}") from exc
    if not isinstance(raw, dict) or not raw.get("ReferenceText", raw.get("referenceText")):
        raise ValueError("Pronunciation-Assessment needs ReferenceText")
    return raw


def assess(words: list[dict[str, Any]], options: Mapping[str, Any]) -> dict[str, Any]:
    """Scores for recognized *words* (``Word``/``Offset``/``Duration`` dicts, lexical).

    Returns ``{"scores": {...}, "words": [...]}``; each output word is a copy of
    an input word (or an omitted reference word) with ``AccuracyScore``,
    ``ErrorType`` and, at phoneme granularity, ``Phonemes``.
    """
    opts = _options(options)
    heard = [str(w.get("Word", "")).lower() for w in words]
    reference = lexical(opts["reference"]).split() if opts["reference"] else list(heard)
    matcher = difflib.SequenceMatcher(a=reference, b=heard, autojunk=False)
    out: list[dict[str, Any]] = []
    matched = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matched += i2 - i1
            for w in words[j1:j2]:
                conf = float(w.get("Confidence", 0.95))
                out.append({**w, "AccuracyScore": round(conf * 100, 1), "ErrorType": "None"})
            continue
        if tag in ("replace", "insert"):
            for k, w in enumerate(words[j1:j2]):
                extra = tag == "insert" or k >= i2 - i1
                kind = "Insertion" if extra and opts["miscue"] else "Mispronunciation"
                out.append({**w, "AccuracyScore": 40.0, "ErrorType": kind})
        if tag in ("replace", "delete") and opts["miscue"]:
            missing = reference[i1:i2][j2 - j1 :] if tag == "replace" else reference[i1:i2]
            for ref in missing:
                out.append({"Word": ref, "AccuracyScore": 0.0, "ErrorType": "Omission"})
    timed = [w for w in out if "Offset" in w]
    accuracy = sum(w["AccuracyScore"] for w in timed) / len(timed) if timed else 0.0
    long_pauses = sum(
        1
        for a, b in itertools.pairwise(timed)
        if b["Offset"] - (a["Offset"] + a["Duration"]) > 500 * TICKS_PER_MS
    )
    fluency = max(0.0, 100.0 - 10.0 * long_pauses) if timed else 0.0
    completeness = 100.0 * matched / len(reference) if reference else 0.0
    scores: dict[str, float] = {
        "AccuracyScore": accuracy,
        "FluencyScore": fluency,
        "CompletenessScore": min(100.0, completeness),
    }
    if opts["prosody"]:
        scores["ProsodyScore"] = fluency
        pron = 0.4 * accuracy + 0.2 * fluency + 0.2 * completeness + 0.2 * fluency
    else:
        pron = 0.6 * accuracy + 0.2 * fluency + 0.2 * completeness
    scores["PronScore"] = pron
    scale = 20.0 if opts["five_point"] else 1.0
    for w in out:
        w["AccuracyScore"] = round(w["AccuracyScore"] / scale, 1)
    if opts["prosody"]:
        units.prosody_feedback(out, opts["reference"])
        breaks = sum(1 for w in out if w["ErrorType"] in ("UnexpectedBreak", "MissingBreak"))
        scores["ProsodyScore"] = max(0.0, fluency - 15.0 * breaks)
        pron = 0.4 * accuracy + 0.2 * fluency + 0.2 * completeness + 0.2 * scores["ProsodyScore"]
        scores["PronScore"] = pron
    scores = {k: round(v / scale, 1) for k, v in scores.items()}
    if opts["granularity"] == "phoneme":
        for w in out:
            if "Offset" not in w:
                continue
            w["Phonemes"] = units.phonemes(
                w, w["AccuracyScore"], ipa=opts["ipa"], nbest=opts["nbest"],
                mispronounced=w["ErrorType"] == "Mispronunciation",
            )  # fmt: skip
            if opts["syllables"]:
                w["Syllables"] = units.syllables(w, w["Phonemes"])
    return {"scores": scores, "words": out}


def _nested(word: dict[str, Any]) -> dict[str, Any]:
    """WebSocket shape: per-word scores under ``PronunciationAssessment``."""
    out = {k: v for k, v in word.items() if k not in ("AccuracyScore", "ErrorType", "Feedback")}
    out["PronunciationAssessment"] = {
        "AccuracyScore": word["AccuracyScore"],
        "ErrorType": word["ErrorType"],
    }
    if "Feedback" in word:
        out["PronunciationAssessment"]["Feedback"] = word["Feedback"]
    return out


def apply_rest(result: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Add flattened scores to a detailed short-audio REST result."""
    if result.get("RecognitionStatus") != "Success" or not result.get("NBest"):
        return result
    best = result["NBest"][0]
    graded = assess(best.get("Words", []), options)
    best.update(graded["scores"])
    best["Words"] = graded["words"]
    return result


class PronunciationHandler(TurnHandler):
    """Adds pronunciation scores to the turn's final results."""

    def __init__(self, options: Mapping[str, Any], topic: str | None = None) -> None:
        self.options = options
        self.topic = topic

    def phrase(self, body: dict[str, Any]) -> list[Any]:
        if body.get("RecognitionStatus") == "Success" and body.get("NBest"):
            best = body["NBest"][0]
            graded = assess(best.get("Words", []), self.options)
            best["PronunciationAssessment"] = graded["scores"]
            best["Words"] = [_nested(w) for w in graded["words"]]
            if self.topic is not None:
                best["ContentAssessment"] = units.content_scores(graded["words"], self.topic)
        return [("speech.phrase", body)]


def turn_handler(context: Mapping[str, Any], query: Mapping[str, str]) -> TurnHandler | None:
    """The assessing handler of a recognition turn whose context asks for it, else None.

    The app registers it (:func:`~azspeech.emulator.stt_ws.register_turn_handler`);
    REST assessment is handled by the short-audio route.
    """
    pd = context.get("phraseDetection")
    enrichment = pd.get("enrichment") if isinstance(pd, Mapping) else None
    pa = enrichment.get("pronunciationAssessment") if isinstance(enrichment, Mapping) else None
    if not isinstance(pa, Mapping):
        return None
    content = enrichment.get("contentAssessment") if isinstance(enrichment, Mapping) else None
    topic = content.get("topic") if isinstance(content, Mapping) else None
    language = (pd.get("language") if isinstance(pd, Mapping) else None) or query.get("language")
    options = {**pa, "language": language or "en-US"}
    return PronunciationHandler(options, str(topic) if topic is not None else None)

"""The JSON bodies the emulator returns: WebSocket phrases/hypotheses, short-audio REST, fast.

All WebSocket/short-audio times are 100-ns ticks; fast transcription uses milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .engines.base import ENGINE_RATE, Segment, Transcript, WordResult

__all__ = [
    "OutputOptions",
    "detailed_phrase",
    "display_text",
    "guess_language",
    "lexical",
    "ticks",
]

TICKS_PER_SAMPLE = 10_000_000 // ENGINE_RATE  # 625

# A tiny fixed list is enough to show masking/removal/tagging end to end.
PROFANITY = frozenset({"damn", "crap", "shit", "fuck", "bastard", "bollocks"})
_WORD_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE)


def ticks(samples: int) -> int:
    """16 kHz samples to 100-ns ticks."""
    return samples * TICKS_PER_SAMPLE


def ms(samples: int) -> int:
    """16 kHz samples to milliseconds."""
    return round(samples * 1000 / ENGINE_RATE)


@dataclass
class OutputOptions:
    """How results are shaped (from the URL and ``speech.context``)."""

    detailed: bool = False
    word_timings: bool = False
    word_confidence: bool = False
    display_words: bool = False
    snr: bool = False
    profanity: str = "masked"  # masked | removed | raw | tagged
    phrases: list[str] = field(default_factory=list)
    diarization: bool = False
    diarize_intermediates: bool = False
    candidate_languages: list[str] = field(default_factory=list)
    language: str | None = "en-US"


def _is_profane(word: str) -> bool:
    core = re.sub(r"[^\w']", "", word).lower()
    return core in PROFANITY


def _apply_profanity(word: str, mode: str) -> str | None:
    if not _is_profane(word):
        return word
    if mode == "raw" or mode == "none":
        return word
    if mode == "removed":
        return None
    m = _WORD_CORE.match(word)
    pre, core, post = (m.group(1), m.group(2), m.group(3)) if m else ("", word, "")
    if mode in ("tagged", "tags"):
        return f"{pre}<profanity>{core}</profanity>{post}"
    return pre + "*" * len(core) + post


def display_text(text: str, mode: str) -> str:
    """*text* with profanity handled per *mode* (masked, removed, raw, tagged)."""
    out = [_apply_profanity(w, mode) for w in text.split()]
    return " ".join(w for w in out if w)


def lexical(text: str) -> str:
    """Lower case, punctuation removed (apostrophes inside words kept)."""
    words = []
    for w in text.split():
        core = re.sub(r"[^\w'\-]", "", w).strip("'-").lower()
        if core:
            words.append(core)
    return " ".join(words)


def apply_phrase_list(text: str, phrases: list[str]) -> str:
    """Spell words as the phrase list does when they match ignoring case (biasing)."""
    if not phrases:
        return text
    for phrase in phrases:
        if not phrase.strip():
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
        text = pattern.sub(phrase, text)
    return text


def guess_language(text: str, candidates: list[str], default: str | None) -> str | None:
    """Pick a candidate locale from the script of *text* (deterministic, crude)."""
    if not candidates:
        return default
    lowered = text.lower()
    prefs: list[str] = []
    if re.search(r"[\u4e00-\u9fff]", text):
        prefs.append("zh")
    if re.search(r"[\u3040-\u30ff]", text):
        prefs.append("ja")
    if re.search(r"[äöüß]", lowered):
        prefs.append("de")
    if re.search(r"[éèêàçù]", lowered):
        prefs.append("fr")
    if re.search(r"[ñ¿¡]", lowered):
        prefs.append("es")
    for pref in prefs:
        for cand in candidates:
            if cand.lower().startswith(pref):
                return cand
    for cand in candidates:
        if cand.lower().startswith("en"):
            return cand
    return candidates[0]


def _lexical_mode(mode: str) -> str:
    return mode if mode in ("masked", "removed", "raw") else "raw"


def _lexical_word(word: str, mode: str) -> str | None:
    """The lexical form of one token with profanity applied (masking covers the word only)."""
    lex = lexical(word)
    if not lex:
        return None
    return _apply_profanity(lex, _lexical_mode(mode))


def _words_json(words: list[WordResult], opts: OutputOptions, base: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for w in words:
        lex = _lexical_word(w.text, opts.profanity)
        if lex is None:
            continue
        item: dict[str, Any] = {
            "Word": lex,
            "Offset": ticks(w.start - base),
            "Duration": ticks(w.end - w.start),
        }
        if opts.word_confidence:
            item["Confidence"] = round(w.confidence, 4)
        out.append(item)
    return out


def _display_words(words: list[WordResult], opts: OutputOptions, base: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for w in words:
        shown = _apply_profanity(w.text, opts.profanity)
        if shown is None:
            continue
        out.append(
            {"Word": shown, "Offset": ticks(w.start - base), "Duration": ticks(w.end - w.start)}
        )
    return out


def speaker_id(seg_speaker: int | None) -> str:
    """``Guest-1``, ``Guest-2``... (``Unknown`` when no speaker was assigned)."""
    return "Unknown" if seg_speaker is None else f"Guest-{seg_speaker + 1}"


def phrase_texts(transcript: Transcript, opts: OutputOptions) -> dict[str, str]:
    """Display, Lexical, ITN and MaskedITN forms of a transcript."""
    raw = apply_phrase_list(transcript.text, opts.phrases)
    disp = display_text(raw, opts.profanity)

    def lex_form(mode: str) -> str:
        words = (_lexical_word(w, mode) for w in raw.split())
        return " ".join(w for w in words if w)

    lex = lex_form(opts.profanity)
    return {"Display": disp, "Lexical": lex, "ITN": lex, "MaskedITN": lex_form("masked")}


def detailed_phrase(
    seg: Segment, opts: OutputOptions, *, base: int = 0, language: str | None = None
) -> dict[str, Any]:
    """A ``speech.phrase`` body (simple or detailed) for a recognized segment.

    *base* is the sample index the turn's offsets count from.
    """
    transcript = seg.transcript
    body: dict[str, Any]
    if transcript is None or not transcript.text.strip():
        body = {
            "RecognitionStatus": "NoMatch",
            "Offset": ticks(seg.start - base),
            "Duration": ticks(seg.end - seg.start),
        }
        if opts.diarization:
            body["SpeakerId"] = speaker_id(seg.speaker)
        return body
    forms = phrase_texts(transcript, opts)
    body = {
        "RecognitionStatus": "Success",
        "Offset": ticks(seg.start - base),
        "Duration": ticks(seg.end - seg.start),
    }
    if opts.detailed:
        body["DisplayText"] = forms["Display"]
        if opts.snr:
            body["SNR"] = round(max(0.0, seg.level_db + 100.0) / 2.0, 2)
        best: dict[str, Any] = {
            "Confidence": round(transcript.confidence, 7),
            "Lexical": forms["Lexical"],
            "ITN": forms["ITN"],
            "MaskedITN": forms["MaskedITN"],
            "Display": forms["Display"],
        }
        if opts.word_timings or opts.word_confidence:
            best["Words"] = _words_json(transcript.words, opts, base)
        if opts.display_words:
            best["DisplayWords"] = _display_words(transcript.words, opts, base)
        body["NBest"] = [best]
    else:
        body["DisplayText"] = forms["Display"]
    if language is not None:
        body["PrimaryLanguage"] = {"Language": language, "Confidence": "High"}
    if opts.diarization:
        body["SpeakerId"] = speaker_id(seg.speaker)
    return body

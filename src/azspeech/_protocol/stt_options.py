"""Speech to text over the WebSocket, sans-I/O: the options and what is built from them.

* :class:`RecognitionOptions` holds every recognition option, checked once;
* :func:`recognition_path`, :func:`build_query`, :func:`speech_config` and
  :func:`speech_context` turn it into the URL path and query and the
  ``speech.config`` and ``speech.context`` bodies.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .._version import __version__
from ..audio.formats import PcmFormat
from ..errors import InvalidRequestError

__all__ = [
    "LID_MODES",
    "MODES",
    "PROFANITY",
    "AudioFormat",
    "RecognitionOptions",
    "build_query",
    "check_phrases",
    "recognition_path",
    "speech_config",
    "speech_context",
    "validate_locale",
]

#: The PCM format of the audio a session sends (16 kHz, 16-bit mono by default).
AudioFormat = PcmFormat

MODES = ("interactive", "conversation", "dictation")
PROFANITY = ("masked", "removed", "raw")
LID_MODES = {"at_start": "DetectAtAudioStart", "continuous": "DetectContinuous"}

# BCP-47 as the service uses it: language, optional script, region (en-US, zh-Hans-CN, es-419).
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?-([A-Z]{2}|[0-9]{3})$")


def validate_locale(value: object, what: str = "language") -> str:
    """Return *value* if it looks like ``xx-YY`` (case fixed up), else raise InvalidRequestError."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{what} must be a locale such as 'en-US', got {value!r}")
    parts = value.strip().replace("_", "-").split("-")
    if len(parts) >= 2:
        parts[0] = parts[0].lower()
        parts[-1] = parts[-1].upper() if parts[-1].isalpha() else parts[-1]
        if len(parts) == 3:
            parts[1] = parts[1].title()
    fixed = "-".join(parts)
    if not _LOCALE_RE.match(fixed):
        raise InvalidRequestError(
            f"{what} {value!r} is not a locale; use a BCP-47 locale such as 'en-US' or 'de-DE'"
        )
    return fixed


def _check_ms(name: str, value: float | None, lo: int = 0, hi: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(f"{name} must be a number of milliseconds, got {value!r}")
    ms = int(value)
    if ms < lo or (hi is not None and ms > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise InvalidRequestError(f"{name} must be {bound} ms, got {value!r}")
    return ms


def check_phrases(phrases: Sequence[str] | None, weight: float | None) -> list[str]:
    """Validate a phrase list (no empty entries) and its weight (0.0–2.0)."""
    if phrases is None:
        if weight is not None:
            raise InvalidRequestError("phrase_weight needs a phrase list (phrases=[...])")
        return []
    if isinstance(phrases, str):
        raise InvalidRequestError("phrases must be a list of strings, not one string")
    out: list[str] = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase.strip():
            raise InvalidRequestError(f"phrase list entry {i} is empty or not a string: {phrase!r}")
        out.append(phrase.strip())
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 2
    ):
        raise InvalidRequestError(f"phrase_weight must be between 0.0 and 2.0, got {weight!r}")
    return out


@dataclass
class RecognitionOptions:
    """Every option of a real-time recognition, validated by :meth:`checked`."""

    mode: str = "conversation"
    language: str = "en-US"
    candidate_languages: list[str] | None = None
    language_id_mode: str = "at_start"
    detailed: bool = False
    word_timings: bool = False
    word_confidence: bool = False
    snr: bool = False
    profanity: str | None = None
    phrases: list[str] = field(default_factory=list)
    phrase_weight: float | None = None
    initial_silence_timeout_ms: int | None = None
    end_silence_timeout_ms: int | None = None
    segmentation_silence_timeout_ms: int | None = None
    segmentation_max_ms: int | None = None
    endpoint_id: str | None = None
    interim_results: bool = True
    stable_partial_threshold: int | None = None
    diarization: bool = False
    diarize_interim: bool = False
    true_text: bool = False
    store_audio: bool = False
    extra_query: dict[str, str] = field(default_factory=dict)
    extra_context: dict[str, Any] = field(default_factory=dict)

    def checked(self) -> RecognitionOptions:
        """Validate and normalize in place; return self."""
        mode = str(self.mode).lower()
        if mode not in MODES:
            raise InvalidRequestError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        self.mode = mode
        self.language = validate_locale(self.language)
        if self.candidate_languages is not None:
            if isinstance(self.candidate_languages, str):
                raise InvalidRequestError("candidate_languages must be a list of locales")
            cands = [validate_locale(c, "candidate language") for c in self.candidate_languages]
            if not cands:
                raise InvalidRequestError("candidate_languages must not be empty")
            if len(cands) != len(set(cands)):
                raise InvalidRequestError("candidate_languages has duplicates")
            limit = 10 if self.language_id_mode == "continuous" else 4
            if len(cands) > limit:
                raise InvalidRequestError(
                    f"at most {limit} candidate languages with language_id_mode="
                    f"{self.language_id_mode!r}, got {len(cands)}"
                )
            self.candidate_languages = cands
        if self.language_id_mode not in LID_MODES:
            raise InvalidRequestError(
                "language_id_mode must be 'at_start' or 'continuous', "
                f"got {self.language_id_mode!r}"
            )
        if self.profanity is not None:
            prof = str(self.profanity).lower()
            if prof not in PROFANITY:
                raise InvalidRequestError(
                    f"profanity must be one of {', '.join(PROFANITY)}, got {self.profanity!r}"
                )
            self.profanity = prof
        self.phrases = check_phrases(self.phrases or None, self.phrase_weight)
        self.initial_silence_timeout_ms = _check_ms(
            "initial_silence_timeout", self.initial_silence_timeout_ms
        )
        self.end_silence_timeout_ms = _check_ms("end_silence_timeout", self.end_silence_timeout_ms)
        self.segmentation_silence_timeout_ms = _check_ms(
            "segmentation_silence_timeout", self.segmentation_silence_timeout_ms, 100, 5000
        )
        self.segmentation_max_ms = _check_ms(
            "segmentation_max_time", self.segmentation_max_ms, 20000, 70000
        )
        if self.stable_partial_threshold is not None:
            self.stable_partial_threshold = int(
                _check_ms("stable_partial_threshold", self.stable_partial_threshold, 1) or 1
            )
        if self.word_timings or self.word_confidence or self.snr:
            self.detailed = True
        if self.diarization and self.mode == "interactive":
            raise InvalidRequestError("diarization needs mode='conversation'")
        return self

    @property
    def universal_endpoint(self) -> bool:
        """Whether this recognition needs the universal v2 endpoint (continuous LID)."""
        return bool(self.candidate_languages) and self.language_id_mode == "continuous"

    @property
    def output_format(self) -> str:
        return "detailed" if self.detailed else "simple"


def recognition_path(mode: str, *, universal: bool = False) -> str:
    """The WebSocket path: v1 per mode, or the universal v2 endpoint.

    Continuous language identification needs the universal endpoint; the
    mode then travels in ``speech.context`` only. The un-prefixed spelling is
    the documented one and the one containers serve.
    """
    if universal:
        return "/speech/universal/v2"
    return f"/speech/recognition/{mode}/cognitiveservices/v1"


def build_query(opts: RecognitionOptions) -> str:
    """The URL query string for the recognition WebSocket (or short-audio REST)."""
    q: dict[str, str] = {"language": opts.language, "format": opts.output_format}
    if opts.profanity:
        q["profanity"] = opts.profanity
    if opts.word_timings:
        q["wordLevelTimestamps"] = "true"
    if opts.initial_silence_timeout_ms is not None:
        q["initialSilenceTimeoutMs"] = str(opts.initial_silence_timeout_ms)
    if opts.end_silence_timeout_ms is not None:
        q["endSilenceTimeoutMs"] = str(opts.end_silence_timeout_ms)
    if opts.segmentation_silence_timeout_ms is not None:
        q["segmentationSilenceTimeoutMs"] = str(opts.segmentation_silence_timeout_ms)
    if opts.stable_partial_threshold is not None:
        q["stableIntermediateThreshold"] = str(opts.stable_partial_threshold)
    if opts.endpoint_id:
        q["cid"] = opts.endpoint_id
    if opts.candidate_languages:
        q["lidEnabled"] = "true"
    if opts.store_audio:
        q["storeAudio"] = "true"
    q.update(opts.extra_query)
    return urlencode(q)


def speech_config(fmt: AudioFormat, mode: str, source: str = "Stream") -> dict[str, Any]:
    """The ``speech.config`` body.

    ``context.system.name`` is ``SpeechSDK``, as both official SDKs send it (the
    protocol notes call mirroring it the safe choice); ``build`` names this SDK.
    """
    return {
        "context": {
            "system": {
                "name": "SpeechSDK",
                "version": __version__,
                "build": "azspeech-python",
                "lang": "Python",
            },
            "os": {
                "platform": "Python",
                "name": platform.system() or "unknown",
                "version": platform.release() or "unknown",
            },
            "audio": {
                "source": {
                    "bitspersample": fmt.bits_per_sample,
                    "channelcount": fmt.channels,
                    "connectivity": "Unknown",
                    "manufacturer": "azspeech",
                    "model": source,
                    "samplerate": fmt.sample_rate,
                    "type": source,
                }
            },
        },
        "recognition": mode,
    }


def speech_context(
    opts: RecognitionOptions, *, audio_offset_ms: int = 0, audio_session_id: str = ""
) -> dict[str, Any]:
    """The ``speech.context`` body of one turn."""
    mode_name = opts.mode.capitalize()
    detection: dict[str, Any] = {"mode": mode_name}
    if not opts.candidate_languages:
        detection["language"] = opts.language
    if opts.initial_silence_timeout_ms is not None:
        detection["initialSilenceTimeout"] = opts.initial_silence_timeout_ms
    if opts.end_silence_timeout_ms is not None:
        detection["trailingSilenceTimeout"] = opts.end_silence_timeout_ms
    segmentation: dict[str, Any] = {}
    if opts.segmentation_silence_timeout_ms is not None:
        segmentation["segmentationSilenceTimeoutMs"] = opts.segmentation_silence_timeout_ms
    if opts.segmentation_max_ms is not None:
        segmentation["segmentationForcedTimeoutMs"] = opts.segmentation_max_ms
    if segmentation:
        detection[opts.mode] = {"segmentation": {"mode": "Custom", **segmentation}}
    enrichment: dict[str, Any] = {}
    if opts.profanity:
        enrichment["profanity"] = opts.profanity.capitalize()
    if opts.true_text:
        enrichment[opts.mode] = {
            "punctuationMode": "Implicit",
            "disfluencyMode": "Removed",
            "intermediatePunctuationMode": "Implicit",
            "intermediateDisfluencyMode": "Removed",
        }
    detection["enrichment"] = enrichment
    if opts.diarization:
        detection["speakerDiarization"] = {
            "mode": "Anonymous",
            "audioSessionId": audio_session_id,
            "audioOffsetMs": audio_offset_ms,
            "diarizeIntermediates": opts.diarize_interim,
        }
    output: dict[str, Any] = {}
    if opts.detailed:
        options: list[str] = []
        if opts.word_timings:
            options.append("WordTimings")
        if opts.word_confidence:
            options.append("WordConfidence")
        if opts.snr:
            options.append("SNR")
        output["format"] = "Detailed"
        output["detailed"] = {"options": options}
    else:
        output["format"] = "Simple"
    interim: dict[str, Any] = {"resultType": "Auto" if opts.interim_results else "None"}
    if opts.stable_partial_threshold is not None:
        interim["stableThreshold"] = opts.stable_partial_threshold
    output["interimResults"] = interim
    output["phraseResults"] = {"resultType": "Always"}
    ctx: dict[str, Any] = {"phraseDetection": detection, "phraseOutput": output}
    if opts.phrases:
        dgi: dict[str, Any] = {
            "groups": [{"type": "Generic", "items": [{"text": p} for p in opts.phrases]}]
        }
        dgi["bias"] = 1.0 if opts.phrase_weight is None else float(opts.phrase_weight)
        ctx["dgi"] = dgi
    if opts.candidate_languages:
        ctx["languageId"] = {
            "languages": list(opts.candidate_languages),
            "mode": LID_MODES[opts.language_id_mode],
            "onSuccess": {"action": "Recognize"},
            "onUnknown": {"action": "None"},
            "priority": "PrioritizeLatency",
        }
    for key, value in opts.extra_context.items():
        ctx[key] = value
    return ctx

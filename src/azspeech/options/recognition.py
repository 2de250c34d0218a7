"""The options of a real-time recognition: one value, validated once, that builds its wire parts.

:class:`RecognitionOptions` holds the few settings of every recognition and
one object per feature group (:class:`SilenceTimeouts`,
:class:`OutputOptions`, :class:`~.features.LanguageIdentification`,
:class:`~.features.PronunciationAssessment`). Each group adds its own part to
the URL query, the ``speech.context`` body and REST headers; a new group
(translation) is one more field and one more entry in :meth:`RecognitionOptions.groups`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InvalidRequestError
from ._base import (
    OptionGroup,
    check_bool,
    check_phrases,
    choice,
    deep_merge,
    ms,
    optional_int,
    section,
    validate_locale,
)
from .features import LanguageIdentification, PronunciationAssessment

__all__ = [
    "Mode",
    "OutputOptions",
    "Profanity",
    "RecognitionOptions",
    "SilenceTimeouts",
    "SpeechStartSensitivity",
]

Mode = Literal["interactive", "conversation", "dictation"]
"""A recognition mode: ``interactive`` (short commands), ``conversation`` (the default:
dialogue) or ``dictation`` (punctuation spoken aloud).
"""
Profanity = Literal["masked", "removed", "raw"]
"""What real-time recognition does with profanity: ``masked`` (the default, ``****``),
``removed`` or ``raw``.
"""
SpeechStartSensitivity = Literal["low", "medium", "high"]
"""How readily the service decides that speech has started: ``low``, ``medium`` or ``high``."""

MODES: tuple[Mode, ...] = ("interactive", "conversation", "dictation")
PROFANITY: tuple[Profanity, ...] = ("masked", "removed", "raw")


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalizing a frozen dataclass in __post_init__


@dataclass(frozen=True, kw_only=True)
class SilenceTimeouts(OptionGroup):
    """How much silence the service waits for, in seconds (``None``: the service's default).

    Attributes:
        initial: silence allowed before speech starts (0 disables the limit).
        end: silence that ends the recognition after speech (interactive mode).
        segmentation: a pause that ends a phrase (0.1 to 5 s).
        segmentation_max: the longest phrase before the service cuts it (20 to 70 s).
    """

    initial: float | None = None
    end: float | None = None
    segmentation: float | None = None
    segmentation_max: float | None = None

    def __post_init__(self) -> None:
        self._ms()  # validates

    def _ms(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (
            ms("initial_silence_timeout", self.initial),
            ms("end_silence_timeout", self.end),
            ms("segmentation_silence_timeout", self.segmentation, 0.1, 5.0),
            ms("segmentation_max_time", self.segmentation_max, 20.0, 70.0),
        )

    def add_query(self, query: dict[str, str]) -> None:
        initial, end, segmentation, _ = self._ms()
        for name, value in (
            ("initialSilenceTimeoutMs", initial),
            ("endSilenceTimeoutMs", end),
            ("segmentationSilenceTimeoutMs", segmentation),
        ):
            if value is not None:
                query[name] = str(value)

    def add_context(self, context: dict[str, Any], mode: str) -> None:
        initial, end, segmentation, maximum = self._ms()
        detection = section(context, "phraseDetection")
        if initial is not None:
            detection["initialSilenceTimeout"] = initial
        if end is not None:
            detection["trailingSilenceTimeout"] = end
        seg = {
            k: v
            for k, v in (
                ("segmentationSilenceTimeoutMs", segmentation),
                ("segmentationForcedTimeoutMs", maximum),
            )
            if v is not None
        }
        if seg:  # any explicit segmentation timeout makes the strategy Custom (as JS does)
            section(detection, mode)["segmentation"] = {"mode": "Custom", **seg}


@dataclass(frozen=True, kw_only=True)
class OutputOptions(OptionGroup):
    """What the results carry.

    Attributes:
        detailed: detailed results (``NBest`` with lexical, ITN, confidence).
        word_timings: per-word offsets and durations (implies detailed).
        word_confidence: per-word confidence (implies detailed).
        snr: the signal-to-noise ratio (implies detailed).
        profanity: ``"masked"`` (the service's default), ``"removed"`` or ``"raw"``.
        true_text: the service's TrueText post-processing (implicit
            punctuation, disfluencies removed).
        stable_partial_threshold: how many times a partial word must repeat
            before it is reported (steadier partials, later).
    """

    detailed: bool = False
    word_timings: bool = False
    word_confidence: bool = False
    snr: bool = False
    profanity: Profanity | None = None
    true_text: bool = False
    stable_partial_threshold: int | None = None

    def __post_init__(self) -> None:
        check_bool(self, "detailed", "word_timings", "word_confidence", "snr", "true_text")
        if self.profanity is not None:
            _set(self, "profanity", choice("profanity", self.profanity, PROFANITY))
        optional_int("stable_partial_threshold", self.stable_partial_threshold, 1)

    @property
    def result_format(self) -> Literal["simple", "detailed"]:
        """``"detailed"`` if any option needs detailed results, else ``"simple"``."""
        if self.detailed or self.word_timings or self.word_confidence or self.snr:
            return "detailed"
        return "simple"

    def add_query(self, query: dict[str, str]) -> None:
        query["format"] = self.result_format
        if self.profanity:
            query["profanity"] = self.profanity
        if self.word_timings:
            query["wordLevelTimestamps"] = "true"
        if self.stable_partial_threshold is not None:
            query["stableIntermediateThreshold"] = str(self.stable_partial_threshold)

    def add_context(self, context: dict[str, Any], mode: str) -> None:
        enrichment = section(context, "phraseDetection", "enrichment")
        if self.profanity:
            enrichment["profanity"] = self.profanity.capitalize()
        if self.true_text:
            enrichment[mode] = {
                "punctuationMode": "Implicit",
                "disfluencyMode": "Removed",
                "intermediatePunctuationMode": "Implicit",
                "intermediateDisfluencyMode": "Removed",
            }
        output = section(context, "phraseOutput")
        if self.result_format == "detailed":
            flags = (
                (self.word_timings, "WordTimings"),
                (self.word_confidence, "WordConfidence"),
                (self.snr, "SNR"),
            )
            output["format"] = "Detailed"
            output["detailed"] = {"options": [name for on, name in flags if on]}
        else:
            output["format"] = "Simple"
        if self.stable_partial_threshold is not None:
            section(output, "interimResults")["stableThreshold"] = self.stable_partial_threshold


@dataclass(frozen=True, kw_only=True)
class RecognitionOptions:
    """Every option of a real-time recognition, checked once when it is built.

    Pass it as ``options=`` to ``client.stt.connect`` or ``recognize_once``;
    the flat keywords of those methods (``language=``, ``mode=``...) override
    the same settings of the object. A bad value raises
    :class:`~azspeech.errors.InvalidRequestError` naming the field.

    Attributes:
        language: the recognition language (a BCP-47 locale).
        mode: ``"conversation"`` (continuous, default), ``"interactive"``
            (one utterance per turn) or ``"dictation"``.
        interim_results: send partial results (``Recognizing`` events).
        phrases: a phrase list that biases recognition towards these words
            (a list: a bare string is refused).
        phrase_weight: the phrase list's weight, 0.0 to 2.0 (service default 1.0).
        endpoint_id: a Custom Speech endpoint id.
        diarization: identify speakers (``SpeakerId``; needs conversation mode).
        diarize_interim: speaker ids on partial results too.
        speech_start_sensitivity: how early the start of speech is detected:
            ``"low"`` (the service's default), ``"medium"`` or ``"high"``.
        store_audio: ask the service to log the audio.
        silence, output, language_id, pronunciation: the feature groups.
        extra_query: more URL query parameters (they win over the SDK's).
        extra_context: more ``speech.context`` settings, merged deeply at any
            level; it may add keys but not change a value the SDK's options set.
    """

    language: str = "en-US"
    mode: Mode = "conversation"
    interim_results: bool = True
    phrases: Sequence[str] = ()
    phrase_weight: float | None = None
    endpoint_id: str | None = None
    diarization: bool = False
    diarize_interim: bool = False
    speech_start_sensitivity: SpeechStartSensitivity | None = None
    store_audio: bool = False
    silence: SilenceTimeouts = field(default_factory=SilenceTimeouts)
    output: OutputOptions = field(default_factory=OutputOptions)
    language_id: LanguageIdentification | None = None
    pronunciation: PronunciationAssessment | None = None
    extra_query: Mapping[str, str] = field(default_factory=dict, hash=False)
    extra_context: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _set(self, "mode", choice("mode", self.mode, MODES))
        _set(self, "language", validate_locale(self.language))
        check_bool(self, "interim_results", "diarization", "diarize_interim", "store_audio")
        if self.speech_start_sensitivity is not None:
            levels = ("low", "medium", "high")
            level = choice("speech_start_sensitivity", self.speech_start_sensitivity, levels)
            _set(self, "speech_start_sensitivity", level)
        _set(self, "phrases", tuple(check_phrases(self.phrases or None, self.phrase_weight)))
        if self.endpoint_id is not None and (
            not isinstance(self.endpoint_id, str) or not self.endpoint_id.strip()
        ):
            raise InvalidRequestError(
                f"endpoint_id must be a non-empty string, got {self.endpoint_id!r}"
            )
        for name, kind in (
            ("silence", SilenceTimeouts),
            ("output", OutputOptions),
            ("language_id", LanguageIdentification),
            ("pronunciation", PronunciationAssessment),
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                raise InvalidRequestError(f"{name} must be a {kind.__name__}, got {value!r}")
        if self.diarization and self.mode == "interactive":
            raise InvalidRequestError("diarization needs mode='conversation'")
        for name in ("extra_query", "extra_context"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise InvalidRequestError(f"{name} must be a mapping, got {value!r}")
            _set(self, name, dict(value))
        query = {}
        for key, value in self.extra_query.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise InvalidRequestError(f"extra_query[{key!r}] must be a string, got {value!r}")
            query[str(key)] = str(value)  # numbers as urlencode spelled them before
        _set(self, "extra_query", query)
        if self.extra_context:
            self.context()  # a key the SDK owns is refused now, not at the first turn

    # -- what the session and the protocol read ---------------------------------------------------

    def groups(self) -> list[OptionGroup]:
        """The feature groups in the order they add to the wire (a later one may refine)."""
        found = (self.silence, self.output, self.language_id, self.pronunciation)
        return [g for g in found if g is not None]

    @property
    def universal_endpoint(self) -> bool:
        """Whether this recognition needs the universal v2 endpoint (continuous LID)."""
        return self.language_id is not None and self.language_id.universal_endpoint

    @property
    def output_format(self) -> Literal["simple", "detailed"]:
        """The result format the query asks for."""
        return self.output.result_format

    @property
    def candidate_languages(self) -> tuple[str, ...] | None:
        """The language identification candidates, if any."""
        return tuple(self.language_id.candidates) if self.language_id else None

    def checked(self) -> RecognitionOptions:
        """Return self: the options were validated when they were built (kept for old callers)."""
        return self

    # -- wire ------------------------------------------------------------------------------------

    def query(self) -> dict[str, str]:
        """The URL query parameters of the recognition WebSocket (or short-audio REST)."""
        q: dict[str, str] = {"language": self.language}
        for group in self.groups():
            group.add_query(q)
        if self.endpoint_id:
            q["cid"] = self.endpoint_id
        if self.store_audio:
            q["storeAudio"] = "true"
        q.update(self.extra_query)
        return q

    def headers(self) -> dict[str, str]:
        """Headers a REST request with these options carries (pronunciation assessment)."""
        h: dict[str, str] = {}
        for group in self.groups():
            group.add_headers(h)
        return h

    def context(self, *, audio_offset_ms: int = 0, audio_session_id: str = "") -> dict[str, Any]:
        """The ``speech.context`` body of one turn."""
        detection: dict[str, Any] = {
            "mode": self.mode.capitalize(),
            "language": self.language,
            "enrichment": {},
        }
        if self.speech_start_sensitivity is not None:
            detection["voiceOnsetSensitivity"] = self.speech_start_sensitivity
        if self.diarization:
            detection["speakerDiarization"] = {
                "mode": "Anonymous",
                "audioSessionId": audio_session_id,
                "audioOffsetMs": audio_offset_ms,
                "diarizeIntermediates": self.diarize_interim,
            }
        output: dict[str, Any] = {
            "interimResults": {"resultType": "Auto" if self.interim_results else "None"},
            "phraseResults": {"resultType": "Always"},
        }
        ctx: dict[str, Any] = {"phraseDetection": detection, "phraseOutput": output}
        if self.phrases:
            bias = 1.0 if self.phrase_weight is None else float(self.phrase_weight)
            items = [{"text": p} for p in self.phrases]
            ctx["dgi"] = {"groups": [{"type": "Generic", "items": items}], "bias": bias}
        for group in self.groups():
            group.add_context(ctx, self.mode)
        deep_merge(ctx, self.extra_context)
        return ctx

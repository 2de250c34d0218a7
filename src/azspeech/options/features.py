"""Language identification and pronunciation assessment: recognition features as values."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import InvalidRequestError
from ._base import OptionGroup, check_bool, choice, optional_int, section, validate_locale

__all__ = [
    "MAX_REFERENCE_TEXT_CHARS",
    "GradingSystem",
    "Granularity",
    "LanguageIdMode",
    "LanguageIdPriority",
    "LanguageIdentification",
    "PronunciationAssessment",
]

LanguageIdMode = Literal["at_start", "continuous"]
"""Language identification ``at_start`` of the audio, or ``continuous`` (it may change)."""
LanguageIdPriority = Literal["latency", "accuracy"]
"""What language identification favours: ``latency`` or ``accuracy``."""
GradingSystem = Literal["five_point", "hundred_mark"]
"""Pronunciation assessment's scale: ``five_point`` or ``hundred_mark``."""
Granularity = Literal["phoneme", "word", "full_text"]
"""How deep pronunciation assessment goes: ``phoneme``, ``word`` or ``full_text``."""
Dimension = Literal["basic", "comprehensive"]
PhonemeAlphabet = Literal["sapi", "ipa"]

_LID_MODES = {"at_start": "DetectAtAudioStart", "continuous": "DetectContinuous"}
_LID_LIMITS = {"at_start": 4, "continuous": 10}
_PRIORITY = {"latency": "PrioritizeLatency", "accuracy": "PrioritizeAccuracy"}
_GRADING = {"five_point": "FivePoint", "hundred_mark": "HundredMark"}
_GRANULARITY = {"phoneme": "Phoneme", "word": "Word", "full_text": "FullText"}
_DIMENSION = {"basic": "Basic", "comprehensive": "Comprehensive"}
_ALPHABET = {"sapi": "SAPI", "ipa": "IPA"}

#: The longest reference text accepted (characters). Ours, not a documented service
#: limit: a long reading is assessed utterance by utterance against one reference,
#: and the short-audio REST API carries it in a header.
MAX_REFERENCE_TEXT_CHARS = 10_000


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalizing a frozen dataclass in __post_init__


@dataclass(frozen=True, kw_only=True)
class LanguageIdentification(OptionGroup):
    """Recognize in whichever of the candidate languages is spoken.

    Attributes:
        candidates: the candidate locales (``["en-US", "de-DE"]``): at most 4
            with ``mode="at_start"``, at most 10 with ``mode="continuous"``.
        mode: ``"at_start"`` identifies the language once, at the start of
            the audio; ``"continuous"`` follows changes (it uses the universal
            v2 endpoint).
        priority: ``"latency"`` (the official SDK's choice) or ``"accuracy"``.
    """

    candidates: Sequence[str]
    mode: LanguageIdMode = "at_start"
    priority: LanguageIdPriority = "latency"

    def __post_init__(self) -> None:
        _set(self, "mode", choice("language_id mode", self.mode, tuple(_LID_MODES)))
        _set(self, "priority", choice("language_id priority", self.priority, tuple(_PRIORITY)))
        if isinstance(self.candidates, str) or not isinstance(self.candidates, Sequence):
            raise InvalidRequestError(
                f"candidate languages must be a list of locales, got {self.candidates!r}"
            )
        cands = tuple(validate_locale(c, "candidate language") for c in self.candidates)
        if not cands:
            raise InvalidRequestError("candidate languages must not be empty")
        if len(cands) != len(set(cands)):
            raise InvalidRequestError(f"candidate languages has duplicates: {list(cands)}")
        limit = _LID_LIMITS[self.mode]
        if len(cands) > limit:
            raise InvalidRequestError(
                f"at most {limit} candidate languages with language_id mode={self.mode!r}, "
                f"got {len(cands)}"
            )
        _set(self, "candidates", cands)

    @property
    def universal_endpoint(self) -> bool:
        """Whether the recognition needs the universal v2 endpoint (continuous identification)."""
        return self.mode == "continuous"

    def add_query(self, query: dict[str, str]) -> None:
        query["lidEnabled"] = "true"

    def add_context(self, context: dict[str, Any], mode: str) -> None:
        # The language comes from identification: a fixed one would win over it.
        section(context, "phraseDetection").pop("language", None)
        context["languageId"] = {
            "languages": list(self.candidates),
            "mode": _LID_MODES[self.mode],
            "onSuccess": {"action": "Recognize"},
            "onUnknown": {"action": "None"},
            "priority": _PRIORITY[self.priority],
        }


@dataclass(frozen=True, kw_only=True)
class PronunciationAssessment(OptionGroup):
    """Score how the speaker pronounced the audio (against a reference text, if given).

    Scores arrive in the detailed results (``PronunciationAssessment`` under
    ``NBest`` and each word over the WebSocket; flattened into them over the
    short-audio REST API).

    Attributes:
        reference_text: what the speaker should say; empty for unscripted
            assessment (WebSocket only: the short-audio REST API needs it).
        grading_system: ``"five_point"`` (0–5) or ``"hundred_mark"`` (0–100).
        granularity: ``"phoneme"`` (also syllables, en-US), ``"word"`` or ``"full_text"``.
        dimension: ``"comprehensive"`` (as the official SDK always sends) or ``"basic"``.
        miscue: report omitted and inserted words against the reference text.
        prosody: also score stress, intonation and rhythm (en-US).
        phoneme_alphabet: ``"sapi"`` or ``"ipa"`` (service default SAPI).
        nbest_phoneme_count: how many candidate phonemes to report per phoneme.
        scenario_id: a custom point system's id.
        content_topic: also score the content of an unscripted answer on this
            topic (grammar, vocabulary, topic; needs an empty ``reference_text``).
    """

    reference_text: str = ""
    grading_system: GradingSystem = "five_point"
    granularity: Granularity = "phoneme"
    dimension: Dimension = "comprehensive"
    miscue: bool = False
    prosody: bool = False
    phoneme_alphabet: PhonemeAlphabet | None = None
    nbest_phoneme_count: int | None = None
    scenario_id: str | None = None
    content_topic: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reference_text, str):
            raise InvalidRequestError(
                f"reference_text must be a string, got {self.reference_text!r}"
            )
        if len(self.reference_text) > MAX_REFERENCE_TEXT_CHARS:
            raise InvalidRequestError(
                f"reference_text is {len(self.reference_text)} characters; at most "
                f"{MAX_REFERENCE_TEXT_CHARS} are accepted (assess a long reading in parts)"
            )
        if self.content_topic is not None:
            if not isinstance(self.content_topic, str) or not self.content_topic.strip():
                raise InvalidRequestError(
                    f"content_topic must be a non-empty string, got {self.content_topic!r}"
                )
            if self.reference_text.strip():
                raise InvalidRequestError(
                    "content assessment (content_topic) is for unscripted speech: "
                    "leave reference_text empty"
                )
        _set(self, "grading_system", choice("grading_system", self.grading_system, tuple(_GRADING)))
        _set(self, "granularity", choice("granularity", self.granularity, tuple(_GRANULARITY)))
        _set(self, "dimension", choice("dimension", self.dimension, tuple(_DIMENSION)))
        if self.phoneme_alphabet is not None:
            alphabet = choice("phoneme_alphabet", self.phoneme_alphabet, tuple(_ALPHABET))
            _set(self, "phoneme_alphabet", alphabet)
        check_bool(self, "miscue", "prosody")
        optional_int("nbest_phoneme_count", self.nbest_phoneme_count, 1, 50)
        if self.scenario_id is not None and (
            not isinstance(self.scenario_id, str) or not self.scenario_id.strip()
        ):
            raise InvalidRequestError(
                f"scenario_id must be a non-empty string, got {self.scenario_id!r}"
            )

    def add_query(self, query: dict[str, str]) -> None:
        query["format"] = "detailed"  # the scores come only in detailed results

    def add_context(self, context: dict[str, Any], mode: str) -> None:
        # Key order as the official JS SDK writes it.
        pa: dict[str, Any] = {
            "referenceText": self.reference_text,
            "gradingSystem": _GRADING[self.grading_system],
            "granularity": _GRANULARITY[self.granularity],
        }
        if self.phoneme_alphabet is not None:
            pa["phonemeAlphabet"] = _ALPHABET[self.phoneme_alphabet]
        if self.nbest_phoneme_count is not None:
            pa["nbestPhonemeCount"] = self.nbest_phoneme_count
        if self.prosody:
            pa["enableProsodyAssessment"] = True
        pa["dimension"] = _DIMENSION[self.dimension]
        if self.miscue:
            pa["enableMiscue"] = True
        if self.scenario_id is not None:
            pa["scenarioId"] = self.scenario_id
        enrichment = section(context, "phraseDetection", "enrichment")
        enrichment["pronunciationAssessment"] = pa
        needs = ["WordTimings", "PronunciationAssessment", "SNR"]
        if self.content_topic is not None:
            enrichment["contentAssessment"] = {"topic": self.content_topic}
            needs.append("ContentAssessment")
        output = section(context, "phraseOutput")
        output["format"] = "Detailed"
        options = section(output, "detailed").setdefault("options", [])
        for needed in needs:
            if needed not in options:
                options.append(needed)

    def add_headers(self, headers: dict[str, str]) -> None:
        """The short-audio REST header: base64 JSON, PascalCase keys, booleans as strings."""
        if not self.reference_text.strip():
            raise InvalidRequestError(
                "pronunciation assessment over the short-audio REST API needs reference_text "
                "(unscripted assessment works over the WebSocket: recognize_once or connect)"
            )
        body: dict[str, str] = {
            "ReferenceText": self.reference_text,
            "GradingSystem": _GRADING[self.grading_system],
            "Granularity": _GRANULARITY[self.granularity],
            "Dimension": _DIMENSION[self.dimension],
            "EnableMiscue": str(self.miscue),
            "EnableProsodyAssessment": str(self.prosody),
        }
        if self.scenario_id is not None:
            body["ScenarioId"] = self.scenario_id
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers["Pronunciation-Assessment"] = base64.b64encode(raw).decode("ascii")

"""Speech translation options: the recognition options plus target languages and a voice.

:class:`TranslationOptions` wraps a :class:`~azspeech.options.RecognitionOptions`
(source language, phrase lists, profanity, detailed output, silence, language
identification: everything speech to text has) and adds the translation
settings. Target languages are *text* languages (``de``, ``fr``, ``zh-Hans``,
``pt-PT``), not recognition locales, so they have their own validator
(:func:`validate_target_language`).

It builds the URL query and ``speech.context`` of a translation the way the
official SDKs do: ``from``/``to``/``voice``/``features`` in the query, the
recognition's own context with ``Translate`` actions, a ``translation``
section and, when a voice is chosen, a ``synthesis`` section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidRequestError
from ._base import check_bool, section, validate_locale
from .recognition import RecognitionOptions

__all__ = [
    "MAX_TARGET_LANGUAGES",
    "TranslationOptions",
    "validate_target_language",
    "voice_locale",
]

#: The most target languages of one translation (the service maps at most 10 output streams).
MAX_TARGET_LANGUAGES = 10

# A text language: a 2-3 letter language, an optional script (Hans, Latn) and an optional
# region (PT, CA) or UN M.49 area (419): de, zh-Hans, pt-PT, sr-Latn-RS, es-419.
_TARGET_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
# A neural voice name: its locale, then the voice (de-DE-KatjaNeural, zh-CN-XiaoxiaoNeural).
_VOICE_RE = re.compile(r"^([a-zA-Z]{2,3}(?:-[A-Za-z]{4})?-(?:[A-Za-z]{2}|[0-9]{3}))-\w+$")


def validate_target_language(value: object, what: str = "target language") -> str:
    """Return a text-language code (``de``, ``zh-Hans``, ``pt-PT``) with its case fixed up.

    Raises :class:`~azspeech.errors.InvalidRequestError` for anything else
    (an empty string, ``"german"``, ``"de_DE_x"``).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{what} must be a language code such as 'de', got {value!r}")
    parts = value.strip().replace("_", "-").split("-")
    fixed = [parts[0].lower()]
    for part in parts[1:]:
        fixed.append(part.title() if len(part) == 4 else part.upper())
    code = "-".join(fixed)
    if not _TARGET_RE.match(code):
        raise InvalidRequestError(
            f"{what} {value!r} is not a language code; use one such as 'de', 'fr' or 'zh-Hans'"
        )
    return code


def voice_locale(voice: str) -> str:
    """The locale a voice name starts with (``de-DE-KatjaNeural`` → ``de-DE``)."""
    match = _VOICE_RE.match(voice.strip()) if isinstance(voice, str) else None
    if match is None:
        raise InvalidRequestError(
            f"voice must be a voice name such as 'de-DE-KatjaNeural', got {voice!r}"
        )
    return validate_locale(match.group(1), "voice locale")


def _speaks(voice: str, target: str) -> bool:
    """Whether *voice* speaks the text language *target* (same language subtag)."""
    return voice_locale(voice).split("-")[0] == target.split("-")[0]


@dataclass(frozen=True, kw_only=True)
class TranslationOptions:
    """Everything a translation asks for, checked once when built.

    Attributes:
        target_languages: the languages to translate into (1 to
            :data:`MAX_TARGET_LANGUAGES` text-language codes, no duplicates).
        recognition: the source side: language, mode, phrases, profanity,
            detailed output, silence, language identification
            (``candidate_languages``).
        voice: a voice name (``de-DE-KatjaNeural``) to speak the translation
            into its language, which must be one of the targets.
        stable_translation: stabilise partial translations (the service drops
            trailing words that may still change).
        include_passthrough: also deliver results when the source language
            is a target.
        category: a Custom Translator category id.
    """

    target_languages: Sequence[str]
    recognition: RecognitionOptions = field(default_factory=RecognitionOptions)
    voice: str | None = None
    stable_translation: bool = False
    include_passthrough: bool = True
    category: str | None = None

    def __post_init__(self) -> None:
        targets = self.target_languages
        if isinstance(targets, (str, bytes)) or not isinstance(targets, Sequence):
            raise InvalidRequestError(
                f"target_languages must be a list of language codes, got {targets!r}"
            )
        codes = [validate_target_language(t) for t in targets]
        if not codes:
            raise InvalidRequestError("target_languages is empty: give at least one, e.g. ['de']")
        if len(codes) > MAX_TARGET_LANGUAGES:
            raise InvalidRequestError(
                f"at most {MAX_TARGET_LANGUAGES} target languages, got {len(codes)}"
            )
        if len(set(codes)) != len(codes):
            raise InvalidRequestError(f"target_languages has duplicates: {codes}")
        object.__setattr__(self, "target_languages", tuple(codes))
        if not isinstance(self.recognition, RecognitionOptions):
            raise InvalidRequestError(
                f"recognition must be a RecognitionOptions, got {self.recognition!r}"
            )
        check_bool(self, "stable_translation", "include_passthrough")
        if self.voice is not None:
            object.__setattr__(
                self, "voice", self.voice.strip() if isinstance(self.voice, str) else self.voice
            )
            self.voice_targets(codes)  # a voice for a language that is not a target: refused
        if self.category is not None and (
            not isinstance(self.category, str) or not self.category.strip()
        ):
            raise InvalidRequestError(f"category must be a non-empty string, got {self.category!r}")

    def voice_targets(self, targets: Sequence[str]) -> list[str]:
        """The targets among *targets* that the voice speaks (refused if none)."""
        if self.voice is None:
            return []
        spoken = [t for t in targets if _speaks(self.voice, t)]
        if not spoken:
            raise InvalidRequestError(
                f"voice {self.voice!r} speaks {voice_locale(self.voice)}, which is not among "
                f"the target languages {list(targets)}"
            )
        return spoken

    # -- wire ------------------------------------------------------------------------------------

    def query(self, targets: Sequence[str] | None = None, *, scenario: str = "") -> dict[str, str]:
        """The URL query: the recognition's, with ``from``/``to`` instead of ``language``."""
        reco = self.recognition.query()
        q: dict[str, str] = {
            "from": reco.pop("language"),
            "to": ",".join(targets or self.target_languages),
        }
        if scenario:
            q["scenario"] = scenario
        if self.stable_translation:
            q["stableTranslation"] = "true"
        if self.voice is not None:
            q["voice"] = self.voice
            q["features"] = "requireVoice"
        q.update(reco)
        return q

    def context(
        self,
        targets: Sequence[str] | None = None,
        *,
        audio_offset_ms: int = 0,
        audio_session_id: str = "",
    ) -> dict[str, Any]:
        """The ``speech.context`` of one turn, for *targets* (default: the configured ones)."""
        langs = list(targets or self.target_languages)
        ctx = self.recognition.context(
            audio_offset_ms=audio_offset_ms, audio_session_id=audio_session_id
        )
        detection = section(ctx, "phraseDetection")
        detection["onSuccess"] = {"action": "Translate"}
        detection["onInterim"] = {"action": "Translate"}
        action = "Synthesize" if self.voice is not None else "None"
        interim = "Always" if self.recognition.interim_results else "None"
        translation: dict[str, Any] = {
            "onPassthrough": {"action": action},
            "onSuccess": {"action": action},
            "output": {
                "includePassThroughResults": self.include_passthrough,
                "interimResults": {"mode": interim},
            },
            "targetLanguages": langs,
        }
        if self.stable_translation:
            translation["output"]["interimResults"]["stableOnly"] = True
        if self.category is not None:
            translation["category"] = self.category
        ctx["translation"] = translation
        voices = self.default_voices(langs)
        if voices:
            ctx["synthesis"] = {"defaultVoices": voices}
        if self.recognition.language_id is not None:
            # Only translation messages, not plain speech.* ones too (as the JS SDK asks).
            ctx["phraseOutput"]["interimResults"] = {"resultType": "None"}
            ctx["phraseOutput"]["phraseResults"] = {"resultType": "None"}
        return ctx

    def default_voices(self, targets: Sequence[str]) -> dict[str, str]:
        """``synthesis.defaultVoices``: the voice for each target it speaks."""
        if self.voice is None:
            return {}
        return {t: self.voice for t in targets if _speaks(self.voice, t)}

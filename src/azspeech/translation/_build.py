"""Arguments of ``client.translation`` → validated :class:`TranslationOptions`, in one place.

The source side goes through speech to text's own resolver
(:func:`azspeech.stt._keywords.recognition`: an options object, then option
groups, then flat keywords), so phrase lists, profanity, detailed output,
silence and language identification mean exactly what they mean there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidRequestError
from ..options import (
    LanguageIdentification,
    OutputOptions,
    Profanity,
    RecognitionOptions,
    SilenceTimeouts,
)
from ..options.translation import TranslationOptions
from ..stt import _keywords
from .session import EVENT_TYPES, AsyncTranslationSession

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient
    from ..audio.formats import PcmFormat
    from ..options import Reliability

__all__ = ["Source", "callbacks", "resolve", "session_factory"]


@dataclasses.dataclass(frozen=True)
class Source:
    """The source-side keywords shared by ``recognize_once`` and ``connect``."""

    language: str | None = None
    candidate_languages: Sequence[str] | None = None
    phrases: Sequence[str] | None = None
    profanity: Profanity | None = None
    detailed: bool | None = None
    interim_results: bool | None = None
    recognition: RecognitionOptions | None = None
    silence: SilenceTimeouts | None = None
    output: OutputOptions | None = None
    language_id: LanguageIdentification | None = None


def resolve(
    *,
    default_mode: str,
    source: Source,
    target_languages: Sequence[str] | None,
    voice: str | None,
    options: TranslationOptions | None,
) -> TranslationOptions:
    """The translation options: *options* (if any), then the keywords; checked once."""
    if options is not None and not isinstance(options, TranslationOptions):
        raise InvalidRequestError(f"options must be a TranslationOptions, got {options!r}")
    base_reco = source.recognition or (options.recognition if options is not None else None)
    reco = _keywords.recognition(
        default_mode=default_mode,  # type: ignore[arg-type]
        shortcuts={
            "language": source.language,
            "interim_results": source.interim_results,
            "phrases": source.phrases,
            "candidate_languages": source.candidate_languages,
            "detailed": source.detailed,
        },
        given={"profanity": source.profanity},
        options=base_reco,
        silence=source.silence,
        output=source.output,
        language_id=source.language_id,
    )
    if options is None:
        if target_languages is None:
            raise InvalidRequestError("target_languages is required, e.g. ['de', 'fr']")
        return TranslationOptions(target_languages=target_languages, recognition=reco, voice=voice)
    changes: dict[str, Any] = {"recognition": reco}
    if target_languages is not None:
        changes["target_languages"] = target_languages
    if voice is not None:
        changes["voice"] = voice
    return dataclasses.replace(options, **changes)


def callbacks(given: Mapping[str, Any]) -> dict[str, Callable[[Any], object]]:
    """``on_translated=cb`` and the like as ``{"translated": cb}``; unknown names refused."""
    out: dict[str, Callable[[Any], object]] = {}
    for name, cb in given.items():
        kind = name[3:] if name.startswith("on_") else ""
        if kind not in EVENT_TYPES:
            raise TypeError(f"connect() got an unexpected keyword argument {name!r}")
        if cb is not None:
            out[kind] = cb
    return out


def session_factory(
    options: TranslationOptions,
    *,
    reliability: Reliability | None,
    sample_rate: int,
    handlers: Mapping[str, Callable[[Any], object]],
) -> Callable[[AsyncSpeechClient], AsyncTranslationSession]:
    """What opens the session on an async client (the blocking client's twin included)."""
    from ..audio.formats import PcmFormat

    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int):
        raise InvalidRequestError(f"sample_rate must be an int in Hz, got {sample_rate!r}")
    if not 8000 <= sample_rate <= 192_000:
        raise InvalidRequestError(f"sample_rate must be 8000 to 192000 Hz, got {sample_rate!r}")
    fmt: PcmFormat = PcmFormat(sample_rate=sample_rate)
    rel = _keywords.reliability(reliability, {})

    def make(client: AsyncSpeechClient) -> AsyncTranslationSession:
        return AsyncTranslationSession(
            client, options, audio_format=fmt, reliability=rel, callbacks=dict(handlers)
        )

    return make

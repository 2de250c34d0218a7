"""``client.translation``: speech translation, once or continuous, async and blocking.

Both twins resolve their arguments with :mod:`._build` (the source side by
speech to text's resolver) and open an
:class:`~azspeech.translation.session.AsyncTranslationSession`; the blocking
twin runs it on the client's portal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..options import (
    LanguageIdentification,
    OutputOptions,
    Profanity,
    RecognitionOptions,
    Reliability,
    SilenceTimeouts,
)
from ..options.translation import TranslationOptions
from . import _build
from .blocking_session import TranslationSession
from .session import AsyncTranslationSession, recognize_once

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio import AudioInput, PcmFormat
    from ..models.translation import TranslationResult

__all__ = ["AsyncTranslation", "Translation"]

_SOURCE_DOC = """
        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            source_language: the spoken language (a locale, default ``"en-US"``).
            target_languages: the languages to translate into (``["de", "fr"]``,
                ``"zh-Hans"``...; at most 10).
            voice: a voice name (``"de-DE-KatjaNeural"``) that speaks the
                translation into its language, which must be a target.
            candidate_languages: identify the spoken language among these
                locales instead of ``source_language``.
            phrases, profanity, detailed, interim_results: as in speech to text.
            options: all translation options in one value; the keywords override it.
            recognition, silence, output, language_id: the speech-to-text
                option objects for the source side.
"""


class AsyncTranslation:
    """Speech translation on the async client (``client.translation``)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    async def recognize_once(
        self,
        audio: AudioInput,
        *,
        source_language: str | None = None,
        target_languages: Sequence[str] | None = None,
        voice: str | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        profanity: Profanity | None = None,
        detailed: bool | None = None,
        options: TranslationOptions | None = None,
        recognition: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> TranslationResult:
        """Translate the first utterance of *audio*: ``.text``, ``.translations``, ``.audio``.

        Bad options raise :class:`~azspeech.errors.InvalidRequestError` before
        anything is sent; a service error raises
        :class:`~azspeech.errors.CanceledError`.
        """
        source = _build.Source(
            source_language, candidate_languages, phrases, profanity, detailed,
            False if options is None and recognition is None else None,
            recognition, silence, output, language_id,
        )  # fmt: skip
        opts = _build.resolve(
            default_mode="interactive", source=source, target_languages=target_languages,
            voice=voice, options=options,
        )  # fmt: skip
        return await recognize_once(
            self._client, opts, audio, sample_rate=sample_rate, input_format=input_format
        )

    recognize_once.__doc__ = (recognize_once.__doc__ or "") + _SOURCE_DOC

    def connect(
        self,
        *,
        source_language: str | None = None,
        target_languages: Sequence[str] | None = None,
        voice: str | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        profanity: Profanity | None = None,
        detailed: bool | None = None,
        interim_results: bool | None = None,
        options: TranslationOptions | None = None,
        recognition: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        reliability: Reliability | None = None,
        sample_rate: int = 16000,
        **callbacks: Callable[[Any], object] | None,
    ) -> AsyncTranslationSession:
        """A continuous translation session (``async with client.translation.connect(...)``).

        Same reconnect, replay and offsets as ``client.stt.connect``;
        ``reliability=`` tunes them, ``sample_rate`` is the rate of raw PCM
        given to ``send``, and ``on_translated=cb`` (one per event type)
        registers a callback.
        """
        return _factory(
            source_language, target_languages, voice, candidate_languages, phrases, profanity,
            detailed, interim_results, options, recognition, silence, output, language_id,
            reliability, sample_rate, callbacks,
        )(self._client)  # fmt: skip

    connect.__doc__ = (connect.__doc__ or "") + _SOURCE_DOC


class Translation:
    """Speech translation on the blocking client (``client.translation``)."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def recognize_once(self, audio: AudioInput, **kwargs: Any) -> TranslationResult:
        """Translate the first utterance of *audio* (see :meth:`AsyncTranslation.recognize_once`).

        Bad options raise before anything is sent.
        """
        _check_once(kwargs)
        return self._client._run(
            lambda aclient: aclient.translation.recognize_once(audio, **kwargs)
        )

    def connect(self, **kwargs: Any) -> TranslationSession:
        """A continuous translation session (``with client.translation.connect(...)``).

        The keywords are those of :meth:`AsyncTranslation.connect`; bad options
        raise here. Callbacks run on the client's background loop thread.
        """
        named = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONNECT_NAMES}
        factory = _factory(**named, callbacks=kwargs)
        return TranslationSession(self._client, factory)


_SOURCE_NAMES = ("source_language", "target_languages", "voice", "candidate_languages",
                 "phrases", "profanity", "detailed", "options", "recognition", "silence",
                 "output", "language_id")  # fmt: skip
_CONNECT_NAMES = frozenset((*_SOURCE_NAMES, "interim_results", "reliability", "sample_rate"))
_ONCE_NAMES = frozenset((*_SOURCE_NAMES, "sample_rate", "input_format"))


def _check_once(kwargs: dict[str, Any]) -> None:
    """Validate ``recognize_once`` keywords in the caller's thread (errors before any I/O)."""
    for name in kwargs:
        if name not in _ONCE_NAMES:
            raise TypeError(f"recognize_once() got an unexpected keyword argument {name!r}")
    source = _build.Source(
        kwargs.get("source_language"), kwargs.get("candidate_languages"), kwargs.get("phrases"),
        kwargs.get("profanity"), kwargs.get("detailed"), None, kwargs.get("recognition"),
        kwargs.get("silence"), kwargs.get("output"), kwargs.get("language_id"),
    )  # fmt: skip
    _build.resolve(
        default_mode="interactive", source=source, target_languages=kwargs.get("target_languages"),
        voice=kwargs.get("voice"), options=kwargs.get("options"),
    )  # fmt: skip


def _factory(
    source_language: str | None = None,
    target_languages: Sequence[str] | None = None,
    voice: str | None = None,
    candidate_languages: Sequence[str] | None = None,
    phrases: Sequence[str] | None = None,
    profanity: Profanity | None = None,
    detailed: bool | None = None,
    interim_results: bool | None = None,
    options: TranslationOptions | None = None,
    recognition: RecognitionOptions | None = None,
    silence: SilenceTimeouts | None = None,
    output: OutputOptions | None = None,
    language_id: LanguageIdentification | None = None,
    reliability: Reliability | None = None,
    sample_rate: int = 16000,
    callbacks: dict[str, Any] | None = None,
) -> Callable[[AsyncSpeechClient], AsyncTranslationSession]:
    source = _build.Source(
        source_language, candidate_languages, phrases, profanity, detailed, interim_results,
        recognition, silence, output, language_id,
    )  # fmt: skip
    opts = _build.resolve(
        default_mode="conversation", source=source, target_languages=target_languages,
        voice=voice, options=options,
    )  # fmt: skip
    return _build.session_factory(
        opts,
        reliability=reliability,
        sample_rate=sample_rate,
        handlers=_build.callbacks(callbacks or {}),
    )

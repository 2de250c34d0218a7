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

        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            source_language: the spoken language (a locale, default ``"en-US"``).
            target_languages: the languages to translate into (``["de", "fr"]``,
                ``"zh-Hans"``...; at most 10).
            voice: a voice name (``"de-DE-KatjaNeural"``) that speaks the
                translation into its language, which must be a target; the
                call then also waits for that speech (``result.audio``).
            candidate_languages: identify the spoken language among these
                locales instead of ``source_language``.
            phrases, profanity, detailed: as in speech to text.
            options: all translation options in one value; the keywords override it.
            recognition, silence, output, language_id: the speech-to-text
                option objects for the source side.
            sample_rate, input_format: the format of raw PCM *audio*.

        Bad options raise :class:`~azspeech.errors.InvalidRequestError` before
        anything is sent; a service error raises
        :class:`~azspeech.errors.CanceledError`.
        """
        opts = _once_options(
            source_language, target_languages, voice, candidate_languages, phrases, profanity,
            detailed, options, recognition, silence, output, language_id,
        )  # fmt: skip
        return await recognize_once(
            self._client, opts, audio, sample_rate=sample_rate, input_format=input_format
        )

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
        """A continuous translation session (``with``/``async with`` it).

        Same keywords as ``recognize_once`` (but no audio), plus
        ``interim_results`` (``Translating`` events, default True),
        ``reliability`` (reconnects, replay, watchdogs, as in speech to text),
        ``sample_rate`` (of raw PCM given to ``send``) and one callback per
        event type (``on_translated=cb``...). Bad options raise
        :class:`~azspeech.errors.InvalidRequestError` here.
        """
        return _factory(
            source_language, target_languages, voice, candidate_languages, phrases, profanity,
            detailed, interim_results, options, recognition, silence, output, language_id,
            reliability, sample_rate, callbacks,
        )(self._client)  # fmt: skip


class Translation:
    """Speech translation on the blocking client (``client.translation``)."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def recognize_once(
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
        """Translate the first utterance of *audio* (see :meth:`AsyncTranslation.recognize_once`).

        Bad options raise :class:`~azspeech.errors.InvalidRequestError` before
        anything is sent.
        """
        opts = _once_options(
            source_language, target_languages, voice, candidate_languages, phrases, profanity,
            detailed, options, recognition, silence, output, language_id,
        )  # fmt: skip
        return self._client._run(
            lambda aclient: recognize_once(
                aclient, opts, audio, sample_rate=sample_rate, input_format=input_format
            )
        )

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
    ) -> TranslationSession:
        """A continuous translation session (see :meth:`AsyncTranslation.connect`).

        Use it in a ``with`` block. Callbacks run on the client's background
        loop thread; bad options raise here.
        """
        factory = _factory(
            source_language, target_languages, voice, candidate_languages, phrases, profanity,
            detailed, interim_results, options, recognition, silence, output, language_id,
            reliability, sample_rate, callbacks,
        )  # fmt: skip
        return TranslationSession(self._client, factory)


def _once_options(
    source_language: str | None,
    target_languages: Sequence[str] | None,
    voice: str | None,
    candidate_languages: Sequence[str] | None,
    phrases: Sequence[str] | None,
    profanity: Profanity | None,
    detailed: bool | None,
    options: TranslationOptions | None,
    recognition: RecognitionOptions | None,
    silence: SilenceTimeouts | None,
    output: OutputOptions | None,
    language_id: LanguageIdentification | None,
) -> TranslationOptions:
    # No partial results by default: one utterance needs only its final.
    interim = False if options is None and recognition is None else None
    source = _build.Source(
        source_language, candidate_languages, phrases, profanity, detailed, interim,
        recognition, silence, output, language_id,
    )  # fmt: skip
    return _build.resolve(
        default_mode="interactive", source=source, target_languages=target_languages,
        voice=voice, options=options,
    )  # fmt: skip


def _factory(
    source_language: str | None,
    target_languages: Sequence[str] | None,
    voice: str | None,
    candidate_languages: Sequence[str] | None,
    phrases: Sequence[str] | None,
    profanity: Profanity | None,
    detailed: bool | None,
    interim_results: bool | None,
    options: TranslationOptions | None,
    recognition: RecognitionOptions | None,
    silence: SilenceTimeouts | None,
    output: OutputOptions | None,
    language_id: LanguageIdentification | None,
    reliability: Reliability | None,
    sample_rate: int,
    callbacks: dict[str, Any],
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
        opts, reliability=reliability, sample_rate=sample_rate,
        handlers=_build.callbacks(callbacks),
    )  # fmt: skip

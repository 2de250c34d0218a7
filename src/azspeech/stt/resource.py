"""``client.stt``: real-time recognition, short-audio REST and fast transcription.

:class:`AsyncSpeechToText` holds the implementation. :class:`SpeechToText`
(the blocking client's resource) runs the WebSocket features on the async
implementation through the client's portal, and the REST features over the
blocking HTTP transport with the same request builders and parsers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._protocol.framing import loads_json
from .._protocol.stt import AudioFormat, RecognitionOptions
from ..models.stt import (
    RecognitionResult,
    TranscriptionResult,
)
from .blocking_session import RecognitionSession
from .fast import (
    DEFAULT_API_VERSION,
    MAX_UPLOAD_BYTES,
    audio_part,
    build_definition,
    parse_transcription,
    transcribe_request,
)
from .session import AsyncRecognitionSession, Callback, recognize_once
from .short_audio import (
    SHORT_AUDIO_LIMIT_SECONDS,
    ShortAudioCollector,
    parse_short_audio,
    short_audio_request,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient

__all__ = ["AsyncSpeechToText", "SpeechToText"]

_FORMAT = AudioFormat()


def _ms(seconds_or_ms: float | None, name: str) -> int | None:
    """Timeouts are given in seconds (float) — converted to ms for the wire."""
    if seconds_or_ms is None:
        return None
    if isinstance(seconds_or_ms, bool) or not isinstance(seconds_or_ms, (int, float)):
        from ..errors import InvalidRequestError

        raise InvalidRequestError(f"{name} must be a number of seconds, got {seconds_or_ms!r}")
    return round(seconds_or_ms * 1000)


def _options(
    *,
    mode: str,
    language: str,
    candidate_languages: Sequence[str] | None,
    language_id_mode: str = "at_start",
    detailed: bool = False,
    word_timings: bool = False,
    word_confidence: bool = False,
    profanity: str | None = None,
    phrases: Sequence[str] | None = None,
    phrase_weight: float | None = None,
    initial_silence_timeout: float | None = None,
    end_silence_timeout: float | None = None,
    segmentation_silence_timeout: float | None = None,
    segmentation_max_time: float | None = None,
    endpoint_id: str | None = None,
    interim_results: bool = True,
    stable_partial_threshold: int | None = None,
    diarization: bool = False,
    diarize_interim: bool = False,
    true_text: bool = False,
    store_audio: bool = False,
    extra_query: Mapping[str, str] | None = None,
    extra_context: Mapping[str, Any] | None = None,
) -> RecognitionOptions:
    return RecognitionOptions(
        mode=mode,
        language=language,
        candidate_languages=list(candidate_languages) if candidate_languages is not None else None,
        language_id_mode=language_id_mode,
        detailed=detailed,
        word_timings=word_timings,
        word_confidence=word_confidence,
        profanity=profanity,
        phrases=list(phrases) if phrases is not None else [],
        phrase_weight=phrase_weight,
        initial_silence_timeout_ms=_ms(initial_silence_timeout, "initial_silence_timeout"),
        end_silence_timeout_ms=_ms(end_silence_timeout, "end_silence_timeout"),
        segmentation_silence_timeout_ms=_ms(
            segmentation_silence_timeout, "segmentation_silence_timeout"
        ),
        segmentation_max_ms=_ms(segmentation_max_time, "segmentation_max_time"),
        endpoint_id=endpoint_id,
        interim_results=interim_results,
        stable_partial_threshold=stable_partial_threshold,
        diarization=diarization,
        diarize_interim=diarize_interim,
        true_text=true_text,
        store_audio=store_audio,
        extra_query=dict(extra_query or {}),
        extra_context=dict(extra_context or {}),
    ).checked()


def _callbacks(**kw: Callback | None) -> dict[str, Callback]:
    return {name[3:]: cb for name, cb in kw.items() if cb is not None}


class AsyncSpeechToText:
    """Speech to text on the async client (``client.stt``)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    # -- real time ----------------------------------------------------------------------------

    def stream(
        self,
        *,
        language: str = "en-US",
        mode: str = "conversation",
        interim_results: bool = True,
        candidate_languages: Sequence[str] | None = None,
        language_id_mode: str = "at_start",
        detailed: bool = False,
        word_timings: bool = False,
        word_confidence: bool = False,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        initial_silence_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        segmentation_silence_timeout: float | None = None,
        segmentation_max_time: float | None = None,
        endpoint_id: str | None = None,
        stable_partial_threshold: int | None = None,
        diarization: bool = False,
        diarize_interim: bool = False,
        true_text: bool = False,
        store_audio: bool = False,
        sample_rate: int = 16000,
        chunk_ms: int = 100,
        max_reconnects: int = 4,
        replay_buffer_seconds: float = 120.0,
        max_connection_age: float | None = 540.0,
        end_timeout: float | None = 60.0,
        extra_query: Mapping[str, str] | None = None,
        extra_context: Mapping[str, Any] | None = None,
        on_session_started: Callback | None = None,
        on_session_stopped: Callback | None = None,
        on_speech_start_detected: Callback | None = None,
        on_speech_end_detected: Callback | None = None,
        on_recognizing: Callback | None = None,
        on_recognized: Callback | None = None,
        on_no_match: Callback | None = None,
        on_canceled: Callback | None = None,
    ) -> AsyncRecognitionSession:
        """A continuous recognition session (``async with ... as session``).

        Timeouts are in seconds. ``sample_rate`` is the rate of the raw PCM you
        pass to ``send`` (16-bit mono); ``send_file`` converts anything.
        ``max_connection_age`` (seconds) renews the connection right after a
        final result before the service's own connection limit hits.
        """
        opts = _options(
            mode=mode, language=language, candidate_languages=candidate_languages,
            language_id_mode=language_id_mode, detailed=detailed, word_timings=word_timings,
            word_confidence=word_confidence, profanity=profanity, phrases=phrases,
            phrase_weight=phrase_weight, initial_silence_timeout=initial_silence_timeout,
            end_silence_timeout=end_silence_timeout,
            segmentation_silence_timeout=segmentation_silence_timeout,
            segmentation_max_time=segmentation_max_time, endpoint_id=endpoint_id,
            interim_results=interim_results, stable_partial_threshold=stable_partial_threshold,
            diarization=diarization, diarize_interim=diarize_interim, true_text=true_text,
            store_audio=store_audio, extra_query=extra_query, extra_context=extra_context,
        )  # fmt: skip
        return AsyncRecognitionSession(
            self._client,
            opts,
            audio_format=AudioFormat(sample_rate=sample_rate),
            chunk_ms=chunk_ms,
            max_reconnects=max_reconnects,
            replay_buffer_seconds=replay_buffer_seconds,
            max_connection_age=max_connection_age,
            end_timeout=end_timeout,
            callbacks=_callbacks(
                on_session_started=on_session_started,
                on_session_stopped=on_session_stopped,
                on_speech_start_detected=on_speech_start_detected,
                on_speech_end_detected=on_speech_end_detected,
                on_recognizing=on_recognizing,
                on_recognized=on_recognized,
                on_no_match=on_no_match,
                on_canceled=on_canceled,
            ),
        )

    start_continuous_recognition = stream

    async def recognize_once(
        self,
        audio: Any,
        *,
        language: str = "en-US",
        candidate_languages: Sequence[str] | None = None,
        mode: str | None = None,
        detailed: bool = False,
        word_timings: bool = False,
        word_confidence: bool = False,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        initial_silence_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        segmentation_silence_timeout: float | None = None,
        endpoint_id: str | None = None,
        diarization: bool = False,
        sample_rate: int | None = None,
        input_format: Any = None,
        extra_query: Mapping[str, str] | None = None,
        extra_context: Mapping[str, Any] | None = None,
    ) -> RecognitionResult:
        """Recognize the first utterance of *audio* (any audio input) over the WebSocket.

        Returns the first final result: ``status`` Success with ``text``, or a
        no-match status (NoMatch, InitialSilenceTimeout...). A service error
        raises :class:`~azspeech.errors.CanceledError`.
        """
        # Interactive unless diarization asks for conversation mode (the service's rule).
        mode = mode or ("conversation" if diarization else "interactive")
        opts = _options(
            mode=mode, language=language, candidate_languages=candidate_languages,
            detailed=detailed, word_timings=word_timings, word_confidence=word_confidence,
            profanity=profanity, phrases=phrases, phrase_weight=phrase_weight,
            initial_silence_timeout=initial_silence_timeout,
            end_silence_timeout=end_silence_timeout,
            segmentation_silence_timeout=segmentation_silence_timeout,
            endpoint_id=endpoint_id, interim_results=False, diarization=diarization,
            extra_query=extra_query, extra_context=extra_context,
        )  # fmt: skip
        return await recognize_once(
            self._client, opts, audio, sample_rate=sample_rate, input_format=input_format
        )

    # -- short audio REST -----------------------------------------------------------------------

    async def recognize_short(
        self,
        audio: Any,
        *,
        language: str = "en-US",
        format: str = "simple",
        profanity: str | None = None,
        endpoint_id: str | None = None,
        sample_rate: int | None = None,
        input_format: Any = None,
    ) -> RecognitionResult:
        """Recognize up to 60 s of audio with the short-audio REST API (no WebSocket)."""
        opts = _short_options(language, format, profanity, endpoint_id)
        from ..audio import open_pcm_stream

        collector = ShortAudioCollector(_FORMAT, SHORT_AUDIO_LIMIT_SECONDS)
        stream = open_pcm_stream(
            audio, target=_FORMAT, sample_rate=sample_rate, chunk_ms=1000,
            input_format=input_format,
        )  # fmt: skip
        async for chunk in stream:
            collector.add(chunk)
        pcm = collector.finish()
        req = short_audio_request(self._client._config.endpoints, opts, _FORMAT, pcm, is_async=True)
        response = await self._client._http.send(req)
        return parse_short_audio(
            loads_json(response.content, limits=self._client._config.limits, what="short audio")
        )

    # -- fast transcription -----------------------------------------------------------------------

    async def transcribe(
        self,
        audio: Any = None,
        *,
        locales: Sequence[str] | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        audio_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        extra_definition: Mapping[str, Any] | None = None,
    ) -> TranscriptionResult:
        """Fast transcription of a file (streamed from disk) or of ``audio_url``."""
        definition, part = _fast_parts(
            audio, locales, diarization, channels, profanity, phrases, phrase_weight,
            audio_url, max_upload_bytes, extra_definition,
        )  # fmt: skip
        req = transcribe_request(self._client._config.endpoints, definition, part, api_version)
        try:
            response = await self._client._http.send(req)
        finally:
            if part is not None:
                part.close()
        return parse_transcription(
            loads_json(
                response.content, limits=self._client._config.limits, what="fast transcription"
            )
        )


def _short_options(
    language: str, format: str, profanity: str | None, endpoint_id: str | None
) -> RecognitionOptions:
    from ..errors import InvalidRequestError

    fmt = str(format).lower()
    if fmt not in ("simple", "detailed"):
        raise InvalidRequestError(f"format must be 'simple' or 'detailed', got {format!r}")
    return _options(
        mode="conversation",
        language=language,
        candidate_languages=None,
        detailed=fmt == "detailed",
        profanity=profanity,
        endpoint_id=endpoint_id,
    )


def _fast_parts(
    audio: Any,
    locales: Sequence[str] | None,
    diarization: bool | int | None,
    channels: Sequence[int] | None,
    profanity: str | None,
    phrases: Sequence[str] | None,
    phrase_weight: float | None,
    audio_url: str | None,
    max_upload_bytes: int | None,
    extra: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], Any]:
    from ..errors import InvalidRequestError

    if audio is None and audio_url is None:
        raise InvalidRequestError("transcribe() needs audio (a path, bytes...) or audio_url=...")
    if audio is not None and audio_url is not None:
        raise InvalidRequestError("pass either audio or audio_url, not both")
    definition = build_definition(
        locales=locales, diarization=diarization, channels=channels, profanity=profanity,
        phrases=phrases, phrase_weight=phrase_weight, audio_url=audio_url, extra=extra,
    )  # fmt: skip
    part = audio_part(audio, max_bytes=max_upload_bytes) if audio is not None else None
    return definition, part


class SpeechToText:
    """Speech to text on the blocking client (``client.stt``); same API as the async one."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def stream(
        self,
        *,
        language: str = "en-US",
        mode: str = "conversation",
        interim_results: bool = True,
        candidate_languages: Sequence[str] | None = None,
        language_id_mode: str = "at_start",
        detailed: bool = False,
        word_timings: bool = False,
        word_confidence: bool = False,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        initial_silence_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        segmentation_silence_timeout: float | None = None,
        segmentation_max_time: float | None = None,
        endpoint_id: str | None = None,
        stable_partial_threshold: int | None = None,
        diarization: bool = False,
        diarize_interim: bool = False,
        true_text: bool = False,
        store_audio: bool = False,
        sample_rate: int = 16000,
        chunk_ms: int = 100,
        max_reconnects: int = 4,
        replay_buffer_seconds: float = 120.0,
        max_connection_age: float | None = 540.0,
        end_timeout: float | None = 60.0,
        extra_query: Mapping[str, str] | None = None,
        extra_context: Mapping[str, Any] | None = None,
        on_session_started: Callback | None = None,
        on_session_stopped: Callback | None = None,
        on_speech_start_detected: Callback | None = None,
        on_speech_end_detected: Callback | None = None,
        on_recognizing: Callback | None = None,
        on_recognized: Callback | None = None,
        on_no_match: Callback | None = None,
        on_canceled: Callback | None = None,
    ) -> RecognitionSession:
        """A continuous recognition session (``with ... as session``).

        The same options as :meth:`AsyncSpeechToText.stream`; the session is
        the async one run on the client's background loop, and callbacks run
        on that loop's thread. Send first (``send``/``send_file``), then
        iterate; or iterate in one thread while another sends.
        """
        kwargs = dict(locals())
        kwargs.pop("self")
        # Validate now, in the caller's thread, so that bad options raise here.
        _options(
            mode=mode, language=language, candidate_languages=candidate_languages,
            language_id_mode=language_id_mode, detailed=detailed, word_timings=word_timings,
            word_confidence=word_confidence, profanity=profanity, phrases=phrases,
            phrase_weight=phrase_weight, initial_silence_timeout=initial_silence_timeout,
            end_silence_timeout=end_silence_timeout,
            segmentation_silence_timeout=segmentation_silence_timeout,
            segmentation_max_time=segmentation_max_time, endpoint_id=endpoint_id,
            interim_results=interim_results, stable_partial_threshold=stable_partial_threshold,
            diarization=diarization, diarize_interim=diarize_interim, true_text=true_text,
            store_audio=store_audio, extra_query=extra_query, extra_context=extra_context,
        )  # fmt: skip

        def factory(aclient: AsyncSpeechClient) -> AsyncRecognitionSession:
            return aclient.stt.stream(**kwargs)

        return RecognitionSession(self._client, factory)

    start_continuous_recognition = stream

    def recognize_once(
        self,
        audio: Any,
        *,
        language: str = "en-US",
        candidate_languages: Sequence[str] | None = None,
        mode: str | None = None,
        detailed: bool = False,
        word_timings: bool = False,
        word_confidence: bool = False,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        initial_silence_timeout: float | None = None,
        end_silence_timeout: float | None = None,
        segmentation_silence_timeout: float | None = None,
        endpoint_id: str | None = None,
        diarization: bool = False,
        sample_rate: int | None = None,
        input_format: Any = None,
        extra_query: Mapping[str, str] | None = None,
        extra_context: Mapping[str, Any] | None = None,
    ) -> RecognitionResult:
        """Recognize the first utterance of *audio* (see the async twin for the options)."""
        kwargs = dict(locals())
        kwargs.pop("self")
        kwargs.pop("audio")
        return self._client._run(lambda aclient: aclient.stt.recognize_once(audio, **kwargs))

    def recognize_short(
        self,
        audio: Any,
        *,
        language: str = "en-US",
        format: str = "simple",
        profanity: str | None = None,
        endpoint_id: str | None = None,
        sample_rate: int | None = None,
        input_format: Any = None,
    ) -> RecognitionResult:
        """Recognize up to 60 s of audio with the short-audio REST API."""
        opts = _short_options(language, format, profanity, endpoint_id)
        from ..audio import open_pcm_stream

        collector = ShortAudioCollector(_FORMAT, SHORT_AUDIO_LIMIT_SECONDS)
        stream = open_pcm_stream(
            audio, target=_FORMAT, sample_rate=sample_rate, chunk_ms=1000,
            input_format=input_format,
        )  # fmt: skip
        for chunk in stream:
            collector.add(chunk)
        pcm = collector.finish()
        req = short_audio_request(
            self._client._config.endpoints, opts, _FORMAT, pcm, is_async=False
        )
        response = self._client._http.send(req)
        return parse_short_audio(
            loads_json(response.content, limits=self._client._config.limits, what="short audio")
        )

    def transcribe(
        self,
        audio: Any = None,
        *,
        locales: Sequence[str] | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: str | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        audio_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        extra_definition: Mapping[str, Any] | None = None,
    ) -> TranscriptionResult:
        """Fast transcription of a file (streamed from disk) or of ``audio_url``."""
        definition, part = _fast_parts(
            audio, locales, diarization, channels, profanity, phrases, phrase_weight,
            audio_url, max_upload_bytes, extra_definition,
        )  # fmt: skip
        req = transcribe_request(self._client._config.endpoints, definition, part, api_version)
        try:
            response = self._client._http.send(req)
        finally:
            if part is not None:
                part.close()
        return parse_transcription(
            loads_json(
                response.content, limits=self._client._config.limits, what="fast transcription"
            )
        )

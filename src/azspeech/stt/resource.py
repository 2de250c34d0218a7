"""``client.stt``: real-time recognition, short-audio REST and fast transcription.

:class:`AsyncSpeechToText` and :class:`SpeechToText` (the blocking client's
resource) share every step but the I/O: the flat keywords become validated
option values once (:mod:`._keywords`), and the module helpers below build
the sessions and requests both twins use. The blocking twin runs WebSocket
sessions on the async implementation through the client's portal, and REST
over the blocking HTTP transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._protocol.framing import loads_json
from .._protocol.stt import AudioFormat
from .._transport.http import HttpRequest
from ..errors import CanceledError
from ..models.stt import (
    NoMatch,
    RecognitionResult,
    RecognitionStatus,
    Recognized,
    TranscriptionResult,
)
from ..options import (
    FastProfanity,
    FastTranscriptionOptions,
    LanguageIdentification,
    Mode,
    OutputOptions,
    Profanity,
    PronunciationAssessment,
    RecognitionOptions,
    Reliability,
    SilenceTimeouts,
)
from ..options._base import choice
from . import _keywords
from .blocking_session import RecognitionSession
from .fast import (
    DEFAULT_API_VERSION,
    MAX_UPLOAD_BYTES,
    FastTranscriptionRequest,
    audio_part,
    parse_transcription,
    transcribe_request,
)
from .session import AsyncRecognitionSession
from .short_audio import (
    SHORT_AUDIO_LIMIT_SECONDS,
    ShortAudioCollector,
    parse_short_audio,
    short_audio_request,
)

if TYPE_CHECKING:  # pragma: no cover
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio import AudioInput, PcmFormat

__all__ = ["AsyncSpeechToText", "SpeechToText"]

_FORMAT = AudioFormat()

ResultFormat = Literal["simple", "detailed"]


# -- what both twins build ------------------------------------------------------------------------


@dataclass(frozen=True)
class _SessionPlan:
    """A recognition session, resolved and validated, ready to open on an async client."""

    options: RecognitionOptions
    reliability: Reliability
    audio_format: AudioFormat
    callbacks: dict[str, Callable[[Any], object]]

    @classmethod
    def resolve(
        cls,
        shortcuts: Mapping[str, Any],
        groups: Mapping[str, Any],
        given: Mapping[str, Any],
    ) -> _SessionPlan:
        _keywords.check_names("connect", given, session=True)
        options = _keywords.recognition(
            default_mode="conversation", shortcuts=shortcuts, given=given, **groups
        )
        rate = shortcuts["sample_rate"]
        return cls(
            options,
            _keywords.reliability(shortcuts["reliability"], given),
            AudioFormat(sample_rate=rate) if rate != _FORMAT.sample_rate else _FORMAT,
            _keywords.callbacks(given),
        )

    def session(self, client: AsyncSpeechClient) -> AsyncRecognitionSession:
        rel = self.reliability
        # The session helper's `reliability=` takes these six in one value.
        return AsyncRecognitionSession(
            client,
            self.options,
            audio_format=self.audio_format,
            chunk_ms=rel.chunk_ms,
            max_reconnects=rel.max_reconnects,
            replay_buffer_seconds=rel.replay_buffer_seconds,
            window_wait=rel.window_wait,
            end_timeout=rel.end_timeout,
            max_connection_age=rel.max_connection_age,
            callbacks=dict(self.callbacks),
        )


def _once_options(
    shortcuts: Mapping[str, Any], groups: Mapping[str, Any], given: Mapping[str, Any]
) -> RecognitionOptions:
    _keywords.check_names("recognize_once", given, session=False)
    # Interactive unless diarization asks for conversation mode; no partials by default.
    shortcuts = dict(shortcuts)
    if shortcuts.get("interim_results") is None and groups.get("options") is None:
        shortcuts["interim_results"] = False
    return _keywords.recognition(
        default_mode="interactive", shortcuts=shortcuts, given=given, **groups
    )


def _short_options(
    language: str,
    format: ResultFormat,
    profanity: Profanity | None,
    endpoint_id: str | None,
    pronunciation: PronunciationAssessment | None,
) -> RecognitionOptions:
    detailed = choice("format", format, ("simple", "detailed")) == "detailed"
    opts = RecognitionOptions(
        language=language,
        output=OutputOptions(detailed=detailed, profanity=profanity),
        endpoint_id=endpoint_id,
        pronunciation=pronunciation,
    )
    opts.headers()  # refuses what the REST API cannot take, before the audio is read
    return opts


def _fast_request(
    client: AsyncSpeechClient | SpeechClient,
    audio: AudioInput | None,
    audio_url: str | None,
    options: FastTranscriptionOptions,
    api_version: str,
    max_upload_bytes: int | None,
) -> tuple[HttpRequest, FastTranscriptionRequest | None]:
    from ..errors import InvalidRequestError

    if audio is None and audio_url is None:
        raise InvalidRequestError("transcribe() needs audio (a path, bytes...) or audio_url=...")
    if audio is not None and audio_url is not None:
        raise InvalidRequestError("pass either audio or audio_url, not both")
    definition = options.definition(audio_url)
    part = audio_part(audio, max_bytes=max_upload_bytes) if audio is not None else None
    return transcribe_request(client._config.endpoints, definition, part, api_version), part


def _fast_options(
    options: FastTranscriptionOptions | None, flat: Mapping[str, Any]
) -> FastTranscriptionOptions:
    from ..errors import InvalidRequestError

    changes = {k: v for k, v in flat.items() if v is not None}
    if "candidate_languages" in changes:
        if "locales" in changes:
            raise InvalidRequestError("pass either locales or candidate_languages, not both")
        changes["locales"] = changes.pop("candidate_languages")
    base = options or FastTranscriptionOptions()
    if not changes:
        return base
    import dataclasses

    return dataclasses.replace(base, **changes)


def _deprecated_stream() -> None:
    warnings.warn(
        "client.stt.stream() is now client.stt.connect() (same arguments); "
        "stream() will be removed in a later release",
        DeprecationWarning,
        stacklevel=3,
    )


def _pcm(audio: AudioInput, sample_rate: int | None, input_format: PcmFormat | None) -> Any:
    """The short-audio input as 16 kHz mono PCM (a stream that iterates sync and async)."""
    from ..audio import open_pcm_stream

    return open_pcm_stream(
        audio, target=_FORMAT, sample_rate=sample_rate, chunk_ms=1000, input_format=input_format
    )


def _short_result(client: AsyncSpeechClient | SpeechClient, response: Any) -> RecognitionResult:
    limits = client._config.limits
    return parse_short_audio(loads_json(response.content, limits=limits, what="short audio"))


def _fast_result(client: AsyncSpeechClient | SpeechClient, response: Any) -> TranscriptionResult:
    limits = client._config.limits
    return parse_transcription(
        loads_json(response.content, limits=limits, what="fast transcription")
    )


@contextlib.contextmanager
def _closing(part: FastTranscriptionRequest | None) -> Iterator[None]:
    try:
        yield
    finally:
        if part is not None:
            part.close()


class AsyncSpeechToText:
    """Speech to text on the async client (``client.stt``)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    # -- real time ----------------------------------------------------------------------------

    def connect(
        self,
        *,
        language: str | None = None,
        mode: Mode | None = None,
        interim_results: bool | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        detailed: bool | None = None,
        options: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        pronunciation: PronunciationAssessment | None = None,
        reliability: Reliability | None = None,
        sample_rate: int = 16000,
        **kwargs: Unpack[_keywords.SessionKeywords],
    ) -> AsyncRecognitionSession:
        """A continuous recognition session (``async with client.stt.connect() as session``).

        Args:
            language: the recognition language (default ``"en-US"``).
            mode: ``"conversation"`` (default), ``"interactive"`` or ``"dictation"``.
            interim_results: send partial results (default True).
            candidate_languages: identify the language among these locales
                (``language_id=`` for the mode and priority).
            phrases: a phrase list (a list of strings) that biases recognition.
            detailed: detailed results (``NBest``, confidence).
            options: all recognition options in one value; the flat keywords
                above override its settings.
            silence, output, language_id, pronunciation: the option groups
                (:mod:`azspeech.options`).
            reliability: reconnects, replay buffer, chunk size, watchdogs.
            sample_rate: the rate of the raw 16-bit mono PCM given to ``send``
                (``send_file`` converts anything).
            **kwargs: the older per-option keywords (``word_timings=``,
                ``initial_silence_timeout=``, ``max_reconnects=``...; see
                :class:`~azspeech.stt._keywords.SessionKeywords`) and one
                callback per event type (``on_recognized=cb``...).

        Bad options raise :class:`~azspeech.errors.InvalidRequestError` here.
        """
        return _SessionPlan.resolve(
            dict(language=language, mode=mode, interim_results=interim_results,
                 candidate_languages=candidate_languages, phrases=phrases, detailed=detailed,
                 reliability=reliability, sample_rate=sample_rate),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        ).session(self._client)  # fmt: skip

    def stream(self, **kwargs: Any) -> AsyncRecognitionSession:
        """Deprecated: :meth:`connect` (the same arguments)."""
        _deprecated_stream()
        return self.connect(**kwargs)

    async def recognize_once(
        self,
        audio: AudioInput,
        *,
        language: str | None = None,
        mode: Mode | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        detailed: bool | None = None,
        options: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        pronunciation: PronunciationAssessment | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        **kwargs: Unpack[_keywords.OptionKeywords],
    ) -> RecognitionResult:
        """Recognize the first utterance of *audio* (any audio input) over the WebSocket.

        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            language: the recognition language (default ``"en-US"``).
            mode: ``"interactive"`` (default; ``"conversation"`` with diarization).
            candidate_languages: identify the language among these locales.
            phrases: a phrase list (a list of strings) that biases recognition.
            detailed: detailed results (``NBest``, confidence).
            options: all recognition options in one value (its mode applies);
                the flat keywords above override its settings.
            silence, output, language_id, pronunciation: the option groups
                (:mod:`azspeech.options`).
            sample_rate: the rate of raw PCM *audio* (files say their own).
            input_format: the format of raw PCM *audio*, if not 16-bit mono.
            **kwargs: the older per-option keywords (``word_timings=``,
                ``initial_silence_timeout=``...; see
                :class:`~azspeech.stt._keywords.OptionKeywords`).

        Returns the first final result: ``status`` Success with ``text``, or a
        no-match status (NoMatch, InitialSilenceTimeout...). A service error
        raises :class:`~azspeech.errors.CanceledError`; bad options raise
        :class:`~azspeech.errors.InvalidRequestError` before anything is sent.
        """
        opts = _once_options(
            dict(language=language, mode=mode, candidate_languages=candidate_languages,
                 phrases=phrases, detailed=detailed),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        )  # fmt: skip
        session = AsyncRecognitionSession(self._client, opts, single_turn=True)
        await session.start()
        feeder_error: list[BaseException] = []

        async def feed() -> None:
            try:
                await session.send_file(
                    audio, realtime=False, close=True, sample_rate=sample_rate,
                    input_format=input_format,
                )  # fmt: skip
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # surface decoding errors to the caller
                feeder_error.append(exc)
                await session.abort()

        feeder = asyncio.create_task(feed())
        try:
            async for event in session:
                if isinstance(event, (Recognized, NoMatch)):
                    return event.result
            if feeder_error:
                raise feeder_error[0]
            return RecognitionResult(status=RecognitionStatus.NO_MATCH)
        except CanceledError:
            if feeder_error:
                raise feeder_error[0] from None
            raise
        finally:
            if not feeder.done():
                feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feeder
            await session.abort()

    # -- short audio REST -----------------------------------------------------------------------

    async def recognize_short(
        self,
        audio: AudioInput,
        *,
        language: str = "en-US",
        format: ResultFormat = "simple",
        profanity: Profanity | None = None,
        endpoint_id: str | None = None,
        pronunciation: PronunciationAssessment | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> RecognitionResult:
        """Recognize up to 60 s of audio with the short-audio REST API (no WebSocket).

        Args:
            audio: any audio input (decoded and resampled to 16 kHz mono).
            language: the recognition language.
            format: ``"simple"`` or ``"detailed"`` results.
            profanity: ``"masked"`` (service default), ``"removed"`` or ``"raw"``.
            endpoint_id: a Custom Speech endpoint id.
            pronunciation: pronunciation assessment (needs ``reference_text``
                here; the scores come flattened into the detailed result).
            sample_rate, input_format: the format of raw PCM *audio*.
        """
        opts = _short_options(language, format, profanity, endpoint_id, pronunciation)
        collector = ShortAudioCollector(_FORMAT, SHORT_AUDIO_LIMIT_SECONDS)
        async for chunk in _pcm(audio, sample_rate, input_format):
            collector.add(chunk)
        req = short_audio_request(
            self._client._config.endpoints, opts, _FORMAT, collector.finish(), is_async=True
        )
        return _short_result(self._client, await self._client._http.send(req))

    # -- fast transcription -----------------------------------------------------------------------

    async def transcribe(
        self,
        audio: AudioInput | None = None,
        *,
        locales: Sequence[str] | None = None,
        candidate_languages: Sequence[str] | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        options: FastTranscriptionOptions | None = None,
        audio_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        extra_definition: Mapping[str, Any] | None = None,
    ) -> TranscriptionResult:
        """Fast transcription of a file (streamed from disk) or of ``audio_url``.

        Args:
            audio: a path, bytes, a binary file or any other audio input.
            locales: the candidate locales (``candidate_languages`` is the same,
                named as in real-time recognition).
            diarization: True, or the maximum number of speakers (2 to 35).
            channels: ``[0]``, ``[1]`` or ``[0, 1]``.
            profanity: ``"none"``/``"raw"``, ``"masked"``, ``"removed"`` or ``"tags"``.
            phrases, phrase_weight: a phrase list (a list of strings) and its weight.
            options: all of the above in one value; the flat keywords override it.
            audio_url: transcribe a remote file instead of *audio*.
            api_version: the REST API version.
            max_upload_bytes: refuse bigger uploads before sending (None: no limit).
            extra_definition: more ``definition`` members.
        """
        fast = _fast_options(options, dict(
            locales=locales, candidate_languages=candidate_languages, diarization=diarization,
            channels=channels, profanity=profanity, phrases=phrases, phrase_weight=phrase_weight,
            extra_definition=extra_definition,
        ))  # fmt: skip
        req, part = _fast_request(
            self._client, audio, audio_url, fast, api_version, max_upload_bytes
        )
        with _closing(part):
            response = await self._client._http.send(req)
        return _fast_result(self._client, response)


class SpeechToText:
    """Speech to text on the blocking client (``client.stt``); the async one's API, blocking."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    # -- real time ----------------------------------------------------------------------------

    def connect(
        self,
        *,
        language: str | None = None,
        mode: Mode | None = None,
        interim_results: bool | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        detailed: bool | None = None,
        options: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        pronunciation: PronunciationAssessment | None = None,
        reliability: Reliability | None = None,
        sample_rate: int = 16000,
        **kwargs: Unpack[_keywords.SessionKeywords],
    ) -> RecognitionSession:
        """A continuous recognition session (``with client.stt.connect() as session``).

        Args:
            language: the recognition language (default ``"en-US"``).
            mode: ``"conversation"`` (default), ``"interactive"`` or ``"dictation"``.
            interim_results: send partial results (default True).
            candidate_languages: identify the language among these locales
                (``language_id=`` for the mode and priority).
            phrases: a phrase list (a list of strings) that biases recognition.
            detailed: detailed results (``NBest``, confidence).
            options: all recognition options in one value; the flat keywords
                above override its settings.
            silence, output, language_id, pronunciation: the option groups
                (:mod:`azspeech.options`).
            reliability: reconnects, replay buffer, chunk size, watchdogs.
            sample_rate: the rate of the raw 16-bit mono PCM given to ``send``
                (``send_file`` converts anything).
            **kwargs: the older per-option keywords (``word_timings=``,
                ``initial_silence_timeout=``, ``max_reconnects=``...; see
                :class:`~azspeech.stt._keywords.SessionKeywords`) and one
                callback per event type (``on_recognized=cb``...).

        The session is the async one run on the client's background loop;
        callbacks run on that loop's thread. Send first (``send``/``send_file``),
        then iterate; or iterate in one thread while another sends. Bad options
        raise :class:`~azspeech.errors.InvalidRequestError` here.
        """
        plan = _SessionPlan.resolve(
            dict(language=language, mode=mode, interim_results=interim_results,
                 candidate_languages=candidate_languages, phrases=phrases, detailed=detailed,
                 reliability=reliability, sample_rate=sample_rate),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        )  # fmt: skip
        return RecognitionSession(self._client, plan.session)

    def stream(self, **kwargs: Any) -> RecognitionSession:
        """Deprecated: :meth:`connect` (the same arguments)."""
        _deprecated_stream()
        return self.connect(**kwargs)

    def recognize_once(
        self,
        audio: AudioInput,
        *,
        language: str | None = None,
        mode: Mode | None = None,
        candidate_languages: Sequence[str] | None = None,
        phrases: Sequence[str] | None = None,
        detailed: bool | None = None,
        options: RecognitionOptions | None = None,
        silence: SilenceTimeouts | None = None,
        output: OutputOptions | None = None,
        language_id: LanguageIdentification | None = None,
        pronunciation: PronunciationAssessment | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        **kwargs: Unpack[_keywords.OptionKeywords],
    ) -> RecognitionResult:
        """Recognize the first utterance of *audio* (any audio input) over the WebSocket.

        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            language: the recognition language (default ``"en-US"``).
            mode: ``"interactive"`` (default; ``"conversation"`` with diarization).
            candidate_languages: identify the language among these locales.
            phrases: a phrase list (a list of strings) that biases recognition.
            detailed: detailed results (``NBest``, confidence).
            options: all recognition options in one value (its mode applies);
                the flat keywords above override its settings.
            silence, output, language_id, pronunciation: the option groups
                (:mod:`azspeech.options`).
            sample_rate: the rate of raw PCM *audio* (files say their own).
            input_format: the format of raw PCM *audio*, if not 16-bit mono.
            **kwargs: the older per-option keywords (``word_timings=``,
                ``initial_silence_timeout=``...; see
                :class:`~azspeech.stt._keywords.OptionKeywords`).

        Returns the first final result: ``status`` Success with ``text``, or a
        no-match status (NoMatch, InitialSilenceTimeout...). A service error
        raises :class:`~azspeech.errors.CanceledError`; bad options raise
        :class:`~azspeech.errors.InvalidRequestError` before anything is sent.
        """
        opts = _once_options(
            dict(language=language, mode=mode, candidate_languages=candidate_languages,
                 phrases=phrases, detailed=detailed),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        )  # fmt: skip
        return self._client._run(
            lambda aclient: aclient.stt.recognize_once(
                audio, options=opts, sample_rate=sample_rate, input_format=input_format
            )
        )

    # -- short audio REST -----------------------------------------------------------------------

    def recognize_short(
        self,
        audio: AudioInput,
        *,
        language: str = "en-US",
        format: ResultFormat = "simple",
        profanity: Profanity | None = None,
        endpoint_id: str | None = None,
        pronunciation: PronunciationAssessment | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> RecognitionResult:
        """Recognize up to 60 s of audio with the short-audio REST API (no WebSocket).

        Args:
            audio: any audio input (decoded and resampled to 16 kHz mono).
            language: the recognition language.
            format: ``"simple"`` or ``"detailed"`` results.
            profanity: ``"masked"`` (service default), ``"removed"`` or ``"raw"``.
            endpoint_id: a Custom Speech endpoint id.
            pronunciation: pronunciation assessment (needs ``reference_text``
                here; the scores come flattened into the detailed result).
            sample_rate, input_format: the format of raw PCM *audio*.
        """
        opts = _short_options(language, format, profanity, endpoint_id, pronunciation)
        collector = ShortAudioCollector(_FORMAT, SHORT_AUDIO_LIMIT_SECONDS)
        for chunk in _pcm(audio, sample_rate, input_format):
            collector.add(chunk)
        req = short_audio_request(
            self._client._config.endpoints, opts, _FORMAT, collector.finish(), is_async=False
        )
        return _short_result(self._client, self._client._http.send(req))

    # -- fast transcription -----------------------------------------------------------------------

    def transcribe(
        self,
        audio: AudioInput | None = None,
        *,
        locales: Sequence[str] | None = None,
        candidate_languages: Sequence[str] | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        phrases: Sequence[str] | None = None,
        phrase_weight: float | None = None,
        options: FastTranscriptionOptions | None = None,
        audio_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        extra_definition: Mapping[str, Any] | None = None,
    ) -> TranscriptionResult:
        """Fast transcription of a file (streamed from disk) or of ``audio_url``.

        Args:
            audio: a path, bytes, a binary file or any other audio input.
            locales: the candidate locales (``candidate_languages`` is the same,
                named as in real-time recognition).
            diarization: True, or the maximum number of speakers (2 to 35).
            channels: ``[0]``, ``[1]`` or ``[0, 1]``.
            profanity: ``"none"``/``"raw"``, ``"masked"``, ``"removed"`` or ``"tags"``.
            phrases, phrase_weight: a phrase list (a list of strings) and its weight.
            options: all of the above in one value; the flat keywords override it.
            audio_url: transcribe a remote file instead of *audio*.
            api_version: the REST API version.
            max_upload_bytes: refuse bigger uploads before sending (None: no limit).
            extra_definition: more ``definition`` members.
        """
        fast = _fast_options(options, dict(
            locales=locales, candidate_languages=candidate_languages, diarization=diarization,
            channels=channels, profanity=profanity, phrases=phrases, phrase_weight=phrase_weight,
            extra_definition=extra_definition,
        ))  # fmt: skip
        req, part = _fast_request(
            self._client, audio, audio_url, fast, api_version, max_upload_bytes
        )
        with _closing(part):
            response = self._client._http.send(req)
        return _fast_result(self._client, response)

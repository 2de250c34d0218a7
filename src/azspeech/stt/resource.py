"""``client.stt``: real-time recognition, short-audio REST and fast transcription.

:class:`AsyncSpeechToText` and :class:`SpeechToText` (the blocking client's
resource) share every step but the I/O: the flat keywords become validated
option values once (:mod:`._keywords`), and :mod:`._build` makes the
sessions and requests both twins use. The blocking twin runs WebSocket
sessions on the async implementation through the client's portal, and REST
over the blocking HTTP transport.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._resource import AsyncAPIResource, SyncAPIResource
from ..models.stt import (
    RecognitionResult,
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
from . import _build, _keywords
from .blocking_session import RecognitionSession
from .fast import DEFAULT_API_VERSION, MAX_UPLOAD_BYTES, parse_transcription
from .session import AsyncRecognitionSession, recognize_once
from .short_audio import parse_short_audio
from .upload_progress import UploadProgressCallback

if TYPE_CHECKING:  # pragma: no cover
    from typing_extensions import Unpack

    from .._resource import BodyOptions, RequestOptions
    from ..audio import AudioInput, PcmFormat
    from ..batch.upload import ProgressCallback
    from .many import FileTranscription

__all__ = ["AsyncSpeechToText", "SpeechToText"]

ResultFormat = Literal["simple", "detailed"]


class AsyncSpeechToText(AsyncAPIResource):
    """Speech to text on the async client (``client.stt``)."""

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
        return _build.SessionPlan.resolve(
            dict(language=language, mode=mode, interim_results=interim_results,
                 candidate_languages=candidate_languages, phrases=phrases, detailed=detailed,
                 reliability=reliability, sample_rate=sample_rate),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        ).session(self._client)  # fmt: skip

    stream = _build.deprecated_alias(connect)

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
        opts = _build.once_options(
            dict(language=language, mode=mode, candidate_languages=candidate_languages,
                 phrases=phrases, detailed=detailed),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        )  # fmt: skip
        return await recognize_once(
            self._client, opts, audio, sample_rate=sample_rate, input_format=input_format
        )

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
        **request_options: Unpack[RequestOptions],
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
            **request_options: ``timeout=``, ``extra_headers=``, ``extra_query=``
                for this call (:class:`~azspeech._resource.RequestOptions`).

        The result's ``request_id`` is the service's id of the request.
        """
        upload = _build.ShortUpload(
            self._endpoints, language, format, profanity, endpoint_id, pronunciation
        )
        async for chunk in _build.pcm_input(audio, sample_rate, input_format):
            upload.add(chunk)
        return await self._request(
            upload.request(is_async=True), parse_short_audio, request_options
        )

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
        on_progress: UploadProgressCallback | None = None,
        **request_options: Unpack[BodyOptions],
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
            on_progress: called with an :class:`~azspeech.stt.UploadProgress`
                (bytes sent of the total) each time the next 64 KiB of the audio
                goes out, from the thread doing the upload (the event loop's for
                the async client): keep it quick. A retry starts again from 0.
            **request_options: ``timeout=``, ``extra_headers=``, ``extra_query=``
                for this call, and ``extra_body=``, merged into the ``definition``
                JSON key by key (:class:`~azspeech._resource.BodyOptions`).

        The result's ``request_id`` is the service's id of the request.
        """
        fast = _build.fast_options(options, dict(
            locales=locales, candidate_languages=candidate_languages, diarization=diarization,
            channels=channels, profanity=profanity, phrases=phrases, phrase_weight=phrase_weight,
            extra_definition=extra_definition,
        ))  # fmt: skip
        req, part = _build.fast_request(
            self._client, audio, audio_url, fast, api_version, max_upload_bytes,
            request_options.pop("extra_body", None), on_progress,
        )  # fmt: skip
        with _build.closing(part):
            return await self._request(req, parse_transcription, request_options)

    # -- many files -----------------------------------------------------------------------------

    async def transcribe_many(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        concurrency: int = 4,
        on_progress: ProgressCallback | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        manifest: str | os.PathLike[str] | None = None,
        run_id: str | None = None,
        max_rate_limit_waits: int = 20,
        **options: Any,
    ) -> list[FileTranscription]:
        """Fast transcription of many files, *concurrency* at a time, resumable.

        Each result is written to *output_dir* as it finishes and recorded
        in the *manifest* (give the same path again to resume after a crash:
        finished files are not sent again). A 429 pauses every worker for the
        service's ``Retry-After``. ``**options`` are :meth:`transcribe`'s
        keywords. See :func:`azspeech.stt.many.transcribe_many`.
        """
        from .many import transcribe_many

        return await transcribe_many(
            self._client, paths, concurrency=concurrency, on_progress=on_progress,
            output_dir=output_dir, manifest=manifest, run_id=run_id,
            max_rate_limit_waits=max_rate_limit_waits, **options,
        )  # fmt: skip


class SpeechToText(SyncAPIResource):
    """Speech to text on the blocking client (``client.stt``); the async one's API, blocking."""

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
        plan = _build.SessionPlan.resolve(
            dict(language=language, mode=mode, interim_results=interim_results,
                 candidate_languages=candidate_languages, phrases=phrases, detailed=detailed,
                 reliability=reliability, sample_rate=sample_rate),
            dict(options=options, silence=silence, output=output, language_id=language_id,
                 pronunciation=pronunciation),
            kwargs,
        )  # fmt: skip
        return RecognitionSession(self._client, plan.session)

    stream = _build.deprecated_alias(connect)

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
        opts = _build.once_options(
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
        **request_options: Unpack[RequestOptions],
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
            **request_options: ``timeout=``, ``extra_headers=``, ``extra_query=``
                for this call (:class:`~azspeech._resource.RequestOptions`).

        The result's ``request_id`` is the service's id of the request.
        """
        upload = _build.ShortUpload(
            self._endpoints, language, format, profanity, endpoint_id, pronunciation
        )
        for chunk in _build.pcm_input(audio, sample_rate, input_format):
            upload.add(chunk)
        return self._request(upload.request(is_async=False), parse_short_audio, request_options)

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
        on_progress: UploadProgressCallback | None = None,
        **request_options: Unpack[BodyOptions],
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
            on_progress: called with an :class:`~azspeech.stt.UploadProgress`
                (bytes sent of the total) each time the next 64 KiB of the audio
                goes out, from the thread doing the upload (the event loop's for
                the async client): keep it quick. A retry starts again from 0.
            **request_options: ``timeout=``, ``extra_headers=``, ``extra_query=``
                for this call, and ``extra_body=``, merged into the ``definition``
                JSON key by key (:class:`~azspeech._resource.BodyOptions`).

        The result's ``request_id`` is the service's id of the request.
        """
        fast = _build.fast_options(options, dict(
            locales=locales, candidate_languages=candidate_languages, diarization=diarization,
            channels=channels, profanity=profanity, phrases=phrases, phrase_weight=phrase_weight,
            extra_definition=extra_definition,
        ))  # fmt: skip
        req, part = _build.fast_request(
            self._client, audio, audio_url, fast, api_version, max_upload_bytes,
            request_options.pop("extra_body", None), on_progress,
        )  # fmt: skip
        with _build.closing(part):
            return self._request(req, parse_transcription, request_options)

    # -- many files -----------------------------------------------------------------------------

    def transcribe_many(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        concurrency: int = 4,
        on_progress: ProgressCallback | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        manifest: str | os.PathLike[str] | None = None,
        run_id: str | None = None,
        max_rate_limit_waits: int = 20,
        **options: Any,
    ) -> list[FileTranscription]:
        """Fast transcription of many files, *concurrency* at a time, resumable.

        The async implementation, run on the client's background loop
        (*on_progress* is called from that loop's thread). See
        :meth:`AsyncSpeechToText.transcribe_many`.
        """
        from .many import transcribe_many

        return self._client._run(
            lambda aclient: transcribe_many(
                aclient, paths, concurrency=concurrency, on_progress=on_progress,
                output_dir=output_dir, manifest=manifest, run_id=run_id,
                max_rate_limit_waits=max_rate_limit_waits, **options,
            )
        )  # fmt: skip

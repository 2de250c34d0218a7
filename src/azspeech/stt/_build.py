"""What both ``client.stt`` twins build: sessions, option values and REST requests.

The resource methods (``stt/resource.py``) differ only in their I/O: each
resolves its arguments with these helpers, then sends (awaiting or not).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from .._protocol.stt import AudioFormat
from .._resource import merge_json
from .._transport.http import HttpRequest
from ..endpoints import Endpoints
from ..errors import InvalidRequestError
from ..options import (
    FastTranscriptionOptions,
    OutputOptions,
    Profanity,
    PronunciationAssessment,
    RecognitionOptions,
    Reliability,
)
from ..options._base import choice
from . import _keywords
from .fast import FastTranscriptionRequest, audio_part, transcribe_request
from .session import AsyncRecognitionSession
from .short_audio import SHORT_AUDIO_LIMIT_SECONDS, ShortAudioCollector, short_audio_request
from .upload_progress import UploadProgressCallback, with_upload_progress

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio import AudioInput, PcmFormat

__all__ = [
    "FORMAT",
    "SessionPlan",
    "ShortUpload",
    "closing",
    "deprecated_alias",
    "fast_options",
    "fast_request",
    "once_options",
    "pcm_input",
    "short_options",
]

P = ParamSpec("P")
R = TypeVar("R")

#: The format of short-audio uploads and the default of sessions (16 kHz, 16-bit mono).
FORMAT = AudioFormat()


@dataclass(frozen=True)
class SessionPlan:
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
    ) -> SessionPlan:
        """Resolve ``connect()``'s arguments: flat *shortcuts*, option *groups*, old keywords."""
        _keywords.check_names("connect", given, session=True)
        options = _keywords.recognition(
            default_mode="conversation", shortcuts=shortcuts, given=given, **groups
        )
        rate = shortcuts["sample_rate"]
        if isinstance(rate, bool) or not isinstance(rate, int) or not 8000 <= rate <= 192_000:
            raise InvalidRequestError(
                f"sample_rate must be an int in Hz (8000 to 192000), got {rate!r}"
            )
        return cls(
            options,
            _keywords.reliability(shortcuts["reliability"], given),
            AudioFormat(sample_rate=rate) if rate != FORMAT.sample_rate else FORMAT,
            _keywords.callbacks(given),
        )

    def session(self, client: AsyncSpeechClient) -> AsyncRecognitionSession:
        """A new session on *client* (the async client, or the blocking client's twin)."""
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


def once_options(
    shortcuts: Mapping[str, Any], groups: Mapping[str, Any], given: Mapping[str, Any]
) -> RecognitionOptions:
    """Resolve ``recognize_once()``'s arguments into its recognition options."""
    _keywords.check_names("recognize_once", given, session=False)
    # Interactive unless diarization asks for conversation mode; no partials by default.
    shortcuts = dict(shortcuts)
    if shortcuts.get("interim_results") is None and groups.get("options") is None:
        shortcuts["interim_results"] = False
    return _keywords.recognition(
        default_mode="interactive", shortcuts=shortcuts, given=given, **groups
    )


def short_options(
    language: str,
    format: str,
    profanity: Profanity | None,
    endpoint_id: str | None,
    pronunciation: PronunciationAssessment | None,
) -> RecognitionOptions:
    """The options of a short-audio request (its REST headers checked now)."""
    detailed = choice("format", format, ("simple", "detailed")) == "detailed"
    opts = RecognitionOptions(
        language=language,
        output=OutputOptions(detailed=detailed, profanity=profanity),
        endpoint_id=endpoint_id,
        pronunciation=pronunciation,
    )
    opts.headers()  # refuses what the REST API cannot take, before the audio is read
    return opts


class ShortUpload:
    """A short-audio request in the making: options checked first, then the PCM collected."""

    def __init__(
        self,
        endpoints: Endpoints,
        language: str,
        format: str,
        profanity: Profanity | None,
        endpoint_id: str | None,
        pronunciation: PronunciationAssessment | None,
    ) -> None:
        self.options = short_options(language, format, profanity, endpoint_id, pronunciation)
        self._endpoints = endpoints
        self._collector = ShortAudioCollector(FORMAT, SHORT_AUDIO_LIMIT_SECONDS)

    def add(self, chunk: bytes) -> None:
        """Keep *chunk* (an AudioError once the clip is over the limit)."""
        self._collector.add(chunk)

    def request(self, *, is_async: bool) -> HttpRequest:
        """The POST of the collected audio (an AudioError if there is none)."""
        pcm = self._collector.finish()
        return short_audio_request(self._endpoints, self.options, FORMAT, pcm, is_async=is_async)


def fast_request(
    client: AsyncSpeechClient | SpeechClient,
    audio: AudioInput | None,
    audio_url: str | None,
    options: FastTranscriptionOptions,
    api_version: str,
    max_upload_bytes: int | None,
    extra_body: Mapping[str, Any] | None = None,
    on_progress: UploadProgressCallback | None = None,
) -> tuple[HttpRequest, FastTranscriptionRequest | None]:
    """The fast-transcription request and its audio part (which the caller closes).

    *extra_body* (the per-call ``extra_body=``) is merged into the
    ``definition``, the request's JSON part, nested objects key by key.
    *on_progress* follows the upload of the audio part.
    """
    if audio is None and audio_url is None:
        raise InvalidRequestError("transcribe() needs audio (a path, bytes...) or audio_url=...")
    if audio is not None and audio_url is not None:
        raise InvalidRequestError("pass either audio or audio_url, not both")
    if max_upload_bytes is not None and (
        isinstance(max_upload_bytes, bool)
        or not isinstance(max_upload_bytes, int)
        or max_upload_bytes <= 0
    ):
        raise InvalidRequestError(
            f"max_upload_bytes must be a positive int or None, got {max_upload_bytes!r}"
        )
    if not isinstance(api_version, str) or not api_version.strip():
        raise InvalidRequestError(f"api_version must be a non-empty string, got {api_version!r}")
    definition = options.definition(audio_url)
    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise InvalidRequestError(
                f"extra_body must be a mapping (JSON object), got {type(extra_body).__name__}"
            )
        definition = merge_json(definition, extra_body)
    part = audio_part(audio, max_bytes=max_upload_bytes) if audio is not None else None
    part = with_upload_progress(part, on_progress)
    return transcribe_request(client._config.endpoints, definition, part, api_version), part


def fast_options(
    options: FastTranscriptionOptions | None, flat: Mapping[str, Any]
) -> FastTranscriptionOptions:
    """*options* (or the defaults) with the flat keywords of ``transcribe()`` applied."""
    changes = {k: v for k, v in flat.items() if v is not None}
    if "candidate_languages" in changes:
        if "locales" in changes:
            raise InvalidRequestError("pass either locales or candidate_languages, not both")
        changes["locales"] = changes.pop("candidate_languages")
    base = options or FastTranscriptionOptions()
    if not changes:
        return base
    return dataclasses.replace(base, **changes)


def deprecated_alias(connect: Callable[P, R]) -> Callable[P, R]:
    """``stt.stream``: ``connect`` under its old name, with a :class:`DeprecationWarning`."""

    @functools.wraps(connect)
    def stream(*args: P.args, **kwargs: P.kwargs) -> R:
        warnings.warn(
            "client.stt.stream() is now client.stt.connect() (same arguments); "
            "stream() will be removed in a later release",
            DeprecationWarning,
            stacklevel=2,
        )
        return connect(*args, **kwargs)

    stream.__name__ = stream.__qualname__ = "stream"
    stream.__doc__ = "Deprecated: the old name of :meth:`connect` (the same arguments)."
    return stream


def pcm_input(audio: AudioInput, sample_rate: int | None, input_format: PcmFormat | None) -> Any:
    """The short-audio input as 16 kHz mono PCM (a stream that iterates sync and async)."""
    from ..audio import open_pcm_stream

    return open_pcm_stream(
        audio, target=FORMAT, sample_rate=sample_rate, chunk_ms=1000, input_format=input_format
    )


@contextlib.contextmanager
def closing(part: FastTranscriptionRequest | None) -> Iterator[None]:
    """Close the files an upload opened, however the request ends."""
    try:
        yield
    finally:
        if part is not None:
            part.close()

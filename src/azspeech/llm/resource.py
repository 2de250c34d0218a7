"""``client.llm``: transcribe and translate with LLM speech (the fast-transcription endpoint).

The request is fast transcription's (multipart ``audio`` + ``definition``,
the audio streamed from disk and reopened for a retry); the definition gets
``enhancedMode`` {``enabled``, ``task``, ``targetLanguage``, ``prompt``,
``model``, ``modelOptions``} and the options LLM speech combines with
(diarization, channels, profanity). Everything is checked before sending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._resource import AsyncAPIResource, SyncAPIResource
from ..errors import InvalidRequestError
from ..models.llm import EnhancedMode
from ..models.stt import TranscriptionResult
from ..options.fast import FastProfanity, FastTranscriptionOptions
from ..stt import _build
from ..stt.fast import DEFAULT_API_VERSION, MAX_UPLOAD_BYTES, parse_transcription
from ..stt.upload_progress import UploadProgressCallback

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import RequestOptions
    from .._transport.http import HttpRequest
    from ..audio import AudioInput
    from ..stt.fast import FastTranscriptionRequest

__all__ = ["MAX_PROMPT_CHARS", "AsyncLlmSpeech", "LlmSpeech", "enhanced_mode"]

#: The documented limit of the prompts, all together.
MAX_PROMPT_CHARS = 4096
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def enhanced_mode(
    task: str,
    *,
    target_language: str | None = None,
    prompt: str | Sequence[str] | None = None,
    model: str | None = None,
    timestamps: str | None = None,
    style: str | None = None,
) -> EnhancedMode:
    """The checked ``enhancedMode`` of a request (``.to_wire()`` gives its JSON).

    *task*: ``"transcribe"`` or ``"translate"`` (which needs *target_language*,
    such as ``"de"``); *prompt*: one or more instructions (4,096 characters
    in all); *model* and its options: *timestamps* ``"word"``, ``"segment"``
    or ``"none"``, *style* ``"verbatim"`` or ``"clean"``.
    """
    if task not in ("transcribe", "translate"):
        raise InvalidRequestError(f"task must be 'transcribe' or 'translate', got {task!r}")
    if task == "translate":
        if not isinstance(target_language, str) or not _LANGUAGE.match(target_language):
            raise InvalidRequestError(
                f"target_language must be a language code such as 'de', got {target_language!r}"
            )
    elif target_language is not None:
        raise InvalidRequestError("target_language applies to task='translate' only")
    prompts = [prompt] if isinstance(prompt, str) else list(prompt or [])
    if not all(isinstance(p, str) and p.strip() for p in prompts):
        raise InvalidRequestError("prompt must be a non-empty string or a list of them")
    if sum(len(p) for p in prompts) > MAX_PROMPT_CHARS:
        raise InvalidRequestError(f"prompt: at most {MAX_PROMPT_CHARS} characters in all")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidRequestError(f"model must be a non-empty string, got {model!r}")
    if timestamps is not None and timestamps not in ("word", "segment", "none"):
        raise InvalidRequestError(
            f"timestamps must be 'word', 'segment' or 'none', got {timestamps!r}"
        )
    if style is not None and style not in ("verbatim", "clean"):
        raise InvalidRequestError(f"style must be 'verbatim' or 'clean', got {style!r}")
    wire: dict[str, Any] = {"task": task, "prompt": prompts}
    for key, value in (("targetLanguage", target_language), ("model", model)):
        if value is not None:
            wire[key] = value
    if timestamps is not None or style is not None:
        wire["modelOptions"] = {
            k: v for k, v in (("timestamps", timestamps), ("transcribeStyle", style)) if v
        }
    return EnhancedMode.model_validate(wire)


def _prepare(
    client: SpeechClient | AsyncSpeechClient,
    mode: EnhancedMode,
    audio: AudioInput | None,
    audio_url: str | None,
    diarization: bool | int | None,
    channels: Sequence[int] | None,
    profanity: FastProfanity | None,
    api_version: str,
    max_upload_bytes: int | None,
    on_progress: UploadProgressCallback | None = None,
) -> tuple[HttpRequest, FastTranscriptionRequest | None]:
    if mode.task == "translate" and diarization not in (None, False):
        raise InvalidRequestError("diarization is not supported with task='translate'")
    fast = FastTranscriptionOptions(
        diarization=diarization, channels=channels, profanity=profanity,
        extra_definition={"enhancedMode": mode.to_wire()},
    )  # fmt: skip
    req, part = _build.fast_request(
        client, audio, audio_url, fast, api_version, max_upload_bytes, on_progress=on_progress
    )
    req.what = "LLM speech"
    return req, part


class LlmSpeech(SyncAPIResource):
    """LLM speech on the blocking client (``client.llm``)."""

    def transcribe(
        self,
        audio: AudioInput | None = None,
        *,
        audio_url: str | None = None,
        prompt: str | Sequence[str] | None = None,
        model: str | None = None,
        timestamps: str | None = None,
        style: str | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        on_progress: UploadProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResult:
        """Transcribe *audio* (a path, bytes, a file...) or *audio_url*; the language is detected.

        *prompt* guides the model; *model*, *timestamps* and *style* pick the
        model and its options; *diarization*, *channels* and *profanity* as in
        ``client.stt.transcribe``. *on_progress* is called with an
        :class:`~azspeech.stt.UploadProgress` (bytes sent of the total) each time
        the next 64 KiB of the audio goes out, from the thread doing the upload
        (the event loop's for the async client): keep it quick. A retry starts
        again from 0.
        """
        mode = enhanced_mode("transcribe", prompt=prompt, model=model, timestamps=timestamps,
                             style=style)  # fmt: skip
        return self._send_mode(mode, audio, audio_url, diarization, channels, profanity,
                               api_version, max_upload_bytes, options,
                                     on_progress)  # fmt: skip

    def translate(
        self,
        audio: AudioInput | None = None,
        *,
        target_language: str,
        audio_url: str | None = None,
        prompt: str | Sequence[str] | None = None,
        model: str | None = None,
        timestamps: str | None = None,
        style: str | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        on_progress: UploadProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResult:
        """Translate the speech of *audio* into *target_language* (``"de"``, ``"ja"``...).

        The phrases are in the target language; words carry no timings.
        *on_progress* follows the upload as in :meth:`transcribe`.
        """
        mode = enhanced_mode("translate", target_language=target_language, prompt=prompt,
                             model=model, timestamps=timestamps, style=style)  # fmt: skip
        return self._send_mode(mode, audio, audio_url, None, channels, profanity, api_version,
                               max_upload_bytes, options, on_progress)  # fmt: skip

    def _send_mode(
        self, mode: EnhancedMode, audio: Any, audio_url: str | None, diarization: Any,
        channels: Any, profanity: Any, api_version: str, max_upload_bytes: int | None,
        options: RequestOptions, on_progress: UploadProgressCallback | None = None,
    ) -> TranscriptionResult:  # fmt: skip
        req, part = _prepare(self._client, mode, audio, audio_url, diarization, channels,
                             profanity, api_version, max_upload_bytes, on_progress)  # fmt: skip
        with _build.closing(part):
            return self._request(req, parse_transcription, options)


class AsyncLlmSpeech(AsyncAPIResource):
    """LLM speech on the async client (``client.llm``); see :class:`LlmSpeech`."""

    async def transcribe(
        self,
        audio: AudioInput | None = None,
        *,
        audio_url: str | None = None,
        prompt: str | Sequence[str] | None = None,
        model: str | None = None,
        timestamps: str | None = None,
        style: str | None = None,
        diarization: bool | int | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        on_progress: UploadProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResult:
        """Transcribe *audio* or *audio_url* (see :meth:`LlmSpeech.transcribe`)."""
        mode = enhanced_mode("transcribe", prompt=prompt, model=model, timestamps=timestamps,
                             style=style)  # fmt: skip
        return await self._send_mode(mode, audio, audio_url, diarization, channels, profanity,
                                     api_version, max_upload_bytes, options,
                                     on_progress)  # fmt: skip

    async def translate(
        self,
        audio: AudioInput | None = None,
        *,
        target_language: str,
        audio_url: str | None = None,
        prompt: str | Sequence[str] | None = None,
        model: str | None = None,
        timestamps: str | None = None,
        style: str | None = None,
        channels: Sequence[int] | None = None,
        profanity: FastProfanity | None = None,
        api_version: str = DEFAULT_API_VERSION,
        max_upload_bytes: int | None = MAX_UPLOAD_BYTES,
        on_progress: UploadProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> TranscriptionResult:
        """Translate the speech of *audio* (see :meth:`LlmSpeech.translate`)."""
        mode = enhanced_mode("translate", target_language=target_language, prompt=prompt,
                             model=model, timestamps=timestamps, style=style)  # fmt: skip
        return await self._send_mode(mode, audio, audio_url, None, channels, profanity,
                                     api_version, max_upload_bytes, options,
                                     on_progress)  # fmt: skip

    async def _send_mode(
        self, mode: EnhancedMode, audio: Any, audio_url: str | None, diarization: Any,
        channels: Any, profanity: Any, api_version: str, max_upload_bytes: int | None,
        options: RequestOptions, on_progress: UploadProgressCallback | None = None,
    ) -> TranscriptionResult:  # fmt: skip
        req, part = _prepare(self._client, mode, audio, audio_url, diarization, channels,
                             profanity, api_version, max_upload_bytes, on_progress)  # fmt: skip
        with _build.closing(part):
            return await self._request(req, parse_transcription, options)

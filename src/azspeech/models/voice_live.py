"""Voice Live: the session configuration and the typed server events.

The configuration models serialise to the service's snake_case JSON
(:meth:`SessionConfig.to_wire`) and check, before anything is sent, what the
API reference makes knowable (temperature range, token limit, audio formats
and rates, VAD kinds per model). Server events are parsed by
:mod:`azspeech._protocol.realtime`; an event type this library does not know
arrives as a plain :class:`ServerEvent` with its JSON in :attr:`ServerEvent.raw`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from pydantic import Field, PrivateAttr

from ..audio.formats import PcmFormat
from ..audio.output import Audio
from ..errors import InvalidRequestError
from ._base import Model
from .voice_live_avatar import AvatarConfig, CheckedModel

__all__ = [
    "OPENAI_VOICES",
    "AvatarConfig",
    "AzureCustomVoice",
    "AzurePersonalVoice",
    "AzureRealtimeNativeVoice",
    "AzureSemanticVad",
    "AzureVoice",
    "Canceled",
    "Closed",
    "ConversationItemCreated",
    "EndOfUtteranceDetection",
    "ErrorDetail",
    "ErrorEvent",
    "FunctionCall",
    "FunctionCallArgumentsDelta",
    "FunctionTool",
    "InputAudioCommitted",
    "InputTranscription",
    "OpenAIVoice",
    "RateLimit",
    "RateLimitsUpdated",
    "ResponseAudioDelta",
    "ResponseAudioDone",
    "ResponseCreated",
    "ResponseDone",
    "ResponseTextDelta",
    "ResponseTextDone",
    "ResponseTranscriptDelta",
    "ResponseTranscriptDone",
    "ResponseVideoDelta",
    "SemanticVad",
    "ServerEvent",
    "ServerVad",
    "SessionConfig",
    "SessionCreated",
    "SessionUpdated",
    "SpeechStarted",
    "SpeechStopped",
    "ToolCompleted",
    "ToolFailed",
    "TranscriptionCompleted",
    "TranscriptionDelta",
    "TranscriptionFailed",
    "Voice",
]

#: The OpenAI voice names (``{"type": "openai"}``); any other name is an Azure voice.
OPENAI_VOICES = frozenset(
    {"alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"}
)
_INPUT_FORMATS = {"pcm16": (16000, 24000), "g711_ulaw": (8000,), "g711_alaw": (8000,)}
_OUTPUT_FORMATS = ("pcm16", "pcm16_8000hz", "pcm16_16000hz", "g711_ulaw", "g711_alaw")
_NOISE_REDUCTION = {"azure_deep_noise_suppression": False, "near_field": True, "far_field": True}
_ECHO_CANCELLATION = ("server_echo_cancellation",)
_OPENAI_TRANSCRIBERS = frozenset(
    {"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-transcribe-diarize"}
)


class _Wire(Model):
    def to_wire(self) -> dict[str, Any]:
        """The JSON object the service expects (unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# -- voices ------------------------------------------------------------------------------------


class AzureVoice(_Wire):
    """A standard Azure neural voice (``en-US-AvaMultilingualNeural``...)."""

    type: Literal["azure-standard"] = "azure-standard"
    name: str
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    locale: str | None = None
    style: str | None = None
    pitch: str | None = None
    rate: str | None = None
    volume: str | None = None
    prefer_locales: list[str] | None = None
    custom_lexicon_url: str | None = None


class AzureCustomVoice(_Wire):
    """A custom (professional) voice deployed at *endpoint_id*."""

    type: Literal["azure-custom"] = "azure-custom"
    name: str
    endpoint_id: str
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)


class AzurePersonalVoice(_Wire):
    """A personal voice (speaker profile *name*) rendered by a base *model*."""

    type: Literal["azure-personal"] = "azure-personal"
    name: str
    model: str = "DragonLatestNeural"


class OpenAIVoice(_Wire):
    """One of the model's built-in voices (:data:`OPENAI_VOICES`)."""

    type: Literal["openai"] = "openai"
    name: str


class AzureRealtimeNativeVoice(_Wire):
    """A voice of the ``azure-realtime`` model itself (``name="ava"``...; 2026-01-01-preview on)."""

    type: Literal["azure-realtime-native"] = "azure-realtime-native"
    name: str


Voice = AzureVoice | AzureCustomVoice | AzurePersonalVoice | OpenAIVoice | AzureRealtimeNativeVoice
_VOICE_CLASSES = (
    AzureVoice,
    AzureCustomVoice,
    AzurePersonalVoice,
    OpenAIVoice,
    AzureRealtimeNativeVoice,
)


def parse_voice(value: str | Voice | dict[str, Any]) -> Voice:
    """A voice from a name (OpenAI names -> :class:`OpenAIVoice`, others Azure) or an object."""
    if isinstance(value, _VOICE_CLASSES):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise InvalidRequestError("voice must not be empty")
        return OpenAIVoice(name=value) if value in OPENAI_VOICES else AzureVoice(name=value)
    if isinstance(value, dict):
        kinds: dict[str, type[Voice]] = {
            "azure-standard": AzureVoice,
            "azure-custom": AzureCustomVoice,
            "azure-personal": AzurePersonalVoice,
            "openai": OpenAIVoice,
            "azure-realtime-native": AzureRealtimeNativeVoice,
        }
        kind = kinds.get(str(value.get("type")))
        if kind is None:
            raise InvalidRequestError(
                f"unknown voice type {value.get('type')!r}; expected one of {', '.join(kinds)}"
            )
        return kind.model_validate(value)
    raise InvalidRequestError(f"voice must be a name or a voice object, not {type(value).__name__}")


# -- turn detection ----------------------------------------------------------------------------


class EndOfUtteranceDetection(_Wire):
    """Semantic end-of-utterance detection on top of a VAD."""

    model: Literal["semantic_detection_v1", "semantic_detection_v1_multilingual"] = (
        "semantic_detection_v1"
    )
    threshold_level: Literal["low", "medium", "high", "default"] | None = None
    timeout_ms: int | None = Field(default=None, gt=0)


class _Vad(_Wire):
    threshold: float | None = Field(default=None, ge=0.01, lt=1.0)
    prefix_padding_ms: int | None = Field(default=None, ge=0)
    silence_duration_ms: int | None = Field(default=None, ge=0)
    speech_duration_ms: int | None = Field(default=None, ge=0)
    end_of_utterance_detection: EndOfUtteranceDetection | None = None
    create_response: bool | None = None
    interrupt_response: bool | None = None
    auto_truncate: bool | None = None


class ServerVad(_Vad):
    """Energy-based voice activity detection by the service."""

    type: Literal["server_vad"] = "server_vad"


class AzureSemanticVad(_Vad):
    """Azure semantic VAD (``type="azure_semantic_vad_multilingual"`` for many languages)."""

    type: Literal["azure_semantic_vad", "azure_semantic_vad_multilingual"] = "azure_semantic_vad"
    remove_filler_words: bool | None = None
    languages: list[str] | None = None


class SemanticVad(_Wire):
    """OpenAI semantic VAD (gpt-realtime models only)."""

    type: Literal["semantic_vad"] = "semantic_vad"
    eagerness: Literal["auto", "low", "medium", "high"] | None = None
    create_response: bool | None = None
    interrupt_response: bool | None = None


class InputTranscription(_Wire):
    """Transcription of the user's audio (``azure-speech``, ``whisper-1``...)."""

    model: str = "azure-speech"
    language: str | None = None
    phrase_list: list[str] | None = None
    prompt: str | None = None


class FunctionTool(_Wire):
    """A function the model may call: name, description and JSON-schema parameters."""

    type: Literal["function"] = "function"
    name: str
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class SessionConfig(_Wire, CheckedModel):
    """Everything ``session.update`` can set; checked before it is sent.

    ``noise_suppression=True`` and ``echo_cancellation=True`` are shortcuts
    for the Azure deep noise suppression and server echo cancellation objects.
    """

    model: str | None = Field(default=None, exclude=True)  # sent in the URL, kept for checks
    modalities: list[Literal["text", "audio", "animation", "avatar"]] | None = None
    instructions: str | None = None
    voice: Voice | None = None
    input_audio_format: str | None = None
    input_audio_sampling_rate: int | None = None
    output_audio_format: str | None = None
    input_audio_noise_reduction: dict[str, Any] | None = None
    input_audio_echo_cancellation: dict[str, Any] | None = None
    input_audio_transcription: InputTranscription | None = None
    turn_detection: ServerVad | AzureSemanticVad | SemanticVad | None = None
    manual_turns: bool = Field(default=False, exclude=True)
    tools: list[FunctionTool | dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    temperature: float | None = None
    max_response_output_tokens: int | Literal["inf"] | None = None
    avatar: AvatarConfig | None = None
    output_audio_timestamp_types: list[str] | None = None
    _invalid: ClassVar[str] = "invalid Voice Live session"

    def _problems(self) -> Any:
        if self.temperature is not None and not 0.6 <= self.temperature <= 1.2:
            yield f"temperature must be between 0.6 and 1.2, got {self.temperature}"
        tokens = self.max_response_output_tokens
        if isinstance(tokens, int) and not 1 <= tokens <= 4096:
            yield f"max_response_output_tokens must be 1 to 4096 or 'inf', got {tokens}"
        if self.modalities is not None and set(self.modalities) == {"audio"}:
            yield "modalities cannot be audio only; use ['text', 'audio']"
        fmt = self.input_audio_format or "pcm16"
        if fmt not in _INPUT_FORMATS:
            yield f"input_audio_format must be one of {', '.join(_INPUT_FORMATS)}, not {fmt!r}"
        elif (
            self.input_audio_sampling_rate is not None
            and self.input_audio_sampling_rate not in _INPUT_FORMATS[fmt]
        ):
            rates = " or ".join(str(r) for r in _INPUT_FORMATS[fmt])
            yield f"{fmt} input is sampled at {rates} Hz, not {self.input_audio_sampling_rate}"
        out = self.output_audio_format
        if out is not None and out not in _OUTPUT_FORMATS:
            yield f"output_audio_format must be one of {', '.join(_OUTPUT_FORMATS)}, not {out!r}"
        realtime = self.model is None or self.model.startswith("gpt-realtime")
        if isinstance(self.turn_detection, SemanticVad) and not realtime:
            yield f"semantic_vad needs a gpt-realtime model, not {self.model!r}"
        if isinstance(self.voice, AzureRealtimeNativeVoice) and self.model not in (
            None,
            "azure-realtime",
        ):
            yield f"azure-realtime-native voices need the azure-realtime model, not {self.model!r}"
        yield from self._audio_processing_problems(realtime)
        tx = self.input_audio_transcription
        if tx is not None and tx.phrase_list and tx.model != "azure-speech":
            yield f"phrase_list applies to the azure-speech transcription model, not {tx.model!r}"
        if tx is not None and self.model is not None:
            if tx.model in _OPENAI_TRANSCRIBERS and not realtime:
                yield f"transcription model {tx.model!r} needs a gpt-realtime model"
            if tx.model == "azure-speech" and tx.prompt is not None:
                yield "prompt applies to OpenAI transcription models, not azure-speech"

    def _audio_processing_problems(self, realtime: bool) -> Any:
        noise = self.input_audio_noise_reduction
        if noise is not None:
            kind = noise.get("type")
            if kind not in _NOISE_REDUCTION:
                known = ", ".join(_NOISE_REDUCTION)
                yield f"input_audio_noise_reduction type must be one of {known}, not {kind!r}"
            elif _NOISE_REDUCTION[kind] and not realtime:
                yield f"{kind} noise reduction needs a gpt-realtime model, not {self.model!r}"
        echo = self.input_audio_echo_cancellation
        if echo is not None and echo.get("type") not in _ECHO_CANCELLATION:
            yield (
                "input_audio_echo_cancellation type must be server_echo_cancellation, "
                f"not {echo.get('type')!r}"
            )

    @property
    def input_rate(self) -> int:
        """The sample rate of the audio the session expects."""
        fmt = self.input_audio_format or "pcm16"
        return self.input_audio_sampling_rate or (8000 if fmt != "pcm16" else 24000)

    def to_wire(self) -> dict[str, Any]:
        """The ``session`` object of ``session.update``."""
        out = super().to_wire()
        if self.manual_turns:
            out["turn_detection"] = None
        out.pop("manual_turns", None)
        return out


# -- server events -----------------------------------------------------------------------------


class ServerEvent(Model):
    """A server event; the base of the typed ones, and itself the event of unknown types."""

    type: str
    event_id: str | None = None
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        """The event's JSON as received (audio deltas still base64)."""
        return self._raw


class ErrorDetail(Model):
    """What went wrong: ``type``, ``code``, ``message``, ``param``, the client ``event_id``."""

    type: str | None = None
    code: str | None = None
    message: str = ""
    param: str | None = None
    event_id: str | None = None


class ErrorEvent(ServerEvent):
    """``error``: the service refused a client event; the session stays open."""

    error: ErrorDetail


class SessionCreated(ServerEvent):
    """``session.created``: the session's defaults."""

    session: dict[str, Any] = Field(default_factory=dict)


class SessionUpdated(ServerEvent):
    """``session.updated``: the effective settings after ``session.update``."""

    session: dict[str, Any] = Field(default_factory=dict)


class SpeechStarted(ServerEvent):
    """``input_audio_buffer.speech_started``: the user began speaking (barge-in point)."""

    audio_start_ms: int = 0
    item_id: str | None = None


class SpeechStopped(ServerEvent):
    """``input_audio_buffer.speech_stopped``."""

    audio_end_ms: int = 0
    item_id: str | None = None


class InputAudioCommitted(ServerEvent):
    """``input_audio_buffer.committed``: the buffer became a user item."""

    item_id: str | None = None
    previous_item_id: str | None = None


class ConversationItemCreated(ServerEvent):
    """``conversation.item.created``."""

    item: dict[str, Any] = Field(default_factory=dict)
    previous_item_id: str | None = None


class TranscriptionDelta(ServerEvent):
    """``conversation.item.input_audio_transcription.delta``: interim user text."""

    item_id: str | None = None
    content_index: int = 0
    delta: str = ""


class TranscriptionCompleted(ServerEvent):
    """``conversation.item.input_audio_transcription.completed``: what the user said."""

    item_id: str | None = None
    content_index: int = 0
    transcript: str = ""


class TranscriptionFailed(ServerEvent):
    """``conversation.item.input_audio_transcription.failed``."""

    item_id: str | None = None
    error: ErrorDetail | None = None


class _Response(ServerEvent):
    response: dict[str, Any] = Field(default_factory=dict)

    @property
    def response_id(self) -> str | None:
        """The response's id."""
        value = self.response.get("id")
        return value if isinstance(value, str) else None


class ResponseCreated(_Response):
    """``response.created``."""


class ResponseDone(_Response):
    """``response.done``: ``status`` is completed, cancelled, incomplete or failed."""

    @property
    def status(self) -> str | None:
        """The response's final status."""
        value = self.response.get("status")
        return value if isinstance(value, str) else None


class _Part(ServerEvent):
    response_id: str | None = None
    item_id: str | None = None
    output_index: int = 0
    content_index: int = 0


class ResponseTextDelta(_Part):
    """``response.text.delta``."""

    delta: str = ""


class ResponseTextDone(_Part):
    """``response.text.done``."""

    text: str = ""


class ResponseTranscriptDelta(_Part):
    """``response.audio_transcript.delta``: the text of the agent's audio, as it comes."""

    delta: str = ""


class ResponseTranscriptDone(_Part):
    """``response.audio_transcript.done``."""

    transcript: str = ""


class ResponseAudioDelta(_Part):
    """``response.audio.delta``: a chunk of the agent's audio, decoded (``.audio.samples``)."""

    audio: Audio

    @property
    def samples(self) -> Any:
        """The chunk as float32 numpy samples."""
        return self.audio.samples


def audio_chunk(pcm: bytes, format: PcmFormat) -> Audio:
    """An agent audio chunk as :class:`~azspeech.audio.Audio` (raw PCM in *format*)."""
    return Audio.from_pcm(pcm, format)


class ResponseVideoDelta(ServerEvent):
    """``response.video.delta``: a chunk of the avatar's video, decoded (``output_protocol``
    ``"websocket"``): fragmented MP4 bytes, H.264 + AAC; the chunks in order form a file."""

    output_index: int = 0
    codec: str = ""
    """As sent (``"h264"``); an unknown codec is passed through."""
    data: bytes = Field(default=b"", repr=False)
    """The chunk's bytes (``.raw["delta"]`` keeps the base64)."""


class ResponseAudioDone(_Part):
    """``response.audio.done``."""


class FunctionCallArgumentsDelta(_Part):
    """``response.function_call_arguments.delta``."""

    call_id: str | None = None
    delta: str = ""


class FunctionCall(_Part):
    """``response.function_call_arguments.done``: a call with its arguments assembled."""

    call_id: str = ""
    name: str | None = None
    arguments: str = "{}"

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict (the model sends a JSON string)."""
        value = json.loads(self.arguments or "{}")
        if not isinstance(value, dict):
            raise InvalidRequestError(f"function arguments are not a JSON object: {value!r}")
        return value


class RateLimit(Model):
    """One limit of ``rate_limits.updated``."""

    name: str = ""
    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class RateLimitsUpdated(ServerEvent):
    """``rate_limits.updated``."""

    rate_limits: list[RateLimit] = Field(default_factory=list)


class Closed(ServerEvent):
    """The session ended (client-side event, always the last one)."""

    type: str = "closed"


class Canceled(ServerEvent):
    """The session failed (client-side event); the error is raised after it."""

    type: str = "canceled"
    exception: Any = None
    """The error that ended the session."""


class ToolCompleted(ServerEvent):
    """A registered tool returned (client-side event); its output was sent to the service."""

    type: str = "tool_completed"
    call_id: str = ""
    name: str | None = None
    output: str = ""
    """The output sent as ``function_call_output`` (JSON unless the tool returned a string)."""


class ToolFailed(ServerEvent):
    """A registered tool raised (client-side event); ``{"error": message}`` was sent instead.

    The session goes on: the model hears of the failure and can tell the user.
    """

    type: str = "tool_failed"
    call_id: str = ""
    name: str | None = None
    message: str = ""
    """``"ExceptionType: text"``, as sent to the service."""
    exception: Any = None
    """The exception the tool raised."""

"""Voice Live's realtime protocol, sans I/O: client events out, typed server events in.

One JSON event per WebSocket text frame. :func:`client_event` builds the
frame of a client event; :class:`RealtimeDecoder` turns a received frame into
a typed :class:`~azspeech.models.voice_live.ServerEvent` (an unknown type is a
plain ``ServerEvent`` carrying its JSON, never an error), decodes audio deltas
into :class:`~azspeech.audio.Audio` chunks (built by the models) and video deltas
into bytes, and assembles function calls (name from ``response.output_item.added``,
arguments from the deltas).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..audio.formats import PcmFormat
from ..errors import ProtocolError
from ..models import voice_live as m
from .framing import new_request_id

__all__ = ["OUTPUT_FORMATS", "RealtimeDecoder", "audio_append", "client_event", "pcm_format_of"]

#: The PCM format of each ``output_audio_format``.
OUTPUT_FORMATS = {
    "pcm16": PcmFormat(24000),
    "pcm16_8000hz": PcmFormat(8000),
    "pcm16_16000hz": PcmFormat(16000),
    "g711_ulaw": PcmFormat(8000, 8, 1, 7),
    "g711_alaw": PcmFormat(8000, 8, 1, 6),
}

_TYPES: dict[str, type[m.ServerEvent]] = {
    "error": m.ErrorEvent,
    "session.created": m.SessionCreated,
    "session.updated": m.SessionUpdated,
    "input_audio_buffer.speech_started": m.SpeechStarted,
    "input_audio_buffer.speech_stopped": m.SpeechStopped,
    "input_audio_buffer.committed": m.InputAudioCommitted,
    "conversation.item.created": m.ConversationItemCreated,
    "conversation.item.input_audio_transcription.delta": m.TranscriptionDelta,
    "conversation.item.input_audio_transcription.completed": m.TranscriptionCompleted,
    "conversation.item.input_audio_transcription.failed": m.TranscriptionFailed,
    "response.created": m.ResponseCreated,
    "response.done": m.ResponseDone,
    "response.text.delta": m.ResponseTextDelta,
    "response.text.done": m.ResponseTextDone,
    "response.audio_transcript.delta": m.ResponseTranscriptDelta,
    "response.audio_transcript.done": m.ResponseTranscriptDone,
    "response.audio.done": m.ResponseAudioDone,
    "response.video.delta": m.ResponseVideoDelta,
    "response.function_call_arguments.delta": m.FunctionCallArgumentsDelta,
    "rate_limits.updated": m.RateLimitsUpdated,
}


def pcm_format_of(output_audio_format: str | None) -> PcmFormat:
    """The PCM format of a session's ``output_audio_format`` (default ``pcm16``, 24 kHz)."""
    return OUTPUT_FORMATS.get(output_audio_format or "pcm16", OUTPUT_FORMATS["pcm16"])


def client_event(event_type: str, **fields: Any) -> str:
    """The frame of one client event (``None`` fields are left out; ``event_id`` added)."""
    body: dict[str, Any] = {"type": event_type, "event_id": "evt_" + new_request_id()[:20]}
    body.update({k: v for k, v in fields.items() if v is not None})
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def audio_append(pcm: bytes) -> str:
    """The frame of ``input_audio_buffer.append`` for raw audio bytes."""
    return client_event("input_audio_buffer.append", audio=base64.b64encode(pcm).decode("ascii"))


class RealtimeDecoder:
    """Server frames in, typed events out; keeps what spans events (function names, arguments)."""

    def __init__(self, output_audio_format: str | None = None) -> None:
        self.audio_format = pcm_format_of(output_audio_format)
        self._names: dict[str, str] = {}
        self._args: dict[str, list[str]] = {}

    def decode(self, frame: str | bytes) -> m.ServerEvent:
        """One frame as its typed event.

        Raises:
            ProtocolError: the frame is not a JSON object with a ``type``.
        """
        try:
            data = json.loads(frame)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolError(f"Voice Live sent a frame that is not JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise ProtocolError("Voice Live sent an event without a type")
        event = self._typed(data)
        event._raw = data
        return event

    def _typed(self, data: dict[str, Any]) -> m.ServerEvent:
        kind = data["type"]
        if kind == "session.updated" or kind == "session.created":
            session = data.get("session")
            if isinstance(session, dict) and isinstance(session.get("output_audio_format"), str):
                self.audio_format = pcm_format_of(session["output_audio_format"])
        if kind == "response.output_item.added":
            item = data.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call":
                call_id, name = item.get("call_id"), item.get("name")
                if isinstance(call_id, str) and isinstance(name, str):
                    self._names[call_id] = name
        if kind == "response.audio.delta":
            fields = {k: v for k, v in data.items() if k != "delta"}
            try:
                pcm = base64.b64decode(str(data.get("delta", "")), validate=True)
            except (binascii.Error, ValueError):
                raise ProtocolError("Voice Live sent audio that is not base64") from None
            return m.ResponseAudioDelta.model_validate(
                {**fields, "audio": m.audio_chunk(pcm, self.audio_format)}
            )
        if kind == "response.video.delta":
            fields = {k: v for k, v in data.items() if k != "delta"}
            try:
                video = base64.b64decode(str(data.get("delta", "")), validate=True)
            except (binascii.Error, ValueError):
                raise ProtocolError(
                    "Voice Live sent a response.video.delta whose delta is not base64"
                ) from None
            data = {**fields, "data": video}
        if kind == "response.function_call_arguments.delta":
            call_id = str(data.get("call_id", ""))
            self._args.setdefault(call_id, []).append(str(data.get("delta", "")))
        if kind == "response.function_call_arguments.done":
            call_id = str(data.get("call_id", ""))
            parts = self._args.pop(call_id, [])
            arguments = data.get("arguments")
            if not isinstance(arguments, str):
                arguments = "".join(parts) or "{}"
            name = data.get("name") or self._names.pop(call_id, None)
            return m.FunctionCall.model_validate({**data, "arguments": arguments, "name": name})
        model = _TYPES.get(kind, m.ServerEvent)
        try:
            return model.model_validate(data)
        except ValueError:
            # A known type with unexpected fields: still delivered, untyped.
            return m.ServerEvent.model_validate({"type": kind, "event_id": data.get("event_id")})

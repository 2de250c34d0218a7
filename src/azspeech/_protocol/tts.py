"""Text to speech over the WebSocket, sans-I/O: the messages and the turn state machine.

Client side: :func:`speech_config_frame`, :func:`synthesis_context_frame`,
:func:`ssml_frame`, :func:`text_piece_frame`, :func:`text_end_frame` build the
frames; :class:`SynthesisTurn` consumes the service's messages of one request
and turns them into audio chunks and typed events. Service side (used by the
emulator): :func:`turn_start_frame`, :func:`response_frame`,
:func:`audio_frame`, :func:`metadata_frame`, :func:`turn_end_frame` and the
``*_entry`` helpers for ``audio.metadata`` bodies.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape as _xml_unescape

from .._version import __version__
from ..audio.formats import bytes_to_ticks
from ..errors import ProtocolError
from ..models.tts import (
    AudioChunk,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    SynthesisEvent,
    Viseme,
    WordBoundary,
)
from .framing import Message, encode_binary, encode_text, loads_json

__all__ = [
    "MetadataOptions",
    "SynthesisTurn",
    "TextLocator",
    "audio_frame",
    "bookmark_entry",
    "boundary_entry",
    "metadata_frame",
    "response_frame",
    "session_end_entry",
    "speech_config",
    "speech_config_frame",
    "ssml_frame",
    "synthesis_context",
    "synthesis_context_frame",
    "text_end_frame",
    "text_piece_frame",
    "turn_end_frame",
    "turn_start_frame",
    "unescape_xml",
    "viseme_entry",
]

_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def unescape_xml(text: str) -> str:
    """Resolve the five XML entities (word texts arrive escaped when SSML was sent)."""
    if "&" not in text:
        return text
    return _xml_unescape(text, _ENTITIES)


# -- client → service -------------------------------------------------------------------


@dataclass(frozen=True)
class MetadataOptions:
    """Which ``audio.metadata`` events to ask for."""

    word_boundary: bool = True
    punctuation_boundary: bool = True
    sentence_boundary: bool = False
    bookmarks: bool = True
    visemes: bool = False
    session_end: bool = True

    def to_json(self) -> dict[str, bool]:
        """The ``metadataOptions`` object (real booleans)."""
        return {
            "bookmarkEnabled": self.bookmarks,
            "punctuationBoundaryEnabled": self.punctuation_boundary,
            "sentenceBoundaryEnabled": self.sentence_boundary,
            "sessionEndEnabled": self.session_end,
            "visemeEnabled": self.visemes,
            "wordBoundaryEnabled": self.word_boundary,
        }


def speech_config() -> dict[str, Any]:
    """The body of ``speech.config`` for synthesis (client and OS description)."""
    return {
        "context": {
            "system": {
                "name": "azspeech",
                "version": __version__,
                "build": "Python",
                "lang": "Python",
            },
            "os": {
                "platform": platform.system() or "unknown",
                "name": platform.platform(terse=True) or "unknown",
                "version": platform.release() or "unknown",
            },
        }
    }


_SPEECH_CONFIG_BODY: dict[str, Any] | None = None


def speech_config_frame(request_id: str) -> str:
    """The ``speech.config`` frame, sent once per connection before its first request."""
    global _SPEECH_CONFIG_BODY
    if _SPEECH_CONFIG_BODY is None:
        _SPEECH_CONFIG_BODY = speech_config()
    return encode_text("speech.config", _SPEECH_CONFIG_BODY, request_id=request_id)


def synthesis_context(
    output_format: str,
    options: MetadataOptions,
    *,
    auto_detect_language: bool = False,
    streaming_input: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body of ``synthesis.context``; *output_format* is the *request* format
    (the ``raw-*`` twin for ``riff-*``). *streaming_input* adds ``synthesis.input``
    for text streaming on the v2 endpoint."""
    synthesis: dict[str, Any] = {
        "audio": {"metadataOptions": options.to_json(), "outputFormat": output_format},
        "language": {"autoDetection": auto_detect_language},
    }
    if streaming_input is not None:
        synthesis["input"] = {"bidirectionalStreamingMode": True, **streaming_input}
    return {"synthesis": synthesis}


def synthesis_context_frame(request_id: str, body: Mapping[str, Any]) -> str:
    """The ``synthesis.context`` frame, sent before every request."""
    return encode_text("synthesis.context", body, request_id=request_id)


def ssml_frame(request_id: str, ssml: str) -> str:
    """The ``ssml`` frame carrying the document."""
    return encode_text("ssml", ssml, request_id=request_id, content_type="application/ssml+xml")


def text_piece_frame(request_id: str, text: str) -> str:
    """A ``text.piece`` frame (text streaming, v2 endpoint)."""
    return encode_text("text.piece", text, request_id=request_id, content_type="text/plain")


def text_end_frame(request_id: str) -> str:
    """The ``text.end`` frame closing the text of a streaming request."""
    return encode_text("text.end", "", request_id=request_id, content_type="text/plain")


def synthesis_stop_frame(request_id: str) -> str:
    """A ``synthesis.control`` frame asking the service to stop speaking."""
    return encode_text("synthesis.control", {"action": "stop"}, request_id=request_id)


# -- text offsets ---------------------------------------------------------------------------


class TextLocator:
    """Finds where each reported word or sentence sits in the input text.

    The service names the word but not its position; like the official SDKs,
    search for it from the end of the previous hit, skipping matches inside
    XML tags, with separate cursors for words and sentences.
    """

    def __init__(self, text: str, *, is_ssml: bool) -> None:
        self.text = text
        self.is_ssml = is_ssml
        self._cursor = {"word": 0, "sentence": 0}

    def _inside_tag(self, index: int) -> bool:
        if not self.is_ssml:
            return False
        return self.text.rfind("<", 0, index) > self.text.rfind(">", 0, index)

    def find(self, raw: str, kind: str = "word") -> int | None:
        """Index of the next occurrence of *raw* (as the service sent it), or None."""
        if not raw:
            return None
        start = self._cursor[kind]
        needles = [raw, unescape_xml(raw)] if self.is_ssml else [unescape_xml(raw)]
        for needle in dict.fromkeys(needles):
            index = self.text.find(needle, start)
            while index != -1 and self._inside_tag(index):
                index = self.text.find(needle, index + 1)
            if index != -1:
                self._cursor[kind] = index + len(needle)
                return index
        return None


# -- service → client -------------------------------------------------------------------


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return default
    return default


def _truthy(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


class SynthesisTurn:
    """The client's view of one synthesis request: feed it messages, get events.

    Messages for other request ids are ignored (case-insensitive comparison),
    audio is accepted only from the stream the ``response`` message announced
    (any stream if no ``response`` came), empty audio frames are skipped, and
    viseme animation chunks are joined until an entry marks the last one (a
    missing ``IsLastAnimation`` counts as true). When ``turn.end`` arrives and
    the service sent no ``SessionEnd``, one is made from the audio received
    (its offset is 0 for compressed formats).

    Args:
        request_id: the request's ``X-RequestId``.
        text: the input as the user gave it (plain text or SSML), for text offsets.
        is_ssml: whether *text* is SSML.
        bytes_per_second: of the audio the service sends, for PCM-like formats
            (used for chunk offsets and the fallback SessionEnd).
    """

    def __init__(
        self,
        request_id: str,
        *,
        text: str = "",
        is_ssml: bool = False,
        bytes_per_second: int | None = None,
    ) -> None:
        self.request_id = request_id.lower()
        self.locator = TextLocator(text, is_ssml=is_ssml)
        self.bytes_per_second = bytes_per_second
        self.started = False
        self.done = False
        self.service_tag: str | None = None
        self.stream_id: str | None = None
        self.audio_bytes = 0
        self.audio_chunks = 0
        self.session_end: SessionEnd | None = None
        self._animation: list[str] = []

    def _offset_of_bytes(self, n: int) -> int:
        if not self.bytes_per_second:
            return 0
        return bytes_to_ticks(n, self.bytes_per_second)

    def feed(self, msg: Message) -> list[SynthesisEvent]:
        """Process one received message; return what it means for the user, in order."""
        rid = msg.request_id
        if rid is None or rid.lower() != self.request_id or self.done:
            return []
        path = msg.path.lower()
        if path == "audio":
            if not msg.binary or not msg.body:
                return []
            if self.stream_id is not None:
                sid = msg.header("X-StreamId")
                if sid is None or sid.lower() != self.stream_id:
                    return []
            chunk = AudioChunk(msg.body, self._offset_of_bytes(self.audio_bytes))
            self.audio_bytes += len(msg.body)
            self.audio_chunks += 1
            return [chunk]
        if path == "audio.metadata":
            return self._metadata(msg)
        if path == "turn.start":
            self.started = True
            body = _json_object(msg)
            ctx = body.get("context")
            if isinstance(ctx, Mapping) and isinstance(ctx.get("serviceTag"), str):
                self.service_tag = ctx["serviceTag"]
            return []
        if path == "response":
            body = _json_object(msg)
            audio = body.get("audio")
            if isinstance(audio, Mapping) and isinstance(audio.get("streamId"), str):
                self.stream_id = audio["streamId"].lower()
            return []
        if path == "turn.end":
            self.done = True
            if self.session_end is None:
                self.session_end = SessionEnd(self._offset_of_bytes(self.audio_bytes))
                return [self.session_end]
            return []
        return []

    def _metadata(self, msg: Message) -> list[SynthesisEvent]:
        body = _json_object(msg)
        entries = body.get("Metadata")
        if not isinstance(entries, list):
            return []
        events: list[SynthesisEvent] = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            kind = entry.get("Type")
            data = entry.get("Data")
            if not isinstance(data, Mapping):
                continue
            offset = _int(data.get("Offset"))
            if kind in ("WordBoundary", "SentenceBoundary"):
                info = data.get("text")
                info = info if isinstance(info, Mapping) else {}
                raw = info.get("Text")
                raw = raw if isinstance(raw, str) else ""
                boundary = info.get("BoundaryType") or kind
                duration = _int(data.get("Duration"))
                length = _int(info.get("Length"), len(raw))
                if boundary == "SentenceBoundary":
                    pos = self.locator.find(raw, "sentence")
                    events.append(
                        SentenceBoundary(offset, duration, unescape_xml(raw), length, pos)
                    )
                elif boundary == "PunctuationBoundary":
                    pos = self.locator.find(raw, "word")
                    events.append(
                        PunctuationBoundary(offset, duration, unescape_xml(raw), length, pos)
                    )
                else:
                    pos = self.locator.find(raw, "word")
                    events.append(WordBoundary(offset, duration, unescape_xml(raw), length, pos))
            elif kind == "Viseme":
                chunk = data.get("AnimationChunk")
                if isinstance(chunk, str) and chunk:
                    self._animation.append(chunk)
                if _truthy(data.get("IsLastAnimation"), True):
                    animation = "".join(self._animation) if self._animation else None
                    self._animation.clear()
                    events.append(Viseme(offset, _int(data.get("VisemeId")), animation))
            elif kind == "Bookmark":
                name = data.get("Bookmark")
                events.append(Bookmark(offset, name if isinstance(name, str) else ""))
            elif kind == "SessionEnd":
                self.session_end = SessionEnd(offset)
                events.append(self.session_end)
        return events


def _json_object(msg: Message) -> Mapping[str, Any]:
    if not msg.body:
        return {}
    try:
        value = loads_json(msg.body, what=msg.path)
    except ProtocolError:
        return {}
    return value if isinstance(value, Mapping) else {}


# -- service side (the emulator) -------------------------------------------------------------


def turn_start_frame(request_id: str, service_tag: str) -> str:
    """``turn.start`` as the service sends it."""
    return encode_text(
        "turn.start", {"context": {"serviceTag": service_tag}}, request_id=request_id
    )


def response_frame(request_id: str, service_tag: str, stream_id: str) -> str:
    """``response``, announcing the audio stream id."""
    body = {
        "context": {"serviceTag": service_tag},
        "audio": {"type": "inline", "streamId": stream_id},
    }
    return encode_text("response", body, request_id=request_id)


def audio_frame(
    request_id: str, stream_id: str, payload: bytes, content_type: str | None = None
) -> bytes:
    """A binary ``audio`` frame (an empty payload ends the stream)."""
    return encode_binary(
        "audio",
        payload,
        request_id=request_id,
        content_type=content_type if payload else None,
        headers={"X-StreamId": stream_id},
    )


def metadata_frame(request_id: str, entries: list[dict[str, Any]]) -> str:
    """An ``audio.metadata`` frame with *entries*."""
    return encode_text("audio.metadata", {"Metadata": entries}, request_id=request_id)


def turn_end_frame(request_id: str) -> str:
    """``turn.end``."""
    return encode_text("turn.end", "", request_id=request_id)


def boundary_entry(kind: str, offset: int, duration: int, text: str) -> dict[str, Any]:
    """A ``WordBoundary`` (kind ``WordBoundary``/``PunctuationBoundary``) or
    ``SentenceBoundary`` metadata entry."""
    outer = "SentenceBoundary" if kind == "SentenceBoundary" else "WordBoundary"
    return {
        "Type": outer,
        "Data": {
            "Offset": offset,
            "Duration": duration,
            "text": {"Text": text, "Length": len(text), "BoundaryType": kind},
        },
    }


def viseme_entry(
    offset: int, viseme_id: int, animation: str | None = None, is_last: bool | None = None
) -> dict[str, Any]:
    """A ``Viseme`` metadata entry."""
    data: dict[str, Any] = {"Offset": offset, "VisemeId": viseme_id}
    if animation is not None:
        data["AnimationChunk"] = animation
    if is_last is not None:
        data["IsLastAnimation"] = is_last
    return {"Type": "Viseme", "Data": data}


def bookmark_entry(offset: int, mark: str) -> dict[str, Any]:
    """A ``Bookmark`` metadata entry."""
    return {"Type": "Bookmark", "Data": {"Offset": offset, "Bookmark": mark}}


def session_end_entry(offset: int) -> dict[str, Any]:
    """A ``SessionEnd`` metadata entry (offset = total audio duration)."""
    return {"Type": "SessionEnd", "Data": {"Offset": offset}}

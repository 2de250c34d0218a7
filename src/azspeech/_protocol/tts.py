"""Text to speech over the WebSocket, sans-I/O: the client's messages and the turn state machine.

:func:`speech_config_frame`, :func:`synthesis_context_frame`,
:func:`ssml_frame`, :func:`text_piece_frame`, :func:`text_end_frame` build the
frames; :class:`SynthesisTurn` consumes the service's messages of one request
and turns them into audio chunks and typed events. The service's side of the
protocol lives with the emulator (``azspeech.emulator.tts_frames``), written
separately so that the two sides cannot share a mistake.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape as _xml_unescape

from ..audio.formats import bytes_to_ticks
from ..models.tts import (
    AudioChunk,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionStopped,
    SynthesisEvent,
    Viseme,
    WordBoundary,
)
from . import usp
from .framing import Message, encode_text

__all__ = [
    "MetadataOptions",
    "SynthesisTurn",
    "TextLocator",
    "speech_config",
    "speech_config_frame",
    "ssml_frame",
    "synthesis_context",
    "synthesis_context_frame",
    "synthesis_stop_frame",
    "text_end_frame",
    "text_piece_frame",
    "unescape_xml",
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
    """The body of ``speech.config`` for synthesis: the client identity, no audio source."""
    return usp.speech_config()


@functools.cache
def _speech_config_body() -> str:
    return json.dumps(speech_config(), separators=(",", ":"))


def _stamp(timestamp: str | None) -> dict[str, str] | None:
    return None if timestamp is None else {"X-Timestamp": timestamp}


def speech_config_frame(request_id: str, *, timestamp: str | None = None) -> str:
    """The ``speech.config`` frame, sent once per connection before its first request.

    *timestamp* is the ``X-Timestamp`` (from the I/O layer's clock).
    """
    return encode_text(
        "speech.config",
        _speech_config_body(),
        request_id=request_id,
        content_type="application/json",
        headers=_stamp(timestamp),
    )


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


def synthesis_context_frame(
    request_id: str, body: Mapping[str, Any], *, timestamp: str | None = None
) -> str:
    """The ``synthesis.context`` frame, sent before every request."""
    return encode_text("synthesis.context", body, request_id=request_id, headers=_stamp(timestamp))


def ssml_frame(request_id: str, ssml: str, *, timestamp: str | None = None) -> str:
    """The ``ssml`` frame carrying the document."""
    return encode_text(
        "ssml",
        ssml,
        request_id=request_id,
        content_type="application/ssml+xml",
        headers=_stamp(timestamp),
    )


def text_piece_frame(request_id: str, text: str, *, timestamp: str | None = None) -> str:
    """A ``text.piece`` frame (text streaming, v2 endpoint)."""
    return encode_text(
        "text.piece",
        text,
        request_id=request_id,
        content_type="text/plain",
        headers=_stamp(timestamp),
    )


def text_end_frame(request_id: str, *, timestamp: str | None = None) -> str:
    """The ``text.end`` frame closing the text of a streaming request."""
    return encode_text(
        "text.end", "", request_id=request_id, content_type="text/plain", headers=_stamp(timestamp)
    )


def synthesis_stop_frame(request_id: str, *, timestamp: str | None = None) -> str:
    """A ``synthesis.control`` frame asking the service to stop speaking."""
    return encode_text(
        "synthesis.control", {"action": "stop"}, request_id=request_id, headers=_stamp(timestamp)
    )


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
    """A lenient integer from metadata (a non-finite or malformed value is *default*)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return default
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else default
    if isinstance(value, int):
        return value
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
    the service sent no ``SessionEnd`` entry, a :class:`SessionStopped` is made
    from the audio received (its offset is 0 for compressed formats).

    Args:
        request_id: the request's ``X-RequestId``.
        text: the input as the user gave it (plain text or SSML), for text offsets.
        is_ssml: whether *text* is SSML.
        bytes_per_second: of the audio the service sends, for PCM-like formats
            (used for chunk offsets and the fallback SessionStopped).
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
        self.session_end: SessionStopped | None = None
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
            chunk = AudioChunk(msg.body, offset_ticks=self._offset_of_bytes(self.audio_bytes))
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
                self.session_end = SessionStopped(
                    offset_ticks=self._offset_of_bytes(self.audio_bytes)
                )
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
                cls: type[WordBoundary | PunctuationBoundary | SentenceBoundary]
                if boundary == "SentenceBoundary":
                    cls, pos = SentenceBoundary, self.locator.find(raw, "sentence")
                elif boundary == "PunctuationBoundary":
                    cls, pos = PunctuationBoundary, self.locator.find(raw, "word")
                else:
                    cls, pos = WordBoundary, self.locator.find(raw, "word")
                events.append(
                    cls(
                        offset_ticks=offset,
                        duration_ticks=duration,
                        text=unescape_xml(raw),
                        length=length,
                        text_offset=pos,
                    )
                )
            elif kind == "Viseme":
                chunk = data.get("AnimationChunk")
                if isinstance(chunk, str) and chunk:
                    self._animation.append(chunk)
                if _truthy(data.get("IsLastAnimation"), True):
                    animation = "".join(self._animation) if self._animation else None
                    self._animation.clear()
                    events.append(
                        Viseme(
                            offset_ticks=offset,
                            viseme_id=_int(data.get("VisemeId")),
                            animation=animation,
                        )
                    )
            elif kind == "Bookmark":
                name = data.get("Bookmark")
                events.append(
                    Bookmark(offset_ticks=offset, name=name if isinstance(name, str) else "")
                )
            elif kind == "SessionEnd":
                self.session_end = SessionStopped(offset_ticks=offset)
                events.append(self.session_end)
        return events


def _json_object(msg: Message) -> Mapping[str, Any]:
    value = msg.json_or_empty()
    return value if isinstance(value, Mapping) else {}

"""The text-to-speech messages as the service sends them (the emulator's side of the protocol).

Kept apart from the client's parser (:mod:`azspeech._protocol.tts`) on
purpose: a wrong field name here and the same mistake in the client would
agree with each other, so each side is written from the protocol, and the
interop tests (Microsoft's SDK against the emulator) referee.
"""

from __future__ import annotations

from typing import Any

from .._protocol.framing import encode_binary, encode_text

__all__ = [
    "audio_frame",
    "bookmark_entry",
    "boundary_entry",
    "metadata_frame",
    "response_frame",
    "session_end_entry",
    "turn_end_frame",
    "turn_start_frame",
    "viseme_entry",
]


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

"""The real-time avatar on the synthesis socket, sans-I/O.

The avatar rides on the ordinary text-to-speech WebSocket opened with
``enableTalkingAvatar=true``. Its configuration is fixed per connection: it
goes into ``speech.config`` under ``context.synthesis.video`` (the WebRTC
offer as base64 JSON, the ICE servers, the video format and the avatar). A
first synthesis request with an empty ``<voice>`` starts the avatar: the
service's ``turn.start`` carries the base64 JSON answer in
``webrtc.connectionString``. Later requests are plain synthesis requests whose
audio and video flow over WebRTC.

The same base64 JSON session descriptions travel in Voice Live's
``session.avatar.connect`` / ``session.avatar.connecting``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError, ProtocolError
from . import usp
from .framing import encode_text

__all__ = [
    "AVATAR_QUERY",
    "AVATAR_REQUEST_FORMAT",
    "avatar_speech_config",
    "avatar_speech_config_frame",
    "avatar_synthesis_context",
    "decode_description",
    "empty_ssml",
    "encode_description",
    "scene_control",
    "turn_start_answer",
]

#: The query parameter that makes a synthesis socket an avatar socket.
AVATAR_QUERY = "enableTalkingAvatar=true"

#: The output format sent in ``synthesis.context`` (the service checks it, then ignores it).
AVATAR_REQUEST_FORMAT = "raw-24khz-16bit-mono-pcm"


def encode_description(description: Mapping[str, Any] | str, kind: str = "offer") -> str:
    """Base64 of the JSON session description ``{"type": ..., "sdp": ...}``.

    *description* is a mapping with ``type`` and ``sdp`` (an
    ``RTCSessionDescription`` as a browser or aiortc gives it) or the SDP text
    alone (then of type *kind*).

    Raises:
        InvalidRequestError: no SDP text, or a description of another type.
    """
    if isinstance(description, str):
        value: dict[str, Any] = {"type": kind, "sdp": description}
    elif isinstance(description, Mapping):
        value = {"type": description.get("type", kind), "sdp": description.get("sdp")}
    else:
        raise InvalidRequestError(
            f"a session description is a dict with 'type' and 'sdp' or the SDP text, "
            f"not {type(description).__name__}"
        )
    if value["type"] != kind:
        raise InvalidRequestError(f"expected an SDP {kind}, got type {value['type']!r}")
    sdp = value["sdp"]
    if not isinstance(sdp, str) or not sdp.lstrip().startswith("v=0"):
        raise InvalidRequestError(f"the {kind} needs its SDP text (starting with 'v=0')")
    return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode_description(value: Any, kind: str = "answer") -> dict[str, str]:
    """The session description in a base64 JSON string, as ``{"type", "sdp"}``.

    Raises:
        ProtocolError: not base64 of a JSON object of type *kind* with its SDP.
    """
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"the service sent no SDP {kind}")
    try:
        decoded = json.loads(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        raise ProtocolError(f"the service's SDP {kind} is not base64 JSON") from None
    if (
        not isinstance(decoded, dict)
        or decoded.get("type") != kind
        or not isinstance(decoded.get("sdp"), str)
    ):
        raise ProtocolError(f"the service's SDP {kind} has no {kind} SDP")
    return {"type": kind, "sdp": decoded["sdp"]}


def avatar_speech_config(video: Mapping[str, Any]) -> dict[str, Any]:
    """The ``speech.config`` body of an avatar socket: identity plus ``synthesis.video``."""
    return usp.speech_config(extra_context={"synthesis": {"video": dict(video)}})


def avatar_speech_config_frame(request_id: str, video: Mapping[str, Any]) -> str:
    """The ``speech.config`` frame of an avatar socket (sent once, before the first request)."""
    return encode_text(
        "speech.config",
        json.dumps(avatar_speech_config(video), separators=(",", ":")),
        request_id=request_id,
        content_type="application/json",
    )


def avatar_synthesis_context() -> dict[str, Any]:
    """The ``synthesis.context`` of an avatar request: no metadata but the session end."""
    return {
        "synthesis": {
            "audio": {
                "metadataOptions": {
                    "bookmarkEnabled": False,
                    "punctuationBoundaryEnabled": False,
                    "sentenceBoundaryEnabled": False,
                    "sessionEndEnabled": True,
                    "visemeEnabled": False,
                    "wordBoundaryEnabled": False,
                },
                "outputFormat": AVATAR_REQUEST_FORMAT,
            },
            "language": {"autoDetection": False},
        }
    }


def empty_ssml(voice: str, language: str = "en-US") -> str:
    """The SSML of the request that starts the avatar: one empty ``<voice>``."""
    return (
        f"<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
        f"xmlns:mstts='http://www.w3.org/2001/mstts' xml:lang='{language}'>"
        f"<voice name='{voice}'></voice></speak>"
    )


def turn_start_answer(body: Any) -> str | None:
    """``webrtc.connectionString`` of a ``turn.start`` body (the base64 answer), if any."""
    if not isinstance(body, Mapping):
        return None
    webrtc = body.get("webrtc")
    if not isinstance(webrtc, Mapping):
        return None
    value = webrtc.get("connectionString")
    return value if isinstance(value, str) and value else None


def scene_control(scene: Mapping[str, float]) -> dict[str, Any]:
    """The ``synthesis.control`` body that moves a photo avatar (``avatarScene``)."""
    return {"avatarScene": dict(scene)}

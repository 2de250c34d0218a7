"""What a real-time avatar connection is configured with, checked before anything is sent.

:class:`AvatarVideoConfig` holds the avatar (character, style, custom avatar,
photo avatar model, background, scene) and the video format (codec,
bitrate, resolution, crop). :meth:`AvatarVideoConfig.video_section` builds
the ``synthesis.video`` section of the synthesis socket's ``speech.config``
with the WebRTC offer and the ICE servers, keys as Microsoft's JavaScript SDK
sends them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidRequestError
from ..models.avatar import IceServer
from .batch import CropArg, _crop

__all__ = ["AvatarScene", "AvatarVideoConfig", "IceServerArg", "ice_server_dicts"]

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")
_CODECS = ("H264", "HEVC", "VP9")

#: an ICE server: an :class:`~azspeech.models.avatar.IceServer` or a dict with ``urls``
IceServerArg = IceServer | Mapping[str, Any]


def ice_server_dicts(servers: Sequence[IceServerArg]) -> list[dict[str, Any]]:
    """The ICE servers as ``RTCPeerConnection`` (and the service) want them."""
    out: list[dict[str, Any]] = []
    for server in servers:
        value = (
            server.model_dump(exclude_none=True) if isinstance(server, IceServer) else dict(server)
        )
        urls = value.get("urls")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise InvalidRequestError("an ICE server needs 'urls' (a list of stun:/turn: URLs)")
        value["urls"] = urls
        out.append(value)
    return out


@dataclass(frozen=True)
class AvatarScene:
    """Where a photo avatar sits in the frame (zoom, position, rotation in radians, amplitude)."""

    zoom: float = 1.0
    position_x: float = 0.0
    position_y: float = 0.0
    rotation_x: float = 0.0
    rotation_y: float = 0.0
    rotation_z: float = 0.0
    amplitude: float = 1.0

    def to_json(self) -> dict[str, float]:
        """The camelCase ``scene`` / ``avatarScene`` object."""
        return {
            "amplitude": self.amplitude,
            "positionX": self.position_x,
            "positionY": self.position_y,
            "rotationX": self.rotation_x,
            "rotationY": self.rotation_y,
            "rotationZ": self.rotation_z,
            "zoom": self.zoom,
        }


@dataclass(frozen=True)
class AvatarVideoConfig:
    """A real-time avatar and its video format (fixed for the connection).

    *character* and *style* pick the avatar (``"lisa"``, ``"casual-sitting"``;
    the service refuses names it does not know); ``customized=True`` for a
    custom avatar, ``use_built_in_voice`` for its own voice,
    ``photo_avatar_base_model="vasa-1"`` for a photo avatar (with *scene*).
    *background_color* ``#RRGGBBAA`` (no transparency in real time: key out a
    green one) or *background_image* (a URL). *codec* ``H264`` (default),
    *bitrate* in bits per second, *resolution* ``(width, height)``, *crop*
    ``((left, top), (right, bottom))``.
    """

    character: str
    style: str | None = None
    customized: bool = False
    use_built_in_voice: bool = False
    photo_avatar_base_model: str = ""
    background_color: str = "#FFFFFFFF"
    background_image: str | None = None
    codec: str = "H264"
    bitrate: int = 2_000_000
    resolution: tuple[int, int] = (1920, 1080)
    crop: CropArg | None = None
    scene: AvatarScene | None = field(default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.character, str) or not self.character.strip():
            raise InvalidRequestError("character must name the avatar, e.g. 'lisa'")
        if self.style is not None and (not isinstance(self.style, str) or not self.style.strip()):
            raise InvalidRequestError("style must be a non-empty name, e.g. 'casual-sitting'")
        if not _COLOR.match(str(self.background_color)):
            raise InvalidRequestError("background_color must be '#RRGGBB' or '#RRGGBBAA'")
        if self.background_image is not None and not str(self.background_image).startswith(
            ("https://", "http://")
        ):
            raise InvalidRequestError("background_image must be an http(s) URL")
        if str(self.codec).upper() not in _CODECS:
            raise InvalidRequestError(f"codec must be one of {', '.join(_CODECS)}")
        if isinstance(self.bitrate, bool) or not isinstance(self.bitrate, int) or self.bitrate <= 0:
            raise InvalidRequestError(
                f"bitrate must be a positive int (bits/s), not {self.bitrate!r}"
            )
        try:
            width, height = (int(v) for v in self.resolution)
        except (TypeError, ValueError):
            raise InvalidRequestError("resolution must be (width, height)") from None
        if not (16 <= width <= 4096 and 16 <= height <= 4096):
            raise InvalidRequestError("resolution must be between 16 and 4096 pixels each way")
        if self.crop is not None:
            _crop(self.crop)
        if self.scene is not None and not isinstance(self.scene, AvatarScene):
            raise InvalidRequestError("scene must be an AvatarScene")

    def video_section(
        self, client_description: str, ice_servers: Sequence[IceServerArg]
    ) -> dict[str, Any]:
        """``speech.config`` → ``context.synthesis.video`` for this avatar.

        *client_description* is the base64 JSON offer; *ice_servers* those the
        peer connection uses (the service relays through them).
        """
        width, height = (int(v) for v in self.resolution)
        fmt: dict[str, Any] = {
            "bitrate": self.bitrate,
            "codec": self.codec.upper(),
            "resolution": {"height": height, "width": width},
        }
        if self.crop is not None:
            fmt["crop"] = _crop(self.crop)
        background: dict[str, Any] = {"color": self.background_color}
        if self.background_image is not None:
            background["image"] = {"url": self.background_image}
        talking: dict[str, Any] = {
            "background": background,
            "character": self.character,
            "customized": self.customized,
            "style": self.style or "",
            "useBuiltInVoice": self.use_built_in_voice,
        }
        if self.photo_avatar_base_model:  # the JavaScript SDK leaves it out unless set
            talking["photoAvatarBaseModel"] = self.photo_avatar_base_model
        if self.scene is not None:
            talking["scene"] = self.scene.to_json()
        return {
            "format": fmt,
            "protocol": {
                "name": "WebRTC",
                "webrtcConfig": {
                    "clientDescription": client_description,
                    "iceServers": ice_server_dicts(ice_servers),
                },
            },
            "talkingAvatar": talking,
        }

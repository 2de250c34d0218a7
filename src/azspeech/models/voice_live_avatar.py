"""The avatar of a Voice Live session: ``session.avatar`` of ``session.update``.

:class:`AvatarConfig` serialises to the service's snake_case JSON and checks
what the API reference makes knowable before anything is sent: a photo
avatar needs its base ``model``; the ``video`` settings (codec ``h264``
only, ``gop_size`` 1-2000, positive resolution and bitrate, a background
colour *or* image). ``output_protocol="websocket"`` has the service send the
avatar's video over the Voice Live WebSocket itself, as
``response.video.delta`` events of fragmented MP4 (H.264 + AAC).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import model_validator

from ..errors import InvalidRequestError
from ._base import Model

__all__ = ["VIDEO_MIME_TYPE", "AvatarConfig", "CheckedModel"]

VIDEO_MIME_TYPE = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"'
"""The MIME type of the ``websocket`` video stream, as Microsoft's sample gives it to
``MediaSource`` (H.264 Constrained Baseline + AAC-LC in fragmented MP4)."""

_GOP_SIZES = range(1, 2001)


class CheckedModel(Model):
    """A configuration checked when made: every problem of :meth:`_problems` in one error."""

    _invalid: ClassVar[str] = "invalid configuration"

    @model_validator(mode="after")
    def _check(self) -> Any:
        problems = list(self._problems())
        if problems:
            raise InvalidRequestError(f"{self._invalid}: " + "; ".join(problems))
        return self

    def _problems(self) -> Any:
        """What the service would refuse, one sentence each."""
        return ()


class AvatarConfig(CheckedModel):
    """The avatar of a Voice Live session (video over WebRTC, or WebSocket deltas).

    *output_protocol* ``"webrtc"`` (the service's default): connect with
    ``conn.avatar.connect()`` or ``conn.avatar.answer(offer)``.
    ``"websocket"``: the video arrives as ``response.video.delta`` events;
    read it with ``conn.avatar.video()`` or ``conn.avatar.save_video(path)``.
    *video* is the wire object (``bitrate``, ``codec``, ``crop``,
    ``resolution``, ``background``, ``gop_size``); *scene* the photo
    avatar's placement; *output_audit_audio* also sends the audio over the
    WebSocket while the video goes over WebRTC.
    """

    type: Literal["video-avatar", "photo-avatar"] | None = None
    character: str
    style: str | None = None
    customized: bool | None = None
    model: str | None = None
    video: dict[str, Any] | None = None
    scene: dict[str, Any] | None = None
    output_protocol: Literal["webrtc", "websocket"] | None = None
    output_audit_audio: bool | None = None
    ice_servers: list[dict[str, Any]] | None = None
    _invalid: ClassVar[str] = "invalid avatar"

    def _problems(self) -> Any:
        if not self.character.strip():
            yield "character must not be empty"
        if self.type == "photo-avatar" and not self.model:
            yield "a photo avatar needs its base model (model='vasa-1')"
        video = self.video or {}
        codec = video.get("codec")
        if codec is not None and codec != "h264":
            yield f"video codec must be 'h264' (the only one the service streams), not {codec!r}"
        gop = video.get("gop_size")
        if gop is not None and (not isinstance(gop, int) or gop not in _GOP_SIZES):
            yield f"video gop_size must be 1 to 2000, not {gop!r}"
        bitrate = video.get("bitrate")
        if bitrate is not None and (not isinstance(bitrate, int) or bitrate <= 0):
            yield f"video bitrate must be a positive number of bits per second, not {bitrate!r}"
        resolution = video.get("resolution")
        if resolution is not None:
            sides = (
                [resolution.get(k) for k in ("width", "height")]
                if isinstance(resolution, dict)
                else [None]
            )
            if any(not isinstance(s, int) or s <= 0 for s in sides):
                yield f"video resolution needs positive width and height, not {resolution!r}"
        background = video.get("background")
        if isinstance(background, dict) and {"color", "image_url"} <= background.keys():
            yield "video background takes a color or an image_url, not both"

    @property
    def streams_video(self) -> bool:
        """Whether the video comes over the WebSocket (``output_protocol="websocket"``)."""
        return self.output_protocol == "websocket"

    def to_wire(self) -> dict[str, Any]:
        """The ``avatar`` object of ``session.update`` (unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

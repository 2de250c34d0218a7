"""Models of the text-to-speech avatar: batch video jobs (API 2024-08-01) and the relay token."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import Field

from ._base import Model

__all__ = [
    "AvatarBatchConfig",
    "AvatarBatchError",
    "AvatarBatchOutputs",
    "AvatarBatchProperties",
    "AvatarBatchSynthesis",
    "AvatarSynthesisConfig",
    "Coordinate",
    "IceServer",
    "RelayToken",
    "VideoCrop",
]


class Coordinate(Model):
    """A point (or a size): ``x``, ``y`` in pixels."""

    x: float
    y: float


class VideoCrop(Model):
    """The region of the avatar video to keep."""

    top_left: Coordinate = Field(alias="topLeft")
    bottom_right: Coordinate = Field(alias="bottomRight")


class AvatarBatchConfig(Model):
    """``avatarConfig``: character, style, video format and codec, background, crop, subtitles."""

    character: str = Field(alias="talkingAvatarCharacter")
    style: str | None = Field(default=None, alias="talkingAvatarStyle")
    video_format: str | None = Field(default=None, alias="videoFormat")
    video_codec: str | None = Field(default=None, alias="videoCodec")
    subtitle_type: str | None = Field(default=None, alias="subtitleType")
    background_color: str | None = Field(default=None, alias="backgroundColor")
    background_image: str | None = Field(default=None, alias="backgroundImage")
    avatar_position: Coordinate | None = Field(default=None, alias="avatarPosition")
    avatar_size: Coordinate | None = Field(default=None, alias="avatarSize")
    resolution: Coordinate | None = None
    video_crop: VideoCrop | None = Field(default=None, alias="videoCrop")
    bitrate_kbps: int | None = Field(default=None, alias="bitrateKbps")
    customized: bool | None = None


class AvatarSynthesisConfig(Model):
    """``synthesisConfig`` of plain-text input: the voice and its prosody."""

    voice: str
    style: str | None = None
    rate: str | None = None
    pitch: str | None = None
    volume: str | None = None


class AvatarBatchError(Model):
    """Why a job failed."""

    code: str | None = None
    message: str | None = None


class AvatarBatchProperties(Model):
    """Options and (read-only) statistics of an avatar job."""

    time_to_live_in_hours: int | None = Field(default=None, alias="timeToLiveInHours")
    destination_container_url: str | None = Field(default=None, alias="destinationContainerUrl")
    destination_path: str | None = Field(default=None, alias="destinationPath")
    size_in_bytes: int | None = Field(default=None, alias="sizeInBytes")
    succeeded_count: int | None = Field(default=None, alias="succeededCount")
    failed_count: int | None = Field(default=None, alias="failedCount")
    duration_in_milliseconds: int | None = Field(default=None, alias="durationInMilliseconds")
    billing_details: dict[str, Any] | None = Field(default=None, alias="billingDetails")
    error: AvatarBatchError | None = None


class AvatarBatchOutputs(Model):
    """Where the results are: ``result`` is the video's SAS URL, ``summary`` the job summary.

    ``subtitle`` (not in the 2024-08-01 schema; the emulator sets it for
    ``subtitleType="external_file"``) is the subtitle file's URL when given.
    """

    result: str | None = None
    summary: str | None = None
    subtitle: str | None = None


class AvatarBatchSynthesis(Model):
    """An avatar batch synthesis job as the service describes it."""

    id: str
    status: str | None = None
    description: str | None = None
    input_kind: str | None = Field(default=None, alias="inputKind")
    synthesis_config: AvatarSynthesisConfig | None = Field(default=None, alias="synthesisConfig")
    custom_voices: dict[str, str] = Field(default_factory=dict, alias="customVoices")
    avatar_config: AvatarBatchConfig | None = Field(default=None, alias="avatarConfig")
    properties: AvatarBatchProperties = Field(default_factory=AvatarBatchProperties)
    outputs: AvatarBatchOutputs | None = None
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")
    last_action_date_time: _dt.datetime | None = Field(default=None, alias="lastActionDateTime")

    @property
    def done(self) -> bool:
        """Whether the job reached a final state (Succeeded or Failed)."""
        return self.status in ("Succeeded", "Failed")

    @property
    def succeeded(self) -> bool:
        """Whether the job succeeded."""
        return self.status == "Succeeded"


class IceServer(Model):
    """One ICE server as ``RTCPeerConnection`` wants it (``urls``, ``username``, ``credential``)."""

    urls: list[str]
    username: str | None = None
    credential: str | None = Field(default=None, repr=False)


class RelayToken(Model):
    """The TURN relay credentials for the real-time avatar's WebRTC connection."""

    urls: list[str] = Field(alias="Urls")
    username: str = Field(alias="Username")
    password: str = Field(alias="Password", repr=False)

    def ice_servers(self, *, turn_only: bool = True) -> list[IceServer]:
        """The ICE servers for the peer connection (only ``turn:`` URLs, as the docs advise)."""
        urls = [u for u in self.urls if u.startswith("turn")] if turn_only else list(self.urls)
        return [IceServer(urls=urls or list(self.urls), username=self.username,
                          credential=self.password)]  # fmt: skip

"""Avatar batch synthesis (API version 2024-08-01) on the job core: ``client.avatar``.

``PUT/GET/DELETE {endpoint}/avatar/batchsyntheses/{id}`` and ``GET
.../batchsyntheses`` (paged). ``create`` checks the avatar options and builds
the body; ``get``, ``list``, ``delete``, ``wait`` and ``download`` (the
video, fetched without credentials from its SAS URL) are the job core's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._jobs import CreateCall, JobKind
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.avatar import AvatarBatchSynthesis, VideoCrop
from ..tts.batch import _check_id, create_body

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._resource import BodyOptions

__all__ = ["API_VERSION", "AVATAR_BATCH", "CropArg", "avatar_create_call", "subtitle_request"]

API_VERSION = "2024-08-01"
"""The api-version of the batch avatar synthesis API this module speaks."""

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")
_CODECS = {"mp4": ("h264", "hevc"), "webm": ("vp9",)}
SUBTITLE_TYPES = ("none", "soft_embedded", "hard_embedded", "external_file")

#: a crop: a :class:`VideoCrop` or ``((left, top), (right, bottom))`` in pixels
CropArg = VideoCrop | tuple[tuple[float, float], tuple[float, float]]

AVATAR_BATCH = JobKind(
    what="avatar batch synthesis",
    path="/avatar/batchsyntheses",
    api_version=API_VERSION,
    model=AvatarBatchSynthesis,
    check_id=_check_id,
    result_url=lambda job: job.outputs.result if job.outputs else None,
)
"""The avatar job API: client-chosen ids (PUT), ``value``/``nextLink`` pages."""


def _crop(crop: CropArg) -> dict[str, Any]:
    if isinstance(crop, VideoCrop):
        return crop.model_dump(by_alias=True, exclude_none=True)
    try:
        (x1, y1), (x2, y2) = crop
        left, top, right, bottom = float(x1), float(y1), float(x2), float(y2)
    except (TypeError, ValueError):
        raise InvalidRequestError("crop must be ((left, top), (right, bottom))") from None
    if not (0 <= left < right and 0 <= top < bottom):
        raise InvalidRequestError("crop must have left < right and top < bottom, all >= 0")
    return {"topLeft": {"x": left, "y": top}, "bottomRight": {"x": right, "y": bottom}}


def avatar_config(
    character: str,
    *,
    style: str | None,
    video_format: str | None,
    video_codec: str | None,
    bitrate_kbps: int | None,
    background_color: str | None,
    background_image: str | None,
    crop: CropArg | None,
    subtitle_type: str | None,
    customized: bool | None,
) -> dict[str, Any]:
    """The checked ``avatarConfig`` object."""
    if not isinstance(character, str) or not character.strip():
        raise InvalidRequestError("character must name the avatar, e.g. 'lisa'")
    config: dict[str, Any] = {"talkingAvatarCharacter": character}
    if style is not None:
        config["talkingAvatarStyle"] = style
    fmt = (video_format or "mp4").lower()
    if fmt not in _CODECS:
        raise InvalidRequestError(f"video_format must be 'mp4' or 'webm', not {video_format!r}")
    if video_format is not None:
        config["videoFormat"] = fmt
    if video_codec is not None:
        codec = video_codec.lower()
        if codec not in _CODECS[fmt]:
            raise InvalidRequestError(
                f"video_codec {video_codec!r} does not go in {fmt}; use {' or '.join(_CODECS[fmt])}"
            )
        config["videoCodec"] = codec
    if bitrate_kbps is not None:
        if isinstance(bitrate_kbps, bool) or not isinstance(bitrate_kbps, int) or bitrate_kbps <= 0:
            raise InvalidRequestError(f"bitrate_kbps must be a positive int, got {bitrate_kbps!r}")
        config["bitrateKbps"] = bitrate_kbps
    if background_color is not None and background_image is not None:
        raise InvalidRequestError("pass background_color or background_image, not both")
    if background_color is not None:
        if not _COLOR.match(background_color):
            raise InvalidRequestError("background_color must be '#RRGGBB' or '#RRGGBBAA'")
        config["backgroundColor"] = background_color
    if background_image is not None:
        if not background_image.startswith(("https://", "http://")):
            raise InvalidRequestError("background_image must be an http(s) URL")
        config["backgroundImage"] = background_image
    if crop is not None:
        config["videoCrop"] = _crop(crop)
    if subtitle_type is not None:
        if subtitle_type not in SUBTITLE_TYPES:
            raise InvalidRequestError(f"subtitle_type must be one of {', '.join(SUBTITLE_TYPES)}")
        config["subtitleType"] = subtitle_type
    if customized is not None:
        config["customized"] = bool(customized)
    return config


def avatar_create_call(
    inputs: str | Sequence[str],
    *,
    character: str,
    style: str | None = None,
    voice: str | None = None,
    id: str | None = None,
    input_kind: str | None = None,
    video_format: str | None = None,
    video_codec: str | None = None,
    bitrate_kbps: int | None = None,
    background_color: str | None = None,
    background_image: str | None = None,
    crop: CropArg | None = None,
    subtitle_type: str | None = None,
    customized: bool | None = None,
    custom_voices: Mapping[str, str] | None = None,
    description: str | None = None,
    time_to_live_in_hours: int | None = None,
    destination_container_url: str | None = None,
    operation_id: str | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Start an avatar video of *inputs* (texts with *voice*, or SSML); returns the job.

    *character* and *style* pick the avatar (``"lisa"``, ``"casual-sitting"``;
    ``customized=True`` for a custom avatar). *video_format* ``mp4`` (codec
    ``h264``/``hevc``) or ``webm`` (``vp9``), *bitrate_kbps*, one of
    *background_color* (``#RRGGBBAA``) or *background_image* (a URL), *crop*
    ``((left, top), (right, bottom))``, *subtitle_type* (``soft_embedded``,
    ``hard_embedded``, ``external_file``, ``none``). Then ``wait(job)`` and
    ``download(job, "video.mp4")``.
    """
    job_id = _check_id(id) if id is not None else "azspeech-" + uuid.uuid4().hex
    items = [inputs] if isinstance(inputs, str) else list(inputs)
    if len(items) > 1000:
        raise InvalidRequestError("an avatar batch synthesis takes at most 1000 inputs")
    headers = {"Operation-Id": _check_id(operation_id, "operation id")} if operation_id else {}
    body = create_body(
        items, voice=voice, input_kind=input_kind, output_format=None, description=description,
        style=None, rate=None, pitch=None, volume=None, custom_voices=custom_voices,
        word_boundary=None, sentence_boundary=None, concatenate_result=None,
        decompress_output_files=None, time_to_live_in_hours=time_to_live_in_hours,
        destination_container_url=destination_container_url, destination_path=None,
    )  # fmt: skip
    body["avatarConfig"] = avatar_config(
        character, style=style, video_format=video_format, video_codec=video_codec,
        bitrate_kbps=bitrate_kbps, background_color=background_color,
        background_image=background_image, crop=crop, subtitle_type=subtitle_type,
        customized=customized,
    )  # fmt: skip
    return CreateCall(body, job_id, headers, options)


def subtitle_request(job: AvatarBatchSynthesis) -> HttpRequest:
    """The request for a succeeded job's external subtitle file (no credentials sent)."""
    url = job.outputs.subtitle if job.outputs else None
    if job.status != "Succeeded" or not url:
        raise InvalidRequestError(
            f"avatar batch synthesis {job.id!r} has no subtitle file (status {job.status!r}; "
            "subtitles come as a file with subtitle_type='external_file')"
        )
    if not url.startswith(("https://", "http://")):
        raise InvalidRequestError("the subtitle URL is not an http(s) URL")
    return HttpRequest("GET", url, authenticate=False, what="avatar subtitle download")

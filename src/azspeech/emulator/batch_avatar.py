"""Avatar batch synthesis (API 2024-08-01) and the avatar relay token, in the emulator.

``PUT/GET/DELETE /avatar/batchsyntheses/{id}``, ``GET /avatar/batchsyntheses``
(``skip``/``maxpagesize``, absolute ``nextLink``) and ``GET
/cognitiveservices/avatar/relay/token/v1``. Request bodies are validated as
the 2024-08-01 schema says (``inputKind``, ``avatarConfig`` with its
character, format/codec, colour, crop...). A job succeeds after
``state.extra["batch_avatar_seconds"]`` (default 0.3 s), worked out when read.

The video is real and small: 320x180 at 25 fps (H.264 + AAC in MP4, or VP9 +
Opus in WebM), the background colour filled, a block whose height follows the
loudness of the synthesized tone speech, with that speech as its sound track
(PyAV, the optional ``video`` extra, makes it; without PyAV the job fails
saying so). ``subtitleType: external_file`` adds a WebVTT file of the words,
at ``outputs.subtitle``. Result URLs carry a made-up SAS signature and,
like Blob Storage, refuse requests that carry credentials.
"""

from __future__ import annotations

import io
import re
import secrets
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import admit_http
from .jobs import Job, JobApi, job_routes, sas_download
from .state import EmulatorState
from .tts import SynthesisError, render_ssml
from .voices import find_voice

__all__ = ["routes"]

API_VERSION = "2024-08-01"
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")
_RESULTS = "/emulator/avatar/results"
_CODECS = {"mp4": ("h264", "hevc"), "webm": ("vp9",)}
_SUBTITLES = ("none", "soft_embedded", "hard_embedded", "external_file")
_W, _H, _FPS, _RATE = 320, 180, 25, 24000


def _validate(body: dict[str, Any]) -> str | None:
    kind = body.get("inputKind")
    if kind not in ("PlainText", "SSML"):
        return "inputKind must be PlainText or SSML."
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not 1 <= len(inputs) <= 1000:
        return "inputs must hold 1 to 1000 items."
    if any(not isinstance(i, dict) or not str(i.get("content", "")).strip() for i in inputs):
        return "Every input needs a non-empty content string."
    cfg = body.get("synthesisConfig")
    if kind == "PlainText" and (not isinstance(cfg, dict) or not cfg.get("voice")):
        return "synthesisConfig.voice is required for PlainText input."
    avatar = body.get("avatarConfig")
    if not isinstance(avatar, dict) or not str(avatar.get("talkingAvatarCharacter", "")).strip():
        return "avatarConfig.talkingAvatarCharacter is required."
    fmt = str(avatar.get("videoFormat", "mp4")).lower()
    if fmt not in _CODECS:
        return f"Unsupported videoFormat {fmt}."
    codec = avatar.get("videoCodec")
    if codec is not None and str(codec).lower() not in _CODECS[fmt]:
        return f"videoCodec {codec} is not supported with videoFormat {fmt}."
    color = avatar.get("backgroundColor")
    if color is not None and not _COLOR.match(str(color)):
        return "backgroundColor must be #RRGGBBAA."
    if color is not None and avatar.get("backgroundImage") is not None:
        return "Only one of backgroundColor and backgroundImage may be set."
    if avatar.get("subtitleType", "soft_embedded") not in _SUBTITLES:
        return "Unsupported subtitleType."
    bitrate = avatar.get("bitrateKbps")
    if bitrate is not None and (not isinstance(bitrate, int) or bitrate <= 0):
        return "bitrateKbps must be a positive integer."
    crop = avatar.get("videoCrop")
    if crop is not None and (
        not isinstance(crop, dict) or "topLeft" not in crop or "bottomRight" not in crop
    ):
        return "videoCrop needs topLeft and bottomRight."
    return None


def _ssml(text: str, voice: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    return (
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>"
        f"<voice name={quoteattr(voice)}>{escape(text)}</voice></speak>"
    )


def _vtt(cues: list[tuple[float, float, str]]) -> bytes:
    def stamp(s: float) -> str:
        ms = round(s * 1000)
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
        )

    lines = ["WEBVTT", ""]
    for start, end, text in cues:
        lines += [f"{stamp(start)} --> {stamp(end)}", text, ""]
    return "\n".join(lines).encode()


def _video(samples: np.ndarray[Any, Any], avatar: dict[str, Any]) -> bytes:
    """Encode the tone speech and its moving block as a small MP4 or WebM file."""
    import av

    fmt = str(avatar.get("videoFormat", "mp4")).lower()
    color = str(avatar.get("backgroundColor") or "#FFFFFFFF")
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=fmt) as out:
        video = out.add_stream("libx264" if fmt == "mp4" else "libvpx-vp9", rate=_FPS)
        video.width, video.height, video.pix_fmt = _W, _H, "yuv420p"
        video.bit_rate = int(avatar.get("bitrateKbps") or 500) * 1000
        audio = out.add_stream(
            "aac" if fmt == "mp4" else "libopus", rate=_RATE if fmt == "mp4" else 48000
        )
        per_frame = _RATE // _FPS
        n_frames = max(1, -(-len(samples) // per_frame))
        for i in range(n_frames):
            chunk = samples[i * per_frame : (i + 1) * per_frame]
            level = float(np.sqrt(np.mean(chunk**2))) if len(chunk) else 0.0
            img = np.empty((_H, _W, 3), dtype=np.uint8)
            img[:] = rgb
            height = 10 + min(_H - 40, int(level * 600))
            img[_H // 2 - height // 2 : _H // 2 + height // 2, _W // 2 - 40 : _W // 2 + 40] = (
                255 - rgb
            )
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        pcm = samples if fmt == "mp4" else np.repeat(samples, 2)  # opus wants 48 kHz
        rate = _RATE if fmt == "mp4" else 48000
        step = 960 if fmt == "webm" else 1024
        for start in range(0, len(pcm), step):
            piece = np.zeros((1, step), dtype=np.float32)
            part = pcm[start : start + step]
            piece[0, : len(part)] = part
            aframe = av.AudioFrame.from_ndarray(piece, format="fltp", layout="mono")
            aframe.sample_rate, aframe.pts = rate, start
            out.mux(audio.encode(aframe))
        out.mux(audio.encode(None))
    return buf.getvalue()


def _produce(job: Job) -> None:
    body = job.body
    avatar = body["avatarConfig"]
    voice = (body.get("synthesisConfig") or {}).get("voice", "")
    custom = set((body.get("customVoices") or {}).keys())
    try:
        if body["inputKind"] == "PlainText" and voice not in custom and find_voice(voice) is None:
            raise SynthesisError(f"Unsupported voice {voice}.")
        pieces, cues, offset = [], [], 0.0
        for item in body["inputs"]:
            content = item["content"]
            ssml = content if body["inputKind"] == "SSML" else _ssml(content, voice)
            rendered = render_ssml(ssml, _RATE, any_voice=bool(custom))
            for e in rendered.events:
                if e.kind == "WordBoundary":
                    start = offset + e.start / _RATE
                    cues.append((start, start + e.duration / _RATE, e.text))
            pieces.append(rendered.samples)
            offset += len(rendered.samples) / _RATE
        samples = np.concatenate(pieces).astype(np.float32)
        try:
            video = _video(samples, avatar)
        except ImportError:
            raise SynthesisError(
                "The emulator needs PyAV to make avatar videos (pip install 'azspeech[video]')."
            ) from None
    except SynthesisError as exc:
        job.status = "Failed"
        job.error = {"code": "InvalidRequest", "message": str(exc)}
        job.stats = {"succeededCount": 0, "failedCount": 1}
        return
    ext = str(avatar.get("videoFormat", "mp4")).lower()
    job.files = {"video." + ext: video}
    if avatar.get("subtitleType") == "external_file":
        job.files["subtitle.vtt"] = _vtt(cues)
    job.files["summary.json"] = (
        b'{"status": "Succeeded", "results": [{"status": "Succeeded", "videoFileName": "video.'
        + ext.encode()
        + b'"}]}'
    )
    job.status = "Succeeded"
    job.stats = {
        "sizeInBytes": len(video),
        "succeededCount": 1,
        "failedCount": 0,
        "durationInMilliseconds": round(offset * 1000),
        "billingDetails": {"neuralCharacters": sum(len(i["content"]) for i in body["inputs"])},
    }


def _view(job_id: str, job: Job, base: str) -> dict[str, Any]:
    out = job.common_view(job_id)
    out["avatarConfig"] = job.body["avatarConfig"]
    if job.status == "Succeeded":
        sas = f"?sv=2023-11-03&sr=b&sp=r&se=2099-01-01T00%3A00%3A00Z&sig={job.sig}"
        urls = {name: f"{base}{_RESULTS}/{job_id}/{name}{sas}" for name in job.files}
        video = next(n for n in job.files if n.startswith("video."))
        out["outputs"] = {"result": urls[video], "summary": urls["summary.json"]}
        if "subtitle.vtt" in urls:
            out["outputs"]["subtitle"] = urls["subtitle.vtt"]
    return out


async def relay_port(state: EmulatorState) -> int:
    """The relay token's TURN port: with aiortc, a local endpoint that refuses at once
    (a client's ICE gathering does not wait for a relay that is not there)."""
    from .avatar_media import turn_refuser, webrtc_available

    if not webrtc_available():
        return 3478
    if "avatar_turn_port" not in state.extra:
        transport, port = await turn_refuser()
        state.extra.setdefault("avatar_turn_port", port)
        if state.extra["avatar_turn_port"] != port:
            transport.close()
    return int(state.extra["avatar_turn_port"])


AVATAR_BATCH = JobApi(
    what="avatar batch synthesis",
    path="/avatar/batchsyntheses",
    versions=(API_VERSION,),
    seconds_key="batch_avatar_seconds",
    store_key="batch_avatar",
    validate=_validate,
    produce=_produce,
    view=_view,
)
_MEDIA = {"mp4": "video/mp4", "webm": "video/webm", "vtt": "text/vtt"}


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Avatar batch synthesis, its result downloads and the relay token."""
    store, job_api = job_routes(state, AVATAR_BATCH)

    async def download(request: Request) -> Response:
        with store.lock:
            job = store.jobs.get(request.path_params["id"])
        name = request.path_params["name"]
        kind = _MEDIA.get(name.rsplit(".", 1)[-1], "application/json")
        return sas_download(state, request, job, name, kind)

    async def relay_token(request: Request) -> Response:
        entry, refused, _ = await admit_http(state, request)
        entry.status = 200 if refused is None else refused.status_code
        if refused is not None:
            return refused
        host = request.url.hostname or "127.0.0.1"
        port = await relay_port(state)
        return JSONResponse(
            {
                "Urls": [f"turn:{host}:{port}", f"stun:{host}:{port}"],
                "Username": "emulator-" + secrets.token_hex(4),
                "Password": secrets.token_urlsafe(16),
            }
        )

    return [
        *job_api,
        Route(_RESULTS + "/{id}/{name}", download, methods=["GET"]),
        Route("/cognitiveservices/avatar/relay/token/v1", relay_token, methods=["GET"]),
    ]

"""The real-time avatar on the emulator's synthesis socket (``enableTalkingAvatar=true``).

``speech.config`` must carry ``context.synthesis.video``: the WebRTC offer
(base64 JSON in ``protocol.webrtcConfig.clientDescription``), the ICE
servers and the avatar (character and style from a small catalogue, as the
service knows its standard avatars; ``customized`` accepts any). The first
synthesis request (an empty ``<voice>``) is answered with ``turn.start``
carrying ``webrtc.connectionString`` (the base64 JSON answer) and
``turn.end``. Every later request is rendered and spoken over WebRTC
(:mod:`.avatar_media`); its ``turn.end`` comes when the avatar has finished
speaking, or at once after ``synthesis.control`` ``stop``.

Refusals close the socket with 1007 and a reason, like the service's
synthesis errors: no video section, a bad offer, an unknown avatar, and
(without aiortc installed) any avatar at all.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from typing import Any

from starlette.websockets import WebSocket

from ..audio.formats import TICKS_PER_SECOND
from .auth import guard_ws
from .avatar_media import AUDIO_RATE, AvatarMedia, webrtc_available
from .state import EmulatorState
from .tts_ssml import SynthesisError
from .wsbase import Channel, SessionClosed

__all__ = ["AVATAR_STYLES", "answer_offer", "avatar_problem", "serve_avatar"]

#: The standard video avatars the emulator knows, with their styles.
AVATAR_STYLES: dict[str, tuple[str, ...]] = {
    "lisa": (
        "casual-sitting", "graceful-sitting", "graceful-standing",
        "technical-sitting", "technical-standing",
    ),
    "harry": ("business", "casual", "youthful"),
    "jeff": ("business", "formal"),
    "lori": ("casual", "graceful", "formal"),
    "max": ("business", "casual", "formal"),
    "meg": ("formal", "casual", "business"),
}  # fmt: skip

NO_WEBRTC = (
    "Talking avatar is not available: the emulator needs aiortc for WebRTC "
    "(pip install 'azspeech[webrtc]')."
)


def avatar_problem(character: Any, style: Any, customized: bool) -> str | None:
    """Why the service would refuse this avatar, or None."""
    if not isinstance(character, str) or not character:
        return "Talking avatar character is missing."
    if customized:
        return None
    styles = AVATAR_STYLES.get(character.lower())
    if styles is None:
        return f"Unsupported talking avatar character '{character}'."
    if style not in (None, "", *styles):  # no style: the character's default
        return f"Unsupported style '{style}' for talking avatar character '{character}'."
    return None


def _offer_sdp(encoded: Any) -> str:
    try:
        offer = json.loads(base64.b64decode(str(encoded), validate=True))
    except (binascii.Error, ValueError):
        raise SynthesisError("Invalid WebRTC client description: not base64 JSON.") from None
    if not isinstance(offer, dict) or offer.get("type") != "offer":
        raise SynthesisError("Invalid WebRTC client description: not an SDP offer.")
    sdp = offer.get("sdp")
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise SynthesisError("Invalid WebRTC client description: no SDP.")
    return sdp


async def answer_offer(
    offer_sdp: str, background: str = "#FFFFFFFF", codec: str | None = None
) -> tuple[AvatarMedia, str]:
    """A media peer for *offer_sdp* and the base64 JSON answer to send back.

    *codec* is the video codec the client asked for (``H264`` by default in
    the SDKs' video format); it is sent when the offer has it.
    """
    media = AvatarMedia(background)
    media.video_codec = codec
    try:
        sdp = await media.answer(offer_sdp)
    except Exception as exc:
        await media.close()
        raise SynthesisError(f"Invalid WebRTC offer: {exc}") from None
    answer = base64.b64encode(json.dumps({"type": "answer", "sdp": sdp}).encode()).decode()
    return media, answer


def _ci(obj: Any, *names: str) -> Any:
    cur = obj
    for name in names:
        if not isinstance(cur, Mapping):
            return None
        cur = next((v for k, v in cur.items() if str(k).lower() == name.lower()), None)
    return cur


class _AvatarSocket:
    def __init__(self, ch: Channel, any_voice: bool) -> None:
        self.ch = ch
        self.any_voice = any_voice
        self.video: Any = None
        self.media: AvatarMedia | None = None
        self.requests: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.current: str | None = None

    def configure(self, body: Any) -> None:
        video = _ci(body, "context", "synthesis", "video")
        if not isinstance(video, Mapping):
            raise SynthesisError("Talking avatar needs context.synthesis.video in speech.config.")
        talking = _ci(video, "talkingAvatar")
        problem = avatar_problem(
            _ci(talking, "character"), _ci(talking, "style"), bool(_ci(talking, "customized"))
        )
        if problem:
            raise SynthesisError(problem)
        if str(_ci(video, "protocol", "name") or "").lower() != "webrtc":
            raise SynthesisError("Talking avatar protocol must be WebRTC.")
        _offer_sdp(_ci(video, "protocol", "webrtcConfig", "clientDescription"))
        self.video = video

    async def start(self, rid: str) -> None:
        if self.video is None:
            raise SynthesisError("Talking avatar needs context.synthesis.video in speech.config.")
        offer = _offer_sdp(_ci(self.video, "protocol", "webrtcConfig", "clientDescription"))
        background = str(_ci(self.video, "talkingAvatar", "background", "color") or "#FFFFFFFF")
        codec = str(_ci(self.video, "format", "codec") or "H264")
        self.media, answer = await answer_offer(offer, background, codec)
        tag = secrets.token_hex(16).upper()
        body = {"context": {"serviceTag": tag}, "webrtc": {"connectionString": answer}}
        await self.ch.send_text("turn.start", body, request_id=rid)
        await self.ch.send_text("turn.end", "", request_id=rid)

    async def speak(self, rid: str, ssml: str) -> None:
        from .tts import check_ssml_size, render_ssml

        assert self.media is not None
        check_ssml_size(ssml)
        rendered = render_ssml(
            ssml, AUDIO_RATE, any_voice=self.any_voice, encoder=self.ch.state.speech_encoder
        )
        tag = secrets.token_hex(16).upper()
        await self.ch.send_text("turn.start", {"context": {"serviceTag": tag}}, request_id=rid)
        words = [e.start for e in rendered.events if e.kind == "WordBoundary"]
        self.current = rid
        self.media.say(rendered.samples, words)
        await self.signal(rid, "TalkingAvatarSpeakingStart", 0)
        seconds = len(rendered.samples) / AUDIO_RATE
        await self.media.wait_spoken(seconds + 2.0)
        self.current = None
        ticks = round(min(seconds, self.media.speech.played / AUDIO_RATE) * TICKS_PER_SECOND)
        await self.signal(rid, "TalkingAvatarSpeakingEnd", ticks)
        end = {"Type": "SessionEnd", "Data": {"Offset": ticks}}
        await self.ch.send_text("audio.metadata", {"Metadata": [end]}, request_id=rid)
        await self.ch.send_text("turn.end", "", request_id=rid)

    async def signal(self, rid: str, name: str, ticks: int) -> None:
        entry = {"Type": "TalkingAvatarSignal", "Data": {"Offset": ticks, "Name": name}}
        await self.ch.send_text("audio.metadata", {"Metadata": [entry]}, request_id=rid)

    async def work(self) -> None:
        """Run the requests one after another (the reader keeps taking control messages)."""
        while True:
            rid, ssml = await self.requests.get()
            if self.media is None:
                await self.start(rid)
            else:
                await self.speak(rid, ssml)

    def stop(self) -> None:
        if self.media is not None:
            while not self.requests.empty():
                self.requests.get_nowait()
            self.media.stop()


async def _read(sock: _AvatarSocket) -> None:
    ch = sock.ch
    while (msg := await ch.recv()) is not None:
        path = msg.path.lower()
        if path == "speech.config":
            sock.configure(msg.json_or_empty())
        elif path == "ssml":
            await sock.requests.put((msg.request_id or "", msg.text))
        elif path == "synthesis.control":
            body = msg.json_or_empty()
            if isinstance(body, Mapping) and str(body.get("action", "")).lower() == "stop":
                sock.stop()
        elif path not in ("synthesis.context", "telemetry"):
            ch.log.errors.append(f"unexpected message {msg.path!r} ignored")


async def serve_avatar(state: EmulatorState, websocket: WebSocket) -> None:
    """Serve one avatar synthesis socket."""
    accepted, faults = await guard_ws(state, websocket)
    if not accepted:
        return
    any_voice = any(k.lower() == "deploymentid" for k in websocket.query_params)
    async with Channel.open(state, websocket, "tts", faults) as ch:
        if not webrtc_available():
            ch.log.errors.append("avatar refused: aiortc is not installed")
            await ch.close(1007, NO_WEBRTC[:120])
            return
        sock = _AvatarSocket(ch, any_voice)
        reader = asyncio.ensure_future(_read(sock))
        worker = asyncio.ensure_future(sock.work())
        try:
            done, _ = await asyncio.wait({reader, worker}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        except SynthesisError as exc:
            ch.log.errors.append(f"avatar refused: {exc}")
            await ch.close(1007, str(exc)[:120])
        except SessionClosed:
            pass
        finally:
            for task in (reader, worker):
                task.cancel()
            await asyncio.gather(reader, worker, return_exceptions=True)
            if sock.media is not None:
                await sock.media.close()


# -- the avatar of a Voice Live session --------------------------------------------------------


async def voice_live_answer(offer_sdp: str, avatar: Mapping[str, Any]) -> tuple[Any, str]:
    """A media peer and the base64 answer for Voice Live's ``session.avatar.connect``.

    Raises:
        SynthesisError: aiortc is missing, the avatar is unknown, or the offer is bad.
    """
    if not webrtc_available():
        raise SynthesisError(NO_WEBRTC)
    problem = avatar_problem(
        avatar.get("character"), avatar.get("style"), bool(avatar.get("customized"))
    )
    if problem:
        raise SynthesisError(problem)
    video = avatar.get("video")
    if not isinstance(video, Mapping):
        video = {}
    background = _ci(video, "background", "color")
    codec = str(video.get("codec") or "h264")  # the reference's default
    return await answer_offer(offer_sdp, str(background or "#FFFFFFFF"), codec)


def say_at(media: AvatarMedia, samples: Any, rate: int) -> None:
    """Have *media* speak float32 mono *samples* at *rate* (resampled to 48 kHz)."""
    import numpy as np

    n = len(samples)
    if rate != AUDIO_RATE and n:
        positions = np.arange(round(n * AUDIO_RATE / rate)) * (rate / AUDIO_RATE)
        samples = np.interp(positions, np.arange(n), samples).astype(np.float32)
    media.say(samples, [])

"""The avatar of an emulated Voice Live session: what ``session.updated`` says about it and
the answer to ``session.avatar.connect``.

With ``output_protocol: "webrtc"`` (the default) ``session.updated`` lists
the relay's ICE servers and ``session.avatar.connect`` gets a real aiortc
answer whose tracks speak the agent's replies
(:mod:`~azspeech.emulator.avatar_realtime`). With ``"websocket"`` there is no
peer connection: the video comes as ``response.video.delta``
(:mod:`~azspeech.emulator.avatar_fmp4`) and ``session.avatar.connect`` is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from .avatar_fmp4 import streams_video
from .avatar_realtime import voice_live_answer
from .batch_avatar import relay_port
from .tts_ssml import SynthesisError

if TYPE_CHECKING:
    from .state import EmulatorState
    from .voice_live import _Agent

__all__ = ["answer_avatar", "with_ice_servers"]

_WS_AVATAR = "The avatar's output_protocol is websocket: its video comes as response.video.delta."


async def with_ice_servers(session: dict[str, Any], host: str, state: EmulatorState) -> None:
    """Give a WebRTC avatar of *session* the relay's ICE servers (as the service does)."""
    avatar = session.get("avatar")
    if isinstance(avatar, dict) and not streams_video(session):
        server = {
            "urls": [f"turn:{host}:{await relay_port(state)}"],
            "username": "emulator",
            "credential": "relay",
        }
        session["avatar"] = {**avatar, "ice_servers": [server]}


async def answer_avatar(agent: _Agent, client_sdp: Any, event_id: Any) -> None:
    """Answer ``session.avatar.connect`` (``session.avatar.connecting``) or refuse it."""
    if not isinstance(agent.session.get("avatar"), dict):
        return await agent.error("No avatar is configured for this session.", event_id=event_id)
    if streams_video(agent.session):
        return await agent.error(_WS_AVATAR, event_id=event_id)
    try:
        offer = json.loads(base64.b64decode(str(client_sdp), validate=True))
    except (ValueError, binascii.Error):
        return await agent.error("client_sdp must be base64 JSON.", event_id=event_id)
    if not isinstance(offer, dict) or offer.get("type") != "offer" or not offer.get("sdp"):
        return await agent.error("client_sdp must hold an SDP offer.", event_id=event_id)
    try:  # a real WebRTC answer (aiortc) that speaks the agent's replies
        agent.avatar_media, answer = await voice_live_answer(offer["sdp"], agent.session["avatar"])
    except SynthesisError as exc:
        return await agent.error(str(exc), code="avatar_unavailable", event_id=event_id)
    await agent.send("session.avatar.connecting", server_sdp=answer)

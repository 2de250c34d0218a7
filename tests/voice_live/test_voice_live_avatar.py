"""The avatar of a Voice Live session: ICE servers and the SDP exchange, against the emulator."""

from __future__ import annotations

import base64
import json

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.errors import InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AvatarConfig

from ..avatar.offers import real_offer

# The emulator answers with a real WebRTC peer (aiortc), so the offer is a real one.
pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")
OFFER = real_offer()


async def test_async_avatar_offer_answer(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    avatar = AvatarConfig(character="lisa", style="casual-sitting", output_protocol="webrtc")
    async with aclient.voice_live.connect("gpt-realtime", avatar=avatar) as conn:
        async for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        assert conn.ice_servers[0]["urls"][0].startswith("turn:")
        answer = await conn.connect_avatar(OFFER)
    assert answer["type"] == "answer" and answer["sdp"].startswith("v=0")
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    sent = log.received("session.avatar.connect")[0].json()["client_sdp"]
    assert json.loads(base64.b64decode(sent)) == OFFER
    update = log.received("session.update")[0].json()["session"]
    assert update["avatar"] == {
        "character": "lisa",
        "style": "casual-sitting",
        "output_protocol": "webrtc",
    }


def test_blocking_avatar_offer_answer_and_refusals(client: SpeechClient) -> None:
    with client.voice_live.connect("gpt-realtime", avatar=AvatarConfig(character="lisa")) as conn:
        answer = conn.connect_avatar(OFFER["sdp"])  # SDP text works too
        assert answer["type"] == "answer"
        with pytest.raises(InvalidRequestError, match="SDP"):
            conn.connect_avatar({"type": "offer"})


async def test_without_an_avatar_the_service_error_is_typed(aclient: AsyncSpeechClient) -> None:
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        errors: list[m.ErrorEvent] = []
        conn.on("error", errors.append)  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError, match="No avatar"):
            await conn.connect_avatar(OFFER)
    assert errors and "No avatar" in errors[0].error.message

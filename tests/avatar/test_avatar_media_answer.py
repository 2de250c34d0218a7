"""The emulator's avatar answer: reachable over 127.0.0.1, video in the codec asked for."""

from __future__ import annotations

import base64
import json

import pytest

from azspeech.emulator.avatar_media import AvatarMedia
from azspeech.emulator.avatar_realtime import answer_offer, voice_live_answer

from .offers import real_offer

pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")


async def test_the_answer_offers_a_loopback_host_candidate() -> None:
    # aioice leaves 127.0.0.1 out of its host addresses: on a loopback-only host the
    # answer had no candidate and a libwebrtc client (which offers 127.0.0.1) never
    # connected.
    media = AvatarMedia()
    try:
        sdp = await media.answer(real_offer()["sdp"])
    finally:
        await media.close()
    candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate:")]
    assert any(" 127.0.0.1 " in c and " typ host" in c for c in candidates), candidates
    # one ICE agent (BUNDLE): the loopback candidate is not repeated per media section
    loopback = {c.split()[5] for c in candidates if " 127.0.0.1 " in c}
    assert len(loopback) == 1, candidates


def _first_video_codec(answer: str) -> str:
    sdp = json.loads(base64.b64decode(answer))["sdp"]
    video = sdp.split("m=video ", 1)[1]
    first = video.split("\r\n", 1)[0].split()[2]  # (m=video) PORT PROTO PT...
    rtpmap = next(line for line in video.splitlines() if line.startswith(f"a=rtpmap:{first} "))
    return rtpmap.split()[1].split("/")[0]


@pytest.mark.parametrize(
    ("asked", "sent"),
    [("H264", "H264"), ("h264", "H264"), ("VP9", "VP8"), (None, "VP8")],
)
async def test_the_video_goes_in_the_codec_asked_for_when_the_offer_has_it(
    asked: str | None, sent: str
) -> None:
    # the SDKs ask for H264 (format.codec); aiortc's offer lists VP8 first, and a codec
    # aiortc cannot send leaves the offer's order
    media, answer = await answer_offer(real_offer()["sdp"], codec=asked)
    try:
        assert _first_video_codec(answer) == sent
    finally:
        await media.close()


@pytest.mark.parametrize(
    ("video", "sent"), [({}, "H264"), ({"codec": "h264"}, "H264"), ({"codec": "vp8"}, "VP8")]
)
async def test_a_voice_live_avatar_gets_its_video_in_the_codec_of_its_config(
    video: dict[str, str], sent: str
) -> None:
    # session.avatar.video.codec is "h264" unless set (the Voice Live reference)
    avatar = {"character": "lisa", "style": "casual-sitting", "video": video}
    media, answer = await voice_live_answer(real_offer()["sdp"], avatar)
    try:
        assert _first_video_codec(answer) == sent
    finally:
        await media.close()

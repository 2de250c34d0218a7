"""The real-time avatar over real sockets against the emulator: aiortc end to end."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.avatar import AvatarSpeech
from azspeech.emulator import Emulator

pytest.importorskip("aiortc", reason="the WebRTC path needs aiortc (the [webrtc] extra)")


def _avatar_log(emulator: Emulator) -> Any:
    return [s for s in emulator.log if s.query.get("enableTalkingAvatar") == "true"][-1]


def _loud(frame: Any) -> bool:
    samples = frame.to_ndarray().astype(np.float32)
    return bool(np.abs(samples).max() > 1000)


async def test_async_connect_speak_frames_and_what_went_on_the_wire(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    async with aclient.avatar.connect(
        "lisa", style="casual-sitting", background_color="#00FF00FF", bitrate=1_000_000
    ) as avatar:
        frame = await avatar.next_video_frame()
        assert (frame.width, frame.height) == (320, 180)
        assert avatar.video_track.kind == "video" and avatar.audio_track.kind == "audio"
        rgb = frame.to_ndarray(format="rgb24")
        assert rgb[5, 5, 1] > 200 and rgb[5, 5, 0] < 60  # the green background asked for
        speaking = asyncio.ensure_future(avatar.speak("Hello from the real-time avatar."))
        loud = False
        for _ in range(300):  # 6 s of 20 ms frames at most
            if _loud(await avatar.next_audio_frame()):
                loud = True
                break
        assert loud, "no speech arrived over the audio track"
        spoken = await speaking
        assert isinstance(spoken, AvatarSpeech) and spoken.duration and spoken.duration > 0.5
        assert [s.name for s in spoken.signals] == [
            "TalkingAvatarSpeakingStart",
            "TalkingAvatarSpeakingEnd",
        ]
    assert avatar.closed
    log = _avatar_log(emulator)
    assert log.path.endswith("/cognitiveservices/websocket/v1")
    config = log.received("speech.config")[0].json()
    video = config["context"]["synthesis"]["video"]
    assert video["talkingAvatar"]["character"] == "lisa"
    assert video["talkingAvatar"]["style"] == "casual-sitting"
    assert video["talkingAvatar"]["background"] == {"color": "#00FF00FF"}
    assert video["format"] == {
        "bitrate": 1_000_000,
        "codec": "H264",
        "resolution": {"height": 1080, "width": 1920},
    }
    offer = json.loads(base64.b64decode(video["protocol"]["webrtcConfig"]["clientDescription"]))
    assert offer["type"] == "offer" and "m=video" in offer["sdp"] and "m=audio" in offer["sdp"]
    relay = video["protocol"]["webrtcConfig"]["iceServers"]
    assert relay[0]["urls"][0].startswith("turn:") and relay[0]["username"].startswith("emulator")
    start = log.received("ssml")[0].text
    assert "<voice name='en-US-AvaMultilingualNeural'></voice>" in start
    context = log.received("synthesis.context")[0].json()["synthesis"]["audio"]
    assert context["outputFormat"] == "raw-24khz-16bit-mono-pcm"
    assert context["metadataOptions"]["sessionEndEnabled"] is True
    assert log.close_code == 1000


def test_blocking_connect_speak_stop_close(client: SpeechClient) -> None:
    from azspeech.errors import StreamClosedError

    with client.avatar.connect("harry", style="business", resolution=(1280, 720)) as avatar:
        frame = avatar.next_video_frame()
        assert frame.width == 320
        spoken = avatar.speak("Short.")
        assert spoken.duration is not None and spoken.duration > 0
        assert avatar.next_audio_frame().sample_rate == 48000
        events = [e["event"]["eventType"] for e in avatar.events]
        assert "EVENT_TYPE_TURN_START" in events
    with pytest.raises(StreamClosedError):
        avatar.speak("after the close")


async def test_stop_ends_a_long_speak_at_once(aclient: AsyncSpeechClient) -> None:
    async with aclient.avatar.connect("lisa", style="casual-sitting") as avatar:
        long_text = "This sentence goes on and on for a long while. " * 12
        speaking = asyncio.ensure_future(avatar.speak(long_text))
        for _ in range(300):
            if _loud(await avatar.next_audio_frame()):
                break
        await avatar.stop()
        spoken = await asyncio.wait_for(speaking, 10)
        assert spoken.duration is not None and spoken.duration < 10
        avatar.drop_frames()
        quiet = [not _loud(await avatar.next_audio_frame()) for _ in range(20)]
        assert quiet[-1], "speech went on after stop()"


async def test_ice_servers_can_be_given_instead_of_the_relay_token(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    async with aclient.avatar.connect("lisa", style="casual-sitting", ice_servers=[]) as avatar:
        await avatar.next_video_frame()
    assert not [r for r in emulator.requests if r.path.endswith("/relay/token/v1")]


async def test_closing_during_speak_raises_stream_closed(aclient: AsyncSpeechClient) -> None:
    from azspeech.errors import StreamClosedError

    avatar = await aclient.avatar.connect("lisa", style="casual-sitting", ice_servers=[])
    speaking = asyncio.ensure_future(avatar.speak("A sentence that takes a while to say. " * 5))
    await avatar.next_audio_frame()
    await avatar.close()
    with pytest.raises(StreamClosedError):
        await asyncio.wait_for(speaking, 10)
    assert avatar.peer.pc.connectionState == "closed"


async def test_closing_the_client_ends_the_avatar(emulator: Emulator) -> None:
    client = AsyncSpeechClient(endpoint=emulator.url, key=emulator.key)
    avatar = await client.avatar.connect("lisa", style="casual-sitting", ice_servers=[])
    await avatar.next_video_frame()
    await client.close()
    assert avatar.closed and avatar.peer.pc.connectionState == "closed"

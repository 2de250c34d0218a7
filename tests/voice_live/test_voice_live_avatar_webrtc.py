"""The avatar of a Voice Live session over aiortc, end to end against the emulator."""

from __future__ import annotations

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.errors import InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AvatarConfig

pytest.importorskip("aiortc", reason="the WebRTC path needs aiortc (the [webrtc] extra)")

AVATAR = AvatarConfig(character="lisa", style="casual-sitting")


async def test_async_avatar_connect_receives_video_and_the_agents_speech(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.voice_live.connect(
        "gpt-realtime", avatar=AVATAR, turn_detection=None
    ) as conn:
        async for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        peer = await conn.avatar.connect()
        frame = await peer.next_video_frame()
        assert frame.width == 320 and peer.video_track.kind == "video"
        await conn.send_text("Hello avatar")
        loud = False
        for _ in range(400):  # 8 s of 20 ms frames at most
            pcm = (await peer.next_audio_frame()).to_ndarray()
            if np.abs(pcm).max() > 1000:
                loud = True
                break
        assert loud, "the agent's reply was not spoken by the avatar"
        with pytest.raises(InvalidRequestError, match="connected already"):
            await conn.avatar.connect()
    assert conn.avatar.peer is None  # closed with the session


def test_blocking_avatar_connect_frames(client: SpeechClient) -> None:
    with client.voice_live.connect("gpt-realtime", avatar=AVATAR) as conn:
        for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        conn.avatar.connect()
        assert conn.avatar.next_video_frame().height == 180
        assert conn.avatar.next_audio_frame().sample_rate == 48000
        conn.avatar.close()
        with pytest.raises(InvalidRequestError, match="not connected"):
            conn.avatar.next_video_frame()


async def test_an_unknown_avatar_is_refused_with_the_service_error(
    aclient: AsyncSpeechClient,
) -> None:
    avatar = AvatarConfig(character="nobody", style="x")
    async with aclient.voice_live.connect("gpt-realtime", avatar=avatar) as conn:
        async for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        with pytest.raises(InvalidRequestError, match="Unsupported talking avatar character"):
            await conn.avatar.connect()

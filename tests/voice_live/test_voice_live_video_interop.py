"""Microsoft's azure-ai-voicelive SDK as a referee of the avatar's WebSocket video: its parser
takes the emulator's ``response.video.delta`` events as its own typed event, and the bytes they
carry make a playable MP4."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from azspeech.emulator import Emulator

voicelive = pytest.importorskip("azure.ai.voicelive.aio", reason="azure-ai-voicelive[aiohttp]")
pytest.importorskip("aiohttp", reason="azure-ai-voicelive needs aiohttp")
av = pytest.importorskip("av", reason="the emulator makes the avatar's video with PyAV ([video])")


async def test_official_sdk_parses_the_emulators_video_deltas(
    emulator: Emulator, tmp_path: Path
) -> None:
    from azure.ai.voicelive.models import (
        AvatarConfig,
        AvatarOutputProtocol,
        InputTextContentPart,
        RequestSession,
        ServerEventResponseVideoDelta,
        UserMessageItem,
    )
    from azure.core.credentials import AzureKeyCredential

    avatar = AvatarConfig(
        character="lisa",
        style="casual-sitting",
        customized=False,
        output_protocol=AvatarOutputProtocol.WEBSOCKET,
    )
    events: list[Any] = []
    async with voicelive.connect(
        endpoint=emulator.url, credential=AzureKeyCredential(emulator.key), model="gpt-realtime"
    ) as conn:
        await conn.session.update(session=RequestSession(avatar=avatar))
        await conn.conversation.item.create(
            item=UserMessageItem(content=[InputTextContentPart(text="Hello avatar.")])
        )
        await conn.response.create()
        for _ in range(2000):
            event = await conn.recv()
            events.append(event)
            if event.type == "response.done":
                break
    video = [e for e in events if e.type == "response.video.delta"]
    assert video and all(isinstance(e, ServerEventResponseVideoDelta) for e in video)
    assert {(e.codec, e.output_index) for e in video} == {("h264", 0)}
    path = tmp_path / "referee.mp4"
    path.write_bytes(b"".join(base64.b64decode(e.delta) for e in video))
    with av.open(str(path)) as container:
        assert sorted(s.type for s in container.streams) == ["audio", "video"]
        assert container.duration > 0
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    sent = log.received("session.update")[0].json()["session"]["avatar"]
    assert sent["output_protocol"] == "websocket"

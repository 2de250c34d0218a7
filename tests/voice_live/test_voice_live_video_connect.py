"""``conn.avatar.connect()`` on a session whose avatar streams over the WebSocket says so.

A newcomer who switched to ``output_protocol="websocket"`` (to avoid WebRTC) and still calls
``connect()`` was told to install aiortc (``[webrtc]``) when it was missing: the wrong advice,
since that session has no WebRTC offer to answer. The refusal comes first now, with or without
aiortc, and names the reader to use.
"""

from __future__ import annotations

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.errors import InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AvatarConfig
from azspeech.voice_live import avatar as avatar_module

STREAMED = AvatarConfig(character="lisa", style="casual-sitting", output_protocol="websocket")


def _aiortc_missing() -> None:
    raise ImportError("the real-time avatar needs aiortc: pip install 'azspeech[webrtc]'")


async def test_async_connect_of_a_streamed_avatar_names_the_websocket_reader(
    aclient: AsyncSpeechClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(avatar_module, "require_webrtc", _aiortc_missing)
    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        async for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        with pytest.raises(InvalidRequestError, match=r"conn\.avatar\.video\(\)"):
            await conn.avatar.connect()
        assert conn.avatar.peer is None


def test_blocking_connect_of_a_streamed_avatar_names_the_websocket_reader(
    client: SpeechClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(avatar_module, "require_webrtc", _aiortc_missing)
    with (
        client.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn,
        pytest.raises(InvalidRequestError, match="over the WebSocket"),
    ):
        conn.avatar.connect()

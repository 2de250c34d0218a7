"""The real-time avatar for a browser front end (ICE servers + the SDP exchange) and bad input."""

from __future__ import annotations

import asyncio

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.avatar import AsyncAvatarSession, AvatarSession
from azspeech.emulator import Emulator
from azspeech.errors import (
    AuthenticationError,
    InvalidRequestError,
    StreamClosedError,
)

from .offers import real_offer

pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")


async def test_async_session_gives_ice_servers_and_answers_a_browser_offer(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    session = await aclient.avatar.session("lisa", style="casual-sitting")
    assert isinstance(session, AsyncAvatarSession) and not session.started
    servers = session.ice_servers
    assert servers[0]["urls"][0].startswith("turn:127.0.0.1:") and servers[0]["credential"]
    async with session:
        answer = await session.answer(real_offer())
        assert answer["type"] == "answer" and "m=video" in answer["sdp"]
        # nobody pulls the media (no browser here): stop() ends the speech at once
        speaking = asyncio.ensure_future(session.speak("<speak version='1.0' xml:lang='en-US'>"
            "<voice name='en-US-AvaMultilingualNeural'>Hi from SSML.</voice></speak>"))  # fmt: skip
        await asyncio.sleep(0.2)
        await session.stop()
        assert (await asyncio.wait_for(speaking, 10)).request_id
        with pytest.raises(InvalidRequestError, match="once"):
            await session.answer(real_offer())
    assert session.closed
    with pytest.raises(StreamClosedError):
        await session.speak("closed")
    log = [s for s in emulator.log if s.query.get("enableTalkingAvatar") == "true"][-1]
    assert log.received("synthesis.control")[0].json() == {"action": "stop"}


def test_blocking_session_answer_with_sdp_text(client: SpeechClient) -> None:
    session = client.avatar.session("max", style="casual", ice_servers=[])
    assert isinstance(session, AvatarSession) and session.ice_servers == []
    with session:
        answer = session.answer(real_offer()["sdp"])  # the SDP text alone works too
        assert answer["sdp"].startswith("v=0")
    assert session.closed


@pytest.mark.parametrize(
    ("character", "style", "message"),
    [
        ("nobody", "casual-sitting", "Unsupported talking avatar character 'nobody'"),
        ("lisa", "upside-down", "Unsupported style 'upside-down'"),
    ],
)
async def test_the_service_refusing_the_avatar_is_a_typed_error(
    aclient: AsyncSpeechClient, character: str, style: str, message: str
) -> None:
    session = await aclient.avatar.session(character, style=style, ice_servers=[])
    with pytest.raises(InvalidRequestError, match=message):
        await session.answer(real_offer())
    assert session.closed


async def test_bad_input_is_refused_before_sending(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    before = len(emulator.log)
    with pytest.raises(InvalidRequestError, match="background_color"):
        await aclient.avatar.session("lisa", background_color="green")
    with pytest.raises(InvalidRequestError, match="codec"):
        await aclient.avatar.session("lisa", codec="MPEG2")
    with pytest.raises(InvalidRequestError, match="unknown avatar option"):
        await aclient.avatar.session("lisa", colour="#FFFFFF")
    with pytest.raises(InvalidRequestError, match="character"):
        await aclient.avatar.session("")
    with pytest.raises(InvalidRequestError, match="urls"):
        await aclient.avatar.session("lisa", ice_servers=[{"username": "u"}])
    session = await aclient.avatar.session("lisa", ice_servers=[])
    with pytest.raises(InvalidRequestError, match="has not started"):
        await session.speak("too early")
    with pytest.raises(InvalidRequestError, match="SDP"):
        await session.answer({"type": "offer", "sdp": ""})
    with pytest.raises(InvalidRequestError, match="expected an SDP offer"):
        await session.answer({"type": "answer", "sdp": "v=0\r\n"})
    assert len(emulator.log) == before  # no socket was opened


async def test_a_missing_relay_token_is_a_typed_error(emulator: Emulator) -> None:
    async with AsyncSpeechClient(endpoint=emulator.url, key="wrong-key") as bad:
        with pytest.raises(AuthenticationError):
            await bad.avatar.session("lisa", style="casual-sitting")


async def test_without_aiortc_the_emulator_refuses_the_avatar(
    aclient: AsyncSpeechClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import azspeech.emulator.avatar_realtime as emulated

    monkeypatch.setattr(emulated, "webrtc_available", lambda: False)
    session = await aclient.avatar.session("lisa", style="casual-sitting", ice_servers=[])
    with pytest.raises(InvalidRequestError, match="aiortc"):
        await session.answer(real_offer())


async def test_the_service_closing_during_speak_is_a_typed_error(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    from azspeech.errors import ConnectionClosedError

    # speech.config, synthesis.context, ssml (the start), then the speak's two messages
    emulator.faults.close(1011, "service restarting", after_received=5, path="websocket")
    session = await aclient.avatar.session("lisa", style="casual-sitting", ice_servers=[])
    await session.answer(real_offer())
    with pytest.raises(ConnectionClosedError, match="service restarting"):
        await asyncio.wait_for(session.speak("Hello there."), 10)
    assert session.closed
    with pytest.raises(ConnectionClosedError):  # the cause stays the answer
        await session.speak("again")


async def test_a_service_that_stops_answering_does_not_hang_speak(emulator: Emulator) -> None:
    from azspeech.errors import TimeoutError

    emulator.faults.stall(after_received=5, path="websocket")
    async with AsyncSpeechClient(endpoint=emulator.url, key=emulator.key, timeout=1.0) as client:
        session = await client.avatar.session("lisa", style="casual-sitting", ice_servers=[])
        await session.answer(real_offer())
        with pytest.raises(TimeoutError, match="did not start speaking"):
            await asyncio.wait_for(session.speak("Hello there."), 10)
        assert session.closed
        with pytest.raises(TimeoutError):
            await session.speak("again")

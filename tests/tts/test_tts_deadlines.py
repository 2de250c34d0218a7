"""Every synthesis call ends: bounded by ``timeout=`` against peers that never finish,
and an answer without audio is an error, not an empty Audio."""

from __future__ import annotations

import asyncio

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.errors import ProtocolError, SpeechError, TimeoutError

from .hostile import chatter, http_peer, no_audio, trickle_audio, tts_peer

GUARD = 30.0  # a hang fails the test instead of stalling the suite


@pytest.mark.parametrize("behaviour", [trickle_audio, chatter], ids=["trickle", "chatter"])
async def test_synthesize_is_bounded_by_timeout(behaviour: object) -> None:
    with tts_peer(behaviour) as url:  # type: ignore[arg-type]
        async with AsyncSpeechClient(endpoint=url, timeout=1, max_retries=0, _environ={}) as c:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(c.tts.synthesize("Never ends."), GUARD)


def test_blocking_stream_is_bounded_by_timeout() -> None:
    with (
        tts_peer(trickle_audio) as url,
        SpeechClient(endpoint=url, timeout=1, max_retries=0, _environ={}) as c,
    ):
        chunks = 0
        with pytest.raises(TimeoutError):
            for _ in c.tts.stream("Never ends."):
                chunks += 1
                assert chunks < GUARD / 0.05  # bounded loop: fails instead of spinning
        assert chunks > 0


async def test_synthesis_without_audio_is_an_error() -> None:
    with tts_peer(no_audio) as url:
        async with AsyncSpeechClient(endpoint=url, timeout=5, max_retries=0, _environ={}) as c:
            with pytest.raises(ProtocolError, match="no audio"):
                await asyncio.wait_for(c.tts.synthesize("Silence."), GUARD)


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (302, b"<html>moved</html>", {"Content-Type": "text/html", "Location": "http://x.test/"}),
        (204, b"", {}),
        (200, b"<html><body>sign in</body></html>", {"Content-Type": "text/html"}),
        (200, b"", {"Content-Type": "audio/x-wav"}),
        (200, b"not a wave file at all", {"Content-Type": "audio/x-wav"}),
    ],
    ids=["302-html", "204", "200-html", "200-empty", "200-not-riff"],
)
def test_rest_answer_that_is_not_audio_is_an_error(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    with (
        http_peer(status, body, headers) as url,
        SpeechClient(endpoint=url, max_retries=0, _environ={}) as c,
        pytest.raises(SpeechError),
    ):
        c.tts.synthesize("Hello.", transport="rest")


async def test_async_rest_answer_that_is_not_audio_is_an_error() -> None:
    with http_peer(200, b"<html>portal</html>", {"Content-Type": "text/html"}) as url:
        async with AsyncSpeechClient(endpoint=url, max_retries=0, _environ={}) as c:
            with pytest.raises(ProtocolError, match="text/html"):
                await c.tts.synthesize("Hello.", transport="rest")

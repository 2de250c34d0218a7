"""Client state shared by ``with_options()`` copies: one socket pool, closed with the client."""

from __future__ import annotations

import asyncio
import time

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator


def _open_sockets(emulator: Emulator) -> int:
    # The emulator counts WebSockets it has open; the count falls shortly after a close.
    for _ in range(100):
        if emulator.state.active_sessions == 0:
            break
        time.sleep(0.02)
    return int(emulator.state.active_sessions)


def test_blocking_with_options_copies_leave_no_socket_open(emulator: Emulator) -> None:
    client = emulator.client()
    for _ in range(5):
        client.with_options(max_retries=0).tts.synthesize("Copy.")
    client.close()
    assert _open_sockets(emulator) == 0


def test_async_with_options_copies_leave_no_socket_open(emulator: Emulator) -> None:
    async def main() -> None:
        client = emulator.async_client()
        for _ in range(5):
            await client.with_options(max_retries=0).tts.synthesize("Copy.")
        await client.close()

    asyncio.run(main())
    assert _open_sockets(emulator) == 0


@pytest.mark.parametrize("blocking", [True, False])
def test_with_options_copies_share_one_socket(emulator: Emulator, blocking: bool) -> None:
    # One pool for the client and its copies: sequential calls reuse one socket.
    async def run_async() -> None:
        async with emulator.async_client() as client:
            for _ in range(3):
                await client.with_options(timeout=10).tts.synthesize("Shared.")
            assert emulator.state.active_sessions == 1

    if blocking:
        with emulator.client() as client:
            for _ in range(3):
                client.with_options(timeout=10).tts.synthesize("Shared.")
            assert emulator.state.active_sessions == 1
    else:
        asyncio.run(run_async())
    assert _open_sockets(emulator) == 0


def test_copies_share_the_voice_cache(emulator: Emulator) -> None:
    with emulator.client() as client:
        client.tts.list_voices()
        before = sum(r.path.endswith("/voices/list") for r in emulator.requests)
        client.with_options(max_retries=1).tts.list_voices()
        after = sum(r.path.endswith("/voices/list") for r in emulator.requests)
        assert after == before


def test_closing_the_original_closes_its_copies(emulator: Emulator) -> None:
    client: SpeechClient = emulator.client()
    copy = client.with_options(max_retries=0)
    client.close()
    assert copy.closed


async def test_async_copy_is_a_client_of_the_same_type(emulator: Emulator) -> None:
    async with emulator.async_client() as client:
        copy = client.with_options(timeout=5)
        assert type(copy) is AsyncSpeechClient
        assert copy.config.timeout == 5.0 and client.config.timeout != 5.0
        assert copy.tts is not client.tts


def test_blocking_twin_sends_rest_through_the_users_http_client(emulator: Emulator) -> None:
    # REST from the background loop (a session fetching voices, say) must go
    # through the http_client the user gave, not a private one.
    import httpx

    seen: list[str] = []
    mine = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    with emulator.client(http_client=mine) as client:
        voices = client._run(lambda aclient: aclient.tts.list_voices())
    assert voices and "/cognitiveservices/voices/list" in seen
    assert not mine.is_closed
    mine.close()

"""Closing a client closes the connections its resources hold."""

from __future__ import annotations

import asyncio
import time

from azspeech.emulator import Emulator


def _wait_idle(emulator: Emulator) -> int:
    for _ in range(50):
        if emulator.state.active_sessions == 0:
            break
        time.sleep(0.02)
    return int(emulator.state.active_sessions)


def test_async_client_close_ends_pooled_tts_socket(emulator: Emulator) -> None:
    async def main() -> None:
        async with emulator.async_client() as client:
            await client.tts.synthesize("pooled", transport="websocket")
            assert emulator.state.active_sessions == 1

    asyncio.run(main())
    assert _wait_idle(emulator) == 0


def test_sync_client_close_ends_pooled_tts_socket(emulator: Emulator) -> None:
    with emulator.client() as client:
        client.tts.synthesize("pooled", transport="websocket")
    assert _wait_idle(emulator) == 0

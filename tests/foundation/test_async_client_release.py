"""An ``AsyncSpeechClient`` dropped without ``close()`` is released when collected, with a
``ResourceWarning``, as ``SpeechClient`` is (and files and sockets are)."""

from __future__ import annotations

import asyncio
import gc
import os
import time
import warnings

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator


def _open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue  # closed meanwhile
    return count


async def _settled(before: int) -> int:
    # The released client's sockets and the emulator's ends of them close asynchronously.
    now = _open_sockets()
    for _ in range(150):
        if now <= before:
            break
        await asyncio.sleep(0.02)
        now = _open_sockets()
    return now


def test_dropped_async_client_is_released_with_a_resource_warning(emulator: Emulator) -> None:
    async def main() -> tuple[int, int, int]:
        gc.collect()
        before = _open_sockets()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(3):
                c = emulator.async_client(max_retries=0)
                await c.tts.synthesize("Dropped.")  # leaves a pooled synthesis socket
                await c.tts.list_voices(refresh=True)  # leaves a pooled HTTP connection
                del c
                gc.collect()
            after = await _settled(before)
        warned = sum(
            issubclass(w.category, ResourceWarning) and "AsyncSpeechClient" in str(w.message)
            for w in caught
        )
        return before, after, warned

    before, after, warned = asyncio.run(main())
    assert after <= before
    assert warned >= 3


def test_dropped_async_client_after_its_loop_ended_is_released(emulator: Emulator) -> None:
    gc.collect()
    before = _open_sockets()
    client = emulator.async_client(max_retries=0)

    async def use(c: AsyncSpeechClient) -> None:
        await c.tts.synthesize("Dropped later.")
        await c.tts.list_voices(refresh=True)

    asyncio.run(use(client))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    after = _open_sockets()
    for _ in range(150):  # no loop here: a new one would open sockets of its own
        if after <= before:
            break
        time.sleep(0.02)
        after = _open_sockets()
    assert after <= before
    assert any(
        issubclass(w.category, ResourceWarning) and "AsyncSpeechClient" in str(w.message)
        for w in caught
    )


def test_closed_async_client_and_its_copies_are_not_warned_about(emulator: Emulator) -> None:
    async def main() -> list[warnings.WarningMessage]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with emulator.async_client(max_retries=0) as c:
                copy = c.with_options(timeout=5)
                await copy.tts.synthesize("Closed.")
                del copy
            del c
            gc.collect()
        return [w for w in caught if "AsyncSpeechClient" in str(w.message)]

    assert asyncio.run(main()) == []


def test_blocking_clients_twin_is_not_warned_about(emulator: Emulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with emulator.client(max_retries=0) as c:
            c.tts.synthesize("Twin.")
        del c
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]

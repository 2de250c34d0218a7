"""Client lifetime: close from anywhere ends the work promptly; dropped clients are released;
an async client survives a second ``asyncio.run``; close ends what the client started."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from typing import Any

import pytest

from azspeech.emulator import Emulator
from azspeech.errors import SpeechError
from azspeech.tts import AudioChunk

from ..stt._audio import phrase_audio, wav

LONG = " ".join(["This sentence is here to make the audio long."] * 20)


def _settle(emulator: Emulator) -> int:
    for _ in range(150):
        if emulator.state.active_sessions == 0:
            break
        time.sleep(0.02)
    return int(emulator.state.active_sessions)


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:  # the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_close_from_a_session_callback_ends_the_iteration(emulator: Emulator) -> None:
    pcm, _ = phrase_audio(["First one.", "Second one.", "Third one."])
    client = emulator.client(max_retries=0)

    def iterate() -> list[str]:
        with client.stt.connect(on_recognized=lambda ev: client.close()) as session:
            session.send_file(wav(pcm))
            return [ev.type for ev in session]

    thread, outcome = _in_thread(iterate)
    thread.join(30)
    assert not thread.is_alive(), "the iterating thread hangs after close() in a callback"
    assert client.closed
    result = outcome[0]
    assert isinstance(result, (list, SpeechError)), repr(result)


def test_close_from_another_thread_during_tts_stream(emulator: Emulator) -> None:
    client = emulator.client(max_retries=0)

    def iterate() -> int:
        chunks = 0
        for event in client.tts.stream(LONG):
            if isinstance(event, AudioChunk):
                chunks += 1
                if chunks == 1:
                    threading.Thread(target=client.close).start()
                time.sleep(0.01)
        return chunks

    thread, outcome = _in_thread(iterate)
    thread.join(30)
    assert not thread.is_alive()
    assert isinstance(outcome[0], (int, SpeechError)), repr(outcome[0])
    assert _settle(emulator) == 0


def test_dropped_blocking_client_is_released_with_a_resource_warning(emulator: Emulator) -> None:
    gc.collect()
    threads_before = threading.active_count()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            c = emulator.client(max_retries=0)
            c.tts.synthesize("Dropped.")
            del c
            gc.collect()
    assert _settle(emulator) == 0
    for _ in range(100):
        if threading.active_count() <= threads_before:
            break
        time.sleep(0.02)
    assert threading.active_count() <= threads_before
    assert sum(issubclass(w.category, ResourceWarning) for w in caught) >= 3


def test_closed_client_is_not_warned_about(emulator: Emulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with emulator.client() as c:
            c.with_options(max_retries=0).tts.synthesize("Closed.")
        del c
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_async_client_in_a_second_asyncio_run(emulator: Emulator) -> None:
    client = emulator.async_client(max_retries=0)

    async def use() -> int:
        audio = await client.tts.synthesize("Again.", transport="rest")
        voices = await client.tts.list_voices(refresh=True)
        await client.tts.synthesize("Socket.")
        return len(audio.data) + len(voices)

    assert asyncio.run(use()) > 0
    assert asyncio.run(use()) > 0
    asyncio.run(client.close())
    assert _settle(emulator) == 0


def test_async_close_ends_a_running_synthesis(emulator: Emulator) -> None:
    async def main() -> None:
        client = emulator.async_client(max_retries=0)
        got = 0
        closing: list[asyncio.Task[None]] = []

        async def play() -> None:
            nonlocal got
            async for event in client.tts.stream(LONG):
                if isinstance(event, AudioChunk):
                    got += 1
                    if got == 1:
                        closing.append(asyncio.create_task(client.close()))
                    await asyncio.sleep(0.01)

        with pytest.raises(SpeechError, match="closed"):
            await asyncio.wait_for(play(), 20)
        assert got >= 1
        await closing[0]

    asyncio.run(main())
    assert _settle(emulator) == 0


async def _drain(session: Any) -> None:
    async for _ in session:
        pass


def test_async_close_ends_a_running_recognition(emulator: Emulator) -> None:
    pcm, _ = phrase_audio(["One here.", "Two here.", "Three here.", "Four here."])

    async def main() -> None:
        client = emulator.async_client(max_retries=0)
        async with client.stt.connect() as session:
            await session.send(pcm[: len(pcm) // 4])
            await client.close()
            await asyncio.wait_for(_drain(session), 10)
            assert session.closed

    asyncio.run(main())

"""``stream_text``: a failing text source reaches the caller; odd text is cleaned and bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones
from azspeech.errors import InvalidRequestError
from azspeech.tts import AudioChunk, SessionEnd


class SourceBroke(Exception):
    pass


async def test_source_error_while_the_caller_plays_audio(emulator: Emulator) -> None:
    async def source() -> AsyncIterator[str]:
        yield "Hello there. This is the first part "
        await asyncio.sleep(0.2)  # the caller is busy playing the first audio
        raise SourceBroke("the model went away")

    async def play(client: AsyncSpeechClient) -> None:
        async for event in client.tts.stream_text(source()):
            if isinstance(event, AudioChunk):
                await asyncio.sleep(0.5)  # "plays" in real time, roughly

    async with emulator.async_client(timeout=20, max_retries=0) as client:
        with pytest.raises(SourceBroke):
            await asyncio.wait_for(play(client), 15)


def test_blocking_source_error_while_the_caller_plays_audio(emulator: Emulator) -> None:
    import time

    def source() -> Iterator[str]:
        yield "Hello there. This is the first part "
        time.sleep(0.2)
        raise SourceBroke("the model went away")

    with emulator.client(timeout=20, max_retries=0) as client, pytest.raises(SourceBroke):
        for event in client.tts.stream_text(source()):
            if isinstance(event, AudioChunk):
                time.sleep(0.5)


@pytest.mark.parametrize("mode", ["service", "sentences"])
def test_lone_surrogate_is_dropped_like_synthesize(client: SpeechClient, mode: str) -> None:
    events = list(client.tts.stream_text(["Hello \ud800there."], mode=mode))
    assert isinstance(events[-1], SessionEnd)
    audio = b"".join(e for e in events if isinstance(e, AudioChunk))
    import numpy as np

    samples = np.frombuffer(audio, dtype="<i2")
    assert tones.decode(samples, 24000).text.replace("  ", " ") == "Hello there."


async def test_stream_text_total_is_bounded(aclient: AsyncSpeechClient) -> None:
    from azspeech.tts import MAX_STREAM_TEXT_CHARS

    def endless() -> Iterator[str]:
        piece = "word " * 2000
        for _ in range(MAX_STREAM_TEXT_CHARS // len(piece) + 2):
            yield piece

    with pytest.raises(InvalidRequestError, match="characters"):
        async for _ in aclient.tts.stream_text(endless()):
            pass


async def test_a_slow_text_source_is_not_a_service_timeout(emulator: Emulator) -> None:
    # The time budget counts the service's time, not the caller's source (an LLM thinking).
    async def source() -> AsyncIterator[str]:
        yield "First sentence. "
        await asyncio.sleep(1.5)
        yield "Second sentence."

    async with emulator.async_client(timeout=1, max_retries=0) as client:
        events = [e async for e in client.tts.stream_text(source())]
    assert isinstance(events[-1], SessionEnd)
    assert sum(len(e) for e in events if isinstance(e, AudioChunk)) > 0

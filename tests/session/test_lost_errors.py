"""An audio input that fails always reaches the caller as that error, never as a result."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pytest

from azspeech import AudioError
from azspeech.models.stt import Canceled

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient

HANG = 60.0


@pytest.fixture
def cpu_load() -> Iterator[None]:
    """Two busy threads contending for the interpreter, as on a loaded machine."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(5000))

    threads = [threading.Thread(target=spin, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join(5)


@pytest.mark.timeout(300)
async def test_missing_file_is_always_an_audio_error_under_load(
    aclient: AsyncSpeechClient, cpu_load: None
) -> None:
    outcomes: dict[str, int] = {}
    for _ in range(200):
        try:
            result = await asyncio.wait_for(aclient.stt.recognize_once("/no/such.wav"), HANG)
            key = f"result {result.status.value}"
        except AudioError:
            key = "AudioError"
        outcomes[key] = outcomes.get(key, 0) + 1
    assert outcomes == {"AudioError": 200}


def _speech_then_failure() -> Iterator[bytes]:
    pcm, _ = phrase_audio(["Part of it."], seed=8)
    yield pcm[: len(pcm) // 3]
    raise OSError("the microphone went away")


async def _async_speech_then_failure() -> AsyncIterator[bytes]:
    for chunk in _speech_then_failure():
        yield chunk
        await asyncio.sleep(0)


class _FailingReader(io.RawIOBase):
    """A binary file whose read fails after the WAV header and a little audio."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos > 44 + 6400:
            raise OSError("I/O error on the network share")
        n = min(len(buffer), 3200, len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: "/no/such.wav", id="missing-file"),
        pytest.param(lambda: np.zeros(16000, dtype=np.int64), id="int64-array"),
        pytest.param(_speech_then_failure, id="generator-failing-part-way"),
        pytest.param(_async_speech_then_failure, id="async-generator-failing-part-way"),
        pytest.param(
            lambda: io.BufferedReader(_FailingReader(wav(bytes(32000 * 3)))), id="failing-reader"
        ),
    ],
)
async def test_recognize_once_reports_the_input_error(
    aclient: AsyncSpeechClient, make: object, cpu_load: None
) -> None:
    for _ in range(15):
        with pytest.raises(AudioError):
            await asyncio.wait_for(
                aclient.stt.recognize_once(make(), sample_rate=16000),  # type: ignore[operator]
                HANG,
            )


async def test_a_failing_input_ends_the_stream_with_its_error(aclient: AsyncSpeechClient) -> None:
    canceled: list[Canceled] = []
    session = aclient.stt.connect(on_canceled=canceled.append)
    await session.start()
    sender = asyncio.ensure_future(session.send_file(_speech_then_failure()))
    with pytest.raises(AudioError) as info:  # the iterating task gets the input's error too
        await asyncio.wait_for(_drain(session), HANG)
    with pytest.raises(AudioError) as sent:
        await sender
    assert info.value is sent.value is session.error
    assert [c.error for c in canceled] == [session.error]
    await session.abort()


def test_blocking_recognize_once_reports_the_input_error(client: SpeechClient) -> None:
    for _ in range(10):
        with pytest.raises(AudioError):
            client.stt.recognize_once(_speech_then_failure())


async def _drain(session: object) -> None:
    async for _ in session:  # type: ignore[attr-defined]
        pass


async def test_a_bad_input_before_the_start_ends_the_session(aclient: AsyncSpeechClient) -> None:
    session = aclient.stt.connect()
    with pytest.raises(AudioError) as sent:
        await session.send_file("/no/such.wav")
    with pytest.raises(AudioError) as iterated:
        await asyncio.wait_for(_drain(session), HANG)
    assert sent.value is iterated.value and session.done

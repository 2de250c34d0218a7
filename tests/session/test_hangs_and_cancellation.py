"""Sessions end, and report, within their bounds; the caller's cancellation is never swallowed.

Against the emulator's fault DSL or a small hostile service on 127.0.0.1.
Every wait in here is bounded by ``asyncio.wait_for`` so that a hang fails
the test instead of stalling the suite.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from azspeech import AsyncSpeechClient, SpeechError
from azspeech import TimeoutError as SpeechTimeoutError
from azspeech.models.stt import SessionStopped
from azspeech.stt import AsyncRecognitionSession

from ..stt._audio import numbered_texts, phrase_audio, wav
from ._fake_service import (
    chatter_forever,
    fake_client,
    quiet_until_the_end,
    silent_after_audio,
)

if TYPE_CHECKING:
    from azspeech.emulator import Emulator

TEXTS = ["Hello world.", "Second sentence here.", "Third and last."]
HANG = 30.0  # far beyond any bound under test: reaching it means a hang


@pytest.fixture(scope="module")
def speech() -> bytes:
    pcm, _ = phrase_audio(TEXTS, gap_ms=(800, 800), seed=1)
    return wav(pcm)


# -- send() after a failure -------------------------------------------------------------------


async def test_send_raises_after_failure_with_an_async_stopped_callback(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    emulator.faults.close(1007, "Invalid audio", after_audio_ms=500, path="/speech/recognition")

    async def slow_stopped(event: SessionStopped) -> None:
        await asyncio.sleep(0.5)

    # A one-second window and silence (no final to acknowledge it): send() waits for space
    # when the service fails the session.
    session = aclient.stt.connect(
        replay_buffer_seconds=1.0, on_session_stopped=slow_stopped, interim_results=False
    )
    await session.start()
    with pytest.raises(SpeechError) as first:
        await asyncio.wait_for(session.send(bytes(32000 * 8)), HANG)
    with pytest.raises(SpeechError) as second:
        await asyncio.wait_for(session.send(bytes(3200)), HANG)
    assert first.value is second.value is session.error
    with pytest.raises(SpeechError):
        await asyncio.wait_for(session.close(), HANG)  # not yet raised by iteration: raised here


# -- close() and abort() keep the caller's cancellation ---------------------------------------


async def test_close_does_not_swallow_the_callers_timeout(
    aclient: AsyncSpeechClient, speech: bytes
) -> None:
    async def slow_stopped(event: SessionStopped) -> None:
        await asyncio.sleep(3)

    session = aclient.stt.connect(interim_results=False, on_session_stopped=slow_stopped)
    await session.start()
    await session.send_file(speech, close=False)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(session.close(), 0.3)
    await asyncio.wait_for(session.abort(), HANG)


async def test_a_cancelled_close_task_ends_cancelled(
    aclient: AsyncSpeechClient, speech: bytes
) -> None:
    async def slow_stopped(event: SessionStopped) -> None:
        await asyncio.sleep(3)

    session = aclient.stt.connect(interim_results=False, on_session_stopped=slow_stopped)
    await session.start()
    await session.send_file(speech, close=False)
    closing = asyncio.ensure_future(session.close())
    await asyncio.sleep(0.2)
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(closing, HANG)
    assert closing.cancelled()
    await asyncio.wait_for(session.abort(), HANG)


async def test_abort_does_not_swallow_the_callers_timeout(aclient: AsyncSpeechClient) -> None:
    async def slow_stopped(event: SessionStopped) -> None:
        await asyncio.sleep(3)

    session = aclient.stt.connect(on_session_stopped=slow_stopped)
    await session.start()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(session.abort(), 0.3)
    await asyncio.wait_for(session.abort(), HANG)


async def test_recognize_once_keeps_a_cancellation_that_arrives_during_cleanup(
    aclient: AsyncSpeechClient, speech: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AsyncRecognitionSession.abort

    async def abort_while_cancelled(self: AsyncRecognitionSession) -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()  # the caller is cancelled right as the cleanup starts
        await original(self)

    monkeypatch.setattr(AsyncRecognitionSession, "abort", abort_while_cancelled)
    outcome: list[str] = []

    async def worker() -> None:
        try:
            await aclient.stt.recognize_once(speech)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        outcome.append("returned")

    task = asyncio.ensure_future(worker())
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, HANG)
    assert outcome == ["cancelled"]


# -- liveness and deadlines ---------------------------------------------------------------------


async def test_messages_the_client_ignores_are_no_sign_of_life(speech: bytes) -> None:
    async with fake_client(chatter_forever, timeout=2) as client:
        with pytest.raises(SpeechTimeoutError):
            await asyncio.wait_for(client.stt.recognize_once(speech), HANG)


async def test_stream_end_timeout_ignores_chatter(speech: bytes) -> None:
    async with fake_client(chatter_forever) as client:
        session = client.stt.connect(end_timeout=1.0, max_reconnects=1)
        with pytest.raises(SpeechError) as info:
            async with session:
                await session.send_file(speech)
                await asyncio.wait_for(_drain(session), HANG)
    assert info.value.code == "ResponseTimeout"
    assert session.reconnects == 1


async def test_recognize_once_end_wait_is_bounded_by_the_client_timeout(speech: bytes) -> None:
    async with fake_client(silent_after_audio, timeout=3) as client:
        with pytest.raises(SpeechTimeoutError) as info:
            await asyncio.wait_for(client.stt.recognize_once(speech), HANG)
    assert info.value.code == "ResponseTimeout"


async def test_recognize_once_end_wait_bounded_against_the_emulator(
    emulator: Emulator, speech: bytes
) -> None:
    silence = wav(bytes(32000 * 2))  # no utterance: the answer is owed after the end
    emulator.faults.stall(after_audio_ms=100, times=None, path="/speech/recognition")
    async with emulator.async_client(max_retries=0).with_options(timeout=3) as client:
        with pytest.raises(SpeechTimeoutError):
            await asyncio.wait_for(client.stt.recognize_once(silence), HANG)


async def test_a_stall_in_mid_stream_reconnects_while_audio_flows(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    texts = numbered_texts(4, seed=11)
    pcm, _ = phrase_audio(texts, gap_ms=(700, 900), seed=11)
    emulator.faults.stall(after_audio_ms=1500, path="/speech/recognition")
    # The bound must exceed the service's silences (none here is longer than a second).
    session = aclient.stt.connect(end_timeout=2.0)
    async with session:
        # A live source: real-time audio, the input still open when the stall hits.
        await asyncio.wait_for(session.send_file(wav(pcm), realtime=True, close=False), HANG)
        reconnects_while_streaming = session.reconnects
        await session.end_audio()
        got = await asyncio.wait_for(_texts(session), HANG)
    assert reconnects_while_streaming == 1
    assert got == texts


async def _drain(session: AsyncRecognitionSession) -> None:
    async for _ in session:
        pass


async def _texts(session: AsyncRecognitionSession) -> list[Any]:
    return [r.text async for r in session.results()]


async def test_abort_right_after_start_still_ends_the_session(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    for _ in range(5):
        session = aclient.stt.connect()
        await session.start()
        await session.abort()  # before the session task ever ran (no wait_for: no task switch)
        kinds = await asyncio.wait_for(_kinds(session), HANG)
        assert kinds == ["session_started", "session_stopped"]
        assert session.done and session.error is None
    await asyncio.sleep(0.2)
    assert all(s.close_code is not None for s in emulator.log)


async def _kinds(session: AsyncRecognitionSession) -> list[str]:
    return [event.type async for event in session]


async def test_a_long_silence_does_not_spend_the_reconnect_budget() -> None:
    async with fake_client(quiet_until_the_end) as client:
        session = client.stt.connect(end_timeout=0.5, max_reconnects=1)
        async with session:
            await asyncio.wait_for(session.send_file(wav(bytes(32000 * 3)), realtime=True), HANG)
            kinds = await asyncio.wait_for(_kinds(session), HANG)
    assert session.error is None and "no_match" in kinds
    assert session.reconnects >= 2  # each quiet stretch resumed on a fresh connection

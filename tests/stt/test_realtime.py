"""Real-time recognition against the emulator over real sockets, blocking and async."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from azspeech import AuthenticationError, CanceledError, ConnectionClosedError
from azspeech.models.stt import (
    Canceled,
    NoMatch,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SessionStarted,
    SessionStopped,
    SpeechStartDetected,
)
from azspeech.stt import StreamClosedError

from ._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

TEXTS = ["Hello world.", "Second sentence here.", "Third and last."]
TOL = 250_000  # ticks


@pytest.fixture(scope="module")
def speech() -> tuple[bytes, list[Any]]:
    pcm, phrases = phrase_audio(TEXTS, gap_ms=(800, 800), seed=1)
    return wav(pcm), phrases


def _stt_sessions(emulator: Emulator) -> list[Any]:
    return [s for s in emulator.log if "/speech/recognition/" in s.path]


# -- recognize_once ------------------------------------------------------------------------------


def test_recognize_once_sync(client: SpeechClient, speech: tuple[bytes, list[Any]]) -> None:
    audio, phrases = speech
    r = client.stt.recognize_once(audio)
    assert r.status is RecognitionStatus.SUCCESS and r.text == "Hello world."
    assert abs(r.offset_ticks - phrases[0].start * 625) <= TOL
    assert r.offset == timedelta(microseconds=r.offset_ticks // 10)


async def test_recognize_once_async(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    r = await aclient.stt.recognize_once(speech[0], detailed=True)
    assert r.text == "Hello world." and r.best is not None and r.best.lexical == "hello world"
    (s,) = _stt_sessions(emulator)
    assert s.path == "/speech/recognition/interactive/cognitiveservices/v1"
    assert s.query["language"] == "en-US" and s.query["format"] == "detailed"


async def test_recognize_once_silence_is_no_match(aclient: AsyncSpeechClient) -> None:
    silence = wav(b"\0\0" * 16000 * 7)
    r = await aclient.stt.recognize_once(silence, initial_silence_timeout=2.0)
    assert r.status is RecognitionStatus.INITIAL_SILENCE_TIMEOUT and r.text == ""


def test_recognize_once_numpy_input(client: SpeechClient) -> None:
    from azspeech.emulator.engines.tones import encode

    enc = encode("Numbers 123.", 22050)
    r = client.stt.recognize_once(enc.samples, sample_rate=22050)  # resampled to 16 kHz
    assert r.text == "Numbers 123."


# -- streaming sessions ------------------------------------------------------------------


async def test_stream_async_events_and_callbacks(
    aclient: AsyncSpeechClient, speech: tuple[bytes, list[Any]]
) -> None:
    seen: list[str] = []

    async def on_recognized(ev: Recognized) -> None:
        seen.append(ev.text)

    events = []
    async with aclient.stt.connect(
        on_recognized=on_recognized, on_session_stopped=lambda ev: seen.append("stopped")
    ) as session:
        await session.send_file(speech[0])
        async for ev in session:
            events.append(ev)
    assert isinstance(events[0], SessionStarted) and isinstance(events[-1], SessionStopped)
    assert any(isinstance(e, SpeechStartDetected) for e in events)
    assert any(isinstance(e, Recognizing) for e in events)
    finals = [e.result for e in events if isinstance(e, Recognized)]
    assert [r.text for r in finals] == TEXTS
    for r, p in zip(finals, speech[1], strict=True):
        assert abs(r.offset_ticks - p.start * 625) <= TOL
    assert seen == [*TEXTS, "stopped"]
    assert session.transcript.text == "\n".join(TEXTS)
    assert "Hello world." in session.transcript.to_srt()


def test_stream_sync(client: SpeechClient, speech: tuple[bytes, list[Any]]) -> None:
    with client.stt.connect(interim_results=False) as session:
        session.send_file(speech[0])
        texts = [r.text for r in session.results()]
    assert texts == TEXTS
    assert not any(isinstance(e, Recognizing) for e in session.session.transcript.results)


def test_stream_sync_raw_chunks(client: SpeechClient, speech: tuple[bytes, list[Any]]) -> None:
    pcm = speech[0][44:]
    with client.stt.connect() as session:
        for i in range(0, len(pcm), 5000):  # odd sizes: the session re-chunks
            session.send(pcm[i : i + 5000])
        session.close()
        events = list(session)
    assert [e.result.text for e in events if isinstance(e, Recognized)] == TEXTS


async def test_stream_push_stream_from_another_task(
    aclient: AsyncSpeechClient, speech: tuple[bytes, list[Any]]
) -> None:
    from azspeech.audio import AsyncPushStream

    push = AsyncPushStream()

    async def producer() -> None:
        pcm = speech[0][44:]
        for i in range(0, len(pcm), 3200):
            await push.write(pcm[i : i + 3200])
        await push.close()

    async with aclient.stt.connect() as session:
        task = asyncio.create_task(producer())
        await session.send_file(push)
        await task
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS


@pytest.mark.parametrize("mode", ["interactive", "conversation", "dictation"])
async def test_modes(
    mode: str, aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    async with aclient.stt.connect(mode=mode) as session:
        await session.send_file(speech[0])
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS  # interactive: one phrase per turn, the session opens the next
    s = _stt_sessions(emulator)[0]
    assert s.path == f"/speech/recognition/{mode}/cognitiveservices/v1"
    ctx = s.received("speech.context")[0].json()
    assert ctx["phraseDetection"]["mode"] == mode.capitalize()


async def test_detailed_word_timings(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    pcm, phrases = phrase_audio(["One two three.", "Four five."], seed=3)
    async with aclient.stt.connect(word_timings=True, word_confidence=True) as session:
        await session.send_file(wav(pcm))
        finals = [r async for r in session.results()]
    assert [r.text for r in finals] == ["One two three.", "Four five."]
    second = finals[1]
    assert second.best is not None and [w.word for w in second.words] == ["four", "five"]
    assert abs(second.words[0].offset_ticks - phrases[1].start * 625) <= TOL
    assert second.words[0].offset >= finals[0].end
    s = _stt_sessions(emulator)[0]
    assert s.query["wordLevelTimestamps"] == "true"
    ctx = s.received("speech.context")[0].json()
    assert ctx["phraseOutput"]["detailed"]["options"] == ["WordTimings", "WordConfidence"]


@pytest.mark.parametrize(("mode", "expected"), [("masked", "Oh **** it."), ("removed", "Oh it."),
                                                ("raw", "Oh damn it.")])  # fmt: skip
def test_profanity(client: SpeechClient, mode: str, expected: str) -> None:
    pcm, _ = phrase_audio(["Oh damn it."])
    assert client.stt.recognize_once(wav(pcm), profanity=mode).text == expected


async def test_phrase_list(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    pcm, _ = phrase_audio(["We met contoso today."])
    r = await aclient.stt.recognize_once(wav(pcm), phrases=["Contoso"], phrase_weight=1.5)
    assert r.text == "We met Contoso today."
    ctx = _stt_sessions(emulator)[0].received("speech.context")[0].json()
    assert ctx["dgi"] == {"groups": [{"type": "Generic", "items": [{"text": "Contoso"}]}],
                          "bias": 1.5}  # fmt: skip


async def test_timeouts_endpoint_and_threshold_reach_the_wire(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    async with aclient.stt.connect(
        initial_silence_timeout=3, segmentation_silence_timeout=0.6, end_silence_timeout=1.2,
        endpoint_id="my-model", stable_partial_threshold=3,
    ) as session:  # fmt: skip
        await session.send_file(speech[0])
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS
    s = _stt_sessions(emulator)[0]
    assert s.query["initialSilenceTimeoutMs"] == "3000"
    assert s.query["segmentationSilenceTimeoutMs"] == "600"
    assert s.query["endSilenceTimeoutMs"] == "1200"
    assert s.query["cid"] == "my-model" and s.query["stableIntermediateThreshold"] == "3"
    pd = s.received("speech.context")[0].json()["phraseDetection"]
    assert pd["conversation"]["segmentation"]["segmentationSilenceTimeoutMs"] == 600


async def test_language_identification(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    pcm, _ = phrase_audio(["Grüße aus Berlin."])
    r = await aclient.stt.recognize_once(wav(pcm), candidate_languages=["en-US", "de-DE"])
    assert r.language == "de-DE" and r.text == "Grüße aus Berlin."
    s = _stt_sessions(emulator)[0]
    assert s.query["lidEnabled"] == "true"
    assert s.received("speech.context")[0].json()["languageId"]["languages"] == ["en-US", "de-DE"]


def test_diarization_speaker_ids(client: SpeechClient) -> None:
    from azspeech.emulator.engines.tones import encode

    parts = []
    for text, gain in [("Good morning.", 1.0), ("Hi there.", 0.25), ("How are you.", 1.0)]:
        parts.append(encode(text, 16000, gain=gain, tail_ms=900).samples)
    pcm = (np.concatenate(parts) * 32767).astype("<i2").tobytes()
    with client.stt.connect(diarization=True) as session:
        session.send_file(wav(pcm))
        finals = list(session.results())
    assert [r.text for r in finals] == ["Good morning.", "Hi there.", "How are you."]
    ids = [r.speaker_id for r in finals]
    assert ids[0] == ids[2] and ids[0] != ids[1] and all(i and i.startswith("Guest") for i in ids)
    srt = session.transcript.to_srt()
    assert f"{ids[1]}: Hi there." in srt


# -- errors ----------------------------------------------------------------------------------------


async def test_send_after_close_is_an_error(
    aclient: AsyncSpeechClient, speech: tuple[bytes, list[Any]]
) -> None:
    async with aclient.stt.connect() as session:
        await session.send_file(speech[0])
        with pytest.raises(StreamClosedError):
            await session.send(b"\0\0")


def test_send_after_close_is_an_error_sync(client: SpeechClient) -> None:
    with client.stt.connect() as session:
        session.close()
        with pytest.raises(StreamClosedError):
            session.send(b"\0\0")


async def test_fatal_close_cancels(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    emulator.faults.close(1007, "Invalid audio", after_audio_ms=500)
    events: list[Any] = []
    canceled: list[Canceled] = []
    with pytest.raises(CanceledError) as info:  # from send_file or from the iteration
        async with aclient.stt.connect(on_canceled=canceled.append) as session:
            await session.send_file(speech[0])
            async for ev in session:
                events.append(ev)
    assert info.value.code == "BadRequestParameters"
    assert len(canceled) == 1 and canceled[0].code == "BadRequestParameters"
    assert "Invalid audio" in canceled[0].message
    assert [e for e in events if isinstance(e, Canceled)] in ([], canceled)
    assert session.reconnects == 0


async def test_reconnect_budget_is_bounded(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    emulator.faults.drop(after_audio_ms=100, times=None, path="/speech/recognition")
    with pytest.raises(ConnectionClosedError):
        async with aclient.stt.connect(max_reconnects=2) as session:
            await session.send_file(speech[0])
            async for _ in session:
                pass
    assert session.reconnects == 2


def test_bad_key_fails_at_start(emulator: Emulator) -> None:
    from azspeech import SpeechClient

    with SpeechClient(endpoint=emulator.url, key="wrong-key-000", max_retries=0) as c:
        with pytest.raises(AuthenticationError):
            c.stt.recognize_once(b"RIFF")
        with pytest.raises(AuthenticationError), c.stt.connect() as s:
            s.send(b"\0\0")


async def test_rejected_upgrade_raises(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    emulator.faults.reject(status=429, path="/speech/recognition", times=1)
    with pytest.raises(Exception) as info:  # the upgrade is refused (429): RateLimitError
        await aclient.stt.recognize_once(wav(b"\0\0" * 1600))
    assert "429" in str(info.value)


def test_no_match_event_type() -> None:
    ev = NoMatch(result=__import__("azspeech").stt.RecognitionResult(status="NoMatch"))
    assert ev.type == "no_match"


async def test_proactive_reconnect_keeps_one_timeline(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    from ._audio import numbered_texts

    texts = numbered_texts(6, seed=5)
    pcm, phrases = phrase_audio(texts, seed=5)
    # max_connection_age=0: renew the connection after every final result.
    got = []
    async with aclient.stt.connect(max_connection_age=0.0, interim_results=False) as session:
        await session.send_file(wav(pcm), close=False)  # a live source: the audio goes on
        async for r in session.results():
            got.append(r)
            if len(got) == len(texts):
                await session.end_audio()
    assert [r.text for r in got] == texts
    for r, p in zip(got, phrases, strict=True):
        assert abs(r.offset_ticks - p.start * 625) <= TOL
    assert session.reconnects >= len(texts) - 1
    assert len(_stt_sessions(emulator)) >= len(texts)


def test_sync_callbacks_and_iteration_together(client: SpeechClient) -> None:
    seen: list[str] = []
    pcm, _ = phrase_audio(["Sync callback."])
    with client.stt.connect(on_recognized=lambda ev: seen.append(ev.text)) as session:
        session.send_file(wav(pcm))
        kinds = [ev.type for ev in session]
    assert seen == ["Sync callback."]
    assert kinds[0] == "session_started" and kinds[-1] == "session_stopped"
    assert "recognized" in kinds


async def test_send_file_realtime_paced(aclient: AsyncSpeechClient) -> None:
    pcm, _ = phrase_audio(["Paced."], lead_ms=100, gap_ms=(200, 200))
    async with aclient.stt.connect(interim_results=False) as session:
        await session.send_file(wav(pcm), realtime=True)
        assert [r.text async for r in session.results()] == ["Paced."]


async def test_continuous_language_id_uses_the_universal_endpoint(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    pcm, _ = phrase_audio(["Hello there.", "Grüße aus Berlin."], seed=2)
    async with aclient.stt.connect(
        candidate_languages=["en-US", "de-DE"], language_id_mode="continuous"
    ) as session:
        await session.send_file(wav(pcm))
        finals = [r async for r in session.results()]
    assert [(r.text, r.language) for r in finals] == [
        ("Hello there.", "en-US"), ("Grüße aus Berlin.", "de-DE")]  # fmt: skip
    s = _stt_sessions(emulator)[0] if _stt_sessions(emulator) else emulator.log[0]
    assert s.path == "/speech/universal/v2"
    ctx = s.received("speech.context")[0].json()
    assert ctx["languageId"]["mode"] == "DetectContinuous"
    assert ctx["phraseDetection"]["mode"] == "Conversation"


def test_sync_stream_survives_a_dropped_connection(
    client: SpeechClient, emulator: Emulator
) -> None:
    from ._audio import numbered_texts

    texts = numbered_texts(5, seed=9)
    pcm, _ = phrase_audio(texts, seed=9)
    emulator.faults.drop(after_audio_ms=4000, path="/speech/recognition")
    with client.stt.connect(interim_results=False) as session:
        session.send_file(wav(pcm))
        got = [r.text for r in session.results()]
    assert got == texts and session.reconnects == 1


async def test_stalled_connection_after_the_audio_is_replaced(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    emulator.faults.stall(after_audio_ms=1500, path="/speech/recognition")
    async with aclient.stt.connect(interim_results=False, end_timeout=1.0) as session:
        await session.send_file(speech[0])
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS and session.reconnects == 1


async def test_malformed_frame_from_the_service_is_a_protocol_error(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: tuple[bytes, list[Any]]
) -> None:
    from azspeech import ProtocolError

    emulator.faults.malformed(after_sent=2, path="/speech/recognition")
    canceled: list[Canceled] = []
    with pytest.raises(ProtocolError):
        async with aclient.stt.connect(on_canceled=canceled.append) as session:
            await session.send_file(speech[0])
            async for _ in session:
                pass
    assert len(canceled) == 1 and session.reconnects == 0


def test_sync_push_stream_from_a_thread(
    client: SpeechClient, speech: tuple[bytes, list[Any]]
) -> None:
    import threading

    from azspeech.audio import PushStream

    push = PushStream()
    pcm = speech[0][44:]

    def producer() -> None:
        for i in range(0, len(pcm), 3200):
            push.write(pcm[i : i + 3200])
        push.close()

    thread = threading.Thread(target=producer)
    thread.start()
    with client.stt.connect(interim_results=False) as session:
        session.send_file(push)
        texts = [r.text for r in session.results()]
    thread.join(10)
    assert texts == TEXTS

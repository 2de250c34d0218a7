"""Every fault the emulator can inject, seen from a raw client."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from azspeech._protocol.framing import decode_frame
from azspeech.emulator import Emulator
from azspeech.errors import ProtocolError

from .usp import connect, paths, phrases, send_turn, stt_url, tone_pcm, until_turn_end

REST = "/speech/recognition/conversation/cognitiveservices/v1?language=en-US"


def _wav(text: str) -> bytes:
    from .usp import wav_header

    pcm = tone_pcm(text)
    hdr = bytearray(wav_header())
    hdr[40:44] = len(pcm).to_bytes(4, "little")
    return bytes(hdr) + pcm


async def _drain(ws: object, limit: float = 5.0) -> list[object]:
    """Messages until the socket closes (or, if it stays open, until ``turn.end``)."""
    got: list[object] = []
    try:
        while True:
            msg = decode_frame(await asyncio.wait_for(ws.recv(), limit))  # type: ignore[attr-defined]
            got.append(msg)
            if msg.path == "turn.end":
                return got
    except ConnectionClosed:
        return got


async def test_reject_429_then_ok_on_ws_and_rest(emulator: Emulator) -> None:
    fault = emulator.faults.reject(429, times=2, retry_after=3)
    with pytest.raises(InvalidStatus) as info:
        await connect(stt_url(emulator.url), emulator.key)
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "3"
    async with httpx.AsyncClient() as http:
        r = await http.post(
            emulator.url + REST,
            headers={"Ocp-Apim-Subscription-Key": emulator.key},
            content=_wav("x."),
        )
        assert r.status_code == 429
        assert r.headers["retry-after"] == "3"
        r = await http.post(
            emulator.url + REST,
            headers={"Ocp-Apim-Subscription-Key": emulator.key},
            content=_wav("Ok."),
        )
        assert r.status_code == 200
        assert r.json()["DisplayText"] == "Ok."
    assert fault.used == 2
    assert emulator.faults.pending == []


async def test_reject_5xx_only_matching_path(emulator: Emulator) -> None:
    emulator.faults.reject(503, path="interactive", times=1)
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Fine."))
        await until_turn_end(ws)
    with pytest.raises(InvalidStatus) as info:
        await connect(stt_url(emulator.url, "interactive"), emulator.key)
    assert info.value.response.status_code == 503


async def test_drop_after_audio_is_abrupt(emulator: Emulator) -> None:
    emulator.faults.drop(after_audio_ms=500)
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        with contextlib.suppress(ConnectionClosed):
            await send_turn(ws, tone_pcm("A long sentence with many words to keep sending audio."))
        await _drain(ws)
    assert ws.close_code == 1006
    log = emulator.last_session
    assert log.close_code == 1006
    assert "fault injected: drop" in log.errors
    # the emulator stays up
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Still here."))
        assert phrases(await until_turn_end(ws))[0]["DisplayText"] == "Still here."


async def test_close_with_code_after_sent_messages(emulator: Emulator) -> None:
    emulator.faults.close(1011, "service hiccup", after_sent=2)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        with contextlib.suppress(ConnectionClosed):
            await send_turn(ws, tone_pcm("Hello there friend."))
        got = await _drain(ws)
    assert [m.path for m in got] == ["turn.start", "speech.startDetected"]  # type: ignore[attr-defined]
    assert ws.close_code == 1011
    assert ws.close_reason == "service hiccup"


async def test_close_after_received_messages(emulator: Emulator) -> None:
    emulator.faults.close(1001, "going away", after_received=1)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        with contextlib.suppress(ConnectionClosed):
            await send_turn(ws, tone_pcm("Hi."))
        await _drain(ws)
    assert ws.close_code == 1001


async def test_delay_slows_every_message(emulator: Emulator) -> None:
    emulator.faults.delay(0.05, protocol="ws")
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Slow."))
        msgs = await until_turn_end(ws)
    assert phrases(msgs)[0]["DisplayText"] == "Slow."
    assert "fault injected: delay" not in emulator.last_session.errors


async def test_malformed_frame(emulator: Emulator) -> None:
    emulator.faults.malformed(after_sent=1)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Bad frame."))
        first = decode_frame(await ws.recv())
        assert first.path == "turn.start"
        raw = await ws.recv()
        assert isinstance(raw, bytes)
        with pytest.raises(ProtocolError):
            decode_frame(raw)


async def test_oversized_frame(emulator: Emulator) -> None:
    emulator.faults.oversized(size=2 * 1024 * 1024, after_sent=1)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Big."))
        decode_frame(await ws.recv())
        raw = await ws.recv()
    assert len(raw) >= 2 * 1024 * 1024


async def test_stall_stops_answering(emulator: Emulator) -> None:
    emulator.faults.stall(after_sent=1)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Nothing comes back."))
        assert decode_frame(await ws.recv()).path == "turn.start"
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.5)


async def test_per_connection_fault_header(emulator: Emulator) -> None:
    async with await connect(
        stt_url(emulator.url), emulator.key, **{"X-Emulator-Fault": "close:code=4000,reason=x"}
    ) as ws:
        await _drain(ws)
    assert ws.close_code == 4000
    url = stt_url(emulator.url, query="language=en-US&emulatorFault=reject:status=500")
    with pytest.raises(InvalidStatus) as info:
        await connect(url, emulator.key)
    assert info.value.response.status_code == 500


def test_rest_faults(emulator: Emulator) -> None:
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}
    with httpx.Client(timeout=5) as http:
        emulator.faults.drop(protocol="http")
        with pytest.raises(httpx.TransportError):
            http.post(emulator.url + REST, headers=headers, content=_wav("x."))
        emulator.faults.malformed(protocol="http")
        r = http.post(emulator.url + REST, headers=headers, content=_wav("x."))
        with pytest.raises(ValueError):
            r.json()
        emulator.faults.stall(protocol="http")
        with pytest.raises(httpx.ReadTimeout):
            http.post(emulator.url + REST, headers=headers, content=_wav("x."), timeout=0.5)
        r = http.post(emulator.url + REST, headers=headers, content=_wav("Fine."))
        assert r.json()["DisplayText"] == "Fine."


def test_fault_spec_errors() -> None:
    from azspeech.emulator.faults import parse_fault

    assert parse_fault("drop:after_audio_ms=250").after_audio_ms == 250
    assert parse_fault("close:code=1011,reason=bye").reason == "bye"
    for bad in ("explode", "drop:after_audio_ms", "close:colour=red"):
        with pytest.raises(ValueError):
            parse_fault(bad)
    _ = paths


async def test_faults_apply_to_successive_connections(emulator: Emulator) -> None:
    for ms in (200, 400, 600):
        emulator.faults.drop(after_audio_ms=ms)
    heard = []
    for _ in range(4):
        async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
            with contextlib.suppress(ConnectionClosed):
                await send_turn(ws, tone_pcm("Keep talking for a while please."))
            await _drain(ws)
        heard.append((ws.close_code, round(emulator.last_session.audio_bytes / 32)))
    assert [code for code, _ in heard] == [1006, 1006, 1006, 1000]  # 1000: our own close
    # each connection was dropped once its own audio passed its threshold
    for (_, got_ms), limit in zip(heard, (200, 400, 600), strict=False):
        assert limit <= got_ms + 1 < limit + 150


async def test_service_limits_lifetime_idle_and_concurrency(emulator: Emulator) -> None:
    state = emulator.state
    try:
        state.max_connection_seconds = 0.3
        async with await connect(stt_url(emulator.url), emulator.key) as ws:
            await _drain(ws)
        assert ws.close_code == 1001
        state.max_connection_seconds = None
        state.idle_timeout_seconds = 1.0
        async with await connect(stt_url(emulator.url), emulator.key) as ws:
            await send_turn(ws, tone_pcm("Then silence."))
            await until_turn_end(ws)
            await _drain(ws)
        assert ws.close_code == 1001
        assert "idle timeout" in emulator.last_session.errors
        state.idle_timeout_seconds = None
        state.max_sessions = 1
        async with await connect(stt_url(emulator.url), emulator.key):
            with pytest.raises(InvalidStatus) as info:
                await connect(stt_url(emulator.url), emulator.key)
            assert info.value.response.status_code == 429
    finally:
        state.max_connection_seconds = state.idle_timeout_seconds = state.max_sessions = None


def test_sts_faults(emulator: Emulator) -> None:
    url = emulator.url + "/sts/v1.0/issueToken"
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}
    emulator.faults.reject(503, path="issueToken")
    assert httpx.post(url, headers=headers).status_code == 503
    emulator.faults.drop(path="issueToken")
    with pytest.raises(httpx.TransportError):
        httpx.post(url, headers=headers)
    assert httpx.post(url, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ("no-path", "no Path"),
        ("json", "not JSON"),
        ("missing-field", "missing"),
        ("extra-fields", "extra"),
    ],
)
async def test_malformed_variants(emulator: Emulator, variant: str, check: str) -> None:
    emulator.faults.malformed(variant, after_sent=1)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        rid = await send_turn(ws, tone_pcm("Variants."))
        assert decode_frame(await ws.recv()).path == "turn.start"
        raw = await ws.recv()
    assert isinstance(raw, str)
    if variant == "no-path":
        with pytest.raises(ProtocolError):
            decode_frame(raw)
        return
    msg = decode_frame(raw)
    assert msg.request_id == rid
    if variant == "json":
        with pytest.raises(ProtocolError):
            msg.json()
    elif variant == "missing-field":
        assert "RecognitionStatus" not in msg.json()
    else:
        assert msg.json()["FutureField"] == {"a": [1, 2]}
    with pytest.raises(ValueError):
        emulator.faults.malformed("sideways")

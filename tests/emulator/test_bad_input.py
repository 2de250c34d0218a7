"""Bad input from clients: answered as the service does, logged, and the emulator stays up."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from azspeech._protocol.framing import encode_binary, encode_text
from azspeech.emulator import Emulator

from .usp import connect, phrases, send_turn, stt_url, tone_pcm, until_turn_end, wav_header


async def _close_code(ws: websockets.asyncio.client.ClientConnection) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    except ConnectionClosed:
        pass
    return ws.close_code


async def _still_up(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Alive."))
        assert phrases(await until_turn_end(ws))[0]["DisplayText"] == "Alive."


RID = uuid.uuid4().hex

CASES = {
    "audio before speech.config": (
        [encode_binary("audio", wav_header(), request_id=RID)],
        1002,
    ),
    "header length beyond the frame": ([b"\x01\x00Path:audio\r\n"], 1007),
    "binary frame shorter than its length prefix": ([b"\x00"], 1007),
    "missing Path": (["X-RequestId:" + RID + "\r\n\r\n{}"], 1002),
    "missing X-RequestId on speech.context": ([encode_text("speech.context", {})], 1002),
    "dashed X-RequestId": (
        [
            encode_text("speech.config", {}),
            encode_text("speech.context", {}, request_id=str(uuid.uuid4())),
        ],
        1002,
    ),
    "first audio without RIFF": (
        [
            encode_text("speech.config", {}),
            encode_text("speech.context", {}, request_id=RID),
            encode_binary("audio", b"\x00" * 3200, request_id=RID),
        ],
        1007,
    ),
    "missing X-RequestId on audio": (
        [encode_text("speech.config", {}), encode_binary("audio", wav_header())],
        1002,
    ),
    "context body is not JSON": (
        [encode_text("speech.config", {}), encode_text("speech.context", "{nope", request_id=RID)],
        1007,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_frames_close_with_service_codes(emulator: Emulator, name: str) -> None:
    frames, code = CASES[name]
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        for frame in frames:
            await ws.send(frame)
        assert await _close_code(ws) == code
    log = emulator.last_session
    assert log.errors, "the problem is logged"
    assert log.close_code == code
    await _still_up(emulator)


async def test_non_utf8_text_frame_closes_1007(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await ws.send(b"Path:speech.config\r\n\r\n\xff\xfe", text=True)
        assert await _close_code(ws) == 1007
    await _still_up(emulator)


@pytest.mark.parametrize(
    "path",
    ["/speech/recognition/banana/cognitiveservices/v1", "/nowhere", "/speech/universal/v3"],
)
async def test_unknown_path_is_404_at_handshake(emulator: Emulator, path: str) -> None:
    ws_base = "ws" + emulator.url[4:]
    with pytest.raises(InvalidStatus) as info:
        await websockets.connect(
            ws_base + path,
            additional_headers={
                "Ocp-Apim-Subscription-Key": emulator.key,
                "X-ConnectionId": uuid.uuid4().hex,
            },
        )
    assert info.value.response.status_code == 404
    await _still_up(emulator)


async def test_client_vanishing_mid_turn(emulator: Emulator) -> None:
    ws = await connect(stt_url(emulator.url, "conversation"), emulator.key)
    await send_turn(ws, tone_pcm("Gone before the end."), end=False)
    ws.transport.abort()  # type: ignore[attr-defined]
    await asyncio.sleep(0.1)
    await _still_up(emulator)


async def test_unknown_message_paths_are_ignored(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await ws.send(encode_text("speech.config", {}))
        await ws.send(encode_text("something.new", {"x": 1}, request_id=RID))
        await send_turn(ws, tone_pcm("Fine."), config=False)
        assert phrases(await until_turn_end(ws))[0]["DisplayText"] == "Fine."
    assert any("something.new" in e for e in emulator.last_session.errors)


async def test_twenty_garbage_frames_then_service_still_fine(emulator: Emulator) -> None:
    import random

    rng = random.Random(7)
    for _ in range(20):
        async with await connect(stt_url(emulator.url), emulator.key) as ws:
            blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
            try:
                await ws.send(blob)
                await _close_code(ws)
            except ConnectionClosed:
                pass
    await _still_up(emulator)

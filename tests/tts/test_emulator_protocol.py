"""The emulator's text-to-speech service at the frame level (a bare websockets client)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import websockets

from azspeech import SpeechClient
from azspeech._protocol.framing import Message, decode_frame, encode_text
from azspeech.emulator import Emulator

SSML = (
    "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>"
    "<voice name='en-US-AvaNeural'>Frame level.</voice></speak>"
)


def _ws(emulator: Emulator, path: str) -> str:
    return "ws" + emulator.url[4:] + path


async def _connect(emulator: Emulator, path: str) -> Any:
    return await websockets.connect(
        _ws(emulator, path),
        additional_headers={
            "Ocp-Apim-Subscription-Key": emulator.key,
            "X-ConnectionId": uuid.uuid4().hex,
        },
        max_size=None,
    )


def _context(fmt: str, **flags: Any) -> dict[str, Any]:
    return {"synthesis": {"audio": {"outputFormat": fmt, "metadataOptions": flags}}}


async def _turn(ws: Any) -> list[Message]:
    out = []
    while True:
        msg = decode_frame(await ws.recv())
        out.append(msg)
        if msg.path == "turn.end":
            return out


async def test_prefixed_path_riff_requested_directly(emulator: Emulator) -> None:
    ws = await _connect(emulator, "/tts/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    await ws.send(encode_text("speech.config", {"context": {}}))  # no X-RequestId, as Python's SDK
    await ws.send(
        encode_text(
            "synthesis.context",
            # string booleans, as the JS SDK sends them
            _context("riff-16khz-16bit-mono-pcm", wordBoundaryEnabled="true"),
            request_id=rid,
        )
    )
    await ws.send(encode_text("ssml", SSML, request_id=rid, content_type="application/ssml+xml"))
    msgs = await _turn(ws)
    paths = [m.path for m in msgs]
    assert paths[:2] == ["turn.start", "response"] and paths[-1] == "turn.end"
    stream_id = json.loads(msgs[1].body)["audio"]["streamId"]
    audio = [m for m in msgs if m.path == "audio"]
    assert all(m.binary and m.header("X-StreamId") == stream_id for m in audio)
    assert audio[0].body[:4] == b"RIFF"  # asked for riff-*: the header comes first
    assert audio[-1].body == b""  # the final empty frame
    meta = [json.loads(m.body) for m in msgs if m.path == "audio.metadata"]
    kinds = {e["Type"] for m in meta for e in m["Metadata"]}
    assert kinds == {"WordBoundary", "SessionEnd"}
    assert all(m.request_id == rid for m in msgs)
    await ws.close()


async def test_missing_request_id_closes_1002(emulator: Emulator) -> None:
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    await ws.send(encode_text("ssml", SSML, content_type="application/ssml+xml"))
    with pytest.raises(websockets.ConnectionClosed) as info:
        await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1002


async def test_bad_ssml_closes_1007(emulator: Emulator) -> None:
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    await ws.send(
        encode_text("synthesis.context", _context("raw-16khz-16bit-mono-pcm"), request_id=rid)
    )
    await ws.send(encode_text("ssml", "<speak><voice>", request_id=rid))
    with pytest.raises(websockets.ConnectionClosed) as info:
        await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1007
    assert "Invalid SSML" in info.value.rcvd.reason


async def test_text_piece_needs_v2(emulator: Emulator) -> None:
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    await ws.send(encode_text("text.piece", "hello", request_id=rid))
    with pytest.raises(websockets.ConnectionClosed) as info:
        await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1007


async def test_edge_style_options_in_speech_config(emulator: Emulator) -> None:
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    config = {
        "context": {
            "synthesis": {
                "audio": {
                    "metadataoptions": {
                        "sentenceBoundaryEnabled": "true",
                        "wordBoundaryEnabled": "false",
                    },
                    "outputFormat": "audio-24khz-48kbitrate-mono-mp3",
                }
            }
        }
    }
    await ws.send(encode_text("speech.config", config))
    await ws.send(encode_text("ssml", SSML, request_id=rid, content_type="application/ssml+xml"))
    msgs = await _turn(ws)
    audio = [m for m in msgs if m.path == "audio" and m.body]
    assert audio[0].header("Content-Type") == "audio/mpeg"
    kinds = {
        e["Type"]
        for m in msgs
        if m.path == "audio.metadata"
        for e in json.loads(m.body)["Metadata"]
    }
    assert kinds == {"SentenceBoundary", "SessionEnd"}
    await ws.close()


def test_idle_socket_closed_by_service_is_replaced(
    emulator: Emulator, client: SpeechClient
) -> None:
    # The service closes the pooled socket when the second request arrives on it
    # (as after its idle limit): the request is retried once on a new connection.
    emulator.faults.close(1001, "idle timeout", after_received=4)
    client.tts.synthesize("First.")
    audio = client.tts.synthesize("Second.")
    assert audio.duration.total_seconds() > 0.1
    sessions = [s for s in emulator.log if s.kind == "tts"]
    assert len(sessions) == 2 and sessions[0].close_code == 1001


async def test_non_utf8_ssml_closes_1007_and_service_stays_up(
    emulator: Emulator, client: SpeechClient
) -> None:
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    head = f"Path:ssml\r\nX-RequestId:{rid}\r\n".encode()
    frame = len(head).to_bytes(2, "big") + head + b"\xff\xfe<speak>"
    await ws.send(frame)  # an ssml body in a binary frame, not UTF-8
    with pytest.raises(websockets.ConnectionClosed) as info:
        await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1007
    assert (
        await asyncio.to_thread(client.tts.synthesize, "Still up.")
    ).duration.total_seconds() > 0


async def test_ssml_over_64_kb_refused(emulator: Emulator) -> None:
    big = SSML.replace("Frame level.", "<!-- " + "x" * (65 * 1024) + " -->Too big.")
    ws = await _connect(emulator, "/cognitiveservices/websocket/v1")
    rid = uuid.uuid4().hex
    await ws.send(
        encode_text("synthesis.context", _context("raw-16khz-16bit-mono-pcm"), request_id=rid)
    )
    await ws.send(encode_text("ssml", big, request_id=rid, content_type="application/ssml+xml"))
    with pytest.raises(websockets.ConnectionClosed) as info:
        await ws.recv()
    assert info.value.rcvd is not None and info.value.rcvd.code == 1007
    assert "64 KB" in info.value.rcvd.reason
    import httpx

    async with httpx.AsyncClient() as http:
        r = await http.post(
            emulator.url + "/cognitiveservices/v1",
            content=big.encode(),
            headers={
                "Ocp-Apim-Subscription-Key": emulator.key,
                "Content-Type": "application/ssml+xml",
                "X-Microsoft-OutputFormat": "riff-16khz-16bit-mono-pcm",
            },
        )
    assert r.status_code == 400 and "64 KB" in r.text

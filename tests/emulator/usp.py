"""A bare USP client over ``websockets`` for socket-level emulator tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from azspeech._protocol.framing import Message, decode_frame, encode_binary, encode_text
from azspeech.emulator.engines import tones


def wav_header(rate: int = 16000, channels: int = 1, bits: int = 16, tag: int = 1) -> bytes:
    """The 44-byte streaming RIFF header the SDKs send (sizes 0)."""
    block = channels * bits // 8
    return (
        b"RIFF" + (0).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
        + tag.to_bytes(2, "little") + channels.to_bytes(2, "little")
        + rate.to_bytes(4, "little") + (rate * block).to_bytes(4, "little")
        + block.to_bytes(2, "little") + bits.to_bytes(2, "little")
        + b"data" + (0).to_bytes(4, "little")
    )  # fmt: skip


def tone_pcm(text: str, rate: int = 16000, lead_ms: float = 300, tail_ms: float = 700) -> bytes:
    """16-bit mono PCM of tone-coded *text*."""
    return tones.encode(text, rate, lead_ms=lead_ms, tail_ms=tail_ms).pcm16()


def stt_url(base: str, mode: str = "interactive", query: str = "language=en-US") -> str:
    ws = "ws" + base[4:] if base.startswith("http") else base
    return f"{ws}/speech/recognition/{mode}/cognitiveservices/v1" + (f"?{query}" if query else "")


async def connect(url: str, key: str | None, **headers: str) -> ClientConnection:
    """Open a socket with the headers the Python SDK sends."""
    hdrs = {"X-ConnectionId": uuid.uuid4().hex, **headers}
    if key is not None:
        hdrs["Ocp-Apim-Subscription-Key"] = key
    return await websockets.connect(
        url,
        additional_headers=hdrs,
        subprotocols=["USP"],
        max_size=None,
        open_timeout=10,  # type: ignore[list-item]
    )


async def send_turn(
    ws: ClientConnection,
    pcm: bytes,
    *,
    context: dict[str, Any] | None = None,
    config: bool = True,
    rate: int = 16000,
    chunk: int = 3200,
    request_id: str | None = None,
    end: bool = True,
) -> str:
    """Send config (optionally), context, RIFF header, audio chunks and the end marker."""
    rid = request_id or uuid.uuid4().hex
    if config:
        await ws.send(encode_text("speech.config", {"context": {"system": {"name": "test"}}}))
    await ws.send(encode_text("speech.context", context or {}, request_id=rid))
    await ws.send(
        encode_binary("audio", wav_header(rate), request_id=rid, content_type="audio/x-wav",
                      headers={"X-StreamId": "1"})
    )  # fmt: skip
    for i in range(0, len(pcm), chunk):
        await ws.send(encode_binary("audio", pcm[i : i + chunk], request_id=rid))
    if end:
        await ws.send(encode_binary("audio", b"", request_id=rid))
    return rid


async def until_turn_end(ws: ClientConnection, timeout: float = 10) -> list[Message]:
    """Messages up to and including ``turn.end``."""
    out: list[Message] = []
    while True:
        msg = decode_frame(await asyncio.wait_for(ws.recv(), timeout))
        out.append(msg)
        if msg.path == "turn.end":
            return out


def paths(msgs: Sequence[Message]) -> list[str]:
    return [m.path for m in msgs]


def phrases(msgs: Sequence[Message]) -> list[dict[str, Any]]:
    return [m.json() for m in msgs if m.path == "speech.phrase"]

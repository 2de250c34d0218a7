"""The emulator's lean WebSocket data path (``emulator/fast_ws.py``) over raw sockets.

Each test speaks RFC 6455 byte by byte to a real emulator and checks that what
the fast path does not take itself (fragments, pings, bad UTF-8, frames split
across TCP segments or packed into one) still ends as uvicorn would handle it.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import uuid

from azspeech._protocol.framing import encode_binary, encode_text
from azspeech.emulator import Emulator

from .usp import tone_pcm, wav_header

MASK = b"\x12\x34\x56\x78"
RID = uuid.uuid4().hex


def _mask(data: bytes) -> bytes:
    return bytes(b ^ MASK[i % 4] for i, b in enumerate(data))


def frame(data: str | bytes, *, opcode: int | None = None, fin: bool = True) -> bytes:
    """A masked client frame."""
    payload = data.encode() if isinstance(data, str) else data
    if opcode is None:
        opcode = 1 if isinstance(data, str) else 2
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        head = bytes((b0, 0x80 | n))
    elif n < 65536:
        head = bytes((b0, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((b0, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + MASK + _mask(payload)


class RawClient:
    """A blocking WebSocket client on a plain socket (just enough of RFC 6455)."""

    def __init__(self, emulator: Emulator, mode: str = "conversation") -> None:
        self.sock = socket.create_connection(("127.0.0.1", emulator.port), timeout=10)
        path = f"/speech/recognition/{mode}/cognitiveservices/v1?language=en-US"
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: USP\r\n"
                f"Ocp-Apim-Subscription-Key: {emulator.key}\r\n"
                f"X-ConnectionId: {uuid.uuid4().hex}\r\n\r\n"
            ).encode()
        )
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed by the emulator")
        return data

    def send(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def next_frame(self) -> tuple[int, bytes]:
        """The next server frame: (opcode, payload)."""
        while True:
            if len(self.buf) >= 2:
                n = self.buf[1] & 0x7F
                head = 2
                if n == 126 and len(self.buf) >= 4:
                    n, head = int.from_bytes(self.buf[2:4], "big"), 4
                elif n == 127 and len(self.buf) >= 10:
                    n, head = int.from_bytes(self.buf[2:10], "big"), 10
                if (n < 126 or head > 2) and len(self.buf) >= head + n:
                    opcode = self.buf[0] & 0x0F
                    payload = self.buf[head : head + n]
                    self.buf = self.buf[head + n :]
                    return opcode, payload
            self.buf += self._recv()

    def messages_until(self, path: str, limit: int = 200) -> list[tuple[int, bytes]]:
        """Server frames up to and including the first text message with *path*."""
        out = []
        for _ in range(limit):
            opcode, payload = self.next_frame()
            out.append((opcode, payload))
            if opcode == 8 or (opcode == 1 and f"Path:{path}\r\n".encode() in payload[:200]):
                return out
        raise AssertionError(f"no {path} within {limit} frames")

    def close(self) -> None:
        self.sock.close()


def _turn_frames(text: str) -> list[bytes]:
    pcm = tone_pcm(text)
    frames = [
        frame(encode_text("speech.config", {"context": {}})),
        frame(encode_text("speech.context", {}, request_id=RID)),
        frame(encode_binary("audio", wav_header(), request_id=RID, content_type="audio/x-wav")),
    ]
    frames += [
        frame(encode_binary("audio", pcm[i : i + 3200], request_id=RID))
        for i in range(0, len(pcm), 3200)
    ]
    frames.append(frame(encode_binary("audio", b"", request_id=RID)))
    return frames


def _phrase_text(messages: list[tuple[int, bytes]]) -> list[str]:
    texts = []
    for opcode, payload in messages:
        if opcode == 1 and payload.startswith(b"Path:speech.phrase\r\n"):
            body = json.loads(payload.partition(b"\r\n\r\n")[2])
            if body.get("RecognitionStatus") == "Success":
                texts.append(body["DisplayText"])
    return texts


def test_frames_packed_in_one_write_and_split_byte_by_byte(emulator: Emulator) -> None:
    packed = RawClient(emulator)
    try:
        packed.send(b"".join(_turn_frames("Packed frames.")))
        assert _phrase_text(packed.messages_until("turn.end")) == ["Packed frames."]
    finally:
        packed.close()
    split = RawClient(emulator)
    try:
        stream = b"".join(_turn_frames("Split frames."))
        # Headers, masks and payloads cut at every possible place at the start,
        # then in odd-sized pieces.
        for i in range(64):
            split.send(stream[i : i + 1])
            time.sleep(0.001)
        for i in range(64, len(stream), 777):
            split.send(stream[i : i + 777])
        assert _phrase_text(split.messages_until("turn.end")) == ["Split frames."]
    finally:
        split.close()


def test_fragmented_message_and_ping_mid_stream(emulator: Emulator) -> None:
    client = RawClient(emulator)
    try:
        frames = _turn_frames("Fragments and pings.")
        config = encode_text("speech.config", {"context": {}}).encode()
        # speech.config in three fragments (the fast path hands those to uvicorn)
        client.send(frame(config[:10], opcode=1, fin=False))
        client.send(frame(config[10:20], opcode=0, fin=False))
        client.send(frame(config[20:], opcode=0, fin=True))
        client.send(frame(b"are you there", opcode=9))  # a ping between messages
        for raw in frames[1:]:
            client.send(raw)
        got = client.messages_until("turn.end")
        assert (0xA, b"are you there") in got  # the pong echoes the ping's payload
        assert _phrase_text(got) == ["Fragments and pings."]
    finally:
        client.close()


def test_ping_keeps_the_fast_path_working(emulator: Emulator) -> None:
    client = RawClient(emulator)
    try:
        frames = _turn_frames("Ping in the middle.")
        for i, raw in enumerate(frames):
            client.send(raw + (frame(b"p%d" % i, opcode=9) if i % 5 == 0 else b""))
        got = client.messages_until("turn.end")
        assert sum(1 for opcode, _ in got if opcode == 0xA) == len(range(0, len(frames), 5))
        assert _phrase_text(got) == ["Ping in the middle."]
    finally:
        client.close()


def test_text_frame_with_bad_utf8_closes_1007(emulator: Emulator) -> None:
    client = RawClient(emulator)
    try:
        client.send(frame(encode_text("speech.config", {"context": {}})))
        client.send(frame(b"Path:speech.context\r\n\r\n{\xff}", opcode=1))
        opcode, payload = client.messages_until("never")[-1]
        assert opcode == 8
        assert int.from_bytes(payload[:2], "big") == 1007
    finally:
        client.close()
    deadline = time.monotonic() + 5
    while emulator.log[-1].close_code is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.log[-1].close_code == 1007
    assert any("UTF-8" in e for e in emulator.log[-1].errors)


def test_client_close_frame_is_answered_and_logged(emulator: Emulator) -> None:
    client = RawClient(emulator)
    try:
        client.send(frame(encode_text("speech.config", {"context": {}})))
        client.send(frame((4001).to_bytes(2, "big") + b"bye", opcode=8))
        opcode, payload = client.messages_until("never")[-1]
        assert opcode == 8 and int.from_bytes(payload[:2], "big") == 4001
    finally:
        client.close()
    deadline = time.monotonic() + 5
    while emulator.log[-1].close_code is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.log[-1].close_code == 4001
    assert emulator.log[-1].closed_by == "client"

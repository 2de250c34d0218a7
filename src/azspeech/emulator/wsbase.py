"""One accepted USP WebSocket on the emulator side: decode, log, send, and inject faults.

Feature modules (speech to text, text to speech, translation) build their
session loop on :class:`Channel`::

    accepted, faults = await guard_ws(state, websocket)
    if not accepted:
        return
    async with Channel.open(state, websocket, "tts", faults) as ch:
        while (msg := await ch.recv()) is not None:
            ...
            await ch.send_text("turn.start", {...}, request_id=rid)

Decoding uses the shared sans-I/O framing of :mod:`azspeech._protocol.framing`;
a frame the service would refuse closes the socket with the service's code
(1002 for a missing ``Path``, 1007 for a broken frame) and is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from .._protocol.framing import Limits, Message, decode_frame, encode_binary, encode_text
from ..errors import ProtocolError
from .auth import offered_usp
from .fast_ws import FAST_WS_EXTENSION
from .faults import Fault
from .server import abort_connection
from .state import EmulatorState, LoggedMessage, SessionLog

__all__ = ["Channel", "SessionClosed"]

SERVER_LIMITS = Limits(max_frame_bytes=64 * 1024 * 1024, max_header_bytes=8192)
JSON_CT = "application/json; charset=utf-8"


class SessionClosed(Exception):
    """The session is over (closed by either side, dropped, or refused)."""


class Channel:
    """An accepted WebSocket with logging, counters and fault injection."""

    def __init__(
        self, state: EmulatorState, websocket: WebSocket, log: SessionLog, faults: list[Fault]
    ) -> None:
        self.state = state
        self.ws = websocket
        self.log = log
        self.delay = sum(f.seconds for f in faults if f.kind == "delay")
        self.pending = [f for f in faults if f.kind not in ("delay", "reject")]
        self.received = 0
        self.sent = 0
        self.audio_ms = 0.0
        self.closed = False
        self.stalled = False
        self.opened = time.monotonic()
        self.last_activity = self.opened
        # The server's direct path for data messages, when it offers one (ours does).
        fast = websocket.scope.get("extensions", {}).get(FAST_WS_EXTENSION)
        self._receive = fast["receive"] if fast else websocket.receive
        self._send_data = fast["send_data"] if fast else None

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, state: EmulatorState, websocket: WebSocket, kind: str, faults: list[Fault]
    ) -> AsyncIterator[Channel]:
        """Accept *websocket* (echoing the USP subprotocol) and yield a channel.

        On exit the socket is closed normally if still open; :class:`SessionClosed`
        raised inside is swallowed.
        """
        log = state.new_session(
            kind, websocket.url.path, dict(websocket.query_params), dict(websocket.headers)
        )
        await websocket.accept(subprotocol=offered_usp(websocket))
        ch = cls(state, websocket, log, faults)
        state.active_sessions += 1
        watch = None
        if state.max_connection_seconds is not None or state.idle_timeout_seconds is not None:
            watch = asyncio.create_task(ch._watchdog())
        try:
            await ch.check_faults()
            yield ch
        except SessionClosed:
            pass
        finally:
            state.active_sessions -= 1
            if watch is not None:
                watch.cancel()
            if ch.stalled and not ch.closed:
                await ch.wait_closed()
            if not ch.closed:
                await ch.close(1000, "")

    # -- receiving ---------------------------------------------------------------------

    async def recv(self) -> Message | None:
        """The next client message; None once the session is over.

        A frame that does not parse closes the session (and returns None).
        """
        receive = self._receive
        log = self.log
        while not self.closed:
            try:
                event = await receive()
            except (RuntimeError, OSError):
                self._mark_closed(1006, "", "client")
                return None
            kind = event["type"]
            if kind == "websocket.disconnect":
                code = int(event.get("code", 1005))
                self._mark_closed(code, str(event.get("reason") or ""), "client")
                if code == 1007:
                    log.errors.append("client frame was not valid UTF-8 (closed 1007)")
                return None
            if kind != "websocket.receive":
                continue
            data: str | bytes | None = event.get("text")
            if data is None:
                data = event.get("bytes")
                if data is None:
                    continue
            try:
                msg = decode_frame(data, SERVER_LIMITS)
            except ProtocolError as exc:
                text = str(exc)
                log.errors.append(f"bad frame: {text}")
                code = 1002 if "Path" in text else 1007
                await self.close(code, f"Invalid message: {text}"[:120])
                return None
            self.received += 1
            self.last_activity = time.monotonic()
            body = msg.body
            if msg.binary and body and body[:4] != b"RIFF" and msg.path.lower() == "audio":
                log.audio_chunks += 1
                log.audio_bytes += len(body)
            else:
                self._record("in", msg, keep_body=not msg.binary or body[:4] == b"RIFF")
            if self.pending:
                await self.check_faults()
            if self.closed:
                return None
            if self.stalled:
                continue  # a stalled service reads but never answers
            return msg
        return None

    def count_audio(self, ms: float) -> None:
        """Add *ms* of audio to the counter the ``after_audio_ms`` triggers watch."""
        self.audio_ms += ms

    def keep_body(self, msg: Message) -> None:
        """Keep *msg*'s body in the log (audio bodies are dropped by default)."""
        for logged in reversed(self.log.messages):
            if logged.direction == "in" and logged.path == msg.path and logged.binary:
                logged.body = bytes(msg.body[:4096])
                break

    # -- sending ---------------------------------------------------------------------------

    async def send_text(
        self,
        path: str,
        body: str | bytes | Mapping[str, Any] | list[Any] = b"",
        *,
        request_id: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send a text message (JSON bodies get ``application/json; charset=utf-8``)."""
        if content_type is None and (type(body) is dict or isinstance(body, (Mapping, list))):
            content_type = JSON_CT
        frame = encode_text(
            path, body, request_id=request_id, content_type=content_type, headers=headers
        )
        logged = {**(headers or {}), "X-RequestId": request_id} if request_id else headers
        await self._send(frame, path, frame.partition("\r\n\r\n")[2].encode(), False, logged)

    async def send_binary(
        self,
        path: str,
        payload: bytes,
        *,
        request_id: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        audio_ms: float = 0.0,
    ) -> None:
        """Send a binary message; *audio_ms* counts towards ``after_audio_ms`` triggers."""
        frame = encode_binary(
            path, payload, request_id=request_id, content_type=content_type, headers=headers
        )
        self.audio_ms += audio_ms
        logged = {**(headers or {}), "X-RequestId": request_id} if request_id else headers
        await self._send(frame, path, b"", True, logged, size=len(payload))

    async def _send(
        self,
        frame: str | bytes,
        path: str,
        body: bytes,
        binary: bool,
        headers: Mapping[str, str] | None,
        size: int | None = None,
    ) -> None:
        if self.closed:
            raise SessionClosed
        if self.stalled:
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            # What WebSocket.send_text/send_bytes send, written at once when the server can.
            send_data = self._send_data
            if send_data is not None and send_data(frame):
                pass
            elif isinstance(frame, str):
                await self.ws.send({"type": "websocket.send", "text": frame})
            else:
                await self.ws.send({"type": "websocket.send", "bytes": frame})
        except Exception as exc:  # the client went away mid-send
            self._mark_closed(1006, "", "client")
            raise SessionClosed from exc
        self.sent += 1
        self.last_activity = time.monotonic()
        self.log.add(
            LoggedMessage(
                "out",
                path,
                dict(headers or {}),
                body,
                len(body) if size is None else size,
                binary,
                time.time(),
            )
        )
        if self.pending:
            await self.check_faults()
        if self.closed:
            raise SessionClosed

    # -- closing and faults ----------------------------------------------------------------

    async def _watchdog(self) -> None:
        """Close the socket at the lifetime limit or after the idle timeout (code 1001)."""
        state = self.state
        while not self.closed:
            now = time.monotonic()
            waits: list[float] = []
            if state.max_connection_seconds is not None:
                left = self.opened + state.max_connection_seconds - now
                if left <= 0:
                    self.log.errors.append("connection lifetime reached")
                    await self.close(1001, "Connection lifetime exceeded.")
                    return
                waits.append(left)
            if state.idle_timeout_seconds is not None:
                left = self.last_activity + state.idle_timeout_seconds - now
                if left <= 0:
                    self.log.errors.append("idle timeout")
                    await self.close(1001, "Idle timeout.")
                    return
                waits.append(left)
            if not waits:
                return
            await asyncio.sleep(min(waits) + 0.01)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the WebSocket with *code* and *reason* (idempotent)."""
        if self.closed:
            return
        self._mark_closed(code, reason, "emulator")
        with contextlib.suppress(Exception):
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        if self.closed:
            return
        self._mark_closed(1006, "dropped by fault", "emulator")
        if not abort_connection(self.ws.scope):  # pragma: no cover - unknown transport
            self.log.errors.append("could not abort the transport")

    async def wait_closed(self, limit: float = 3600.0) -> None:
        """Read and discard until the client goes away (used by ``stall``)."""
        deadline = time.monotonic() + limit
        while not self.closed and time.monotonic() < deadline:
            try:
                event = await self.ws.receive()
            except Exception:
                break
            if event["type"] == "websocket.disconnect":
                self._mark_closed(int(event.get("code", 1005)), "", "client")
                break
        self.closed = True

    async def check_faults(self) -> None:
        """Fire the pending faults whose trigger has been reached."""
        if not self.pending or self.closed:
            return
        for fault in list(self.pending):
            if not fault.due(self.audio_ms, self.received, self.sent):
                continue
            self.pending.remove(fault)
            self.log.errors.append(f"fault injected: {fault.kind}")
            if fault.kind == "drop":
                self.abort()
                return
            if fault.kind == "close":
                await self.close(fault.code, fault.reason)
                return
            if fault.kind == "stall":
                self.stalled = True
                return
            if fault.kind == "malformed":
                await self._raw(self._malformed(fault.variant))
            elif fault.kind == "oversized":
                head = "Path:speech.hypothesis\r\nContent-Type:application/json\r\n\r\n"
                await self._raw(head + "x" * max(0, fault.size - len(head)))

    def _malformed(self, variant: str) -> str | bytes:
        rid = ""
        for logged in reversed(self.log.messages):
            rid = logged.headers.get("X-RequestId", "") or rid
            if rid:
                break
        head = f"X-RequestId:{rid}\r\nContent-Type:application/json; charset=utf-8\r\n"
        if variant == "no-path":
            return head + "\r\n{}"
        if variant == "json":
            return "Path:speech.phrase\r\n" + head + '\r\n{"RecognitionStatus": "Succ'
        if variant == "missing-field":
            return "Path:speech.phrase\r\n" + head + '\r\n{"Offset": 0, "Duration": 100}'
        if variant == "extra-fields":
            body = '{"Text": "x", "Offset": 0, "Duration": 100, "FutureField": {"a": [1, 2]}}'
            return "Path:speech.hypothesis\r\n" + head + "\r\n" + body
        return b"\x7f\xff" + b"Path:audio\r\n"  # header length far beyond the frame

    async def _raw(self, frame: str | bytes) -> None:
        try:
            if isinstance(frame, str):
                await self.ws.send_text(frame)
            else:
                await self.ws.send_bytes(frame)
        except Exception as exc:
            self._mark_closed(1006, "", "client")
            raise SessionClosed from exc

    # -- internals -------------------------------------------------------------------------

    def _mark_closed(self, code: int, reason: str, by: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.log.close_code = code
        self.log.close_reason = reason
        self.log.closed_by = by

    def _record(self, direction: str, msg: Message, *, keep_body: bool) -> None:
        self.log.add(
            LoggedMessage(
                direction,
                msg.path,
                dict(msg.headers),
                bytes(msg.body) if keep_body else b"",
                len(msg.body),
                msg.binary,
                time.time(),
            )
        )

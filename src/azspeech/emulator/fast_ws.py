"""uvicorn's WebSocket protocol with a lean path for the messages of an open connection.

The emulator serves thousands of concurrent recognition sessions, each sending
ten audio messages a second. uvicorn's sans-I/O WebSocket protocol runs every
received frame through websockets' generator-based parser and every sent one
through its serializer; that machinery costs more than the emulator's own work
on a message. :class:`FastWebSocketProtocol` keeps uvicorn for everything that
is rare or subtle (the handshake, denial responses, close handshakes, pings,
fragmented or compressed frames, size limits, UTF-8 errors) and handles the
common case itself:

* received: once the connection is open, the byte stream is cut into frames
  here; a complete, unfragmented, masked text or binary frame without RSV bits
  is unmasked (websockets' C ``apply_mask``) and queued as the ASGI event
  uvicorn would queue. A control frame is handed whole to websockets' parser
  (which stays at a frame boundary, because it only ever gets whole frames);
  anything else (a fragment, a compressed or oversized frame) hands the rest
  of the stream to uvicorn for good.
* sent: a ``websocket.send`` on an open connection is framed here and written
  at once (:meth:`send_data`, also offered to the app through the scope's
  ``extensions`` under :data:`FAST_WS_EXTENSION`, so the emulator's sessions
  skip the ASGI message dictionaries).
* flow control: reading pauses once several messages wait for the app (uvicorn
  pauses after every message: two more system calls per message).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets without its C extension
    from websockets.utils import apply_mask

__all__ = ["FAST_WS_EXTENSION", "FastWebSocketProtocol"]

#: The key in an ASGI scope's ``extensions`` under which the fast path is offered:
#: a dict with ``send_data(str | bytes) -> bool`` and ``receive()`` (the ASGI receive).
FAST_WS_EXTENSION = "azspeech.fast_ws"

_QUEUED_BEFORE_PAUSE = 8  # messages waiting for the app before reading pauses
_TEXT, _BINARY = 0x1, 0x2
_CONTROL = frozenset((0x8, 0x9, 0xA))


class FastWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's ``websockets-sansio`` protocol with the data-frame hot path done here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fast: bool | None = None  # None: undecided (the handshake is not over)
        self._pending = b""  # the start of a frame not yet complete
        self._max_size: int = self.config.ws_max_size

    # -- receiving -----------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        fast = self._fast
        if fast is None:
            if (
                not self.handshake_complete
                or self.initial_response is not None
                or self.conn.state is not State.OPEN
            ):
                super().data_received(data)
                return
            # websockets' parser has seen every byte so far; with nothing buffered it
            # waits at a frame boundary, and the stream can be cut here from now on.
            fast = self._fast = not self.conn.reader.buffer
        if not fast:
            super().data_received(data)
            return
        if self._pending:
            data = self._pending + data
            self._pending = b""
        size = len(data)
        i = 0
        queue: Any = self.queue  # holds uvicorn's typed event dicts
        while size - i >= 2:
            b0 = data[i]
            b1 = data[i + 1]
            n = b1 & 0x7F
            h = i + 2
            if n == 126:
                if size - i < 4:
                    break
                n = int.from_bytes(data[h : h + 2], "big")
                h += 2
            elif n == 127:
                if size - i < 10:
                    break
                n = int.from_bytes(data[h : h + 8], "big")
                h += 8
            opcode = b0 & 0x0F
            if (
                (b0 & 0xF0) != 0x80  # a fragment, or RSV bits (compression)
                or not b1 & 0x80  # unmasked: websockets refuses it
                or n > self._max_size
                or (opcode != _TEXT and opcode != _BINARY and opcode not in _CONTROL)
            ):
                self._fast = False
                super().data_received(data[i:])
                return
            end = h + 4 + n
            if end > size:
                break
            if opcode in _CONTROL:
                super().data_received(data[i:end])  # a whole frame: the parser stays in step
                if self.conn.state is not State.OPEN or self.transport.is_closing():
                    self._fast = False
                    if end < size:
                        super().data_received(data[end:])
                    return
                i = end
                continue
            i = end
            if self.close_sent:
                continue  # past the app's close: discarded, as uvicorn does
            payload = apply_mask(data[h + 4 : end], data[h : h + 4])
            if opcode == _TEXT:
                try:
                    queue.put_nowait({"type": "websocket.receive", "text": payload.decode()})
                except UnicodeDecodeError:
                    self.conn.send_close(1007)
                    self.handle_parser_exception()
                    return
            else:
                queue.put_nowait({"type": "websocket.receive", "bytes": payload})
        if i < size:
            self._pending = data[i:]
        if not self.read_paused and queue.qsize() >= _QUEUED_BEFORE_PAUSE:
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> Any:
        """The next ASGI event (reading resumes once the app has caught up)."""
        message = await self.queue.get()
        if self.read_paused and self.queue.empty():
            self.read_paused = False
            self.transport.resume_reading()
        return message

    # -- sending -------------------------------------------------------------------------

    def send_data(self, data: str | bytes) -> bool:
        """Write one text (str) or binary (bytes) message now.

        False when the connection is not open for data or its write buffer is
        full: the caller then goes through the ASGI ``send`` (which waits, or
        raises once the client is gone).
        """
        if (
            self.close_sent
            or self.disconnected
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
        ):
            return False
        if isinstance(data, str):
            payload = data.encode()
            b0 = 0x81
        else:
            payload = data
            b0 = 0x82
        n = len(payload)
        if n < 126:
            head = bytes((b0, n))
        elif n < 65536:
            head = bytes((b0, 126)) + n.to_bytes(2, "big")
        else:
            head = bytes((b0, 127)) + n.to_bytes(8, "big")
        self.transport.write(head + payload)
        return True

    async def send(self, message: Any) -> None:
        """ASGI send: data messages framed here when possible, the rest as uvicorn does."""
        if message["type"] == "websocket.send":
            data = message.get("bytes")
            if data is None:
                data = message.get("text")
            if data is not None and self.send_data(data):
                return
        await super().send(message)

    # -- the scope -----------------------------------------------------------------------

    def handle_connect(self, event: Request) -> None:
        """uvicorn's, with the fast path offered in the scope's extensions."""
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            extensions = scope.setdefault("extensions", {})
            extensions[FAST_WS_EXTENSION] = {"send_data": self.send_data, "receive": self.receive}

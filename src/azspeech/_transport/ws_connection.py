"""websockets' client connection with two changes: bounded closes and a fast path for data frames.

Imported on first connect (by :func:`azspeech._transport.ws._websockets_classes`),
so that ``import azspeech`` does not import websockets.

**Bounded closes.** After a close frame either way, a client waits for the
server to drop TCP; websockets bounds that wait in ``close()`` only, so a
close that arrives while receiving (the peer's close, or one websockets sent
because the peer broke the protocol) waited for the keepalive, 20 s.

**Data frames.** A streaming recognition receives thousands of small text
frames (results). Once the connection is open and websockets' parser waits at
a frame boundary, whole unfragmented data frames are cut from the incoming
bytes here and handed to websockets' message queue directly, the same
``Frame`` objects its parser would make, without its generator-based parser.
Anything else (control frames, fragments, reserved bits, a masked or
oversized frame) goes to websockets' own parser, always as whole frames, so
that its state stays exact: control frames are then handled by websockets as
before, and after any frame it must judge (an error, a fragment) the
connection stays on websockets' path for good. A partial frame waits for the
rest of its bytes (bounded by the frame size limit). With DEBUG logging on,
websockets' path is kept (it logs every frame). :meth:`BoundedConnection.queued_message`
takes a message that is already queued without ``recv()``'s coroutines.
"""

from __future__ import annotations

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from .ws import _FAILED_BY_US, CLOSE_TIMEOUT, _abort_if_open, _hang_up

__all__ = ["BoundedConnection"]

_OPEN = State.OPEN
_TEXT = Opcode.TEXT
_BINARY = Opcode.BINARY


def _at_frame_boundary(connection: ClientConnection) -> bool:
    """Whether websockets' parser has consumed whole frames only and waits for the next."""
    protocol = connection.protocol
    if protocol.reader.buffer:
        return False
    gen = protocol.parser
    while True:  # the innermost generator of the parser's `yield from` chain
        inner = getattr(gen, "gi_yieldfrom", None)
        if inner is None:
            break
        gen = inner
    code = getattr(gen, "gi_code", None)
    return code is not None and code.co_name == "at_eof"


class BoundedConnection(ClientConnection):
    """See the module docstring."""

    abort_armed = False
    _fast = False  # data frames are cut here (the connection is open, at a frame boundary)
    _slow_for_good = False  # a frame websockets had to judge: its parser keeps the stream
    _pending = b""  # the start of a frame whose rest has not arrived yet

    def data_received(self, data: bytes) -> None:
        if self._fast:
            self._cut_frames(self._pending + data if self._pending else data)
            return
        self._to_websockets(data)
        if (
            not self._slow_for_good
            and self.protocol.state is _OPEN
            and not self.debug
            and self.protocol.current_size is None
            and _at_frame_boundary(self)
        ):
            self._fast = True

    def eof_received(self) -> None:
        if self._pending:  # websockets judges the truncated frame (an abnormal close)
            pending, self._pending = self._pending, b""
            self._fast = False
            self._to_websockets(pending)
        super().eof_received()

    def _cut_frames(self, buf: bytes) -> None:
        end = len(buf)
        pos = 0
        protocol = self.protocol
        limit = protocol.max_message_size
        put = self.recv_messages.put
        while end - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            n = b1 & 0x7F
            head = 2
            if n == 126:
                if end - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif n == 127:
                if end - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            opcode = b0 & 0x0F
            if b1 & 0x80 or b0 & 0x70 or (limit is not None and n > limit):
                self._hand_over(buf[pos:])  # masked, reserved bits or too big: websockets fails it
                return
            stop = pos + head + n
            if stop > end:
                break  # the rest of this frame has not arrived yet
            if b0 & 0x80 and (opcode == 1 or opcode == 2):
                # A whole data frame: what websockets' parser and process_event would do.
                put(Frame(_TEXT if opcode == 1 else _BINARY, buf[pos + head : stop]))
                pos = stop
                continue
            if opcode >= 8:  # a control frame (ping, pong, close): websockets handles it
                self._to_websockets(buf[pos:stop])
                pos = stop
                if protocol.state is not _OPEN:
                    self._hand_over(buf[pos:])
                    return
                continue
            self._hand_over(buf[pos:])  # a fragment or an unknown opcode
            return
        self._pending = buf[pos:] if pos < end else b""

    def queued_message(self) -> str | bytes | None:
        """A whole message already waiting in the queue, taken as ``recv()`` would take it.

        ``None`` when there is none, or when it needs ``recv()``'s own handling
        (a fragmented message, text that is not UTF-8: websockets then fails the
        connection with 1007 and raises).
        """
        messages = self.recv_messages
        queue = messages.frames.queue
        if not queue or messages.get_in_progress or not queue[0].fin:
            return None
        frame = queue[0]
        data = frame.data if type(frame.data) is bytes else bytes(frame.data)
        message: str | bytes = data
        if frame.opcode is _TEXT:
            try:
                message = data.decode()
            except UnicodeDecodeError:
                return None
        queue.popleft()
        messages.maybe_resume()
        return message

    def _hand_over(self, rest: bytes) -> None:
        """From here on websockets' parser reads the stream (starting at a frame boundary)."""
        self._fast = False
        self._slow_for_good = True
        self._pending = b""
        if rest:
            self._to_websockets(rest)

    def _to_websockets(self, data: bytes) -> None:
        super().data_received(data)
        protocol = self.protocol
        if self.abort_armed or (protocol.close_sent is None and protocol.close_rcvd is None):
            return
        self.abort_armed = True
        sent, rcvd = protocol.close_sent, protocol.close_rcvd
        if sent is not None and (rcvd is not None or sent.code in _FAILED_BY_US):
            # The handshake is done (the RFC lets a client drop TCP then), or
            # the peer broke the protocol: nothing left to wait for.
            _hang_up(self)
        else:
            self.loop.call_later(CLOSE_TIMEOUT, _abort_if_open, self)

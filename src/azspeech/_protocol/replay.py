"""The replay buffer of a recognition session (sans-I/O).

Audio the caller hands to a session goes into this buffer first; the sender
reads it from a *cursor*. Audio stays in the buffer until a final result
acknowledges it (``shrink`` with the end of the final, in 100-ns ticks). When
a connection drops or the service ends a turn early, the session calls
``rewind``: the cursor goes back to the acknowledged point, the audio from
there is sent again on the new turn, and the returned byte position (as
ticks) becomes the turn's base offset, so the caller's timeline stays
continuous.

Memory is bounded by ``max_bytes`` of *sent but unacknowledged* audio; past
that the oldest sent audio is evicted (counted in ``evicted_bytes``) and a
later replay starts after the gap. Unsent audio is never dropped: the session
applies backpressure to its caller instead (``unsent_bytes``).
"""

from __future__ import annotations

import bisect
from collections import deque

from ..audio.formats import bytes_to_ticks, ticks_to_bytes

__all__ = ["ReplayBuffer"]


class ReplayBuffer:
    """Audio kept for replay, addressed by absolute byte position in the stream.

    Args:
        bytes_per_second: the PCM byte rate (32000 for 16 kHz, 16-bit mono).
        block_align: bytes per sample frame; positions are kept on this grid.
        max_bytes: bound on sent-but-unacknowledged audio (``None``: unbounded).
    """

    def __init__(
        self, bytes_per_second: int, block_align: int = 2, max_bytes: int | None = None
    ) -> None:
        if bytes_per_second <= 0 or block_align <= 0:
            raise ValueError("bytes_per_second and block_align must be positive")
        if max_bytes is not None and max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.bytes_per_second = bytes_per_second
        self.block_align = block_align
        self.max_bytes = max_bytes
        self._chunks: deque[bytes] = deque()
        self._starts: deque[int] = deque()  # absolute byte position of each chunk
        self._first = 0  # absolute position of the first retained byte
        self._end = 0  # absolute position after the last appended byte
        self._ack = 0  # acknowledged point (only moves forward)
        self._cursor = 0  # next byte to send
        self._idx = 0  # index of the chunk holding the cursor
        self.evicted_bytes = 0

    # -- unit conversion ------------------------------------------------------------------

    def ticks_to_bytes(self, ticks: int) -> int:
        """Byte position of *ticks*, rounded DOWN to a sample frame.

        Down, not to the nearest frame: an acknowledged point rounded up
        would drop the start of the audio a replay must resend.
        """
        return ticks_to_bytes(ticks, self.bytes_per_second, self.block_align, rounding="down")

    def bytes_to_ticks(self, n: int) -> int:
        """Ticks of byte position *n* (rounded down)."""
        return bytes_to_ticks(n, self.bytes_per_second)

    # -- state ------------------------------------------------------------------------------

    @property
    def end(self) -> int:
        """Total bytes appended so far."""
        return self._end

    @property
    def cursor(self) -> int:
        """Absolute position of the next byte to send."""
        return self._cursor

    @property
    def ack(self) -> int:
        """Acknowledged byte position (audio before it is never sent again)."""
        return self._ack

    @property
    def retained_bytes(self) -> int:
        """Bytes held in memory."""
        return self._end - self._first

    @property
    def unsent_bytes(self) -> int:
        return self._end - self._cursor

    @property
    def unacked_bytes(self) -> int:
        """Sent bytes not yet covered by a final result."""
        return self._cursor - max(self._ack, self._first)

    @property
    def replay_start(self) -> int:
        """Where a replay would start: the acknowledged point, or after an eviction gap."""
        return max(self._ack, self._first)

    # -- operations -------------------------------------------------------------------------

    def append(self, data: bytes | bytearray | memoryview) -> None:
        """Add audio at the end of the stream."""
        if not data:
            return
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._starts.append(self._end)
        self._end += len(chunk)

    def next_chunk(self, max_bytes: int) -> bytes | None:
        """Up to *max_bytes* of audio from the cursor (not yet marked sent), or ``None``.

        Audio appended in smaller pieces is joined (one copy) up to
        *max_bytes*, so that a backlog goes out in full messages.
        """
        if self._cursor >= self._end:
            return None
        chunks = self._chunks
        idx = self._idx
        # Skip chunks wholly before the cursor (after a shrink or rewind).
        while idx < len(chunks) and self._starts[idx] + len(chunks[idx]) <= self._cursor:
            idx += 1
        self._idx = idx
        chunk = chunks[idx]
        off = self._cursor - self._starts[idx]
        size = len(chunk) - off
        if size >= max_bytes or idx + 1 == len(chunks):
            if off == 0 and len(chunk) <= max_bytes:
                return chunk
            return chunk[off : off + max_bytes]
        pieces: list[bytes | memoryview] = [memoryview(chunk)[off:]]
        need = max_bytes - size
        for i in range(idx + 1, len(chunks)):
            nxt = chunks[i]
            if len(nxt) >= need:
                pieces.append(memoryview(nxt)[:need])
                break
            pieces.append(nxt)
            need -= len(nxt)
        return b"".join(pieces)

    def take(self, piece: int, room: int | None, budget: int) -> list[bytes]:
        """Take messages of up to *piece* bytes from the cursor and mark them sent.

        As :meth:`next_chunk` then :meth:`advance` per message, in one call:
        it stops before a message that would not fit in *room* (bytes the
        flow-control window still admits; ``None``: no bound), and once
        *budget* bytes are taken. A message is never cut to fit the room.
        """
        out: list[bytes] = []
        end = self._end
        while budget > 0 and self._cursor < end:
            chunk = self.next_chunk(piece)
            assert chunk is not None
            n = len(chunk)
            if room is not None:
                if n > room:
                    break
                room -= n
            out.append(chunk)
            self._cursor += n
            budget -= n
        if out:
            self._evict()
        return out

    def advance(self, n: int) -> None:
        """Mark *n* bytes from the cursor as sent."""
        self._cursor = min(self._end, self._cursor + n)
        self._evict()

    def shrink(self, ack_ticks: int) -> None:
        """Acknowledge audio up to *ack_ticks*; free what is no longer needed."""
        ack = min(self.ticks_to_bytes(ack_ticks), self._end)
        if ack <= self._ack:
            return
        self._ack = ack
        if self._cursor < ack:
            self._cursor = ack
        self._drop_before(ack)

    def rewind(self) -> int:
        """Move the cursor back to :attr:`replay_start` and return that position."""
        start = self.replay_start
        self._cursor = start
        self._idx = max(0, bisect.bisect_right(self._starts, start) - 1)
        return start

    def _drop_before(self, pos: int) -> None:
        while self._chunks and self._starts[0] + len(self._chunks[0]) <= pos:
            self._chunks.popleft()
            self._starts.popleft()
            self._idx = max(0, self._idx - 1)
        self._first = max(self._first, min(pos, self._end))

    def _evict(self) -> None:
        if self.max_bytes is None:
            return
        over = self.unacked_bytes - self.max_bytes
        if over <= 0:
            return
        before = self.replay_start
        target = before + over
        target -= target % self.block_align
        target = min(target, self._cursor)
        self._drop_before(target)
        self.evicted_bytes += self.replay_start - before

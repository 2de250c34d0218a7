"""The audio half of a USP session: input, the replay buffer's sender, flow control.

:class:`UspAudioSender` is the base of
:class:`~azspeech._session.usp.AsyncUspSession`: ``send``/``send_file``/
``feed``/``end_audio`` put audio into the replay buffer (with back-pressure),
and the sender task takes it out in audio messages. A backlog (a file read
faster than real time, a replay after a reconnect) goes out in batches of
messages of the protocol's largest payload, each batch masked, framed and
written to the socket at once; live audio keeps its ``chunk_ms`` messages and
is written by the caller's task while the sender is idle (no task switch per
chunk). At most ``replay_buffer_seconds`` of audio is in flight without a
final result.

The connection, turns, receiver and watchdog are
:class:`~azspeech._session.usp.AsyncUspSession`'s; this class only declares
the state it shares with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .._protocol.framing import MAX_AUDIO_PAYLOAD
from .._protocol.recognition import RecognitionState
from .._protocol.replay import ReplayBuffer
from ..audio.formats import PcmFormat
from ..errors import StreamClosedError
from ..options import Reliability
from .base import AsyncSession, Event
from .connection import UspClock, UspConnection

if TYPE_CHECKING:  # pragma: no cover
    from ..audio.sources import AudioInput
    from ..audio.stream import PcmStream

__all__ = ["BATCH_BYTES", "UspAudioSender"]

E = TypeVar("E", bound=Event)

#: Audio bytes whose messages are written to the socket together (one system call).
BATCH_BYTES = 16 * MAX_AUDIO_PAYLOAD


class UspAudioSender(AsyncSession[E]):
    """Audio input and the sender of a USP session (see the module docstring)."""

    # Set by AsyncUspSession.__init__; shared with its supervisor and receiver.
    format: PcmFormat
    reliability: Reliability
    _replay: ReplayBuffer
    _state: RecognitionState[E]
    _clock: UspClock
    _ws: UspConnection | None
    _idle_ws: UspConnection | None
    _idle_gen: int
    _data: asyncio.Event
    _space: asyncio.Event
    _acked: asyncio.Event
    _window_forced: bool
    _input_closed: bool
    _audio_complete: bool
    _bulk_bytes: int
    _chunk_bytes: int
    _high_water: int
    _owed_since: float | None
    _ended_at: float | None

    # -- input -------------------------------------------------------------------------------

    async def send(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue raw PCM audio (in :attr:`format`); waits while the connection is behind."""
        self._check_input()
        if self._task is None:
            await self.start()
        if not chunk:
            return
        self._replay.append(chunk)
        ws = self._idle_ws
        if ws is not None and ws is self._ws and self._state.turn_active:
            await self._send_direct(ws)
        else:
            self._data.set()
        if self._inside():
            return  # a callback of this session: waiting for space would wait for itself
        while self._replay.unsent_bytes > self._high_water and not self._stopping:
            self._space.clear()
            await self._space.wait()
        if self.error is not None:
            raise self.error

    def send_nowait(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue raw PCM audio without waiting (no back-pressure: the caller paces itself)."""
        self._check_input()
        if chunk:
            self._replay.append(chunk)
            self._data.set()

    def _check_input(self) -> None:
        if self.error is not None:
            raise self.error
        if self._input_closed:
            raise StreamClosedError("cannot send audio: the session's audio input is closed")

    async def send_file(
        self,
        audio: AudioInput,
        *,
        realtime: bool = False,
        close: bool = True,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> None:
        """Stream any audio input (path, bytes, numpy array, iterator, push stream...).

        It is decoded and resampled to the session's format. ``realtime``
        paces it like a live source. ``close`` (default) ends the audio after
        it, so that iterating the session finishes. An input that fails
        (missing file, failing reader...) raises here and also ends the
        session with that error, so that iteration raises it too.
        """
        try:
            stream = self._open_audio(
                audio, realtime=realtime, sample_rate=sample_rate, input_format=input_format
            )
        except Exception as exc:
            self.fail(exc)
            raise
        await self.feed(stream, close=close)

    def _open_audio(
        self,
        audio: AudioInput,
        *,
        realtime: bool = False,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> PcmStream:
        from ..audio import open_pcm_stream

        # Paced input is read chunk_ms at a time; otherwise in reads of one batch of
        # full-size messages (few, cheap iterations: one send() and one socket write each,
        # and no short message at the end of each read).
        chunk_ms: float = self.reliability.chunk_ms
        if not realtime:
            per_read = BATCH_BYTES - BATCH_BYTES % self._bulk_bytes
            chunk_ms = per_read * 1000 / self.format.bytes_per_second
        return open_pcm_stream(
            audio,
            target=self.format,
            sample_rate=sample_rate,
            chunk_ms=chunk_ms,  # type: ignore[arg-type]  # a float is fine
            realtime=realtime,
            input_format=input_format,
        )

    async def feed(self, stream: PcmStream, *, close: bool = True) -> None:
        """Send every chunk of an opened PCM stream; an error in it fails the session."""
        try:
            async for chunk in stream:
                await self.send(chunk)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if exc is not self.error:
                self.fail(exc)  # the input's error is the session's error, never a silent end
            raise
        finally:
            await stream.aclose()
        if close:
            await self.end_audio()

    async def first_final(
        self,
        audio: AudioInput,
        *,
        is_final: Callable[[E], bool],
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> E | None:
        """Start, stream *audio*, and return the first event for which *is_final* holds.

        ``None`` if the session ends without one. The input is opened once
        connected and before any audio goes out, so an input that cannot be
        read raises its :class:`~azspeech.errors.AudioError` at once; one that
        fails later fails the session with its error, which wins over any
        result that follows. The session is aborted on the way out, and the
        caller's cancellation is never swallowed.
        """
        await self.start()  # connection errors (a bad key...) first, as the service answers
        try:
            stream = self._open_audio(audio, sample_rate=sample_rate, input_format=input_format)
        except BaseException:
            await self.abort()
            raise
        feeder = asyncio.get_running_loop().create_task(self.feed(stream))
        try:
            async for event in self:
                if is_final(event):
                    if self._failure is not None:  # the input failed first: its error wins
                        raise self._failure
                    return event
            return None  # ended without a final (a failure raised from the iteration)
        finally:
            feeder.cancel()
            await self.abort()  # the caller's cancellation is not swallowed here...
            await asyncio.wait((feeder,))  # ...nor here
            if not feeder.cancelled():
                feeder.exception()  # retrieved: it was reported through the session

    async def end_audio(self) -> None:
        """End the audio input without waiting (the session finishes in the background)."""
        self._end_input()
        if self._task is None and not self._stopping:
            await self.start()

    def _end_input(self) -> None:
        self._input_closed = True
        if not self._stopping:
            self._audio_complete = True
        self._data.set()

    def _abort_now(self) -> None:
        self._input_closed = True
        super()._abort_now()

    def _wake(self) -> None:
        self._input_closed = True
        self._space.set()

    # -- the sender -----------------------------------------------------------------------

    async def _sender(self, ws: UspConnection) -> None:
        rb = self._replay
        st = self._state
        turn = st.turns
        while st.turn_active and st.turns == turn:  # never into a turn that has ended
            chunk = rb.next_chunk(self._message_size())
            if chunk is None:
                if self._audio_complete:
                    if not st.end_sent:
                        await ws.send(st.end_frame(self._clock()))
                        now = asyncio.get_running_loop().time()
                        if self._owed_since is None:
                            self._owed_since = now
                        if self._ended_at is None:
                            self._ended_at = now
                    return
                # Idle: while we wait, send() may write frames itself (see _send_direct).
                self._data.clear()
                self._idle_gen += 1
                gen = self._idle_gen
                self._idle_ws = ws
                try:
                    await self._data.wait()
                finally:
                    if self._idle_gen == gen:
                        self._idle_ws = None
                    self._idle_gen += 1
                continue
            if self._window_full(len(chunk)):
                # Flow control: at most replay_buffer_seconds of audio in flight without a
                # final result, so that a reconnect can replay all of it. If no final comes
                # within window_wait (a long silence), send on and evict the oldest audio.
                # (A timer, not wait_for: no task and waiter per wait; one per final result.)
                acked = self._acked
                acked.clear()
                timer = asyncio.get_running_loop().call_later(
                    self.reliability.window_wait, self._window_wait_over, acked
                )
                try:
                    await acked.wait()
                finally:
                    timer.cancel()
                continue
            await self._pump(ws, turn)
            if rb.unsent_bytes <= self._high_water:
                self._space.set()

    def _window_wait_over(self, acked: asyncio.Event) -> None:
        if not acked.is_set():  # no final result within window_wait: send on, evicting
            self._window_forced = True
            acked.set()

    async def _pump(self, ws: UspConnection, turn: int) -> None:
        """Send the audio that is ready, until none is left or the window is full.

        A batch of messages (up to ``BATCH_BYTES`` of audio, each message
        within the protocol's payload limit) is taken (the cursor advanced)
        right before its frames are written, in one write: the sender and a
        direct send never take the same audio, frames go out in order, and the
        per-message work is a slice, a join and a mask. Audio taken but lost with a dropped
        connection or an ended turn is replayed from the acknowledged point on
        the next turn anyway.
        """
        rb = self._replay
        st = self._state
        while st.turn_active and st.turns == turn and self._ws is ws:
            limit = rb.max_bytes
            room = None if limit is None or self._window_forced else limit - rb.unacked_bytes
            chunks = rb.take(self._message_size(), room, BATCH_BYTES)
            if not chunks:
                return  # nothing ready, or flow control: the sender waits for a final result
            if self._owed_since is None:
                self._owed_since = asyncio.get_running_loop().time()
            await ws.send_many(st.audio_frames(chunks, self._clock()))

    def _message_size(self) -> int:
        """Bytes for the next audio message: ``chunk_ms`` for live audio, more for a backlog.

        Audio that arrives faster than it can go out (a file, a replay after a
        reconnect) need not be cut into ``chunk_ms`` pieces: it goes out in the
        largest messages the protocol allows, which saves per-message work.
        """
        if self._replay.unsent_bytes > self._chunk_bytes:
            return self._bulk_bytes
        return self._chunk_bytes

    def _window_full(self, n: int) -> bool:
        limit = self._replay.max_bytes
        return (
            limit is not None and not self._window_forced and self._replay.unacked_bytes + n > limit
        )

    async def _send_direct(self, ws: UspConnection) -> None:
        """Write the new audio from the caller's task while the sender is idle.

        This saves a task switch per chunk on live streams. Frames are taken
        from the buffer and written in order; the sender stays parked until
        woken, and a connection error is left to the receiver (which sees the
        close and triggers the reconnect).
        """
        gen = self._idle_gen
        self._idle_ws = None  # one direct writer at a time
        turn = self._state.turns  # stop if this turn ends or the connection is replaced meanwhile
        try:
            await self._pump(ws, turn)
            if self._replay.unsent_bytes:
                self._data.set()  # the window is full: the sender waits for it to open
        except Exception:  # the connection's fate is the receiver's and supervisor's business
            self._data.set()  # the sender takes over (and meets the error itself)
        finally:
            if self._idle_gen == gen:  # the sender still waits on the same connection
                self._idle_ws = ws

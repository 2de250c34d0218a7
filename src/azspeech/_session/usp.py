"""A USP audio session with transparent reconnect, for any result codec.

:class:`AsyncUspSession` runs a supervisor that connects, opens a turn, and
runs a sender (audio from the replay buffer), a receiver (service messages
through a :class:`~azspeech._protocol.recognition.RecognitionState` into typed
events) and a watchdog. When the connection drops, the service closes it (it
does so periodically) or stops answering, the supervisor reconnects with
backoff, opens a new turn, and the replay buffer resends the audio not yet
covered by a final result; the state shifts the new turn's offsets so that
the caller sees one timeline.

The audio input and the sender (batched audio messages, flow control) are
:class:`~azspeech._session.audio_sender.UspAudioSender`'s, this class's base.
Speech to text and translation are subclasses that only name their URL, their
codec and their events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

from .._protocol.framing import MAX_AUDIO_PAYLOAD
from .._protocol.recognition import RecognitionState, ResultCodec
from .._protocol.replay import ReplayBuffer
from ..audio.formats import PcmFormat
from ..errors import (
    ConnectionClosedError,
    ConnectionError,
    ProtocolError,
    TimeoutError,
)
from ..options import Reliability
from .audio_sender import UspAudioSender
from .base import Callback, Event
from .connection import UspClock, UspConnection

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient

__all__ = ["AsyncUspSession", "UspConnection"]

logger = logging.getLogger("azspeech")

E = TypeVar("E", bound=Event)


class _Reconnect(Exception):
    """Internal: end this connection deliberately and resume on a new one."""


class AsyncUspSession(UspAudioSender[E]):
    """Audio in over USP, a codec's typed events out, surviving drops and stalls.

    ``send`` queues audio (raw PCM in :attr:`format`; it waits when the
    connection falls behind), ``send_file`` streams any audio input,
    ``end_audio`` ends the input, ``close`` also waits for the last result.

    Audio messages carry ``chunk_ms`` of audio while the input keeps pace
    with the connection (a microphone), and the protocol's largest payload
    (8192 bytes) when audio is waiting to go out (a file read faster than
    real time, a replay); no message carries more than 8192 bytes.

    Reliability (one :class:`~azspeech.options.Reliability`): a dropped
    connection or a transient close reconnects with backoff
    (``max_reconnects`` consecutive failures; a final result resets the
    count), resends the audio not yet covered by a final result and shifts
    later offsets. At most ``replay_buffer_seconds`` of audio is in flight
    without a final result (the sender waits up to ``window_wait`` seconds,
    then evicts the oldest). A connection that answers nothing for
    ``end_timeout`` seconds while it owes answers (audio sent, or the end of
    the audio) counts as dropped; messages the session does not understand
    are no sign of life. ``end_deadline`` bounds the whole wait after the end
    of the audio, across reconnects.
    """

    def __init__(
        self,
        client: AsyncSpeechClient,
        url: str,
        codec: ResultCodec[E],
        *,
        audio_format: PcmFormat,
        reliability: Reliability,
        single_turn: bool = False,
        end_deadline: float | None = None,
        callbacks: Mapping[str, Callback[E]] | None = None,
    ) -> None:
        super().__init__(callbacks=callbacks)
        self._client = client
        self._url = url
        self.format = audio_format
        """The PCM format ``send`` takes."""
        self.reliability = reliability
        """The reliability settings of this session."""
        fmt = audio_format
        chunk = max(fmt.block_align, fmt.bytes_per_second * reliability.chunk_ms // 1000)
        # No message carries more than the protocol's audio payload limit; a backlog (a
        # file read faster than real time, a replay) goes out in messages of that size.
        self._bulk_bytes = max(
            fmt.block_align, MAX_AUDIO_PAYLOAD - MAX_AUDIO_PAYLOAD % fmt.block_align
        )
        self._chunk_bytes = min(chunk - chunk % fmt.block_align, self._bulk_bytes)
        self._high_water = max(self._chunk_bytes * 4, fmt.bytes_per_second * 2)
        self._single_turn = single_turn
        self._end_deadline = end_deadline
        self._replay = ReplayBuffer(
            fmt.bytes_per_second,
            fmt.block_align,
            max_bytes=int(reliability.replay_buffer_seconds * fmt.bytes_per_second),
        )
        self._state = RecognitionState(
            codec, fmt, self._replay, session_id=self.session_id, limits=client._config.limits
        )
        self._clock = UspClock()
        self.reconnects = 0
        """How many times the session has reconnected so far."""
        self._ws: UspConnection | None = None
        self._failures = 0
        self._input_closed = False  # no more send()
        self._audio_complete = False  # the audio ended normally: the end frame goes out
        self._data = asyncio.Event()
        self._space = asyncio.Event()
        self._acked = asyncio.Event()
        self._window_forced = False  # no ack came in time: send on, evicting the oldest
        self._connected_at = 0.0
        self._renew_due = False  # a final asked for a renewal, waiting for its owed output
        self._idle_ws: UspConnection | None = None
        self._idle_gen = 0
        self._last_rx = 0.0  # loop time of the last sign of life of the service
        self._owed_since: float | None = None  # first audio sent since then
        self._ended_at: float | None = None  # loop time the end of the audio first went out
        self._deadline_error: TimeoutError | None = None
        self._progress_at_connect = 0
        self._stall_error: ConnectionError | None = None

    # -- settings (from the Reliability object) ----------------------------------------------

    @property
    def chunk_ms(self) -> int:
        """Milliseconds of audio per message."""
        return self.reliability.chunk_ms

    @property
    def max_reconnects(self) -> int:
        """Consecutive failed reconnects before the session fails."""
        return self.reliability.max_reconnects

    @property
    def window_wait(self) -> float:
        """Seconds the sender waits for a final result when the replay window is full."""
        return self.reliability.window_wait

    @property
    def end_timeout(self) -> float | None:
        """Seconds a connection may stay silent while it owes answers."""
        return self.reliability.end_timeout

    @property
    def max_connection_age(self) -> float | None:
        """Seconds after which the connection is renewed right after a final result."""
        return self.reliability.max_connection_age

    @property
    def closed(self) -> bool:
        """Whether the audio input is closed (no more ``send``)."""
        return self._input_closed

    # -- the machinery -----------------------------------------------------------------------

    async def _open(self) -> None:
        # The client ends this session when it closes (and refuses it once closed).
        self._client._state.track(self)
        try:
            self._ws = await self._connect()
        except BaseException:
            self._client._state.untrack(self)
            raise

    async def _connect(self) -> UspConnection:
        return await self._client._ws_connect(self._url)

    async def _release(self) -> None:
        self._client._state.untrack(self)
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def _serve(self) -> None:
        while True:
            try:
                if self._ws is None:
                    self._ws = await self._connect()
                await self._drive(self._ws)
                return
            except _Reconnect:
                await self._release()
                await self._connection_lost()
                self.reconnects += 1
            except (ConnectionError, OSError) as exc:
                await self._release()
                if not self._may_retry(exc):
                    raise
                await self._connection_lost()
                self.reconnects += 1
                delay = self._backoff(self._failures)
                logger.info(
                    "azspeech: connection lost (%s); reconnecting in %.2fs (%d/%d)",
                    exc,
                    delay,
                    self._failures,
                    self.max_reconnects,
                )
                if delay:
                    await asyncio.sleep(delay)

    def _owes_output(self) -> bool:
        """Whether the service still owes output for a delivered final (no renewal until then)."""
        return False

    async def _connection_lost(self) -> None:
        """A connection ended and the session resumes on a new one (subclasses report losses)."""

    def _may_retry(self, exc: BaseException) -> bool:
        if isinstance(exc, ConnectionClosedError) and not exc.transient:
            return False
        if exc is self._deadline_error:
            return False
        if exc is self._stall_error and self._state.progress > self._progress_at_connect:
            # It answered, then went quiet while audio flowed (or the service says nothing
            # through a long silence): resume, without spending the failure budget.
            return True
        self._failures += 1
        return self._failures <= self.max_reconnects

    def _backoff(self, failures: int) -> float:
        if failures <= 1:
            return 0.0
        return self._client._config.retry.delay(failures - 2)

    async def _drive(self, ws: UspConnection) -> None:
        st = self._state
        loop = asyncio.get_running_loop()
        self._connected_at = time.monotonic()
        self._progress_at_connect = st.progress
        for frame in st.connection_frames(self._clock()):
            await ws.send(frame)
        idle_turns = 0
        while True:
            finals_before = st.finals
            for frame in st.start_turn(self._clock()):
                await ws.send(frame)
            self._last_rx, self._owed_since = loop.time(), None
            tasks = [
                self._spawn(self._sender(ws), "azspeech-sender"),
                self._spawn(self._receiver(ws), "azspeech-receiver"),
                self._spawn(self._watchdog(), "azspeech-watchdog"),
            ]
            receiver = tasks[1]
            try:
                pending = set(tasks)
                while not receiver.done():
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        if task is not receiver and task.exception() is not None:
                            raise task.exception()  # type: ignore[misc]
                receiver.result()  # re-raise its error, if any
            finally:
                for task in tasks:
                    if not task.done():
                        task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, BaseException):
                        await task  # also marks a second error as retrieved
            # The turn ended.
            if self._single_turn and st.finals:
                return
            if self._audio_complete and st.audio_finished():
                return
            # The service ended the turn early: resume from the acknowledged point,
            # on a fresh connection if this one is old (the service limits its life).
            idle_turns = 0 if st.finals != finals_before else idle_turns + 1
            if idle_turns > self.max_reconnects:
                raise ProtocolError(
                    f"the service ended {idle_turns} turns in a row without any result"
                )
            if not self._audio_complete and self._connection_too_old():
                raise _Reconnect()

    async def _receiver(self, ws: UspConnection) -> None:
        st = self._state
        loop = asyncio.get_running_loop()
        while True:
            msg = await ws.recv()
            finals, progress = st.finals, st.progress
            events = st.receive(msg)
            if st.progress != progress:  # a sign of life; messages not ours are none
                self._last_rx, self._owed_since = loop.time(), None
            if st.finals != finals:
                self._failures = 0
                self._window_forced = False
                self._acked.set()
            for event in events:  # as _emit, without a coroutine per event when no callbacks
                if self._deliver(event) and self._handlers:
                    await self._run_callbacks(event)
            if st.error is not None:
                self._canceled_sent = self._canceled_sent or bool(events)
                raise st.error
            if st.turn_done:
                return
            if st.finals != finals and not self._audio_complete and self._connection_too_old():
                self._renew_due = True
            if self._renew_due and not self._owes_output():
                self._renew_due = False
                if not self._audio_complete and self._connection_too_old():
                    # Proactively, after a final (and the output it owes, such as translated
                    # speech): what follows is replayed on the new connection.
                    raise _Reconnect()

    async def _watchdog(self) -> None:
        """A connection that owes answers and stays silent counts as dropped.

        It owes answers once audio went out unanswered, and always after the
        end of the audio (the last results and ``turn.end``). Raising a
        connection error here makes the supervisor reconnect and replay what
        was not acknowledged; past ``end_deadline`` the session fails instead.
        """
        loop = asyncio.get_running_loop()
        limit = self.end_timeout
        while True:
            now = loop.time()
            waits: list[float] = []
            if self._ended_at is not None and self._end_deadline is not None:
                left = self._ended_at + self._end_deadline - now
                if left <= 0:
                    self._deadline_error = TimeoutError(
                        f"no answer from the service within {self._end_deadline:g} s "
                        "after the end of the audio",
                        code="ResponseTimeout",
                    )
                    raise self._deadline_error
                waits.append(left)
            if limit is not None:
                since = self._owed_since
                if since is None and self._state.end_sent:
                    since = self._last_rx
                if since is not None and since + limit <= now:
                    error = ConnectionError(
                        f"no answer from the service for {limit:g} s", code="ResponseTimeout"
                    )
                    # In mid-stream (not after the end of the audio): a stall, not a drop.
                    self._stall_error = None if self._state.end_sent else error
                    raise error
                waits.append(since + limit - now if since is not None else limit)
            if not waits:
                return
            await asyncio.sleep(min(waits))

    def _connection_too_old(self) -> bool:
        age = self.max_connection_age
        return age is not None and time.monotonic() - self._connected_at > age

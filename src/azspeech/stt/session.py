"""Real-time recognition sessions over the WebSocket, with transparent reconnect.

:class:`AsyncRecognitionSession` is the one implementation. It runs a
supervisor task that connects, opens a turn, and runs a sender (audio from
the replay buffer) next to a receiver (service messages through
:class:`~azspeech._protocol.stt.RecognitionState` into typed events). When
the connection drops or the service closes it (it does so periodically),
the supervisor reconnects with backoff, opens a new turn, and the replay
buffer resends the audio not yet covered by a final result; the state
shifts the new turn's offsets so that the caller sees one timeline.

:class:`~azspeech.stt.blocking_session.RecognitionSession` (its own module)
is the blocking face of the same object: every call is run on the client's
portal loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._protocol.replay import ReplayBuffer
from .._protocol.stt import (
    AudioFormat,
    RecognitionOptions,
    RecognitionState,
    build_query,
    canceled_event,
    recognition_path,
)
from .._transport.ws import WebSocket
from ..errors import ConnectionClosedError, ConnectionError, ProtocolError, StreamClosedError
from ..models.stt import (
    Canceled,
    NoMatch,
    RecognitionResult,
    Recognized,
    SessionStarted,
    SessionStopped,
    SpeechEvent,
    Transcript,
)

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient

__all__ = ["AsyncRecognitionSession", "Callback", "StreamClosedError"]

logger = logging.getLogger("azspeech")

Callback = Callable[[Any], Any]
_END = object()
MAX_BATCH = 16  # audio frames written together when several are ready (1.6 s at 100 ms)

_CALLBACK_NAMES = {
    "session_started": "on_session_started",
    "session_stopped": "on_session_stopped",
    "speech_start_detected": "on_speech_start_detected",
    "speech_end_detected": "on_speech_end_detected",
    "recognizing": "on_recognizing",
    "recognized": "on_recognized",
    "no_match": "on_no_match",
    "canceled": "on_canceled",
}


class _Reconnect(Exception):
    """Internal: end this connection deliberately and resume on a new one."""


class AsyncRecognitionSession:
    """A continuous recognition: send audio in, iterate typed events out.

    Use it as ``async with client.stt.stream(...) as session``. ``send``
    queues audio (raw PCM in :attr:`format`; it waits when the connection
    falls behind), ``send_file`` streams any audio input, ``close`` ends the
    audio and waits for the last result. Iterating yields
    :class:`~azspeech.models.stt.SpeechEvent` objects until the session
    stops; if the session failed, the iteration then raises the error
    (after yielding a :class:`~azspeech.models.stt.Canceled` event).

    Reliability: a dropped connection or a transient close (1000 in mid-stream,
    1001, 1006, 1011...) reconnects with backoff (``max_reconnects``
    consecutive failures; a final result resets the count), resends the audio
    not yet covered by a final result and shifts later offsets, so results
    arrive once each on one timeline. At most ``replay_buffer_seconds`` of
    audio is in flight without a final result (the sender waits, up to
    ``window_wait`` seconds, then evicts the oldest). ``max_connection_age``
    renews the connection right after a final result; ``end_timeout`` is how
    long a silent connection may keep the last results after the end of the
    audio before it counts as dropped.
    """

    def __init__(
        self,
        client: AsyncSpeechClient,
        options: RecognitionOptions,
        *,
        audio_format: AudioFormat | None = None,
        chunk_ms: int = 100,
        max_reconnects: int = 4,
        replay_buffer_seconds: float = 120.0,
        window_wait: float = 5.0,
        end_timeout: float | None = 60.0,
        max_connection_age: float | None = None,
        single_turn: bool = False,
        callbacks: dict[str, Callback] | None = None,
    ) -> None:
        self._client = client
        self._options = options
        self.format = audio_format or AudioFormat()
        """The PCM format ``send`` takes (16 kHz, 16-bit mono unless given)."""
        self._chunk_bytes = max(
            self.format.block_align, self.format.bytes_per_second * chunk_ms // 1000
        )
        self._chunk_bytes -= self._chunk_bytes % self.format.block_align
        self.chunk_ms = chunk_ms
        self.max_reconnects = max_reconnects
        self.max_connection_age = max_connection_age
        self._single_turn = single_turn
        self._callbacks = dict(callbacks or {})
        max_bytes = int(replay_buffer_seconds * self.format.bytes_per_second)
        self._replay = ReplayBuffer(
            self.format.bytes_per_second, self.format.block_align, max_bytes=max_bytes
        )
        self._state = RecognitionState(
            options, self.format, self._replay, limits=client._config.limits
        )
        self._url = (
            client._config.endpoints.stt(
                recognition_path(options.mode, universal=options.universal_endpoint),
                websocket=True,
            )
            + "?"
            + build_query(options)
        )
        self.transcript = Transcript()
        """The final results so far (``Recognized`` and ``NoMatch``), in order."""
        self.reconnects = 0
        """How many times the session has reconnected so far."""
        self.error: BaseException | None = None
        """The error that ended the session, if it failed."""
        self._high_water = max(self._chunk_bytes * 4, self.format.bytes_per_second * 2)
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._data = asyncio.Event()
        self._space = asyncio.Event()
        self._audio_ended = False
        self._task: asyncio.Task[None] | None = None
        self._ws: WebSocket | None = None
        self._failures = 0
        self.window_wait = window_wait
        self.end_timeout = end_timeout
        self._acked = asyncio.Event()
        self._window_forced = False  # no ack came in time: send on, evicting the oldest
        self._error_raised = False
        self._canceled_sent = False
        self._stopped = False
        self._iter_done = False
        self._connected_at = 0.0
        self._idle_ws: WebSocket | None = None
        self._last_rx = 0.0
        self._idle_gen = 0

    # -- properties -------------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        """The session's id (``X-ConnectionId`` of every connection; stays across reconnects)."""
        return self._state.session_id

    @property
    def closed(self) -> bool:
        """Whether the audio input is closed (no more ``send``)."""
        return self._audio_ended

    @property
    def done(self) -> bool:
        """Whether the session has stopped."""
        return self._task is not None and self._task.done()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (errors such as bad credentials raise here) and start the session."""
        if self._task is not None:
            return
        self._ws = await self._connect()
        await self._emit(SessionStarted(session_id=self.session_id))
        self._task = asyncio.create_task(self._run(), name=f"azspeech-stt-{self.session_id}")

    async def __aenter__(self) -> AsyncRecognitionSession:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.abort()

    async def send(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue raw PCM audio (in :attr:`format`); waits while the connection is behind."""
        if self.error is not None:
            raise self.error
        if self._audio_ended:
            raise StreamClosedError("cannot send audio: the session's audio input is closed")
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
        while self._replay.unsent_bytes > self._high_water and not self.done:
            self._space.clear()
            await self._space.wait()
        if self.error is not None and not isinstance(self.error, asyncio.CancelledError):
            raise self.error

    async def send_file(
        self,
        audio: Any,
        *,
        realtime: bool = False,
        close: bool = True,
        sample_rate: int | None = None,
        input_format: Any = None,
    ) -> None:
        """Stream any audio input (path, bytes, numpy array, iterator, push stream...).

        It is decoded and resampled to the session's format. ``realtime``
        paces it like a live source. ``close`` (default) ends the audio after
        it, so that iterating the session finishes.
        """
        from ..audio import open_pcm_stream

        # Paced input is read frame by frame; otherwise in bigger reads, which the
        # sender splits into chunk_ms frames (fewer, cheaper iterations).
        stream = open_pcm_stream(
            audio,
            target=self.format,
            sample_rate=sample_rate,
            chunk_ms=self.chunk_ms if realtime else max(self.chunk_ms, 1000),
            realtime=realtime,
            input_format=input_format,
        )
        try:
            async for chunk in stream:
                await self.send(chunk)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        if close:
            await self.end_audio()

    async def end_audio(self) -> None:
        """End the audio input without waiting (the session finishes in the background)."""
        self._audio_ended = True
        self._data.set()
        if self._task is None:
            await self.start()

    async def close(self) -> None:
        """End the audio and wait until the service has answered all of it.

        Raises the session's error, if it failed and the error was not
        already raised by iteration.
        """
        await self.end_audio()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._task)
        self._raise_pending()

    async def abort(self) -> None:
        """Stop now: drop the connection and any audio not yet answered."""
        self._audio_ended = True
        self._data.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._close_ws()

    def _raise_pending(self) -> None:
        if self.error is not None and not self._error_raised:
            self._error_raised = True
            raise self.error

    # -- events --------------------------------------------------------------------------------

    def on(self, event_type: str, callback: Callback) -> None:
        """Register a callback for an event type (``"recognized"``...) or ``"*"``."""
        if event_type != "*" and event_type not in _CALLBACK_NAMES:
            raise ValueError(f"unknown event type {event_type!r}")
        self._callbacks[event_type] = callback

    async def _emit(self, event: SpeechEvent) -> None:
        if isinstance(event, (Recognized, NoMatch)):
            self.transcript.results.append(event.result)
        self._queue.put_nowait(event)
        for key in (event.type, "*"):
            cb = self._callbacks.get(key)
            if cb is None:
                continue
            try:
                out = cb(event)
                if inspect.isawaitable(out):
                    await out
            except Exception:  # a broken callback must not break recognition
                logger.exception("azspeech: %s callback raised", key)

    def __aiter__(self) -> AsyncIterator[SpeechEvent]:
        return self

    async def __anext__(self) -> SpeechEvent:
        if self._iter_done:
            raise StopAsyncIteration
        if self._task is None:
            await self.start()
        item = await self._queue.get()
        if item is _END:
            self._iter_done = True
            self._queue.put_nowait(_END)
            if self.error is not None and not self._error_raised:
                self._error_raised = True
                raise self.error
            raise StopAsyncIteration
        ev: SpeechEvent = item
        return ev

    async def results(self) -> AsyncIterator[RecognitionResult]:
        """Only the final results with text."""
        async for ev in self:
            if isinstance(ev, Recognized):
                yield ev.result

    # -- the machinery --------------------------------------------------------------------------

    async def _connect(self) -> WebSocket:
        return await self._client._ws_connect(self._url)

    async def _close_ws(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def _run(self) -> None:
        try:
            while True:
                try:
                    if self._ws is None:
                        self._ws = await self._connect()
                    await self._drive(self._ws)
                    await self._close_ws()
                    return
                except _Reconnect:
                    await self._close_ws()
                    self.reconnects += 1
                    continue
                except (ConnectionError, OSError) as exc:
                    await self._close_ws()
                    if isinstance(exc, ConnectionClosedError) and not exc.transient:
                        raise
                    self._failures += 1
                    if self._failures > self.max_reconnects:
                        raise
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
        except asyncio.CancelledError:
            await self._close_ws()
            raise
        except BaseException as exc:
            if not self._canceled_sent:  # the event first, then the error shows in send()
                self._canceled_sent = True
                await self._emit(canceled_event(exc, self.session_id))  # type: ignore[arg-type]
            self.error = exc
            await self._close_ws()
        finally:
            self._audio_ended = True
            self._space.set()
            try:
                if not self._stopped:
                    self._stopped = True
                    await self._emit(SessionStopped(session_id=self.session_id))
            finally:
                self._queue.put_nowait(_END)

    def _backoff(self, failures: int) -> float:
        if failures <= 1:
            return 0.0
        return self._client._config.retry.delay(failures - 2)

    async def _drive(self, ws: WebSocket) -> None:
        st = self._state
        self._connected_at = time.monotonic()
        for frame in st.connection_frames():
            await ws.send(frame)
        idle_turns = 0
        while True:
            finals_before = st.finals
            for frame in st.start_turn():
                await ws.send(frame)
            sender = asyncio.create_task(self._sender(ws))
            receiver = asyncio.create_task(self._receiver(ws))
            try:
                pending = {sender, receiver}
                while not receiver.done():
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    if sender in done and sender.exception() is not None:
                        raise sender.exception()  # type: ignore[misc]
                receiver.result()  # re-raise its error, if any
            finally:
                for task in (sender, receiver):
                    if not task.done():
                        task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, BaseException):
                        await task  # also marks a second error as retrieved
            # The turn ended.
            if self._single_turn and st.finals:
                return
            if self._audio_ended and st.audio_finished():
                return
            # The service ended the turn early: resume from the acknowledged point,
            # on a fresh connection if this one is old (the service limits its life).
            idle_turns = 0 if st.finals != finals_before else idle_turns + 1
            if idle_turns > self.max_reconnects:
                raise ProtocolError(
                    f"the service ended {idle_turns} turns in a row without any result"
                )
            if not self._audio_ended and self._connection_too_old():
                raise _Reconnect()

    async def _sender(self, ws: WebSocket) -> None:
        rb = self._replay
        st = self._state
        size = self._chunk_bytes
        turn = st.turns
        while st.turn_active and st.turns == turn:  # never into a turn that has ended
            chunk = rb.next_chunk(size)
            if chunk is None:
                if self._audio_ended:
                    if not st.end_sent:
                        await ws.send(st.end_frame())
                    await self._watch_end()
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
                self._acked.clear()
                try:
                    await asyncio.wait_for(self._acked.wait(), self.window_wait)
                except asyncio.TimeoutError:
                    self._window_forced = True
                continue
            await self._pump(ws, turn)
            if rb.unsent_bytes <= self._high_water:
                self._space.set()

    async def _watch_end(self) -> None:
        """After the end of the audio: a connection silent for end_timeout is a stalled one.

        The service owes the last results and ``turn.end``; this task is
        cancelled when the turn ends. Raising here makes the supervisor
        reconnect and replay what was not acknowledged.
        """
        if self.end_timeout is None:
            return
        loop = asyncio.get_running_loop()
        since = loop.time()
        while True:
            idle = loop.time() - max(self._last_rx, since)
            if idle >= self.end_timeout:
                raise ConnectionError(
                    f"no answer from the service {self.end_timeout:g} s after the end of the audio",
                    code="ResponseTimeout",
                )
            await asyncio.sleep(self.end_timeout - idle)

    async def _pump(self, ws: WebSocket, turn: int) -> None:
        """Send the audio that is ready, until none is left or the window is full.

        Each chunk is taken (the cursor advanced) right before its frame is
        written, so that the sender and a direct send never take the same
        audio and frames go out in order. Where the transport can write a
        batch in one go (``send_many``), up to MAX_BATCH frames go together.
        Audio taken but lost with a dropped connection or an ended turn is
        replayed from the acknowledged point on the next turn anyway.
        """
        rb = self._replay
        st = self._state
        size = self._chunk_bytes
        limit = rb.max_bytes
        send_many = getattr(ws, "send_many", None)
        while st.turn_active and st.turns == turn and self._ws is ws:
            chunk = rb.next_chunk(size)
            if chunk is None:
                return
            if (
                limit is not None
                and not self._window_forced
                and (rb.unacked_bytes + len(chunk) > limit)
            ):
                return  # flow control: the sender waits for a final result
            rb.advance(len(chunk))
            frame = st.audio_frame(chunk)
            if send_many is None:
                await ws.send(frame)
                continue
            frames = [frame]
            while len(frames) < MAX_BATCH:
                chunk = rb.next_chunk(size)
                if chunk is None or self._window_full(len(chunk)):
                    break
                rb.advance(len(chunk))
                frames.append(st.audio_frame(chunk))
            await send_many(frames)

    def _window_full(self, n: int) -> bool:
        limit = self._replay.max_bytes
        return (
            limit is not None and not self._window_forced and self._replay.unacked_bytes + n > limit
        )

    async def _send_direct(self, ws: WebSocket) -> None:
        """Write the new audio from the caller's task while the sender is idle.

        This saves a task switch per chunk on live streams. Frames are taken
        from the buffer and written synchronously in order; the sender stays
        parked until woken, and a connection error is left to the receiver
        (which sees the close and triggers the reconnect).
        """
        gen = self._idle_gen
        self._idle_ws = None  # one direct writer at a time
        st = self._state
        turn = st.turns  # stop if this turn ends or the connection is replaced meanwhile
        try:
            await self._pump(ws, turn)
            if self._replay.unsent_bytes:
                self._data.set()  # the window is full: the sender waits for it to open
        except Exception:  # the connection's fate is the receiver's and supervisor's business
            self._data.set()  # the sender takes over (and meets the error itself)
        finally:
            if self._idle_gen == gen:  # the sender still waits on the same connection
                self._idle_ws = ws

    async def _receiver(self, ws: WebSocket) -> None:
        st = self._state
        loop = asyncio.get_running_loop()
        while True:
            msg = await ws.recv()
            self._last_rx = loop.time()
            finals = st.finals
            events = st.receive(msg)
            if st.finals != finals:
                self._failures = 0
                self._window_forced = False
                self._acked.set()
            for ev in events:
                if isinstance(ev, Canceled):
                    self._canceled_sent = True
                await self._emit(ev)
            if st.error is not None:
                raise st.error
            if st.turn_done:
                return
            if st.finals != finals and not self._audio_ended and self._connection_too_old():
                raise _Reconnect()  # proactively, right after a final: nothing to replay

    def _connection_too_old(self) -> bool:
        age = self.max_connection_age
        return age is not None and time.monotonic() - self._connected_at > age


def __getattr__(name: str) -> Any:
    # The blocking session lives in .blocking_session (it imports this module).
    if name == "RecognitionSession":
        from .blocking_session import RecognitionSession

        return RecognitionSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

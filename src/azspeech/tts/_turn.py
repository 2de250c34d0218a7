"""One synthesis request over a pooled WebSocket, bounded in time and ended by its client.

:func:`run_turn` sends the request, feeds the service's messages to a
:class:`~azspeech._protocol.tts.SynthesisTurn` and yields the events. Each turn
is registered with its client's state, so closing the client ends it. Its
time is bounded by the client's ``timeout``: per message, and in total by a
budget that grows only with progress (audio received, text sent), so a peer
that trickles audio slower than real time or keeps sending messages the
client ignores cannot keep it alive. Time the caller spends between events
does not count.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Any

from .._protocol.framing import new_request_id
from .._protocol.tts import (
    SynthesisTurn,
    speech_config_frame,
    ssml_frame,
    synthesis_context,
    synthesis_context_frame,
    text_end_frame,
    text_piece_frame,
)
from ..errors import ConnectionClosedError, ConnectionError, InvalidRequestError, TimeoutError
from ..models.tts import AudioChunk, SynthesisEvent
from ._common import MAX_STREAM_TEXT_CHARS, PreparedSynthesis, clean_piece, ws_url
from ._pool import PooledConnection

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient

__all__ = ["run_turn"]

_timeout_cm = getattr(asyncio, "timeout", None)
# Audio of a compressed format counts as this many bytes per second of speech
# (the lowest bitrate the service offers, 16 kbit/s): never less than real time.
_MIN_COMPRESSED_BPS = 2000


class _Budget:
    """The time a turn may still wait for the service."""

    def __init__(self, timeout: float, bytes_per_second: int | None) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self._bps = bytes_per_second or _MIN_COMPRESSED_BPS
        self.source_since: float | None = None  # waiting for the caller's next text piece

    def wait(self) -> float:
        """Seconds the next receive may take; raises once the budget is spent."""
        if self.source_since is not None:
            return self.timeout  # the caller's text source is slow, not the service
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(
                f"synthesis did not finish within its time budget (timeout={self.timeout:g} s "
                "plus the duration of the audio received)"
            )
        return min(left, self.timeout)

    def audio(self, nbytes: int) -> None:
        self.deadline += nbytes / self._bps

    def text_sent(self) -> None:
        self.deadline = max(self.deadline, time.monotonic() + self.timeout)

    def paused(self, seconds: float) -> None:
        self.deadline += seconds

    def source_wait(self, waiting: bool) -> None:
        """Mark the start or end of a wait for the caller's text source (not counted)."""
        now = time.monotonic()
        if waiting:
            self.source_since = now
        elif self.source_since is not None:
            self.deadline += now - self.source_since
            self.source_since = None


class _LiveTurn:
    """A running turn as its client's state sees it: :meth:`abort` ends it."""

    def __init__(self, conn: PooledConnection, pool_discard: Any) -> None:
        self.conn = conn
        self._discard = pool_discard
        self.aborted = False
        self.receiving = False

    async def abort(self) -> None:
        self.aborted = True
        if self.receiving:
            # The turn is waiting for a message: closing the socket wakes it.
            await self.conn.ws.close()
        else:
            await self._discard(self.conn)

    def check(self) -> None:
        if self.aborted:
            raise ConnectionError("the client was closed during synthesis")


def _timed_out(timeout: float) -> TimeoutError:
    return TimeoutError(f"the service sent nothing for {timeout:g} s during synthesis")


async def _recv(live: _LiveTurn, wait: float, timeout: float) -> Any:
    ws = live.conn.ws
    live.receiving = True
    try:
        if _timeout_cm is not None:  # Python 3.11+: no extra task per message
            async with _timeout_cm(wait):
                return await ws.recv()
        return await asyncio.wait_for(ws.recv(), wait)
    except asyncio.TimeoutError:
        raise _timed_out(timeout) from None
    finally:
        live.receiving = False


async def _recv_or_fail(
    live: _LiveTurn, sender: asyncio.Task[None], budget: _Budget, timeout: float
) -> Any:
    """Receive while the text sender runs; its failure ends the wait."""
    recv = asyncio.ensure_future(live.conn.ws.recv())
    live.receiving = True
    try:
        while True:
            done, _ = await asyncio.wait(
                {recv, sender}, timeout=budget.wait(), return_when=asyncio.FIRST_COMPLETED
            )
            if recv in done:
                return recv.result()
            if sender.done():
                if sender.exception() is not None:
                    raise sender.exception()  # type: ignore[misc]
                return await asyncio.wait_for(asyncio.shield(recv), budget.wait())
            if budget.source_since is None:
                raise _timed_out(timeout)
            # else: the caller's text source is slow; its wait does not count
    except asyncio.TimeoutError:
        raise _timed_out(timeout) from None
    finally:
        live.receiving = False
        if not recv.done():
            recv.cancel()


async def _send_pieces(
    live: _LiveTurn, rid: str, pieces: AsyncIterator[str], turn: SynthesisTurn, budget: _Budget
) -> None:
    ws = live.conn.ws
    total = 0
    source = pieces.__aiter__()
    while True:
        budget.source_wait(True)
        try:
            piece = await source.__anext__()
        except StopAsyncIteration:
            break
        finally:
            budget.source_wait(False)
        text = clean_piece(piece)
        if not text:
            continue
        total += len(text)
        if total > MAX_STREAM_TEXT_CHARS:
            raise InvalidRequestError(
                f"stream_text: more than {MAX_STREAM_TEXT_CHARS} characters in one request; "
                "use mode='sentences' for longer text"
            )
        turn.locator.text += text
        await ws.send(text_piece_frame(rid, text))
        budget.text_sent()
    await ws.send(text_end_frame(rid))


async def run_turn(
    client: AsyncSpeechClient,
    prepared: PreparedSynthesis,
    *,
    pieces: AsyncIterator[str] | None = None,
    streaming_input: dict[str, Any] | None = None,
) -> AsyncGenerator[SynthesisEvent, None]:
    """Run one request on a pooled socket of *client*; yield what the service sends."""
    state = client._state
    pool = state.tts_pool
    timeout = client._config.timeout
    url = ws_url(client._config.endpoints, prepared.deployment_id, streaming=pieces is not None)
    context = synthesis_context(
        prepared.request_format.value, prepared.options, streaming_input=streaming_input
    )
    budget = _Budget(timeout, prepared.bytes_per_second)
    attempt = 0
    while True:
        conn, reused = await pool.acquire(url, client._ws_connect)
        live = _LiveTurn(conn, pool.discard)
        rid = new_request_id()
        turn: SynthesisTurn | None = None
        ok = False
        sender: asyncio.Task[None] | None = None
        try:
            state.track(live)
            ws = conn.ws
            if not conn.configured:
                await ws.send(speech_config_frame(rid))
                conn.configured = True
            await ws.send(synthesis_context_frame(rid, context))
            if pieces is None:
                await ws.send(ssml_frame(rid, prepared.ssml))
            # built after the request is on its way: nothing delays the first bytes
            turn = SynthesisTurn(
                rid,
                text=prepared.text,
                is_ssml=prepared.is_ssml,
                bytes_per_second=prepared.bytes_per_second,
            )
            if pieces is not None:
                sender = asyncio.ensure_future(_send_pieces(live, rid, pieces, turn, budget))
            while not turn.done:
                live.check()
                if sender is not None and sender.done() and sender.exception() is not None:
                    raise sender.exception()  # type: ignore[misc]
                if sender is not None and not sender.done():
                    msg = await _recv_or_fail(live, sender, budget, timeout)
                else:
                    msg = await _recv(live, budget.wait(), timeout)
                for event in turn.feed(msg):
                    if isinstance(event, AudioChunk):
                        budget.audio(len(event))
                    paused = time.monotonic()
                    yield event
                    budget.paused(time.monotonic() - paused)
                    live.check()
            ok = True
            return
        except ConnectionClosedError:
            live.check()
            # A pooled socket the service closed while idle: try once on a fresh one.
            if reused and attempt == 0 and pieces is None and not (turn and turn.started):
                attempt += 1
                continue
            raise
        finally:
            state.untrack(live)
            if sender is not None and not sender.done():
                sender.cancel()
            if ok:
                pool.release(conn)
            else:
                await pool.discard(conn)

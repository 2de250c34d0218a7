"""The one blocking face of every async session: calls run on the client's portal loop.

Callbacks of a blocking session run on the portal's thread, inside the
session's loop. A blocking call from there would wait for itself, so every
method of :class:`BlockingSession` checks where it is called from: from a
callback it *requests* the change (stop, end of input, more audio) and
returns at once; the session acts on it as soon as the callback returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .base import AsyncSession, Callback, Event, Subscription
from .usp import AsyncUspSession

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio.formats import PcmFormat
    from ..audio.sources import AudioInput

__all__ = ["BlockingSession", "BlockingUspSession"]

E = TypeVar("E", bound=Event)
Self = TypeVar("Self", bound="BlockingSession[Any]")


class BlockingSession(Generic[E]):
    """Drive an :class:`~azspeech._session.base.AsyncSession` from blocking code.

    Use it in a ``with`` block; iterate it for the events. Callbacks run on
    the client's background loop thread and may call ``abort()``,
    ``close()`` and the input methods of their own session.
    """

    def __init__(
        self, client: SpeechClient, factory: Callable[[AsyncSpeechClient], AsyncSession[E]]
    ) -> None:
        self._client = client
        self._factory = factory
        self._session: AsyncSession[E] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def session(self) -> AsyncSession[E]:
        """The underlying async session (lives on the client's portal loop)."""
        if self._session is None:
            raise RuntimeError("the session is not started; use it in a `with` block")
        return self._session

    @property
    def session_id(self) -> str:
        """The session's id."""
        return self.session.session_id

    @property
    def error(self) -> BaseException | None:
        """The error that ended the session, if it failed."""
        return self.session.error

    def _in_callback(self) -> bool:
        return self._client.portal.in_loop_thread()

    def _schedule(self, coro: Any) -> None:
        """Run *coro* on the portal loop without waiting (we are on its thread)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def start(self: Self) -> Self:
        """Connect and start the session (errors such as bad credentials raise here).

        A ``with`` block, sending and iterating start it too; starting twice
        does nothing.
        """
        if self._session is None:

            async def make(aclient: AsyncSpeechClient) -> AsyncSession[E]:
                session = self._factory(aclient)
                await session.start()
                return session

            self._session = self._client._run(make)
        return self

    def __enter__(self: Self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is None:
            return
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def close(self) -> None:
        """End the input and wait for the last results (from a callback: do not wait)."""
        if self._in_callback():
            self.session._end_input()
            return
        self._client.portal.call(self.session.close)

    def abort(self) -> None:
        """Stop now: drop the connection and any input not yet answered.

        From a callback the stop takes effect when the callback returns: no
        further events are delivered except the end of the session.
        """
        if self._in_callback():
            self.session._abort_now()
            if self.session._task is None:
                self._schedule(self.session.abort())
            return
        self._client.portal.call(self.session.abort)

    def on(self, event_type: str, callback: Callback[E]) -> Subscription[E]:
        """Add a callback for an event type or ``"*"``; see :meth:`AsyncSession.on`.

        Callbacks run on the client's background loop thread.
        """
        return self.session.on(event_type, callback)

    def off(self, event_type: str, callback: Callback[E]) -> bool:
        """Remove the earliest registration of *callback* for *event_type*."""
        return self.session.off(event_type, callback)

    def __iter__(self) -> Iterator[E]:
        self.start()
        return self._client.portal.iterate(self.session.__aiter__())


class BlockingUspSession(BlockingSession[E]):
    """The blocking face of an :class:`~azspeech._session.usp.AsyncUspSession` (audio in)."""

    @property
    def session(self) -> AsyncUspSession[E]:
        """The underlying async session (lives on the client's portal loop)."""
        session = super().session
        assert isinstance(session, AsyncUspSession)
        return session

    @property
    def reconnects(self) -> int:
        """How many times the session has reconnected so far."""
        return self.session.reconnects

    def send(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue raw PCM audio; blocks while the connection is behind (not in a callback)."""
        self.start()
        if self._in_callback():
            self.session.send_nowait(bytes(chunk))
            return
        self._client.portal.call(self.session.send, bytes(chunk))

    def send_file(
        self,
        audio: AudioInput,
        *,
        realtime: bool = False,
        close: bool = True,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> None:
        """Stream any audio input; see :meth:`AsyncUspSession.send_file`.

        From a callback the input is streamed in the background; its errors
        end the session.
        """
        self.start()

        def run() -> Any:
            return self.session.send_file(
                audio,
                realtime=realtime,
                close=close,
                sample_rate=sample_rate,
                input_format=input_format,
            )

        if self._in_callback():
            self._schedule(_quietly(run()))
            return
        self._client.portal.call(run)

    def end_audio(self) -> None:
        """End the audio input without waiting (iterate, or ``close``, for the last results)."""
        if self._in_callback():
            self.session._end_input()
            return
        self._client.portal.call(self.session.end_audio)


async def _quietly(coro: Any) -> None:
    """Await *coro*; its error already ended the session, which reports it."""
    with contextlib.suppress(Exception):
        await coro

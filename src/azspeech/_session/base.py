"""The lifecycle every duplex session shares, whatever its protocol.

:class:`AsyncSession` runs one task (the subclass's :meth:`~AsyncSession._serve`)
and turns everything it reports into one ordered stream of typed events: a
queue for ``async for``, and callbacks registered with :meth:`~AsyncSession.on`.
A failure is reported once, in order: the feature's ``Canceled`` event, then
the error, raised by the iteration (or :meth:`~AsyncSession.close`).

Stopping is cooperative and never swallows the caller's cancellation: only the
session task's own cancellation (by :meth:`~AsyncSession.abort`) is absorbed.
A callback run by the session may call ``abort()``, ``close()`` or send more
input on its own session: those calls then request the change and return
without waiting for the session task (which is the one running the callback).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from .._protocol.framing import new_request_id
from ..errors import InvalidRequestError

__all__ = ["AsyncSession", "Callback", "Event", "Subscription"]

logger = logging.getLogger("azspeech")


class Event(Protocol):
    """What a session's events have in common: a ``type`` naming their kind."""

    @property
    def type(self) -> str:
        """The event kind (``"recognized"``...), the key of :meth:`AsyncSession.on`."""
        ...


E = TypeVar("E", bound=Event)
Self = TypeVar("Self", bound="AsyncSession[Any]")

#: A callback receives one event; it may be a coroutine function.
Callback = Callable[[E], object]


class _End:
    """The end of the event stream (queued once, re-queued for every reader)."""


_END = _End()

T = TypeVar("T")


class _EventQueue(Generic[T]):
    """The session's event FIFO: ``asyncio.Queue``'s ``put_nowait``/``get``, without its
    bookkeeping (no size bound, no task counting), since every event passes through it."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: deque[T] = deque()
        self._waiters: deque[asyncio.Future[None]] = deque()

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        self._wake_one()

    def _wake_one(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def get(self) -> T:
        items = self._items
        while not items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
                if items and not waiter.cancelled():
                    self._wake_one()  # the item this reader was woken for goes to the next
                raise
        return items.popleft()


class Subscription(Generic[E]):
    """One registration of a callback; :meth:`remove` undoes exactly it."""

    def __init__(self, handlers: list[Subscription[E]], event_type: str, callback: Callback[E]):
        self._handlers = handlers
        self.event_type = event_type
        """The event type the callback was registered for (``"*"``: every event)."""
        self.callback = callback
        """The registered callback."""

    def remove(self) -> bool:
        """Unregister the callback; ``False`` if it was removed already."""
        try:
            self._handlers.remove(self)
        except ValueError:
            return False
        return True

    def __repr__(self) -> str:
        return f"Subscription({self.event_type!r}, {self.callback!r})"


class AsyncSession(Generic[E]):
    """A duplex session: input in, typed events out, over one background task.

    Subclasses implement :meth:`_open` (connect: errors raise from
    :meth:`start`), :meth:`_serve` (the work, until the session is over),
    :meth:`_release` (close connections), :meth:`_end_input` (no more input:
    finish normally) and the three session events.
    """

    #: the event types :meth:`on` accepts (besides ``"*"``)
    event_types: ClassVar[frozenset[str]] = frozenset()
    #: the name of the session task (a prefix; the session id follows)
    task_name: ClassVar[str] = "azspeech-session"

    def __init__(
        self, *, session_id: str | None = None, callbacks: Mapping[str, Callback[E]] | None = None
    ) -> None:
        self.session_id = session_id or new_request_id()
        """The session's id (32 hex digits)."""
        self._handlers: dict[str, list[Subscription[E]]] = {}
        self.error: BaseException | None = None
        """The error that ended the session, if it failed."""
        self._queue: _EventQueue[E | _End] = _EventQueue()
        self._task: asyncio.Task[None] | None = None
        self._own: set[asyncio.Task[Any]] = set()  # tasks whose callbacks run inside the session
        self._stopping = False  # the session is over or ending: nothing may wait for it any more
        self._aborted = False
        self._running = False  # the session task has started running
        self._stopped_sent = False
        self._failure: BaseException | None = None  # an error reported from outside the task
        self._error_raised = False
        self._canceled_sent = False
        self._iter_done = False
        for event_type, callback in (callbacks or {}).items():
            self.on(event_type, callback)

    # -- what subclasses provide -----------------------------------------------------------------

    async def _open(self) -> None:
        """Connect; called by :meth:`start` (its errors raise to the caller)."""

    async def _serve(self) -> None:
        """The session's work; returns when the session is over, raises when it failed."""

    async def _release(self) -> None:
        """Close the session's connections (called once the session is over)."""

    def _end_input(self) -> None:
        """No more input: let the session finish normally (no waiting)."""

    def _started_event(self) -> E | None:
        return None

    def _stopped_event(self) -> E | None:
        return None

    def _canceled_event(self, error: BaseException) -> E | None:
        return None

    def _record(self, event: E) -> None:
        """Keep what the session keeps of an event (a transcript...), before it is queued."""

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """Whether the session has stopped."""
        if self._task is None:
            return self._stopped_sent  # stopped before it ever started
        return self._task.done()

    async def start(self) -> None:
        """Connect (errors such as bad credentials raise here) and start the session.

        Starting twice, or after the session was stopped, does nothing.
        """
        if self._task is not None or self._stopping:
            return
        await self._open()
        event = self._started_event()
        if event is not None:
            await self._emit(event)
        if self._stopping:  # a callback of the started event aborted or failed it
            await self._finish(self._failure)
        elif self._task is None:
            self._task = self._spawn(self._run(), f"{self.task_name}-{self.session_id}")

    async def __aenter__(self: Self) -> Self:
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

    async def close(self) -> None:
        """End the input and wait until the session is over.

        Raises the session's error, if it failed and the error was not
        already raised by iteration. Called from one of the session's own
        callbacks, it ends the input and returns at once.
        """
        if self._task is None and not self._stopping:
            await self.start()
        self._end_input()
        if self._inside():
            return
        await self._wait_task(stop_on_cancel=True)
        self._raise_pending()

    async def abort(self) -> None:
        """Stop now: drop the connection and any input not yet answered.

        The caller's own cancellation while waiting is not swallowed.
        """
        self._abort_now()
        if self._task is None:
            if not self._stopped_sent:
                await self._finish(None)
            return
        if not self._inside():
            await self._wait_task(stop_on_cancel=False)

    def fail(self, error: BaseException) -> None:
        """End the session with *error* (an input that failed...): it is reported as its error."""
        if self._stopping:
            return
        self._failure = error
        self._stop_task()
        if self._task is None:  # never started: the session is over with this error now
            self.error = error
            self._stopped_sent = True
            self._queue.put_nowait(_END)

    def _abort_now(self) -> None:
        """Request the stop (synchronous: safe from a callback on the session's loop)."""
        if not self._stopping:
            self._aborted = True
        self._stop_task()

    def _stop_task(self) -> None:
        self._stopping = True
        self._wake()
        # A task that has not run yet is left to start: cancelled now, its coroutine would
        # never run, so nothing would close the connection or end the event stream.
        if self._running and self._task is not None and not self._task.done():
            self._task.cancel()

    def _wake(self) -> None:
        """Wake whatever waits on the session (input back-pressure...) once it is stopping."""

    async def _wait_task(self, *, stop_on_cancel: bool) -> None:
        task = self._task
        if task is None or task.done():
            return
        try:
            # asyncio.wait, unlike awaiting the task or a shield, neither cancels the task
            # when the caller is cancelled nor hides the caller's cancellation.
            await asyncio.wait((task,))
        except asyncio.CancelledError:
            if stop_on_cancel:
                self._abort_now()  # the caller gave up: do not leave the session running
            raise

    def _raise_pending(self) -> None:
        if self.error is not None and not self._error_raised:
            self._error_raised = True
            raise self.error

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._own.add(task)
        task.add_done_callback(self._own.discard)
        return task

    def _inside(self) -> bool:
        """Whether the caller runs inside one of the session's own tasks (a callback)."""
        try:
            return asyncio.current_task() in self._own
        except RuntimeError:  # no running loop
            return False

    async def _run(self) -> None:
        error: BaseException | None = None
        self._running = True
        try:
            if not self._stopping:  # stopped before this task ran: straight to the end
                await self._serve()
        except asyncio.CancelledError:
            if self._failure is None and not self._aborted:
                raise  # cancelled from outside (the loop shutting down): stay cancelled
        except BaseException as exc:
            error = exc
        finally:
            await self._finish(self._failure or error)

    async def _finish(self, error: BaseException | None) -> None:
        if error is not None and self.error is None:
            self.error = error  # before anything wakes: a waiting send() raises it
        self._stopping = True
        self._wake()
        try:
            try:
                await self._release()
            except Exception:  # the connection's close is best effort
                logger.debug("azspeech: closing the session's connection failed", exc_info=True)
            if self.error is not None and not self._canceled_sent:
                self._canceled_sent = True
                canceled = self._canceled_event(self.error)
                if canceled is not None:
                    await self._emit(canceled, always=True)
            if not self._stopped_sent:
                self._stopped_sent = True
                stopped = self._stopped_event()
                if stopped is not None:
                    await self._emit(stopped, always=True)
        finally:
            self._queue.put_nowait(_END)

    # -- events ----------------------------------------------------------------------------------

    def on(self, event_type: str, callback: Callback[E]) -> Subscription[E]:
        """Add a callback for an event type (``"recognized"``...) or ``"*"`` (every event).

        Callbacks add up: earlier ones (including ``on_*=`` arguments) stay.
        Returns a :class:`Subscription`; ``.remove()`` (or :meth:`off`)
        unregisters it. A callback may be a coroutine function; one that
        raises is logged and does not stop the session.

        Raises:
            InvalidRequestError: an unknown event type, or a callback that is
                not callable.
        """
        if not isinstance(event_type, str) or (
            event_type != "*" and event_type not in self.event_types
        ):
            known = ", ".join(sorted(self.event_types))
            raise InvalidRequestError(
                f"unknown event type {event_type!r}; expected one of {known} or '*'"
            )
        if not callable(callback):
            raise InvalidRequestError(f"callback must be callable, got {callback!r}")
        handlers = self._handlers.setdefault(event_type, [])
        subscription = Subscription(handlers, event_type, callback)
        handlers.append(subscription)
        return subscription

    def off(self, event_type: str, callback: Callback[E]) -> bool:
        """Remove the earliest registration of *callback* for *event_type*; ``False`` if none."""
        for subscription in self._handlers.get(event_type, ()):
            if subscription.callback is callback or subscription.callback == callback:
                return subscription.remove()
        return False

    async def _emit(self, event: E, *, always: bool = False) -> None:
        if self._deliver(event, always=always) and self._handlers:
            await self._run_callbacks(event)

    def _deliver(self, event: E, *, always: bool = False) -> bool:
        """Record and queue *event* for iteration; ``False`` if the session was aborted.

        The callbacks are :meth:`_run_callbacks`' business: a hot path checks
        ``self._handlers`` and skips that coroutine when nobody registered any.
        """
        if self._aborted and not always:
            return False  # aborted: nothing more is delivered but the end of the session
        self._record(event)
        self._queue.put_nowait(event)
        return True

    async def _run_callbacks(self, event: E) -> None:
        handlers = (*self._handlers.get(event.type, ()), *self._handlers.get("*", ()))
        for subscription in handlers:
            try:
                out = subscription.callback(event)
                if inspect.isawaitable(out):
                    await out
            except Exception:  # a broken callback must not break the session
                logger.exception("azspeech: %s callback raised", subscription.event_type)

    def __aiter__(self) -> AsyncIterator[E]:
        return self

    async def __anext__(self) -> E:
        if self._iter_done:
            raise StopAsyncIteration
        if self._task is None and not self._stopping:
            await self.start()
        item = await self._queue.get()
        if isinstance(item, _End):
            self._iter_done = True
            self._queue.put_nowait(_END)
            self._raise_pending()
            raise StopAsyncIteration
        return item

"""Real-time speech recognition sessions: the speech codec on the generic USP session.

:class:`AsyncRecognitionSession` is :class:`~azspeech._session.usp.AsyncUspSession`
with the speech-to-text URL, the :class:`~azspeech._protocol.stt.SpeechCodec`,
the speech events and a transcript. :func:`recognize_once` runs one on the
first utterance of an audio input. The blocking face is
:class:`~azspeech.stt.blocking_session.RecognitionSession`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from .._protocol.stt import (
    AudioFormat,
    RecognitionOptions,
    SpeechCodec,
    build_query,
    canceled_event,
    recognition_path,
)
from .._session.base import Callback as _Callback
from .._session.base import Subscription
from .._session.usp import AsyncUspSession
from ..errors import StreamClosedError
from ..models.stt import (
    Canceled,
    NoMatch,
    RecognitionResult,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SessionStarted,
    SessionStopped,
    SpeechEndDetected,
    SpeechEvent,
    SpeechStartDetected,
    Transcript,
)
from ..options import Reliability

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient
    from ..audio.formats import PcmFormat
    from ..audio.sources import AudioInput

__all__ = [
    "EVENT_TYPES",
    "AsyncRecognitionSession",
    "Callback",
    "SpeechCallbacks",
    "StreamClosedError",
    "Subscription",
    "recognize_once",
]

#: A callback for speech events (it may be a coroutine function).
Callback = _Callback[SpeechEvent]

#: The event types of a recognition session (``session.on(...)`` keys).
EVENT_TYPES = frozenset(
    {
        "session_started",
        "session_stopped",
        "speech_start_detected",
        "speech_end_detected",
        "recognizing",
        "recognized",
        "no_match",
        "canceled",
    }
)

_UNSET: Any = object()


class SpeechCallbacks:
    """``on()`` typed per speech event: each callback receives its own event class."""

    @overload
    def on(
        self, event_type: Literal["recognized"], callback: Callable[[Recognized], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["recognizing"], callback: Callable[[Recognizing], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["no_match"], callback: Callable[[NoMatch], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["canceled"], callback: Callable[[Canceled], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["session_started"], callback: Callable[[SessionStarted], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["session_stopped"], callback: Callable[[SessionStopped], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self,
        event_type: Literal["speech_start_detected"],
        callback: Callable[[SpeechStartDetected], object],
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self,
        event_type: Literal["speech_end_detected"],
        callback: Callable[[SpeechEndDetected], object],
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(self, event_type: str, callback: Callback) -> Subscription[SpeechEvent]: ...
    def on(self, event_type: str, callback: Callable[[Any], object]) -> Subscription[SpeechEvent]:
        """Add a callback for an event type (``"recognized"``...) or ``"*"`` (every event).

        Callbacks add up (``on_*=`` arguments included); ``.remove()`` on the
        returned :class:`~azspeech._session.base.Subscription`, or ``off()``,
        unregisters one. An unknown event type raises
        :class:`~azspeech.errors.InvalidRequestError`.
        """
        on: Callable[[str, Callable[[Any], object]], Subscription[SpeechEvent]]
        on = super().on  # type: ignore[misc]
        return on(event_type, callback)


class AsyncRecognitionSession(SpeechCallbacks, AsyncUspSession[SpeechEvent]):
    """A continuous recognition: send audio in, iterate typed events out.

    Use it as ``async with client.stt.stream(...) as session``. ``send``
    queues audio (raw PCM in :attr:`format`; it waits when the connection
    falls behind), ``send_file`` streams any audio input, ``close`` ends the
    audio and waits for the last result. Iterating yields
    :class:`~azspeech.models.stt.SpeechEvent` objects until the session
    stops; if the session failed, the iteration then raises the error
    (after yielding a :class:`~azspeech.models.stt.Canceled` event).
    ``on(event_type, callback)`` adds a callback.

    Reliability (``reliability=``, or the same settings one by one): see
    :class:`~azspeech.options.Reliability`. A dropped or stalled connection
    reconnects, resends the audio not yet covered by a final result and
    shifts later offsets, so results arrive once each on one timeline.
    """

    event_types = EVENT_TYPES
    task_name = "azspeech-stt"

    def __init__(
        self,
        client: AsyncSpeechClient,
        options: RecognitionOptions,
        *,
        audio_format: AudioFormat | None = None,
        chunk_ms: int = _UNSET,
        max_reconnects: int = _UNSET,
        replay_buffer_seconds: float = _UNSET,
        window_wait: float = _UNSET,
        end_timeout: float | None = _UNSET,
        max_connection_age: float | None = _UNSET,
        single_turn: bool = False,
        callbacks: Mapping[str, Callback] | None = None,
        reliability: Reliability | None = None,
        end_deadline: float | None = None,
    ) -> None:
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("chunk_ms", chunk_ms),
                ("max_reconnects", max_reconnects),
                ("replay_buffer_seconds", replay_buffer_seconds),
                ("window_wait", window_wait),
                ("end_timeout", end_timeout),
                ("max_connection_age", max_connection_age),
            )
            if value is not _UNSET
        }
        if given.get("max_connection_age") == 0:
            # 0 meant "renew after every final"; Reliability wants an age above zero.
            given["max_connection_age"] = sys.float_info.min
        # Built directly, a session does not renew its connection unless asked to.
        base = reliability if reliability is not None else Reliability(max_connection_age=None)
        url = client._config.endpoints.stt(
            recognition_path(options.mode, universal=options.universal_endpoint), websocket=True
        )
        super().__init__(
            client,
            url + "?" + build_query(options),
            SpeechCodec(options),
            audio_format=audio_format or AudioFormat(),
            reliability=dataclasses.replace(base, **given) if given else base,
            single_turn=single_turn,
            end_deadline=end_deadline,
            callbacks=callbacks,
        )
        self._options = options
        self.transcript = Transcript()
        """The final results so far (``Recognized`` and ``NoMatch``), in order."""

    def _started_event(self) -> SpeechEvent:
        return SessionStarted(session_id=self.session_id)

    def _stopped_event(self) -> SpeechEvent:
        return SessionStopped(session_id=self.session_id)

    def _canceled_event(self, error: BaseException) -> SpeechEvent:
        return canceled_event(error, self.session_id)  # type: ignore[arg-type]

    def _record(self, event: SpeechEvent) -> None:
        if isinstance(event, (Recognized, NoMatch)):
            self.transcript.results.append(event.result)

    async def results(self) -> AsyncIterator[RecognitionResult]:
        """Only the final results with text."""
        async for event in self:
            if isinstance(event, Recognized):
                yield event.result


async def recognize_once(
    client: AsyncSpeechClient,
    options: RecognitionOptions,
    audio: AudioInput,
    *,
    sample_rate: int | None = None,
    input_format: PcmFormat | None = None,
) -> RecognitionResult:
    """The first final result of *audio* (a no-match result if there is none).

    See :meth:`AsyncUspSession.first_final` for how input errors and
    cancellation are reported; the wait after the end of the audio is bounded
    by the client's ``timeout``.
    """
    timeout = client._config.timeout
    session = AsyncRecognitionSession(
        client,
        options,
        single_turn=True,
        reliability=Reliability(max_connection_age=None, end_timeout=min(60.0, timeout)),
        end_deadline=timeout,  # the whole wait after the end of the audio, across reconnects
    )
    event = await session.first_final(
        audio, is_final=_is_final, sample_rate=sample_rate, input_format=input_format
    )
    if isinstance(event, (Recognized, NoMatch)):
        return event.result
    return RecognitionResult(status=RecognitionStatus.NO_MATCH)


def _is_final(event: SpeechEvent) -> bool:
    return isinstance(event, (Recognized, NoMatch))

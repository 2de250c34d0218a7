"""Real-time speech translation sessions: the translation codec on the generic USP session.

:class:`AsyncTranslationSession` is :class:`~azspeech._session.usp.AsyncUspSession`
with the universal v2 URL (``from``/``to`` in the query), the
:class:`~azspeech._protocol.translation.TranslationCodec`, the translation
events and a :class:`~azspeech.models.translation.TranslatedTranscript`, so it
reconnects, replays and keeps offsets exactly like speech to text.
:func:`recognize_once` translates the first utterance of an audio input. The
blocking face is :class:`~azspeech.translation.blocking_session.TranslationSession`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import urlencode

from .._protocol.framing import encode_text
from .._protocol.stt import AudioFormat, canceled_event, recognition_path
from .._protocol.translation import TranslationCodec
from .._session.base import Callback, Subscription
from .._session.usp import AsyncUspSession
from ..errors import ConnectionError
from ..models.stt import (
    Canceled,
    NoMatch,
    RecognitionStatus,
    SessionStarted,
    SessionStopped,
    SpeechEndDetected,
    SpeechEvent,
    SpeechStartDetected,
)
from ..models.translation import (
    Synthesized,
    Synthesizing,
    Translated,
    TranslatedTranscript,
    Translating,
    TranslationResult,
)
from ..options import Reliability
from ..options.translation import TranslationOptions

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient
    from ..audio.formats import PcmFormat
    from ..audio.sources import AudioInput

__all__ = ["EVENT_TYPES", "AsyncTranslationSession", "TranslationCallbacks", "recognize_once"]

EVENT_TYPES = frozenset(
    {
        "session_started",
        "session_stopped",
        "speech_start_detected",
        "speech_end_detected",
        "translating",
        "translated",
        "no_match",
        "synthesizing",
        "synthesized",
        "canceled",
    }
)
"""The event types of a translation session (``session.on(...)`` keys)."""


class TranslationCallbacks:
    """``on()`` typed per translation event: each callback receives its own event class."""

    @overload
    def on(
        self, event_type: Literal["translated"], callback: Callable[[Translated], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["translating"], callback: Callable[[Translating], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["synthesized"], callback: Callable[[Synthesized], object]
    ) -> Subscription[SpeechEvent]: ...
    @overload
    def on(
        self, event_type: Literal["synthesizing"], callback: Callable[[Synthesizing], object]
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
    def on(self, event_type: str, callback: Callback[SpeechEvent]) -> Subscription[SpeechEvent]: ...
    def on(self, event_type: str, callback: Callable[[Any], object]) -> Subscription[SpeechEvent]:
        """Add a callback for an event type (``"translated"``...) or ``"*"`` (every event).

        Callbacks add up (``on_*=`` arguments included); ``.remove()`` on the
        returned :class:`~azspeech._session.base.Subscription`, or ``off()``,
        unregisters one. An unknown event type raises
        :class:`~azspeech.errors.InvalidRequestError`.
        """
        on: Callable[[str, Callable[[Any], object]], Subscription[SpeechEvent]]
        on = super().on  # type: ignore[misc]
        return on(event_type, callback)


class AsyncTranslationSession(TranslationCallbacks, AsyncUspSession[SpeechEvent]):
    """A continuous translation: send audio in, iterate translation events out.

    Use it as ``async with client.translation.connect(...) as session``;
    ``send``/``send_file``/``close`` and the reliability settings are those
    of :class:`~azspeech.stt.session.AsyncRecognitionSession`. Events:
    :class:`~azspeech.models.translation.Translating` (interim),
    :class:`~azspeech.models.translation.Translated` (final), ``NoMatch``,
    and with a voice :class:`~azspeech.models.translation.Synthesizing`
    chunks and one :class:`~azspeech.models.translation.Synthesized` per
    utterance. :meth:`set_target_languages` (and the add/remove helpers)
    changes the targets mid-session.
    """

    event_types = EVENT_TYPES
    task_name = "azspeech-translation"

    def __init__(
        self,
        client: AsyncSpeechClient,
        options: TranslationOptions,
        *,
        audio_format: AudioFormat | None = None,
        reliability: Reliability | None = None,
        single_turn: bool = False,
        end_deadline: float | None = None,
        callbacks: Mapping[str, Callback[SpeechEvent]] | None = None,
    ) -> None:
        mode = options.recognition.mode
        scenario = "interactive" if mode == "interactive" else "conversation"
        url = client._config.endpoints.translation(recognition_path(mode, universal=True))
        self._codec = TranslationCodec(options)
        super().__init__(
            client,
            url + "?" + urlencode(options.query(scenario=scenario)),
            self._codec,
            audio_format=audio_format or AudioFormat(),
            reliability=reliability or Reliability(max_connection_age=None),
            single_turn=single_turn,
            end_deadline=end_deadline,
            callbacks=callbacks,
        )
        self.options = options
        """The translation options of this session."""
        self.transcript = TranslatedTranscript()
        """The final results so far (translated and no-match), in order."""

    @property
    def target_languages(self) -> list[str]:
        """The current target languages."""
        return list(self._codec.targets)

    async def set_target_languages(self, targets: Sequence[str]) -> None:
        """Translate into *targets* from the service's next final result on.

        The service is told with an ``event`` message (``updateLanguage``);
        later turns, after a reconnect too, ask for these targets. Bad codes,
        an empty or too long list, or dropping the voice's language raise
        :class:`~azspeech.errors.InvalidRequestError` and change nothing.
        """
        body = self._codec.update_languages(targets)
        st = self._state
        ws = self._ws
        if ws is None or not st.turn_active:
            return  # the next turn's speech.context carries the new targets
        frame = encode_text(
            "event", body, request_id=st.request_id, headers={"X-Timestamp": self._clock()}
        )
        with contextlib.suppress(ConnectionError, OSError):
            await ws.send(frame)  # a dropped connection: the next turn carries them

    async def add_target_language(self, language: str) -> None:
        """Add a target language (see :meth:`set_target_languages`)."""
        await self.set_target_languages([*self._codec.targets, language])

    async def remove_target_language(self, language: str) -> None:
        """Remove a target language (see :meth:`set_target_languages`)."""
        await self.set_target_languages([t for t in self._codec.targets if t != language])

    def _started_event(self) -> SpeechEvent:
        return SessionStarted(session_id=self.session_id)

    def _stopped_event(self) -> SpeechEvent:
        return SessionStopped(session_id=self.session_id)

    def _canceled_event(self, error: BaseException) -> SpeechEvent:
        return canceled_event(error, self.session_id)  # type: ignore[arg-type]

    def _owes_output(self) -> bool:
        return self._codec.awaiting_speech

    async def _connection_lost(self) -> None:
        for event in self._codec.connection_lost(self.session_id):
            await self._emit(event)

    def _record(self, event: SpeechEvent) -> None:
        if isinstance(event, (Translated, NoMatch)):
            if isinstance(event.result, TranslationResult):
                self.transcript.results.append(event.result)
        elif isinstance(event, Synthesized) and self.transcript.results:
            last = self.transcript.results[-1]
            if last.audio is None and event.audio is not None:
                last.audio = event.audio

    async def results(self) -> AsyncIterator[TranslationResult]:
        """Only the final results with text."""
        async for event in self:
            if isinstance(event, Translated):
                yield event.result


async def recognize_once(
    client: AsyncSpeechClient,
    options: TranslationOptions,
    audio: AudioInput,
    *,
    sample_rate: int | None = None,
    input_format: PcmFormat | None = None,
) -> TranslationResult:
    """The first final result of *audio*, translated (and spoken, with a voice).

    With a voice the call also waits for the translated speech of that
    result (``.audio``). A no-match result if nothing was recognized.
    """
    timeout = client._config.timeout
    session = AsyncTranslationSession(
        client,
        options,
        single_turn=True,
        reliability=Reliability(max_connection_age=None, end_timeout=min(60.0, timeout)),
        end_deadline=timeout,
    )
    speaks = options.voice is not None

    def done(event: Any) -> bool:
        if isinstance(event, Translated):
            return not speaks
        return isinstance(event, (NoMatch, Synthesized))

    await session.first_final(
        audio, is_final=done, sample_rate=sample_rate, input_format=input_format
    )
    if session.transcript.results:
        return session.transcript.results[0]
    return TranslationResult(status=RecognitionStatus.NO_MATCH)

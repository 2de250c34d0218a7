"""Speech to text over the WebSocket, sans-I/O: the speech codec.

* :mod:`.stt_options`: :class:`RecognitionOptions` (every recognition option,
  checked once) and the URL query, ``speech.config`` and ``speech.context``
  built from it;
* :mod:`.stt_results`: :func:`parse_result` / :func:`parse_partial` for
  ``speech.phrase`` and ``speech.hypothesis`` bodies;
* here, :class:`SpeechCodec`: the :class:`~.recognition.ResultCodec` of speech
  to text (which paths are results, how they become typed events, what a
  final acknowledges), and :class:`SpeechRecognitionState`, the generic
  :class:`~.recognition.RecognitionState` with that codec.

No sockets, no event loop. The names of the two other modules are re-exported
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ..errors import CanceledError
from ..models._base import build_trusted
from ..models.stt import (
    NoMatch,
    NoMatchReason,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SpeechEndDetected,
    SpeechEvent,
    SpeechStartDetected,
    ticks_to_timedelta,
)
from .framing import DEFAULT_LIMITS, Limits
from .recognition import Failure, Final, Partial, ResultCodec
from .recognition import RecognitionState as _GenericState
from .replay import ReplayBuffer
from .stt_options import (
    LID_MODES,
    MODES,
    PROFANITY,
    AudioFormat,
    RecognitionOptions,
    build_query,
    check_phrases,
    recognition_path,
    speech_config,
    speech_context,
    validate_locale,
)
from .stt_results import canceled_event, parse_partial, parse_result

__all__ = [
    "LID_MODES",
    "MODES",
    "PROFANITY",
    "AudioFormat",
    "RecognitionOptions",
    "RecognitionState",
    "SpeechCodec",
    "SpeechRecognitionState",
    "build_query",
    "canceled_event",
    "check_phrases",
    "parse_partial",
    "parse_result",
    "recognition_path",
    "speech_config",
    "speech_context",
    "validate_locale",
]


_NO_MATCH_REASON = {
    RecognitionStatus.NO_MATCH: NoMatchReason.NOT_RECOGNIZED,
    RecognitionStatus.INITIAL_SILENCE_TIMEOUT: NoMatchReason.INITIAL_SILENCE_TIMEOUT,
    RecognitionStatus.BABBLE_TIMEOUT: NoMatchReason.INITIAL_BABBLE_TIMEOUT,
}
_CANCEL_CODE = {
    RecognitionStatus.ERROR: "ServiceError",
    RecognitionStatus.TOO_MANY_REQUESTS: "TooManyRequests",
    RecognitionStatus.BAD_REQUEST: "BadRequestParameters",
    RecognitionStatus.FORBIDDEN: "Forbidden",
    RecognitionStatus.SERVICE_UNAVAILABLE: "ServiceUnavailable",
    RecognitionStatus.UNKNOWN: "ServiceError",
}


class SpeechCodec(ResultCodec[SpeechEvent]):
    """Speech to text: ``speech.hypothesis``/``.fragment`` partials, ``speech.phrase`` finals."""

    partial_paths = frozenset({"speech.hypothesis", "speech.fragment"})
    final_paths = frozenset({"speech.phrase"})

    def __init__(self, options: RecognitionOptions) -> None:
        self.options = options
        self.one_utterance_per_turn = options.mode == "interactive"
        self.wants_partials = bool(options.interim_results)

    def config(self, fmt: AudioFormat) -> Mapping[str, Any]:
        """The ``speech.config`` body for *fmt* and the recognition mode."""
        return speech_config(fmt, self.options.mode)

    def context(self, *, audio_offset_ms: int, audio_session_id: str) -> Mapping[str, Any]:
        """The ``speech.context`` body built from the options."""
        return speech_context(
            self.options, audio_offset_ms=audio_offset_ms, audio_session_id=audio_session_id
        )

    def partial(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Partial[SpeechEvent] | None:
        """A :class:`Recognizing` event (``None`` when interim results are off)."""
        if not self.options.interim_results:
            return None
        result = parse_partial(body, base_ticks, what=path)
        stable = path == "speech.fragment"
        event = _event(Recognizing, "recognizing", session_id, result=result, stable=stable)
        dur = result.duration_ticks
        return Partial(result.offset_ticks + dur, dur, [event])

    def final(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Final[SpeechEvent] | Failure[SpeechEvent] | None:
        """A :class:`Recognized` or :class:`NoMatch` final, or a cancelling status."""
        result = parse_result(body, base_ticks)
        status = result.status
        if status.is_error:
            raw_status = result.raw.get("RecognitionStatus")
            err = CanceledError(
                f"recognition canceled by the service: RecognitionStatus {raw_status!r}",
                reason="Error",
                code=_CANCEL_CODE.get(status, "ServiceError"),
            )
            return Failure(err, [canceled_event(err, session_id)])
        if status is RecognitionStatus.END_OF_DICTATION:
            return None  # the service ending a dictation turn; not a result
        event: SpeechEvent
        if status is RecognitionStatus.SUCCESS:
            event = _event(Recognized, "recognized", session_id, result=result)
        else:
            reason = _NO_MATCH_REASON.get(status, NoMatchReason.NOT_RECOGNIZED)
            event = _event(NoMatch, "no_match", session_id, result=result, reason=reason)
        return Final(
            result.end_ticks,
            result.duration_ticks,
            [event],
            recognized=status is RecognitionStatus.SUCCESS,
        )

    def detected(self, start: bool, offset_ticks: int, session_id: str) -> SpeechEvent:
        """A :class:`SpeechStartDetected` or :class:`SpeechEndDetected` event."""
        kind = SpeechStartDetected if start else SpeechEndDetected
        return kind(
            session_id=session_id,
            offset=ticks_to_timedelta(offset_ticks),
            offset_ticks=offset_ticks,
        )


class SpeechRecognitionState(_GenericState[SpeechEvent]):
    """The recognition state of speech to text: the generic state with a :class:`SpeechCodec`."""

    def __init__(
        self,
        options: RecognitionOptions,
        fmt: AudioFormat,
        replay: ReplayBuffer,
        *,
        session_id: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        super().__init__(SpeechCodec(options), fmt, replay, session_id=session_id, limits=limits)
        self.options = options


#: The speech-to-text state under its former name.
RecognitionState = SpeechRecognitionState


E_ = TypeVar("E_", bound=SpeechEvent)


def _event(cls: type[E_], kind: str, session_id: str, **fields: Any) -> E_:
    """An event of *cls*; *fields* in declaration order, after ``type`` and ``session_id``.

    A plain ``str`` session id means every value is of its declared type (the
    codec checked them): the event is built without a second validation.
    """
    if type(session_id) is str:
        return build_trusted(
            cls, {"type": kind, "session_id": session_id, **fields}, {"session_id", *fields}
        )
    return cls(session_id=session_id, **fields)

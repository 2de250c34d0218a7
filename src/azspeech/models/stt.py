"""Typed results and events of speech to text (real-time, short audio, fast transcription).

Times are exposed as :class:`datetime.timedelta`; the raw wire values are kept
next to them (``offset_ticks``/``duration_ticks`` in 100-ns units for the
WebSocket and short-audio APIs, ``offset_ms``/``duration_ms`` for fast
transcription). Every result keeps the service's JSON in ``.raw`` so that
fields this SDK does not model yet are never lost.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Union

from pydantic import Field

from ..audio.formats import ticks_to_timedelta
from ._base import Model

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..captions import CaptionOptions
    from .pronunciation import PronunciationResult

__all__ = [
    "Canceled",
    "CombinedPhrase",
    "NBestEntry",
    "NoMatch",
    "NoMatchReason",
    "RecognitionEvent",
    "RecognitionResult",
    "RecognitionStatus",
    "Recognized",
    "Recognizing",
    "SessionStarted",
    "SessionStopped",
    "SpeechEndDetected",
    "SpeechEvent",
    "SpeechStartDetected",
    "TranscribedPhrase",
    "TranscribedWord",
    "Transcript",
    "TranscriptionResult",
    "Word",
    "ticks_to_timedelta",
]


class RecognitionStatus(str, enum.Enum):
    """``RecognitionStatus`` of a final result, as the service names it."""

    SUCCESS = "Success"
    NO_MATCH = "NoMatch"
    INITIAL_SILENCE_TIMEOUT = "InitialSilenceTimeout"
    BABBLE_TIMEOUT = "BabbleTimeout"
    END_OF_DICTATION = "EndOfDictation"
    ERROR = "Error"
    TOO_MANY_REQUESTS = "TooManyRequests"
    BAD_REQUEST = "BadRequest"
    FORBIDDEN = "Forbidden"
    SERVICE_UNAVAILABLE = "ServiceUnavailable"
    UNKNOWN = "Unknown"

    @property
    def is_error(self) -> bool:
        """Whether this status cancels the recognition (an in-band service error)."""
        return self in _ERROR_STATUSES

    @property
    def is_no_match(self) -> bool:
        """Whether this status means "nothing recognized" (not an error)."""
        return self in _NO_MATCH_STATUSES


_ERROR_STATUSES = frozenset(
    {
        RecognitionStatus.ERROR,
        RecognitionStatus.TOO_MANY_REQUESTS,
        RecognitionStatus.BAD_REQUEST,
        RecognitionStatus.FORBIDDEN,
        RecognitionStatus.SERVICE_UNAVAILABLE,
        RecognitionStatus.UNKNOWN,
    }
)
_NO_MATCH_STATUSES = frozenset(
    {
        RecognitionStatus.NO_MATCH,
        RecognitionStatus.INITIAL_SILENCE_TIMEOUT,
        RecognitionStatus.BABBLE_TIMEOUT,
    }
)


class NoMatchReason(str, enum.Enum):
    """Why a final result carries no text."""

    NOT_RECOGNIZED = "NotRecognized"
    INITIAL_SILENCE_TIMEOUT = "InitialSilenceTimeout"
    INITIAL_BABBLE_TIMEOUT = "InitialBabbleTimeout"


_Model = Model  # the one base, from models._base


class Word(_Model):
    """One word of a detailed result, with its timing (absolute in the session's timeline)."""

    word: str
    offset: timedelta
    duration: timedelta
    offset_ticks: int
    duration_ticks: int
    confidence: float | None = None

    @property
    def text(self) -> str:
        """Same as :attr:`word` (so captions treat every word type alike)."""
        word: str = self.word
        return word

    @property
    def end(self) -> timedelta:
        return self.offset + self.duration


class NBestEntry(_Model):
    """One alternative of a detailed result (``NBest[i]``)."""

    confidence: float | None = None
    lexical: str = ""
    itn: str = ""
    masked_itn: str = ""
    display: str = ""
    words: list[Word] = Field(default_factory=list)
    display_words: list[Word] = Field(default_factory=list)


class RecognitionResult(_Model):
    """A recognition result: a final phrase, or (in :class:`Recognizing`) a partial one.

    ``offset``/``duration`` are the phrase's position in the audio you sent,
    continuous across reconnects. ``raw`` is the service's JSON as received
    (offsets in it are relative to the service turn, not shifted).
    """

    status: RecognitionStatus = RecognitionStatus.SUCCESS
    text: str = ""
    offset: timedelta = timedelta(0)
    duration: timedelta = timedelta(0)
    offset_ticks: int = 0
    duration_ticks: int = 0
    language: str | None = None
    language_confidence: str | None = None
    speaker_id: str | None = None
    channel: int | None = None
    snr: float | None = None
    nbest: list[NBestEntry] = Field(default_factory=list)
    is_final: bool = True
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def end(self) -> timedelta:
        """``offset + duration``."""
        return self.offset + self.duration

    @property
    def end_ticks(self) -> int:
        return self.offset_ticks + self.duration_ticks

    @property
    def best(self) -> NBestEntry | None:
        """The first alternative of a detailed result (the service puts the best first)."""
        return self.nbest[0] if self.nbest else None

    @property
    def confidence(self) -> float | None:
        """Confidence of the best alternative (detailed results only)."""
        return self.nbest[0].confidence if self.nbest else None

    @property
    def words(self) -> list[Word]:
        """Word timings of the best alternative (detailed results with word timings)."""
        return self.nbest[0].words if self.nbest else []

    @property
    def speaker(self) -> str | None:
        """Alias of :attr:`speaker_id` (captions use ``.speaker``)."""
        return self.speaker_id

    @property
    def pronunciation(self) -> PronunciationResult | None:
        """The pronunciation assessment scores, when they were asked for (else None)."""
        from .pronunciation import pronunciation_from_result

        return pronunciation_from_result(self)

    def to_srt(self, options: CaptionOptions | None = None) -> str:
        """This single phrase as SubRip captions."""
        from ..captions import to_srt

        return to_srt([self], options)

    def to_webvtt(self, options: CaptionOptions | None = None) -> str:
        """This single phrase as WebVTT captions."""
        from ..captions import to_webvtt

        return to_webvtt([self], options)


class Transcript(_Model):
    """The final results of a session, in order (``session.transcript``)."""

    results: list[RecognitionResult] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """All recognized text, one phrase per line."""
        return "\n".join(r.text for r in self.results if r.text)

    @property
    def phrases(self) -> list[RecognitionResult]:
        """The results that carry text."""
        return [r for r in self.results if r.text]

    def __iter__(self) -> Any:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def to_srt(self, options: CaptionOptions | None = None) -> str:
        """The transcript as SubRip captions."""
        from ..captions import to_srt

        return to_srt(self.phrases, options)

    def to_webvtt(self, options: CaptionOptions | None = None) -> str:
        """The transcript as WebVTT captions."""
        from ..captions import to_webvtt

        return to_webvtt(self.phrases, options)


# -- streaming events -----------------------------------------------------------------------


class SpeechEvent(_Model):
    """Base class of the events a recognition session yields."""

    type: str
    session_id: str = ""


class SessionStarted(SpeechEvent):
    """The first connection of the session is up."""

    type: Literal["session_started"] = "session_started"


class SessionStopped(SpeechEvent):
    """The session ended (all audio processed, or canceled)."""

    type: Literal["session_stopped"] = "session_stopped"


class SpeechStartDetected(SpeechEvent):
    """The service heard speech start at ``offset``."""

    type: Literal["speech_start_detected"] = "speech_start_detected"
    offset: timedelta = timedelta(0)
    offset_ticks: int = 0


class SpeechEndDetected(SpeechEvent):
    """The service heard speech end at ``offset``."""

    type: Literal["speech_end_detected"] = "speech_end_detected"
    offset: timedelta = timedelta(0)
    offset_ticks: int = 0


class _DetectedLanguage:
    """The language identified for an event's result (with language identification)."""

    if TYPE_CHECKING:  # pragma: no cover
        result: RecognitionResult

    @property
    def language(self) -> str | None:
        """The detected language of the result (``result.language``), if identified."""
        return self.result.language

    @property
    def language_confidence(self) -> str | None:
        """``Unknown``, ``Low``, ``Medium`` or ``High`` where the service gives it."""
        return self.result.language_confidence


class Recognizing(_DetectedLanguage, SpeechEvent):
    """An interim (partial) result; later partials may rewrite earlier words."""

    type: Literal["recognizing"] = "recognizing"
    result: RecognitionResult
    stable: bool = False

    @property
    def text(self) -> str:
        text: str = self.result.text
        return text


class Recognized(_DetectedLanguage, SpeechEvent):
    """A final result with text."""

    type: Literal["recognized"] = "recognized"
    result: RecognitionResult

    @property
    def text(self) -> str:
        text: str = self.result.text
        return text


class NoMatch(_DetectedLanguage, SpeechEvent):
    """A final result without text (silence, noise, or speech that did not match)."""

    type: Literal["no_match"] = "no_match"
    result: RecognitionResult
    reason: NoMatchReason = NoMatchReason.NOT_RECOGNIZED


class Canceled(SpeechEvent):
    """The session was canceled by an error; ``error`` is the matching exception."""

    type: Literal["canceled"] = "canceled"
    reason: str = "Error"
    code: str | None = None
    message: str = ""
    error: BaseException | None = Field(default=None, repr=False)


RecognitionEvent = Union[  # noqa: UP007 - a runtime alias, must work on Python 3.10
    SessionStarted,
    SpeechStartDetected,
    Recognizing,
    Recognized,
    NoMatch,
    SpeechEndDetected,
    Canceled,
    SessionStopped,
]
"""Everything a recognition session yields, for an exhaustive ``match`` (each has a ``type``)."""


# -- fast transcription -----------------------------------------------------------------------


def _ms(value: int) -> timedelta:
    return timedelta(milliseconds=value)


class TranscribedWord(_Model):
    """A word of a fast-transcription phrase (display form)."""

    text: str
    offset: timedelta
    duration: timedelta
    offset_ms: int
    duration_ms: int

    @property
    def end(self) -> timedelta:
        return self.offset + self.duration


class TranscribedPhrase(_Model):
    """A phrase of a fast transcription."""

    text: str
    offset: timedelta
    duration: timedelta
    offset_ms: int
    duration_ms: int
    confidence: float | None = None
    speaker: int | None = None
    channel: int | None = None
    locale: str | None = None
    words: list[TranscribedWord] = Field(default_factory=list)

    @property
    def end(self) -> timedelta:
        return self.offset + self.duration


class CombinedPhrase(_Model):
    """The full text of one channel."""

    text: str
    channel: int | None = None


class TranscriptionResult(_Model):
    """The answer of fast transcription (``client.stt.transcribe``)."""

    duration: timedelta
    duration_ms: int
    combined_phrases: list[CombinedPhrase] = Field(default_factory=list)
    phrases: list[TranscribedPhrase] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The combined text of all channels, one channel per line."""
        return "\n".join(c.text for c in self.combined_phrases)

    def to_srt(self, options: CaptionOptions | None = None) -> str:
        """The phrases as SubRip captions."""
        from ..captions import to_srt

        return to_srt(self.phrases, options)

    def to_webvtt(self, options: CaptionOptions | None = None) -> str:
        """The phrases as WebVTT captions."""
        from ..captions import to_webvtt

        return to_webvtt(self.phrases, options)

    def plot(self, *, ax: Any = None, title: str | None = None) -> Figure:
        """Who spoke when, with the captions: a matplotlib figure (extra ``[plot]``).

        See :func:`azspeech.plot.transcription_timeline` (speakers come with
        ``diarization=True``); ``result.plot().savefig("timeline.png")``.
        """
        from ..plot import transcription_timeline

        return transcription_timeline(self, ax=ax, title=title)

    @classmethod
    def _from_ms(cls, value: int) -> timedelta:
        return _ms(value)

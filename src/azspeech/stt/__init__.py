"""Speech to text: real-time recognition, short-audio REST, fast transcription.

Reach it as ``client.stt`` on :class:`~azspeech.SpeechClient` or
:class:`~azspeech.AsyncSpeechClient`: ``connect()`` for a streaming session,
``recognize_once()``, ``recognize_short()`` and ``transcribe()``. The option
values they take live in :mod:`azspeech.options`.
"""

from ..models.stt import (
    Canceled,
    NoMatch,
    NoMatchReason,
    RecognitionEvent,
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
    TranscriptionResult,
)
from .blocking_session import RecognitionSession
from .resource import AsyncSpeechToText, SpeechToText
from .session import AsyncRecognitionSession, StreamClosedError
from .upload_progress import UploadProgress

__all__ = [
    "AsyncRecognitionSession",
    "AsyncSpeechToText",
    "Canceled",
    "NoMatch",
    "NoMatchReason",
    "RecognitionEvent",
    "RecognitionResult",
    "RecognitionSession",
    "RecognitionStatus",
    "Recognized",
    "Recognizing",
    "SessionStarted",
    "SessionStopped",
    "SpeechEndDetected",
    "SpeechEvent",
    "SpeechStartDetected",
    "SpeechToText",
    "StreamClosedError",
    "Transcript",
    "TranscriptionResult",
    "UploadProgress",
]

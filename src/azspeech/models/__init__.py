"""Typed results (pydantic models and small dataclasses) for every feature.

Each feature's events carry a ``type`` literal and have one union alias, for
an exhaustive ``match``: :data:`RecognitionEvent` (speech to text, in
:mod:`azspeech.models.stt`) and :data:`SynthesisEvent` (text to speech, in
:mod:`azspeech.models.tts`). Both features end with a ``SessionStopped``
event of their own module; ``SessionEnd`` here is text to speech's.
"""

from .stt import RecognitionEvent
from .tts import (
    AudioChunk,
    BatchSynthesis,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    SynthesisEvent,
    Viseme,
    Voice,
    WordBoundary,
)

__all__ = [
    "AudioChunk",
    "BatchSynthesis",
    "Bookmark",
    "PunctuationBoundary",
    "RecognitionEvent",
    "SentenceBoundary",
    "SessionEnd",
    "SynthesisEvent",
    "Viseme",
    "Voice",
    "WordBoundary",
]

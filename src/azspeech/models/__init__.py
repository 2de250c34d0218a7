"""Typed results (pydantic models and small dataclasses) for every feature."""

from .tts import (
    AudioChunk,
    BatchSynthesis,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    Viseme,
    Voice,
    WordBoundary,
)

__all__ = [
    "AudioChunk",
    "BatchSynthesis",
    "Bookmark",
    "PunctuationBoundary",
    "SentenceBoundary",
    "SessionEnd",
    "Viseme",
    "Voice",
    "WordBoundary",
]

"""Text to speech: ``client.tts``.

* :meth:`~TextToSpeech.synthesize` — the whole :class:`~azspeech.audio.Audio`
  (REST or WebSocket);
* :meth:`~TextToSpeech.stream` — audio chunks as they arrive, with word,
  sentence and punctuation boundaries, visemes, bookmarks and session end;
* :meth:`~TextToSpeech.stream_text` — text arriving piece by piece (an LLM's
  output), through the service's text streaming or sentence by sentence;
* :meth:`~TextToSpeech.list_voices` — the typed voices list (cached);
* :attr:`~TextToSpeech.batch` — batch (long audio) synthesis jobs.

SSML can be built safely with :mod:`azspeech.ssml`.
"""

from typing import TYPE_CHECKING, Any

from ..models.tts import (
    AudioChunk,
    BatchSynthesis,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    SessionStopped,
    SynthesisEvent,
    TtsEvent,
    Viseme,
    Voice,
    WordBoundary,
)
from ._async import AsyncTextToSpeech
from ._common import DEFAULT_VOICE, MAX_STREAM_TEXT_CHARS
from ._sentences import SentenceSplitter
from ._sync import TextToSpeech
from ._voices import VoiceList
from .batch import AsyncBatchSyntheses, BatchSyntheses

__all__ = [
    "DEFAULT_VOICE",
    "MAX_STREAM_TEXT_CHARS",
    "AsyncBatchSyntheses",
    "AsyncTextToSpeech",
    "AudioChunk",
    "BatchSyntheses",
    "BatchSynthesis",
    "Bookmark",
    "PunctuationBoundary",
    "SentenceBoundary",
    "SentenceSplitter",
    "SessionEnd",
    "SessionStopped",
    "SynthesisEvent",
    "SynthesizedAudio",
    "TextToSpeech",
    "TtsEvent",
    "Viseme",
    "Voice",
    "VoiceList",
    "WordBoundary",
]

if TYPE_CHECKING:  # for type checkers and the API reference; loaded lazily below
    from ._result import SynthesizedAudio


def __getattr__(name: str) -> Any:
    # SynthesizedAudio is an Audio (numpy): loaded on first use, so that importing
    # azspeech.tts stays light.
    if name == "SynthesizedAudio":
        from ._result import SynthesizedAudio

        return SynthesizedAudio
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

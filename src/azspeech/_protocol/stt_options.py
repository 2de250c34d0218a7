"""Speech to text over the WebSocket, sans-I/O: what is built from the recognition options.

The options themselves are the public values of :mod:`azspeech.options`
(:class:`~azspeech.options.RecognitionOptions` and its groups), each of which
adds its own part to the query and ``speech.context``. Here:
:func:`recognition_path`, :func:`build_query`, :func:`speech_config` and
:func:`speech_context`, the functions the session calls.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..audio.formats import PcmFormat
from ..options._base import check_phrases, validate_locale
from ..options.recognition import MODES, PROFANITY, RecognitionOptions
from . import usp

__all__ = [
    "LID_MODES",
    "MODES",
    "PROFANITY",
    "AudioFormat",
    "RecognitionOptions",
    "build_query",
    "check_phrases",
    "recognition_path",
    "speech_config",
    "speech_context",
    "validate_locale",
]

#: The PCM format of the audio a session sends (16 kHz, 16-bit mono by default).
AudioFormat = PcmFormat

LID_MODES = {"at_start": "DetectAtAudioStart", "continuous": "DetectContinuous"}


def recognition_path(mode: str, *, universal: bool = False) -> str:
    """The WebSocket path: v1 per mode, or the universal v2 endpoint.

    Continuous language identification needs the universal endpoint; the
    mode then travels in ``speech.context`` only. The un-prefixed spelling is
    the documented one and the one containers serve.
    """
    if universal:
        return "/speech/universal/v2"
    return f"/speech/recognition/{mode}/cognitiveservices/v1"


def build_query(opts: RecognitionOptions) -> str:
    """The URL query string for the recognition WebSocket (or short-audio REST)."""
    return urlencode(opts.query())


def speech_config(fmt: AudioFormat, mode: str, source: str = "Stream") -> dict[str, Any]:
    """The ``speech.config`` body of a recognition (one builder for every feature: ``usp``)."""
    return usp.speech_config(fmt, recognition=mode, source=source)


def speech_context(
    opts: RecognitionOptions, *, audio_offset_ms: int = 0, audio_session_id: str = ""
) -> dict[str, Any]:
    """The ``speech.context`` body of one turn (see :meth:`RecognitionOptions.context`)."""
    return opts.context(audio_offset_ms=audio_offset_ms, audio_session_id=audio_session_id)

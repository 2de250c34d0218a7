"""Audio in and out: reading any input as service-ready PCM, and handling synthesized audio.

Input side::

    from azspeech.audio import open_pcm_stream
    with open_pcm_stream("meeting.flac") as stream:      # 16 kHz 16-bit mono by default
        header = stream.wav_header()                     # first audio message of a turn
        for chunk in stream:                             # 100 ms per chunk
            ...

Output side::

    from azspeech.audio import Audio, OutputFormat
    audio = Audio(data, OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM)
    audio.save("hello.wav"); audio.samples; audio.duration

Every problem with the audio itself raises :class:`azspeech.errors.AudioError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .convert import PcmConverter, downmix, float_to_pcm16, pcm_to_float, resample
    from .formats import TICKS_PER_SECOND, OutputFormat, PcmFormat, wav_header
    from .mic import Microphone, microphone
    from .output import Audio
    from .push import AsyncPushStream, PushStream
    from .sources import AudioInput
    from .stream import PcmStream, decode_audio, open_pcm_stream

__all__ = [
    "TICKS_PER_SECOND",
    "AsyncPushStream",
    "Audio",
    "AudioInput",
    "Microphone",
    "OutputFormat",
    "PcmConverter",
    "PcmFormat",
    "PcmStream",
    "PushStream",
    "decode_audio",
    "downmix",
    "float_to_pcm16",
    "microphone",
    "open_pcm_stream",
    "pcm_to_float",
    "resample",
    "wav_header",
]

# Decoding and conversion pull in numpy; load each name on first use, so that
# ``azspeech.audio.formats`` (header and tick arithmetic, used by the sans-I/O
# protocol code) costs no more than itself.
_LAZY = {
    "PcmConverter": ".convert",
    "downmix": ".convert",
    "float_to_pcm16": ".convert",
    "pcm_to_float": ".convert",
    "resample": ".convert",
    "TICKS_PER_SECOND": ".formats",
    "OutputFormat": ".formats",
    "PcmFormat": ".formats",
    "wav_header": ".formats",
    "Microphone": ".mic",
    "microphone": ".mic",
    "Audio": ".output",
    "AsyncPushStream": ".push",
    "PushStream": ".push",
    "AudioInput": ".sources",
    "PcmStream": ".stream",
    "decode_audio": ".stream",
    "open_pcm_stream": ".stream",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'azspeech.audio' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

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

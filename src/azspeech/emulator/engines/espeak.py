"""A real text-to-speech engine: espeak-ng through ctypes (optional extra ``[engines]``).

Install ``espeakng-loader`` (a wheel carrying libespeak-ng and its data) and
start the emulator with ``--engine real``: its text-to-speech then speaks real
(robotic) English that the ``whisper`` recognizer can transcribe, so the demo
is a true synthesize-and-transcribe round trip. espeak-ng is GPL-3.0: it is
loaded at run time from that optional package and never shipped with azspeech.

:func:`encode` has the signature and result type of
:func:`azspeech.emulator.engines.tones.encode`, so the emulator's TTS can use
either engine; word timings come from espeak-ng's own word events.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import numpy as np

from .tones import Encoded, ToneWord, split_words

__all__ = ["available", "encode"]

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_EVENT_WORD = 1
_POS_CHARACTER = 1


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)

_lock = threading.Lock()
_lib: Any = None
_rate = 0
_chunks: list[bytes] = []
_words: list[tuple[int, int, int]] = []  # (text_position 1-based, length, audio ms)
_callback_ref: Any = None


def available() -> bool:
    """Whether espeak-ng can be loaded (the ``espeakng-loader`` package is installed)."""
    try:
        import espeakng_loader  # noqa: F401
    except ImportError:
        return False
    return True


def _callback(wav: Any, numsamples: int, events: Any) -> int:
    if numsamples > 0 and wav:
        _chunks.append(ctypes.string_at(wav, numsamples * 2))
    i = 0
    while events[i].type != 0:  # espeakEVENT_LIST_TERMINATED
        ev = events[i]
        if ev.type == _EVENT_WORD:
            _words.append((ev.text_position, ev.length, ev.audio_position))
        i += 1
    return 0


def _load() -> Any:
    global _lib, _rate, _callback_ref
    if _lib is not None:
        return _lib
    try:
        import espeakng_loader
    except ImportError as exc:
        raise RuntimeError(
            "the real TTS engine needs: pip install 'azspeech[engines]' (espeakng-loader)"
        ) from exc
    lib = ctypes.CDLL(str(espeakng_loader.get_library_path()))
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    rate = lib.espeak_Initialize(
        _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(espeakng_loader.get_data_path()).encode(), 0
    )
    if rate <= 0:
        raise RuntimeError("espeak-ng failed to initialize")
    _callback_ref = _CALLBACK(_callback)
    lib.espeak_SetSynthCallback(_callback_ref)
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
        ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    _lib, _rate = lib, rate
    return lib


def encode(
    text: str,
    sample_rate: int = 16000,
    *,
    lead_ms: float = 0.0,
    tail_ms: float = 0.0,
    gain: float = 1.0,
    rate: float = 1.0,
    voice: str = "en-us",
) -> Encoded:
    """Speak *text* with espeak-ng; return samples at *sample_rate* and word timings."""
    import soxr

    with _lock:
        lib = _load()
        _chunks.clear()
        _words.clear()
        lib.espeak_SetVoiceByName(voice.encode())
        lib.espeak_SetParameter(1, max(80, min(450, int(175 * rate))), 0)  # espeakRATE, wpm
        data = text.encode("utf-8") + b"\0"
        buf = ctypes.create_string_buffer(data)
        lib.espeak_Synth(buf, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None)
        lib.espeak_Synchronize()
        pcm = b"".join(_chunks)
        events = list(_words)
        native = _rate
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if native != sample_rate and len(samples):
        samples = soxr.resample(samples, native, sample_rate).astype(np.float32)
    lead = round(sample_rate * lead_ms / 1000.0)
    tail = round(sample_rate * tail_ms / 1000.0)
    samples = np.concatenate(
        [np.zeros(lead, np.float32), samples * np.float32(gain), np.zeros(tail, np.float32)]
    ).astype(np.float32)

    # espeak reports a character position per word; map those to our own word split.
    items = split_words(text)
    starts = sorted(round(ms * sample_rate / 1000) + lead for _pos, _len, ms in events)
    words: list[ToneWord] = []
    for k, (word, offset) in enumerate(items):
        start = starts[k] if k < len(starts) else (words[-1].end if words else lead)
        end = starts[k + 1] if k + 1 < len(starts) else len(samples) - tail
        words.append(ToneWord(word, start, max(start, end), offset, word.endswith((".", "!", "?"))))
    return Encoded(samples=samples, sample_rate=sample_rate, words=words)

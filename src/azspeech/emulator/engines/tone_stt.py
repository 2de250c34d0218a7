"""The default engines: ``tones`` (decode the emulator's tone code, else the script) and ``script``.

``tones`` reads text that :func:`azspeech.emulator.engines.tones.encode` wrote
into the audio. Speech it cannot decode (a real recording) gets the next text
of the emulator's script (:meth:`Emulator.script <azspeech.emulator.Emulator.script>`),
and when the script is empty a placeholder derived from the audio
(``"Speech of 1230 milliseconds."``). ``script`` skips the tone decoding.
Word timings of script texts follow the stretches of sound in the audio.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from . import tones
from .base import ENGINE_RATE, Float32Array, RecognitionOptions, SttEngine, Transcript, WordResult

__all__ = ["ScriptEngine", "ToneEngine", "placeholder_text"]

_PARTIAL_GUARD = ENGINE_RATE * 40 // 1000  # a word is complete after 40 ms of silence


# Decoding a run reads at most a few dozen samples beyond it (half a symbol window minus
# half a symbol step); the content cache keys on this much context either side.
_REACH = 64
_BY_CONTENT: dict[tuple[int, ...], tuple[tuple[str, int, int, float], ...]] = {}
_BY_CONTENT_MAX = 4096


def _decode_by_content(audio: Float32Array, a: int, b: int) -> list[tones.DecodedWord] | None:
    """``tones.decode_run(audio, ENGINE_RATE, a, b)``, remembered by the samples it reads.

    Decoding is a pure function of the samples around the run, and load tests stream
    the same recordings over and over: the same words are then decoded once per
    process instead of once per session and repetition.
    """
    lo = max(0, a - _REACH)
    hi = min(len(audio), b + _REACH)
    raw = np.ascontiguousarray(audio[lo:hi], dtype=np.float32).tobytes()
    # The offsets tell whether the window was cut at an end of *audio* (decoding checks
    # those); two independent hashes (96 bits) stand for the samples, at a fraction of
    # the cost of a cryptographic digest.
    key = (a - lo, b - lo, hi - lo, hash(raw), zlib.crc32(raw))
    known = _BY_CONTENT.get(key)
    if known is None:
        words = tones.decode_run(audio, ENGINE_RATE, a, b) or []
        known = tuple((w.text, w.start - lo, w.end - lo, w.confidence) for w in words)
        if len(_BY_CONTENT) >= _BY_CONTENT_MAX:
            _BY_CONTENT.clear()
        _BY_CONTENT[key] = known
    if not known:
        return None
    return [tones.DecodedWord(text, s + lo, e + lo, conf) for text, s, e, conf in known]


def _runs(cache: dict[object, object], audio: Float32Array, offset: int) -> list[tuple[int, int]]:
    """``tones.find_runs(audio, ENGINE_RATE)`` for a phrase that grows at its end.

    Interim results and the final one of a phrase all look at audio starting at the
    same *offset*, each a little longer: the 1 ms levels of the part seen before are
    kept (in the stream's *cache*) and only the new frames are measured.
    """
    frame = ENGINE_RATE // 1000
    n = len(audio) // frame
    seen = cache.get("levels")
    if isinstance(seen, tuple) and seen[0] == offset and len(seen[1]) <= n:
        old = seen[1]
        rms = np.concatenate((old, tones._frame_rms(audio[len(old) * frame : n * frame], frame)))
    else:
        rms = tones._frame_rms(audio, frame)
    cache["levels"] = (offset, rms)
    return tones._runs_from_rms(rms, frame)


def _decode_cached(
    cache: dict[object, object], audio: Float32Array, offset: int, a: int, b: int
) -> list[tones.DecodedWord] | None:
    """The words of the sound run [a, b) (positions relative to *audio*), cached by position."""
    key = ("run", offset + a, offset + b)
    got = cache.get(key)
    if got is None:
        got = _decode_by_content(audio, a, b) or False
        cache[key] = got
    return got if isinstance(got, list) else None


def placeholder_text(audio: Float32Array) -> str:
    """The deterministic stand-in text for speech nobody scripted."""
    runs = tones.find_runs(audio, ENGINE_RATE, threshold=0.01, merge_gap_ms=40)
    voiced = runs[-1][1] - runs[0][0] if runs else len(audio)
    return f"Speech of {round(voiced * 1000 / ENGINE_RATE)} milliseconds."


def _spread(text: str, audio: Float32Array, offset: int, confidence: float) -> Transcript:
    """Word timings for *text*: one sound stretch per word when they match, else even."""
    words = text.split()
    runs = tones.find_runs(audio, ENGINE_RATE, threshold=0.01, merge_gap_ms=40)
    out: list[WordResult] = []
    if words and len(runs) == len(words):
        for w, (a, b) in zip(words, runs, strict=True):
            out.append(WordResult(w, offset + a, offset + b, confidence))
    elif words:
        a = runs[0][0] if runs else 0
        b = runs[-1][1] if runs else len(audio)
        step = max(1, (b - a) // len(words))
        for i, w in enumerate(words):
            s = a + i * step
            e = b if i == len(words) - 1 else s + step
            out.append(WordResult(w, offset + s, offset + e, confidence))
    return Transcript(text=" ".join(words), words=out, confidence=confidence)


class ScriptEngine(SttEngine):
    """Reports the configured script texts for successive phrases."""

    name = "script"

    def __init__(
        self, pop: Callable[[], str | None], peek: Callable[[], str | None] | None = None
    ) -> None:
        self._pop = pop
        self._peek = peek or (lambda: None)

    def _scripted(self, audio: Float32Array, offset: int) -> Transcript:
        text = self._pop()
        if text is None:
            text = placeholder_text(audio)
            return _spread(text, audio, offset, 0.5)
        return _spread(text, audio, offset, 0.9)

    def recognize(
        self, audio: Float32Array, offset: int, options: RecognitionOptions
    ) -> Transcript | None:
        return self._scripted(audio, offset)

    def partial(self, audio: Float32Array, offset: int, options: RecognitionOptions) -> str:
        text = self._peek()
        if not text:
            return ""
        words = text.split()
        runs = tones.find_runs(audio, ENGINE_RATE, threshold=0.01, merge_gap_ms=40)
        k = max(1, min(len(words) - 1, len(runs)))
        return " ".join(words[:k])


class ToneEngine(ScriptEngine):
    """Decodes tone-coded text; falls back to the script for anything else."""

    name = "tones"

    def recognize(
        self, audio: Float32Array, offset: int, options: RecognitionOptions
    ) -> Transcript | None:
        cache = options.scratch
        words: list[WordResult] = []
        for a, b in _runs(cache, audio, offset):
            got = _decode_cached(cache, audio, offset, a, b)
            if got is None:
                return self._scripted(audio, offset)
            words.extend(
                WordResult(w.text, offset + w.start, offset + w.end, w.confidence) for w in got
            )
        if not words:
            return self._scripted(audio, offset)
        conf = float(np.mean([w.confidence for w in words]))
        return Transcript(" ".join(w.text for w in words), words, round(conf, 4))

    def partial(self, audio: Float32Array, offset: int, options: RecognitionOptions) -> str:
        cache = options.scratch
        if len(cache) > 4096:
            cache.clear()
        runs = _runs(cache, audio, offset)
        done = [r for r in runs if r[1] <= len(audio) - _PARTIAL_GUARD]
        words: list[str] = []
        for a, b in done:
            got = _decode_cached(cache, audio, offset, a, b)
            if got is None:
                return super().partial(audio, offset, options)
            words.extend(w.text for w in got)
        return " ".join(words)

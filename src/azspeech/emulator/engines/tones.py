"""A tone codec: text becomes audio that the emulator can read back exactly.

The emulator's text-to-speech writes sentences with :func:`encode`; its
speech-to-text decodes whatever audio it receives with :func:`decode`. Because
the text is carried by the audio itself, anything a client does to the audio
on the way (dropping, repeating or shifting chunks, resampling) shows up in
the recognized text and offsets.

The code:

* Every character is one *symbol*: two simultaneous sine tones (one from a
  low group of ten frequencies, one from a high group of ten, the way DTMF
  works), :data:`SYMBOL_MS` long, with short raised-cosine ramps. All tones lie
  between 500 and 3300 Hz, so they survive resampling to 8, 16, 22.05, 24 or
  48 kHz and telephone-band filtering.
* Printable ASCII ``!``..``~`` are symbol values 0..93. Any other character
  (except whitespace) is value 94 followed by three symbols holding its code
  point in base 100 (code points up to 999 999; others become ``?``).
* Symbols of a word follow each other without a gap; words are separated by
  :data:`WORD_GAP_MS` of silence; after a word that ends a sentence (``.``,
  ``!`` or ``?``, possibly followed by closing quotes or brackets) the gap is
  :data:`SENTENCE_GAP_MS`, long enough for the recognizer to end a phrase.

Round trip: ``decode(encode(t).samples, sr).text == " ".join(t.split())`` for any
text whose characters are all below code point 1 000 000.

>>> enc = encode("Hello world.", 16000)
>>> decode(enc.samples, 16000).text
'Hello world.'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

try:  # einsum's C core: the same sums, without the Python wrapper's argument handling
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:  # pragma: no cover - other numpy layouts
    _einsum = np.einsum

__all__ = [
    "AMPLITUDE",
    "HIGH_FREQS",
    "LOW_FREQS",
    "MIN_SENTENCE_GAP_MS",
    "MIN_WORD_GAP_MS",
    "SENTENCE_GAP_MS",
    "SYMBOL_MS",
    "WORD_GAP_MS",
    "Decoded",
    "DecodedWord",
    "Encoded",
    "ToneWord",
    "decode",
    "decode_run",
    "decode_word",
    "encode",
    "find_runs",
    "split_words",
]

#: Duration of one character symbol, in milliseconds.
SYMBOL_MS = 30.0
#: Silence between two words of a sentence.
WORD_GAP_MS = 80.0
#: Silence after a sentence-ending word (ends a recognized phrase).
SENTENCE_GAP_MS = 800.0
#: Shortest pauses whatever the rate (sentences still end phrases, words still split).
MIN_WORD_GAP_MS = 25.0
MIN_SENTENCE_GAP_MS = 600.0
#: Peak amplitude of each of the two tones of a symbol (the sum stays below 0.7).
AMPLITUDE = 0.3
#: Length of the fade in/out of every symbol.
RAMP_MS = 4.0

LOW_FREQS: tuple[float, ...] = tuple(500.0 + 150.0 * i for i in range(10))  # 500..1850 Hz
HIGH_FREQS: tuple[float, ...] = tuple(2000.0 + 140.0 * i for i in range(10))  # 2000..3260 Hz

_ESCAPE = 94
_FIRST = 33  # "!"
_LAST = 126  # "~"
_SENTENCE_END = ".!?"
_CLOSERS = "\"')]}»”’"

# Analysis parameters for the decoder.
_F32 = np.dtype(np.float32)
_ACTIVE_THRESHOLD = 0.02  # RMS of a 1 ms frame that counts as sound
_MERGE_GAP_MS = 40.0  # gaps shorter than this do not split a word
_SPLIT_GAP_MS = 12.0  # retry: split at shorter pauses (fast speech), never inside a word
_MIN_TONE_RATIO = 0.55  # share of a symbol's energy that must sit in its two tones

Float32Array = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ToneWord:
    """Where one word of the input text sits in the encoded audio.

    ``start``/``end`` are sample indices at the encoder's sample rate;
    ``text_offset`` is the index of the word's first character in the input
    text (what a word-boundary event reports), ``sentence_end`` tells whether a
    long pause follows.
    """

    text: str
    start: int
    end: int
    text_offset: int
    sentence_end: bool


@dataclass(frozen=True)
class Encoded:
    """Output of :func:`encode`: mono float32 samples in [-1, 1] and word timings."""

    samples: Float32Array
    sample_rate: int
    words: list[ToneWord] = field(default_factory=list)

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate

    def pcm16(self) -> bytes:
        """The samples as 16-bit little-endian PCM."""
        clipped = np.clip(self.samples, -1.0, 1.0)
        return (clipped * 32767.0).astype("<i2").tobytes()


@dataclass(frozen=True)
class DecodedWord:
    """One word read back from audio (sample indices at the decoder's rate)."""

    text: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class Decoded:
    """Output of :func:`decode`. ``ok`` is False when some sound was not tones."""

    text: str
    words: list[DecodedWord]
    ok: bool


def split_words(text: str) -> list[tuple[str, int]]:
    """The whitespace-separated words of *text* with their character offsets."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not text[j].isspace():
            j += 1
        out.append((text[i:j], i))
        i = j
    return out


def _is_sentence_end(word: str) -> bool:
    stripped = word.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _char_values(ch: str) -> list[int]:
    code = ord(ch)
    if _FIRST <= code <= _LAST:
        return [code - _FIRST]
    if code >= 1_000_000:
        return [ord("?") - _FIRST]
    return [_ESCAPE, code // 10_000, (code // 100) % 100, code % 100]


def _symbol(value: int, sample_rate: int, n: int, ramp: Float32Array) -> Float32Array:
    t = np.arange(n, dtype=np.float64) / sample_rate
    lo = LOW_FREQS[value // 10]
    hi = HIGH_FREQS[value % 10]
    wave = AMPLITUDE * (np.sin(2 * np.pi * lo * t) + np.sin(2 * np.pi * hi * t))
    out = wave.astype(np.float32)
    r = len(ramp)
    out[:r] *= ramp
    out[n - r :] *= ramp[::-1]
    return out


def encode(
    text: str,
    sample_rate: int = 16000,
    *,
    lead_ms: float = 0.0,
    tail_ms: float = 0.0,
    gain: float = 1.0,
    rate: float = 1.0,
) -> Encoded:
    """Encode *text* as tone audio at *sample_rate*.

    *lead_ms*/*tail_ms* add silence before/after; *gain* scales the amplitude
    (the emulator's diarization tells speakers apart by loudness); *rate* > 1
    shortens the pauses, like SSML ``prosody rate`` (symbols keep their length so
    that any rate decodes; pauses stay at least :data:`MIN_WORD_GAP_MS` and
    :data:`MIN_SENTENCE_GAP_MS`).
    Returns the samples and, for every word, its position in the audio and in
    *text*.
    """
    if sample_rate < 8000:
        raise ValueError("sample_rate must be at least 8000 Hz")
    if rate <= 0:
        raise ValueError("rate must be positive")
    sym_n = max(1, round(sample_rate * SYMBOL_MS / 1000.0))
    word_gap = round(sample_rate * max(MIN_WORD_GAP_MS, WORD_GAP_MS / rate) / 1000.0)
    sent_gap = round(sample_rate * max(MIN_SENTENCE_GAP_MS, SENTENCE_GAP_MS / rate) / 1000.0)
    ramp_n = max(1, min(sym_n // 4, round(sample_rate * RAMP_MS / 1000.0)))
    ramp = (0.5 - 0.5 * np.cos(np.pi * np.arange(ramp_n) / ramp_n)).astype(np.float32)
    cache: dict[int, Float32Array] = {}

    pieces: list[Float32Array] = []
    words: list[ToneWord] = []
    pos = round(sample_rate * lead_ms / 1000.0)
    if pos:
        pieces.append(np.zeros(pos, dtype=np.float32))
    items = split_words(text)
    for k, (word, offset) in enumerate(items):
        start = pos
        for ch in word:
            for value in _char_values(ch):
                sym = cache.get(value)
                if sym is None:
                    sym = cache[value] = _symbol(value, sample_rate, sym_n, ramp)
                pieces.append(sym)
                pos += sym_n
        ends_sentence = _is_sentence_end(word)
        words.append(ToneWord(word, start, pos, offset, ends_sentence))
        if k < len(items) - 1:
            gap = sent_gap if ends_sentence else word_gap
            pieces.append(np.zeros(gap, dtype=np.float32))
            pos += gap
    tail = round(sample_rate * tail_ms / 1000.0)
    if tail:
        pieces.append(np.zeros(tail, dtype=np.float32))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    if gain != 1.0:
        samples = (samples * np.float32(gain)).astype(np.float32)
    return Encoded(samples=samples, sample_rate=sample_rate, words=words)


def _frame_rms(samples: Float32Array, frame: int) -> Float32Array:
    n = len(samples) // frame
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    x = samples[: n * frame]
    if x.dtype is not _F32:
        x = x.astype(np.float32)
    x = x.reshape(n, frame)
    rms: Float32Array = np.sqrt(_einsum("ij,ij->i", x, x) / frame)
    return rms


def find_runs(
    samples: Float32Array,
    sample_rate: int,
    *,
    threshold: float = _ACTIVE_THRESHOLD,
    merge_gap_ms: float = _MERGE_GAP_MS,
) -> list[tuple[int, int]]:
    """Stretches of sound in *samples* (start, end sample), split at silences ≥ *merge_gap_ms*."""
    frame = max(1, sample_rate // 1000)
    return _runs_from_rms(_frame_rms(samples, frame), frame, threshold, merge_gap_ms)


def _runs_from_rms(
    rms: Float32Array,
    frame: int,
    threshold: float = _ACTIVE_THRESHOLD,
    merge_gap_ms: float = _MERGE_GAP_MS,
) -> list[tuple[int, int]]:
    """:func:`find_runs` from the levels of its 1 ms frames (``_frame_rms``)."""
    # Interim results run this every 300 ms of every session's speech: array methods
    # and Python lists instead of numpy's Python-level helpers (flatnonzero, diff).
    active = (rms > threshold).nonzero()[0]
    if len(active) == 0:
        return []
    merge = max(1, round(merge_gap_ms))
    breaks = ((active[1:] - active[:-1]) > merge).nonzero()[0]
    first, last = int(active[0]), int(active[-1])
    if len(breaks) == 0:
        return [(first * frame, (last + 1) * frame)]
    starts: list[int] = [first, *active[breaks + 1].tolist()]
    ends: list[int] = [*active[breaks].tolist(), last]
    return [(a * frame, (b + 1) * frame) for a, b in zip(starts, ends, strict=True)]


_Bank = tuple[npt.NDArray[np.float32], float]
_BANKS: dict[tuple[int, int], _Bank] = {}


def _bank(sample_rate: int, width: int) -> _Bank:
    """Windowed cosines then sines of the 20 code frequencies (40 x width), and the window sum."""
    key = (sample_rate, width)
    cached = _BANKS.get(key)
    if cached is not None:
        return cached
    n = np.arange(width, dtype=np.float64)
    window = np.hanning(width + 2)[1:-1]
    freqs = np.array(LOW_FREQS + HIGH_FREQS)
    phase = 2 * np.pi * np.outer(freqs, n) / sample_rate
    basis = np.concatenate((np.cos(phase) * window, np.sin(phase) * window)).astype(np.float32)
    bank = (basis, float(window.sum()))
    if len(_BANKS) < 64:
        _BANKS[key] = bank
    return bank


_OFFSETS: dict[int, npt.NDArray[np.int64]] = {}


def _offsets(width: int) -> npt.NDArray[np.int64]:
    """``arange(width)`` as a row vector, built once per width (decoding runs per word)."""
    got = _OFFSETS.get(width)
    if got is None:
        got = np.arange(width, dtype=np.int64)[None, :]
        if len(_OFFSETS) < 64:
            _OFFSETS[width] = got
    return got


def _symbol_values(
    samples: Float32Array, sample_rate: int, start: int, end: int
) -> tuple[list[int], float] | None:
    sym_n = sample_rate * SYMBOL_MS / 1000.0
    length = end - start
    count = round(length / sym_n)
    if count < 1 or abs(length - count * sym_n) > 0.5 * sym_n:
        return None
    width = max(8, int(sym_n * 0.6))
    step = length / count
    half = width / 2
    # Python floats and round() (half to even) give exactly what numpy's arange/round
    # would, in a fraction of the time for the few symbols of a word.
    firsts = [round(start + (k + 0.5) * step - half) for k in range(count)]
    if firsts[0] < 0 or firsts[-1] + width > len(samples):
        return None
    basis, wsum = _bank(sample_rate, width)
    index = np.array(firsts, dtype=np.int64)[:, None] + _offsets(width)
    segs = samples[index].astype(np.float32, copy=False)  # count x width
    energy = np.einsum("ij,ij->i", segs, segs).astype(np.float64) / width
    if (energy <= 1e-12).any():
        return None
    proj = (segs @ basis.T).astype(np.float64)  # count x 40: cosine then sine parts
    amps = 2.0 * np.hypot(proj[:, :20], proj[:, 20:]) / wsum  # count x 20
    lo = amps[:, :10].argmax(axis=1)
    hi = amps[:, 10:].argmax(axis=1)
    rows = np.arange(count)
    captured = (amps[rows, lo] ** 2 + amps[rows, 10 + hi] ** 2) / 2.0
    worst = float(np.minimum(1.0, captured / energy).min())
    if worst < _MIN_TONE_RATIO:
        return None
    values: list[int] = (lo * 10 + hi).tolist()
    return values, worst


def _values_to_text(values: list[int]) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(values):
        v = values[i]
        if v < _ESCAPE:
            out.append(chr(v + _FIRST))
            i += 1
        elif v == _ESCAPE and i + 3 < len(values):
            code = values[i + 1] * 10_000 + values[i + 2] * 100 + values[i + 3]
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                return None
            out.append(chr(code))
            i += 4
        else:
            return None
    return "".join(out)


def decode_word(
    samples: Float32Array, sample_rate: int, start: int, end: int
) -> DecodedWord | None:
    """Decode the single word that sounds between *start* and *end*, or None if it is not tones."""
    got = _symbol_values(samples, sample_rate, start, end)
    if got is None:
        return None
    values, ratio = got
    text = _values_to_text(values)
    if not text:
        return None
    confidence = round(0.5 + 0.49 * (ratio - _MIN_TONE_RATIO) / (1 - _MIN_TONE_RATIO), 4)
    return DecodedWord(text, start, end, max(0.5, min(0.99, confidence)))


def decode_run(
    samples: Float32Array, sample_rate: int, start: int, end: int
) -> list[DecodedWord] | None:
    """Decode one stretch of sound: one word, or words joined by pauses shorter than 40 ms.

    None if any part is not tones.
    """
    word = decode_word(samples, sample_rate, start, end)
    if word is not None:
        return [word]
    parts = find_runs(samples[start:end], sample_rate, merge_gap_ms=_SPLIT_GAP_MS)
    if len(parts) < 2:
        return None
    out: list[DecodedWord] = []
    for a, b in parts:
        piece = decode_word(samples, sample_rate, start + a, start + b)
        if piece is None:
            return None
        out.append(piece)
    return out


def decode(samples: Float32Array | npt.NDArray[np.floating], sample_rate: int) -> Decoded:
    """Read tone-coded text back from mono float samples in [-1, 1].

    Words are found by energy (silences of 40 ms or more separate them) and each
    is decoded symbol by symbol. ``ok`` is False if any stretch of sound did not
    decode as tones (the text then holds only the words that did).
    """
    x = np.asarray(samples, dtype=np.float32)
    words: list[DecodedWord] = []
    ok = True
    for start, end in find_runs(x, sample_rate):
        got = decode_run(x, sample_rate, start, end)
        if got is None:
            ok = False
            continue
        words.extend(got)
    return Decoded(" ".join(w.text for w in words), words, ok)

"""A corpus of awkward and broken audio files, generated in code.

Each :class:`Case` knows how to make its bytes and what reading them must
give: an :class:`AudioError` whose message contains ``error``, or samples
close to ``expected`` (the mono float signal at ``rate``), optionally with a
warning on the ``azspeech`` logger containing ``warning``.

:func:`write_corpus` writes every case to a directory (a test's tmp_path).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile as sf

RATE = 16000
N = 1600  # 100 ms


def tone(
    n: int = N, rate: int = RATE, freq: float = 440.0, amp: float = 0.5
) -> npt.NDArray[np.float32]:
    """A sine wave, float32 in [-amp, amp]."""
    t = np.arange(n, dtype=np.float64) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def riff(
    fmt_body: bytes,
    data: bytes,
    *,
    data_size: int | None = None,
    riff_size: int | None = None,
    extra_chunks: bytes = b"",
    fmt_first: bool = True,
) -> bytes:
    """Assemble a RIFF/WAVE file by hand, sizes overridable to lie."""
    size = len(data) if data_size is None else data_size
    fmt_chunk = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    data_chunk = b"data" + struct.pack("<I", size) + data
    body = (fmt_chunk + extra_chunks + data_chunk) if fmt_first else (data_chunk + fmt_chunk)
    total = 4 + len(body) if riff_size is None else riff_size
    return b"RIFF" + struct.pack("<I", total) + b"WAVE" + body


def fmt_body(rate: int = RATE, bits: int = 16, channels: int = 1, tag: int = 1) -> bytes:
    """A 16-byte 'fmt ' chunk body."""
    align = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


def sf_bytes(x: npt.NDArray[Any], rate: int, fmt: str, subtype: str) -> bytes:
    """Encode with libsndfile (used only to make test input).

    Note libsndfile scales float input by 32767 for PCM_16; pass int16 for exact files.
    """
    buf = io.BytesIO()
    sf.write(buf, x, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def pcm16(x: npt.NDArray[np.float32]) -> bytes:
    return (np.rint(np.clip(x, -1, 32767 / 32768) * 32768)).astype("<i2").tobytes()


@dataclass(frozen=True)
class Case:
    """One corpus file and what reading it must give."""

    name: str
    make: Callable[[], bytes]
    error: str | None = None  # substring of the AudioError message
    expected: npt.NDArray[np.float32] | None = None  # mono signal at `rate`
    rate: int = RATE
    tol: float = 1e-3
    warning: str | None = None  # substring of a logged warning
    suffix: str = ".wav"


_X = tone()
_SIX = np.stack([tone(freq=f, amp=0.1) for f in (200, 300, 400, 500, 600, 700)], axis=1)
_STEREO = np.stack([_X, -_X * 0.5], axis=1)
_OVER = (_X * 3).astype(np.float32)


def _float_wav(x: npt.NDArray[np.float32]) -> bytes:
    return riff(fmt_body(bits=32, tag=3), x.astype("<f4").tobytes())


def _nan() -> bytes:
    x = _X.copy()
    x[100] = np.nan
    return _float_wav(x)


def _inf() -> bytes:
    x = _X.copy()
    x[7] = np.inf
    return _float_wav(x)


CASES: list[Case] = [
    # --- broken or empty --------------------------------------------------------------
    Case("empty_file", lambda: b"", error="empty"),
    Case("truncated_in_riff_header", lambda: riff(fmt_body(), pcm16(_X))[:10], error="truncated"),
    Case("truncated_in_fmt_chunk", lambda: riff(fmt_body(), pcm16(_X))[:30], error="truncated"),
    Case("no_data_chunk", lambda: riff(fmt_body(), b"")[:36], error="truncated"),
    Case("zero_length_data", lambda: riff(fmt_body(), b""), error="no audio"),
    Case("one_byte_of_16bit_audio", lambda: riff(fmt_body(), b"\x01"), error="no audio"),
    Case("data_before_fmt", lambda: riff(fmt_body(), pcm16(_X), fmt_first=False), error="fmt"),
    Case("sample_rate_zero", lambda: riff(fmt_body(rate=0), pcm16(_X)), error="0 Hz"),
    Case("zero_channels", lambda: riff(fmt_body(channels=0), pcm16(_X)), error="0 channels"),
    Case(
        "unsupported_width_40bit",
        lambda: riff(fmt_body(bits=40), bytes(5 * N)),
        error="unsupported sample width",
    ),
    Case(
        "block_align_mismatch",
        lambda: riff(struct.pack("<HHIIHH", 1, 2, RATE, RATE * 2, 3, 16), pcm16(_X)),
        error="block align",
    ),
    Case(
        "huge_chunk_before_data",
        lambda: riff(fmt_body(), pcm16(_X), extra_chunks=b"LIST" + struct.pack("<I", 2**31)),
        error="claims",
    ),
    Case(
        "fmt_chunk_too_short",
        lambda: riff(fmt_body()[:12], pcm16(_X)),
        error="'fmt ' chunk of 12 bytes",
    ),
    Case(
        "alaw_claiming_16_bits",
        lambda: riff(fmt_body(bits=16, tag=6), pcm16(_X)),
        error="unsupported sample width: 16 bits for alaw",
    ),
    Case(
        "float_claiming_16_bits",
        lambda: riff(fmt_body(bits=16, tag=3), pcm16(_X)),
        error="unsupported sample width: 16 bits for float",
    ),
    Case(
        "too_many_channels",
        lambda: riff(fmt_body(channels=100), bytes(200 * N)),
        error="channel count",
    ),
    Case(
        "absurd_sample_rate",
        lambda: riff(fmt_body(rate=2_000_000), pcm16(_X)),
        error="implausibly high",
    ),
    Case("garbage", lambda: bytes(range(256)) * 20, error="not a recognised audio file"),
    Case("text_file", lambda: b"hello, this is not audio\n" * 40, error="not a recognised"),
    Case("garbage_with_flac_magic", lambda: b"fLaC" + bytes(range(256)) * 4, error="cannot decode"),
    Case("garbage_with_ogg_magic", lambda: b"OggS" + b"\x01" * 1000, error="cannot decode"),
    Case("garbage_with_id3_magic", lambda: b"ID3" + b"\x00" * 3000, error="cannot decode"),
    Case("webm_magic", lambda: b"\x1a\x45\xdf\xa3" + b"\x00" * 100, error="WebM"),
    Case(
        "truncated_flac",
        lambda: sf_bytes(tone(16000), RATE, "FLAC", "PCM_16")[:3000],
        error="cannot decode",
        suffix=".flac",
    ),
    Case("nan_float_wav", _nan, error="NaN"),
    Case("inf_float_wav", _inf, error="infinite"),
    # --- lying, but readable ----------------------------------------------------------------
    Case(
        "header_claims_more_data",
        lambda: riff(fmt_body(), pcm16(_X), data_size=10 * 2 * N),
        expected=_X,
        warning="promises",
    ),
    Case(
        "header_claims_less_data_than_present",
        lambda: riff(fmt_body(), pcm16(_X) + b"JUNKJUNK", data_size=2 * N),
        expected=_X,
    ),
    Case(
        "streaming_header_sizes_zero",
        lambda: fmt_wav_streaming(pcm16(_X), 0),
        expected=_X,
    ),
    Case(
        "streaming_header_sizes_ffffffff",
        lambda: fmt_wav_streaming(pcm16(_X), 0xFFFFFFFF),
        expected=_X,
    ),
    Case(
        "odd_trailing_byte",
        lambda: riff(fmt_body(), pcm16(_X) + b"\x7f"),
        expected=_X,
        warning="trailing",
    ),
    Case(
        "float_out_of_range_is_clipped",
        lambda: _float_wav(_OVER),
        expected=np.clip(_OVER, -1, 1),
        warning="clipping",
    ),
    # --- unusual but valid encodings ------------------------------------------------------
    Case("pcm_8bit", lambda: sf_bytes(_X, RATE, "WAV", "PCM_U8"), expected=_X, tol=1 / 128),
    Case("pcm_24bit", lambda: sf_bytes(_X, RATE, "WAV", "PCM_24"), expected=_X, tol=1e-4),
    Case("pcm_32bit", lambda: sf_bytes(_X, RATE, "WAV", "PCM_32"), expected=_X, tol=1e-4),
    Case("float_32bit", lambda: sf_bytes(_X, RATE, "WAV", "FLOAT"), expected=_X, tol=1e-4),
    Case("float_64bit", lambda: sf_bytes(_X, RATE, "WAV", "DOUBLE"), expected=_X, tol=1e-4),
    Case("mulaw", lambda: sf_bytes(_X, RATE, "WAV", "ULAW"), expected=_X, tol=0.02),
    Case("alaw", lambda: sf_bytes(_X, RATE, "WAV", "ALAW"), expected=_X, tol=0.02),
    Case("extensible_pcm16", lambda: sf_bytes(_X, RATE, "WAVEX", "PCM_16"), expected=_X),
    Case("rf64", lambda: sf_bytes(_X, RATE, "RF64", "PCM_16"), expected=_X),
    Case(
        "six_channels_downmixed",
        lambda: sf_bytes(_SIX, RATE, "WAV", "PCM_16"),
        expected=_SIX.mean(axis=1).astype(np.float32),
    ),
    Case("stereo_downmixed", lambda: sf_bytes(_STEREO, RATE, "WAV", "PCM_16"), expected=_X * 0.25),
    Case(
        "list_chunk_before_data",
        lambda: riff(fmt_body(), pcm16(_X), extra_chunks=b"LIST\x05\x00\x00\x00INFOx\x00"),
        expected=_X,
    ),
    Case(
        "ima_adpcm_via_libsndfile",
        lambda: sf_bytes(tone(16000), RATE, "WAV", "IMA_ADPCM"),
        expected=None,
    ),
    Case("flac", lambda: sf_bytes(_X, RATE, "FLAC", "PCM_16"), expected=_X, suffix=".flac"),
    Case("aiff", lambda: sf_bytes(_X, RATE, "AIFF", "PCM_16"), expected=_X, suffix=".aiff"),
]


def fmt_wav_streaming(data: bytes, size: int) -> bytes:
    """A WAV whose RIFF and data sizes are *size* (0 or 0xFFFFFFFF: unknown length)."""
    return riff(fmt_body(), data, data_size=size, riff_size=size)


def write_corpus(directory: Path) -> dict[str, Path]:
    """Write every case to *directory*; returns name -> path."""
    paths: dict[str, Path] = {}
    for case in CASES:
        path = directory / f"{case.name}{case.suffix}"
        path.write_bytes(case.make())
        paths[case.name] = path
    return paths

"""Sample conversions: bytes <-> float arrays, G.711, downmixing and resampling.

Internally every conversion goes through float32 in ``[-1, 1)``; 16-bit PCM
maps exactly (``x / 32768`` one way, ``round(x * 32768)`` the other), so
int16 -> float -> int16 is lossless.

:class:`PcmConverter` is the streaming workhorse: it turns bytes in one
:class:`~azspeech.audio.PcmFormat` into bytes in another, chunk by chunk,
carrying partial frames and resampler state across calls so the output is
the same however the input was cut.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .formats import FORMAT_ALAW, FORMAT_FLOAT, FORMAT_MULAW, FORMAT_PCM, PcmFormat

__all__ = [
    "PcmConverter",
    "bytes_to_float",
    "check_finite",
    "downmix",
    "float_to_bytes",
    "float_to_pcm16",
    "pcm_to_float",
    "resample",
]

logger = logging.getLogger("azspeech")

FloatArray = npt.NDArray[np.float32]

_MAX16 = 32767.0 / 32768.0


# -- G.711 ------------------------------------------------------------------------


def _mulaw_decode_table() -> npt.NDArray[np.int16]:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_decode_table() -> npt.NDArray[np.int16]:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


def _mulaw_encode(x: npt.NDArray[np.int16]) -> npt.NDArray[np.uint8]:
    v = x.astype(np.int32)
    sign = np.where(v < 0, 0x80, 0)
    mag = np.minimum(np.abs(v), 32635) + 0x84
    exponent = np.clip(np.floor(np.log2(mag)).astype(np.int32) - 7, 0, 7)
    mantissa = (mag >> (exponent + 3)) & 0x0F
    out: npt.NDArray[np.uint8] = (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)
    return out


def _alaw_encode(x: npt.NDArray[np.int16]) -> npt.NDArray[np.uint8]:
    v = x.astype(np.int32) >> 3
    mask = np.where(v >= 0, 0xD5, 0x55)
    v = np.where(v >= 0, v, -v - 1)
    seg = np.clip(np.floor(np.log2(np.maximum(v, 1))).astype(np.int32) - 4, 0, 8)
    seg = np.where(v <= 0x1F, 0, seg)
    shift = np.where(seg < 2, 1, seg)
    aval = (seg << 4) | ((v >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    return ((aval ^ mask) & 0xFF).astype(np.uint8)


_MULAW_TABLE = _mulaw_decode_table()
_ALAW_TABLE = _alaw_decode_table()


# -- public helpers ------------------------------------------------------------------


def check_finite(x: npt.NDArray[Any], what: str = "audio") -> None:
    """Raise :class:`AudioError` if *x* holds NaN or infinite values, saying where."""
    finite = np.isfinite(x)
    if not finite.all():
        bad = int(np.argmin(finite.reshape(len(x), -1).all(axis=1))) if x.ndim else 0
        value = x.reshape(len(x), -1)[bad][~finite.reshape(len(x), -1)[bad]][0] if x.ndim else x
        raise AudioError(
            f"{what} contains {'NaN' if np.isnan(value) else 'infinite'} sample values "
            f"(first at frame {bad}); samples must be finite numbers in [-1, 1]"
        )


def pcm_to_float(
    samples: npt.NDArray[Any] | bytes | bytearray | memoryview,
    format: PcmFormat | None = None,
) -> FloatArray:
    """Convert integer PCM to float32 in ``[-1, 1)``.

    *samples* is a numpy array (int16 -> ``x / 32768``, int32 -> ``x / 2**31``,
    uint8 -> ``(x - 128) / 128``, float arrays are checked and cast) or bytes in
    *format* (default 16-bit mono). Bytes give shape ``(n,)`` for mono and
    ``(n, channels)`` otherwise; arrays keep their shape.

    Raises:
        AudioError: unsupported dtype, NaN/inf in float input, or a byte count
            that is not a whole number of frames.
    """
    if isinstance(samples, (bytes, bytearray, memoryview)):
        fmt = format or PcmFormat()
        if len(samples) % fmt.block_align:
            raise AudioError(
                f"{len(samples)} bytes is not a whole number of {fmt.block_align}-byte frames"
            )
        out = bytes_to_float(samples, fmt)
        return out[:, 0].copy() if fmt.channels == 1 else out
    arr = np.asarray(samples)
    res: FloatArray
    if arr.dtype == np.int16:
        res = arr.astype(np.float32) / np.float32(32768.0)
        return res
    if arr.dtype == np.int32:
        res = (arr.astype(np.float64) / 2147483648.0).astype(np.float32)
        return res
    if arr.dtype == np.uint8:
        res = (arr.astype(np.float32) - np.float32(128.0)) / np.float32(128.0)
        return res
    if arr.dtype in (np.float32, np.float64):
        check_finite(arr)
        return arr.astype(np.float32, copy=False)
    raise AudioError(
        f"cannot convert samples of dtype {arr.dtype} (supported: int16, int32, uint8, "
        "float32, float64)"
    )


def float_to_pcm16(samples: npt.NDArray[Any]) -> npt.NDArray[np.int16]:
    """Convert float samples to int16: clip to ``[-1, 1)``, scale by 32768, round to nearest.

    Values outside the range are clipped silently. Exact inverse of
    :func:`pcm_to_float` for int16 input.

    Raises:
        AudioError: NaN or infinite values, or a non-float dtype.
    """
    arr = np.asarray(samples)
    if arr.dtype.kind != "f":
        raise AudioError(f"float_to_pcm16 expects float samples, got dtype {arr.dtype}")
    check_finite(arr)
    scaled = np.clip(arr, -1.0, _MAX16) * 32768.0
    out: npt.NDArray[np.int16] = np.rint(scaled).astype(np.int16)
    return out


def downmix(x: npt.NDArray[Any]) -> FloatArray:
    """Mix ``(n, channels)`` float audio to mono ``(n,)`` by averaging the channels."""
    arr: FloatArray = np.asarray(x, dtype=np.float32)
    if arr.ndim == 1:
        return arr
    if arr.shape[1] == 1:
        return arr[:, 0]
    out: FloatArray = arr @ np.full(arr.shape[1], 1.0 / arr.shape[1], dtype=np.float32)
    return out


def resample(
    x: npt.NDArray[Any], from_rate: int, to_rate: int, *, quality: str = "HQ"
) -> FloatArray:
    """Resample a whole clip (``(n,)`` or ``(n, channels)``) with soxr; returns float32.

    For streams use :class:`PcmConverter`, which keeps resampler state
    between chunks so they join seamlessly.

    Raises:
        AudioError: a rate is not a positive integer, or samples are not finite.
    """
    _check_rate(from_rate, "from_rate")
    _check_rate(to_rate, "to_rate")
    arr = np.asarray(x)
    if arr.dtype.kind not in "f":
        arr = pcm_to_float(arr)
    arr = arr.astype(np.float32, copy=False)
    check_finite(arr)
    if from_rate == to_rate or len(arr) == 0:
        same: FloatArray = arr.copy()
        return same
    import soxr

    out: FloatArray = soxr.resample(arr, from_rate, to_rate, quality=quality)
    return out.astype(np.float32, copy=False)


def _check_rate(rate: object, name: str = "sample_rate") -> int:
    if isinstance(rate, bool) or not isinstance(rate, (int, np.integer)):
        raise AudioError(f"{name} must be an integer number of Hz, got {rate!r}")
    if rate <= 0:
        raise AudioError(f"{name} must be positive, got {rate}")
    return int(rate)


# -- bytes <-> float ------------------------------------------------------------------


def bytes_to_float(data: bytes | bytearray | memoryview, fmt: PcmFormat) -> FloatArray:
    """Decode whole frames of *fmt* bytes into float32 of shape ``(frames, channels)``.

    Float input is returned as is (not range-checked; see :func:`check_finite`).
    """
    n = len(data) // fmt.block_align
    raw = memoryview(data)[: n * fmt.block_align]
    tag, bits = fmt.format_tag, fmt.bits_per_sample
    out: FloatArray
    if tag == FORMAT_PCM and bits == 16:
        out = np.frombuffer(raw, dtype="<i2").astype(np.float32) / np.float32(32768.0)
    elif tag == FORMAT_FLOAT and bits == 32:
        out = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    elif tag == FORMAT_FLOAT:
        out = np.frombuffer(raw, dtype="<f8").astype(np.float32)
    elif tag == FORMAT_PCM and bits == 8:
        out = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / np.float32(128.0)
    elif tag == FORMAT_PCM and bits == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 0x800000, v - 0x1000000, v)
        out = (v.astype(np.float64) / 8388608.0).astype(np.float32)
    elif tag == FORMAT_PCM and bits == 32:
        out = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
    elif tag == FORMAT_MULAW:
        out = _MULAW_TABLE[np.frombuffer(raw, dtype=np.uint8)].astype(np.float32) / 32768.0
    elif tag == FORMAT_ALAW:
        out = _ALAW_TABLE[np.frombuffer(raw, dtype=np.uint8)].astype(np.float32) / 32768.0
    else:  # pragma: no cover - PcmFormat validates the combinations
        raise AudioError(f"unsupported format {fmt}")
    return out.reshape(n, fmt.channels)


def float_to_bytes(x: npt.NDArray[np.float32], fmt: PcmFormat) -> bytes:
    """Encode float32 samples (already in ``[-1, 1]``, finite) as *fmt* bytes."""
    tag, bits = fmt.format_tag, fmt.bits_per_sample
    if tag == FORMAT_PCM and bits == 16:
        return float_to_pcm16(x).astype("<i2", copy=False).tobytes()
    if tag == FORMAT_FLOAT:
        out: bytes = x.astype("<f4" if bits == 32 else "<f8", copy=False).tobytes()
        return out
    if tag == FORMAT_PCM and bits == 8:
        v = np.rint(np.clip(x, -1.0, 127.0 / 128.0) * 128.0) + 128.0
        u8: bytes = v.astype(np.uint8).tobytes()
        return u8
    if tag == FORMAT_PCM and bits == 24:
        v = np.rint(np.clip(x.astype(np.float64), -1.0, 8388607.0 / 8388608.0) * 8388608.0)
        i = v.astype("<i4").reshape(-1, 1).view(np.uint8)[:, :3]
        return np.ascontiguousarray(i).tobytes()
    if tag == FORMAT_PCM and bits == 32:
        v = np.rint(np.clip(x.astype(np.float64), -1.0, 2147483647.0 / 2147483648.0) * 2**31)
        return v.astype("<i4").tobytes()
    pcm = float_to_pcm16(x)
    if tag == FORMAT_MULAW:
        return _mulaw_encode(pcm).tobytes()
    if tag == FORMAT_ALAW:
        return _alaw_encode(pcm).tobytes()
    raise AudioError(f"unsupported format {fmt}")  # pragma: no cover


# -- streaming converter -------------------------------------------------------------------


class PcmConverter:
    """Convert a stream of PCM bytes from one :class:`PcmFormat` to another.

    Call :meth:`convert` with each piece of input (any size; partial frames
    are carried over) and :meth:`flush` once at the end. Identical formats
    pass through untouched. Channels are averaged to mono or a mono signal
    is copied to every channel; other channel changes raise AudioError.

    Float input is checked: NaN/inf raise :class:`AudioError`; values beyond
    ``[-1, 1]`` are clipped and, if *warn_clip*, a warning is logged once to
    the ``azspeech`` logger.
    """

    def __init__(
        self, source: PcmFormat, target: PcmFormat, *, what: str = "audio", warn_clip: bool = True
    ) -> None:
        if source.channels != target.channels and target.channels != 1 and source.channels != 1:
            raise AudioError(
                f"cannot convert {source.channels}-channel audio to {target.channels} channels "
                "(only downmixing to mono or copying mono to every channel is supported)"
            )
        self.source = source
        self.target = target
        self.what = what
        # Float input is always checked for NaN/inf and range, so it never passes through.
        self.passthrough = source == target and not source.is_float
        self._carry = b""
        self._warn_clip = warn_clip
        self._frames_in = 0
        self._resampler: Any = None
        if source.sample_rate != target.sample_rate:
            import soxr

            self._resampler = soxr.ResampleStream(
                source.sample_rate,
                target.sample_rate,
                target.channels if target.channels < source.channels else source.channels,
                dtype="float32",
                quality="HQ",
            )

    def convert(self, data: bytes | bytearray | memoryview) -> bytes:
        """Convert the next piece of input; returns whatever output is ready (maybe b"")."""
        align = self.source.block_align
        if self._carry:
            data = self._carry + bytes(data)
            self._carry = b""
        usable = len(data) - len(data) % align
        if usable != len(data):
            self._carry = bytes(data[usable:])
            data = memoryview(data)[:usable]
        if not usable:
            return b""
        if self.passthrough:
            self._frames_in += usable // align
            return data if isinstance(data, bytes) else bytes(data)
        x = bytes_to_float(data, self.source)
        return self._process(x, last=False)

    def flush(self) -> bytes:
        """Finish the stream: drain the resampler. A trailing partial frame is dropped
        (with a warning)."""
        if self._carry:
            logger.warning(
                "%s: dropped %d trailing bytes that do not make a whole %d-byte frame",
                self.what,
                len(self._carry),
                self.source.block_align,
            )
            self._carry = b""
        if self._resampler is None:
            return b""
        empty = np.zeros((0, self.source.channels), dtype=np.float32)
        return self._process(empty, last=True)

    def _process(self, x: FloatArray, *, last: bool) -> bytes:
        src, dst = self.source, self.target
        self._frames_in += len(x)
        if src.is_float and len(x):
            check_finite(x, self.what)
            peak = float(np.max(np.abs(x)))
            if peak > 1.0:
                if self._warn_clip:
                    logger.warning(
                        "%s: float samples exceed [-1, 1] (peak %.3g); clipping", self.what, peak
                    )
                    self._warn_clip = False
                np.clip(x, -1.0, 1.0, out=x)
        if src.channels != dst.channels and dst.channels == 1:
            # A matrix product averages the channels several times faster than mean(axis=1).
            x = x @ np.full((src.channels, 1), 1.0 / src.channels, dtype=np.float32)
        if self._resampler is not None:
            x = self._resampler.resample_chunk(x, last=last)
            if x.ndim == 1:
                x = x.reshape(-1, 1)
        if src.channels != dst.channels and src.channels == 1:
            x = np.repeat(x, dst.channels, axis=1)
        if not len(x):
            return b""
        return float_to_bytes(np.ascontiguousarray(x, dtype=np.float32), dst)

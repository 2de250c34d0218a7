"""Small audio helpers private to the emulator: WAV headers, PCM decoding, resampling."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "AudioFormatError",
    "PcmConverter",
    "WavFormat",
    "decode_file",
    "parse_wav_header",
]

ENGINE_RATE = 16000
Float32Array = npt.NDArray[np.float32]


class AudioFormatError(ValueError):
    """The audio is in a format the emulator (like the service) does not take."""


@dataclass(frozen=True)
class WavFormat:
    """The format a RIFF header declares, and where its data starts."""

    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    data_offset: int
    data_size: int | None

    @property
    def block_align(self) -> int:
        """Bytes per sample frame (all channels)."""
        return max(1, self.channels * self.bits // 8)

    @property
    def byte_rate(self) -> int:
        """Bytes per second."""
        return self.sample_rate * self.block_align


def parse_wav_header(data: bytes) -> WavFormat:
    """Parse a RIFF/WAVE header (the canonical 44 bytes, or one with extra chunks)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError("audio does not start with a RIFF/WAVE header")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise AudioFormatError("RIFF fmt chunk too short")
            tag, channels, rate, _br, _ba, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag == 0xFFFE and size >= 40 and body + 26 <= len(data):
                tag = struct.unpack_from("<H", data, body + 24)[0]
            fmt = (tag, channels, rate, bits)
        elif cid == b"data":
            if fmt is None:
                raise AudioFormatError("RIFF data chunk before the fmt chunk")
            tag, channels, rate, bits = fmt
            if tag not in (1, 3, 6, 7):
                raise AudioFormatError(f"unsupported WAV format tag {tag}")
            if channels < 1 or channels > 8 or not 4000 <= rate <= 192000:
                raise AudioFormatError("unsupported channel count or sample rate")
            if (tag == 1 and bits not in (8, 16, 24, 32)) or (tag == 3 and bits not in (32, 64)):
                raise AudioFormatError(f"unsupported sample size {bits} bits")
            if tag in (6, 7) and bits != 8:
                raise AudioFormatError("A-law/µ-law audio must be 8-bit")
            data_size = None if size in (0, 0xFFFFFFFF) else size
            return WavFormat(tag, channels, rate, bits, body, data_size)
        pos = body + size + (size & 1)
    raise AudioFormatError("RIFF header has no data chunk")


def _alaw_table() -> Float32Array:
    out = np.zeros(256, dtype=np.float32)
    for i in range(256):
        a = i ^ 0x55
        sign = a & 0x80
        exp = (a >> 4) & 0x07
        mant = a & 0x0F
        v = (mant << 4) + 8 if exp == 0 else ((mant << 4) + 0x108) << (exp - 1)
        out[i] = (v if sign else -v) / 32768.0
    return out


def _mulaw_table() -> Float32Array:
    out = np.zeros(256, dtype=np.float32)
    for i in range(256):
        u = ~i & 0xFF
        sign = u & 0x80
        exp = (u >> 4) & 0x07
        mant = u & 0x0F
        v = ((mant << 3) + 0x84) << exp
        v -= 0x84
        out[i] = (-v if sign else v) / 32768.0
    return out


_ALAW = _alaw_table()
_MULAW = _mulaw_table()


def pcm_to_float(raw: bytes, fmt: WavFormat) -> Float32Array:
    """Interleaved PCM bytes (whole sample frames) to float32 mono."""
    if fmt.format_tag == 1 and fmt.bits == 16:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32)
        x /= 32768.0  # in place: one array per chunk instead of two
    elif fmt.format_tag == 1 and fmt.bits == 8:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif fmt.format_tag == 1 and fmt.bits == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float32) / float(1 << 23)
    elif fmt.format_tag == 1 and fmt.bits == 32:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    elif fmt.format_tag == 3:
        x = np.frombuffer(raw, dtype="<f4" if fmt.bits == 32 else "<f8").astype(np.float32)
    elif fmt.format_tag == 6:
        x = _ALAW[np.frombuffer(raw, dtype=np.uint8)]
    elif fmt.format_tag == 7:
        x = _MULAW[np.frombuffer(raw, dtype=np.uint8)]
    else:  # pragma: no cover - rejected by parse_wav_header
        raise AudioFormatError("unsupported format")
    if fmt.channels > 1:
        x = x.reshape(-1, fmt.channels).mean(axis=1)
    result: Float32Array = x.astype(np.float32, copy=False)
    return result


class PcmConverter:
    """Streaming conversion of a client's declared PCM format to float32 mono 16 kHz."""

    def __init__(self, fmt: WavFormat) -> None:
        self.fmt = fmt
        self._rest = b""
        self._byte_rate = fmt.byte_rate  # the properties compute; this runs per message
        self._block_align = fmt.block_align
        self._pcm16_mono = fmt.format_tag == 1 and fmt.bits == 16 and fmt.channels == 1
        self._resampler = None
        if fmt.sample_rate != ENGINE_RATE:
            import soxr

            self._resampler = soxr.ResampleStream(
                fmt.sample_rate, ENGINE_RATE, 1, dtype="float32", quality="HQ"
            )

    def ms(self, nbytes: int) -> float:
        """How many milliseconds *nbytes* of this format hold."""
        return nbytes * 1000.0 / self._byte_rate

    def feed(self, chunk: bytes, last: bool = False) -> Float32Array:
        """Convert *chunk*; partial sample frames wait for the next chunk."""
        data = self._rest + chunk
        usable = len(data) - len(data) % self._block_align
        self._rest = data[usable:]
        if not usable:
            x = np.zeros(0, np.float32)
        elif self._pcm16_mono:  # what nearly every client sends: no per-format dispatch
            x = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32)
            x /= 32768.0
        else:
            x = pcm_to_float(data[:usable], self.fmt)
        if self._resampler is not None:
            y: Float32Array = self._resampler.resample_chunk(x, last=last)
            return y.astype(np.float32, copy=False)
        return x


def to_engine_rate(x: Float32Array, rate: int) -> Float32Array:
    """Resample mono float32 audio to 16 kHz."""
    if rate == ENGINE_RATE:
        return x
    import soxr

    y: Float32Array = soxr.resample(x, rate, ENGINE_RATE).astype(np.float32)
    return y


def decode_file(body: bytes) -> tuple[npt.NDArray[np.float32], int]:
    """Decode a whole audio file (WAV, OGG/Opus, FLAC, MP3...) to float32 (frames × channels).

    Returns the samples (2-D: frames, channels) and the sample rate.
    """
    if body[:4] == b"RIFF":
        fmt = parse_wav_header(body)
        end = len(body) if fmt.data_size is None else fmt.data_offset + fmt.data_size
        raw = body[fmt.data_offset : min(end, len(body))]
        raw = raw[: len(raw) - len(raw) % fmt.block_align]
        mono_fmt = WavFormat(fmt.format_tag, 1, fmt.sample_rate, fmt.bits, 0, None)
        x = pcm_to_float(raw, mono_fmt)
        return x.reshape(-1, fmt.channels), fmt.sample_rate
    try:
        import soundfile as sf

        data, rate = sf.read(io.BytesIO(body), dtype="float32", always_2d=True)
    except Exception as exc:
        raise AudioFormatError(f"audio could not be decoded: {exc}") from exc
    return data.astype(np.float32, copy=False), int(rate)

"""Audio: synthesized (or any) audio with its format, ready to save, decode or play."""

from __future__ import annotations

import base64
import datetime as _dt
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .convert import bytes_to_float, check_finite, float_to_bytes
from .formats import OutputFormat, PcmFormat
from .wav import read_wav_header

__all__ = ["Audio"]

# Containers libsndfile can decode from memory.
_DECODABLE = {"mp3", "ogg", "flac"}


class Audio:
    """A piece of audio and its format.

    Construct it from the bytes the service sent and their format::

        Audio(data, OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM)   # with or without a RIFF header
        Audio(pcm_bytes, PcmFormat(16000))                    # raw PCM

    For ``riff-*`` formats *data* may be the whole WAV file or just the raw
    samples (as received when the ``raw-*`` twin was requested); either
    way :attr:`data` is a WAV file with correct sizes.

    Attributes:
        format: the :class:`OutputFormat` or :class:`PcmFormat`.
    """

    __slots__ = ("_data", "_format", "_pcm", "_samples")

    def __init__(
        self, data: bytes | bytearray | memoryview, format: OutputFormat | PcmFormat | str
    ):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise AudioError(f"Audio data must be bytes, not {type(data).__name__}")
        if isinstance(format, str) and not isinstance(format, OutputFormat):
            format = OutputFormat.parse(format)
        if not isinstance(format, (OutputFormat, PcmFormat)):
            raise AudioError(
                f"Audio format must be an OutputFormat or PcmFormat, not {type(format).__name__}"
            )
        raw = bytes(data)
        self._format: OutputFormat | PcmFormat = format
        self._samples: npt.NDArray[np.float32] | None = None
        self._data: bytes | None = None
        self._pcm: bytes | None = None
        pcm_fmt = self.pcm_format
        if isinstance(format, OutputFormat) and format.has_header and pcm_fmt is not None:
            if raw[:4] == b"RIFF":
                raw = self._strip_header(raw, pcm_fmt)
            self._pcm = raw
        elif pcm_fmt is not None:
            self._pcm = raw
        else:
            self._data = raw

    @staticmethod
    def _strip_header(data: bytes, fmt: PcmFormat) -> bytes:
        buf = io.BytesIO(data)
        info = read_wav_header(buf.read)
        if info.format != fmt:
            raise AudioError(f"the WAV header says {info.format}, but the format is {fmt}")
        body = data[info.header_size :]
        if info.data_size is not None:
            body = body[: info.data_size]
        return body

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def from_pcm(cls, pcm: bytes | bytearray | memoryview, format: PcmFormat) -> Audio:
        """Audio from raw PCM bytes in *format*."""
        if not isinstance(format, PcmFormat):
            raise AudioError(f"from_pcm needs a PcmFormat, not {type(format).__name__}")
        return cls(pcm, format)

    @classmethod
    def from_samples(cls, samples: npt.NDArray[Any], sample_rate: int) -> Audio:
        """16-bit PCM audio from float samples in ``[-1, 1]`` (``(n,)`` or ``(n, channels)``).

        Values beyond the range are clipped.

        Raises:
            AudioError: NaN/inf, a non-numeric dtype, a bad shape or sample rate.
        """
        arr = np.asarray(samples)
        if arr.dtype.kind not in "fi" or arr.dtype.kind == "c":
            raise AudioError(f"samples must be float (or int16), not dtype {arr.dtype}")
        if arr.ndim not in (1, 2) or (arr.ndim == 2 and not 1 <= arr.shape[1] <= 64):
            raise AudioError(f"samples must have shape (n,) or (n, channels), not {arr.shape}")
        channels = 1 if arr.ndim == 1 else arr.shape[1]
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)):
            raise AudioError(f"sample_rate must be an int, got {sample_rate!r}")
        fmt = PcmFormat(int(sample_rate), 16, channels)
        if arr.dtype == np.int16:
            return cls(arr.astype("<i2").tobytes(), fmt)
        if arr.dtype.kind != "f":
            raise AudioError(f"samples must be float (or int16), not dtype {arr.dtype}")
        check_finite(arr, "samples")
        x = np.clip(arr.astype(np.float32), -1.0, 1.0)
        return cls(float_to_bytes(x, fmt), fmt)

    # -- properties -------------------------------------------------------------------------

    @property
    def format(self) -> OutputFormat | PcmFormat:
        """The :class:`OutputFormat` or :class:`PcmFormat` of the audio."""
        return self._format

    @property
    def pcm_format(self) -> PcmFormat | None:
        """The sample format for PCM-like audio; None for compressed formats."""
        if isinstance(self._format, PcmFormat):
            return self._format
        return self._format.pcm_format

    @property
    def sample_rate(self) -> int:
        """Samples per second."""
        return self._format.sample_rate

    @property
    def data(self) -> bytes:
        """The bytes as they would be saved: raw for raw formats, a complete WAV for riff."""
        if self._data is None:
            assert self._pcm is not None
            if isinstance(self._format, OutputFormat) and self._format.has_header:
                self._data = self.to_wav_bytes()
            else:
                self._data = self._pcm
        return self._data

    @property
    def pcm(self) -> bytes:
        """The raw sample bytes (no header) of PCM-like audio.

        Raises:
            AudioError: the audio is compressed.
        """
        if self._pcm is None:
            raise AudioError(f"{self._format} audio is compressed; use .samples to decode it")
        return self._pcm

    @property
    def mime_type(self) -> str:
        """MIME type of :attr:`data`."""
        if isinstance(self._format, OutputFormat):
            return self._format.mime_type
        return f"audio/L{self._format.bits_per_sample};rate={self.sample_rate}"

    @property
    def samples(self) -> npt.NDArray[np.float32]:
        """The audio as mono float32 samples in ``[-1, 1]`` (decoded on first use, then cached).

        Raises:
            AudioError: the codec cannot be decoded here (SILK, AMR-WB, G.722,
                Siren, WebM and bare Opus frames), or the data is corrupt.
        """
        if self._samples is None:
            self._samples = self._decode()
        return self._samples

    def _decode(self) -> npt.NDArray[np.float32]:
        fmt = self.pcm_format
        if fmt is not None:
            x = bytes_to_float(self.pcm, fmt)
            mono = x[:, 0] if fmt.channels == 1 else x.mean(axis=1, dtype=np.float32)
            if fmt.is_float:
                mono = np.nan_to_num(np.clip(mono, -1.0, 1.0))
            return np.ascontiguousarray(mono, dtype=np.float32)
        assert isinstance(self._format, OutputFormat)
        container = self._format.container
        if container not in _DECODABLE:
            raise AudioError(
                f"cannot decode {self._format.value}: {self._format.codec} audio "
                f"({container} container) has no decoder here; save it with .save() and use a "
                "tool that supports it, or request an mp3/ogg/flac/pcm format"
            )
        import soundfile as sf

        if not self.data:
            raise AudioError(f"cannot decode {self._format.value}: the audio is empty")
        try:
            x = sf.read(io.BytesIO(self.data), dtype="float32", always_2d=True)[0]
        except Exception as exc:
            raise AudioError(f"cannot decode {self._format.value} audio: {exc}") from exc
        mono = x[:, 0] if x.shape[1] == 1 else x.mean(axis=1, dtype=np.float32)
        return np.ascontiguousarray(np.clip(mono, -1.0, 1.0), dtype=np.float32)

    @property
    def duration(self) -> _dt.timedelta:
        """How long the audio plays (from the byte count for PCM, by decoding otherwise)."""
        fmt = self.pcm_format
        frames = len(self.pcm) // fmt.block_align if fmt is not None else len(self.samples)
        return _dt.timedelta(microseconds=round(frames * 1_000_000 / self.sample_rate))

    # -- conversions and output -----------------------------------------------------------

    def to_wav_bytes(self) -> bytes:
        """The audio as a WAV file (PCM formats keep their encoding; compressed ones are
        decoded to 16-bit PCM)."""
        fmt = self.pcm_format
        if fmt is None:
            samples = self.samples
            fmt = PcmFormat(self.sample_rate, 16, 1)
            pcm = float_to_bytes(samples, fmt)
        else:
            pcm = self.pcm
        pad = b"\x00" if len(pcm) & 1 else b""
        return fmt.wav_header(len(pcm)) + pcm + pad

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the audio to *path* and return it as a Path.

        Writes :attr:`data`, except that a path ending in ``.wav`` always gets
        a playable WAV file (raw PCM gets a header; compressed audio is decoded).
        """
        target = Path(os.fspath(path))
        is_riff = isinstance(self._format, OutputFormat) and self._format.has_header
        if target.suffix.lower() == ".wav" and not is_riff:
            payload = self.to_wav_bytes()
        else:
            payload = self.data
        try:
            target.write_bytes(payload)
        except OSError as exc:
            raise AudioError(
                f"cannot save audio to {str(target)!r}: {exc.strerror or exc}"
            ) from exc
        return target

    def play(self, *, blocking: bool = True) -> None:
        """Play through the default speaker (needs the ``[mic]`` extra: sounddevice).

        Raises:
            AudioError: sounddevice is not installed, there is no output
                device, or the audio cannot be decoded.
        """
        from .mic import play_samples

        play_samples(self.samples, self.sample_rate, blocking=blocking)

    # -- dunder -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.data)

    def __bytes__(self) -> bytes:
        return self.data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Audio):
            return NotImplemented
        return self._format == other._format and self.data == other.data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fmt = self._format.value if isinstance(self._format, OutputFormat) else str(self._format)
        try:
            duration = f"{self.duration.total_seconds():.3f}s"
        except AudioError:
            duration = "unknown"
        return f"Audio(format={fmt!r}, duration={duration}, bytes={len(self.data)})"

    def _repr_html_(self) -> str:
        if self.pcm_format is not None:
            mime, payload = "audio/wav", self.to_wav_bytes()
        else:
            mime, payload = self.mime_type, self.data
        b64 = base64.b64encode(payload).decode("ascii")
        return f'<audio controls src="data:{mime};base64,{b64}"></audio>'

"""Turning every accepted kind of audio input into a reader of PCM bytes (see readers.py).

Everything that can be checked
before the first byte is read (file exists, header is sane, array dtype,
sample rate) is checked when the source is made, so a bad input fails at
:func:`open_pcm_stream`, not half-way through a recognition.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import AsyncIterable, Iterable
from typing import IO, Any, BinaryIO, Union

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .convert import _check_rate
from .formats import PcmFormat
from .output import Audio
from .paths import audio_path
from .push import AsyncPushStream, PushStream
from .readers import (
    ArraySource,
    AsyncIterSource,
    BytesSource,
    FileSource,
    IterSource,
    PushSource,
    SoundFileSource,
    Source,
    _Prepend,
)
from .wav import UnsupportedWav, read_wav_header, sniff_container

__all__ = ["AudioInput", "make_source"]

logger = logging.getLogger("azspeech")

AudioInput = Union[
    str,
    "os.PathLike[str]",
    bytes,
    bytearray,
    memoryview,
    BinaryIO,
    "npt.NDArray[Any]",
    Iterable[bytes],
    AsyncIterable[bytes],
    PushStream,
    AsyncPushStream,
    "tuple[npt.NDArray[Any], int]",
    Audio,
]
"""Everything :func:`open_pcm_stream` and :func:`decode_audio` accept."""

_STRONG_MAGIC = ("wav", "flac", "ogg")  # recognised even when input_format says raw


def _name(audio: object) -> str:
    if isinstance(audio, (str, os.PathLike)):
        return f"audio file {os.fspath(audio)!r}"
    name = getattr(audio, "name", None)
    if isinstance(name, str):
        return f"audio file {name!r}"
    return f"audio input ({type(audio).__name__})"


def _raw_format(
    input_format: PcmFormat | None, sample_rate: int | None, target: PcmFormat
) -> PcmFormat:
    if input_format is not None:
        if sample_rate is not None and sample_rate != input_format.sample_rate:
            raise AudioError(
                f"sample_rate={sample_rate} contradicts input_format's "
                f"{input_format.sample_rate} Hz"
            )
        return input_format
    if sample_rate is not None:
        return PcmFormat(sample_rate, 16, 1)
    return target


def _from_file(
    f: IO[bytes], what: str, raw: PcmFormat | None, *, owned: bool, path: str | None
) -> Source:
    """Make a source from an open binary file positioned at the start of the audio."""
    seekable = False
    try:
        seekable = f.seekable()
        start = f.tell() if seekable else 0
    except (OSError, ValueError, AttributeError):
        seekable = False
        start = 0
    head = f.read(12)
    while isinstance(head, bytes) and 0 < len(head) < 12:  # pipes may return short reads
        more = f.read(12 - len(head))
        if not more:
            break
        head += more
    if not isinstance(head, bytes):
        if owned:
            f.close()
        raise AudioError(f"{what} must be opened in binary mode ('rb'), not text mode")
    if not head:
        if owned:
            f.close()
        raise AudioError(f"{what} is empty (zero bytes)")
    kind = sniff_container(head)
    if raw is not None and kind not in _STRONG_MAGIC:
        kind = None
    if kind == "wav":
        pending = [head]

        def read(n: int) -> bytes:
            if pending:
                buf = pending.pop()
                if len(buf) > n:
                    pending.append(buf[n:])
                    return buf[:n]
                return buf
            return f.read(n)

        try:
            info = read_wav_header(read)
        except UnsupportedWav:
            if not seekable:
                if owned:
                    f.close()
                raise
            f.seek(start)
            if path is not None:
                f.close()
                return SoundFileSource(path, what)
            return SoundFileSource(f, what)
        except AudioError as exc:
            if owned:
                f.close()
            raise AudioError(f"{what}: {exc.message}") from None
        limit = info.data_size
        if seekable:
            data_start = start + info.header_size
            try:
                available = f.seek(0, io.SEEK_END) - data_start
                f.seek(data_start)
            except (OSError, ValueError):
                available = None
            if available is not None and available < info.format.block_align:
                if owned:
                    f.close()
                raise AudioError(f"{what} contains no audio (its data chunk is empty)")
        return FileSource(f, info.format, what, limit=limit, owned=owned)
    if kind is None and raw is not None:
        return FileSource(_Prepend(head, f), raw, what, limit=None, owned=owned)
    if kind == "webm":
        if owned:
            f.close()
        raise AudioError(f"{what} is WebM, which cannot be decoded here; use WAV, FLAC, Ogg or MP3")
    if kind is None and path is None:
        if owned:
            f.close()
        raise AudioError(
            f"{what} is not a recognised audio file (no RIFF/WAV, FLAC, Ogg or MP3 header); "
            "for raw PCM pass input_format=PcmFormat(...)"
        )
    if path is not None:
        f.close()
        return SoundFileSource(path, what, kind=kind)
    if seekable:
        f.seek(start)
        return SoundFileSource(f, what, owned_file=f if owned else None)
    # libsndfile needs to seek: buffer a non-seekable compressed stream in memory.
    data = head + f.read()
    if owned:
        f.close()
    return SoundFileSource(io.BytesIO(data), what)


def make_source(
    audio: Any,
    *,
    target: PcmFormat,
    sample_rate: int | None = None,
    input_format: PcmFormat | None = None,
) -> Source:
    """Build the :class:`Source` for any :data:`AudioInput`.

    Raises:
        AudioError: the input cannot be used, saying why.
    """
    if sample_rate is not None:
        sample_rate = _check_rate(sample_rate)
    if input_format is not None and not isinstance(input_format, PcmFormat):
        raise AudioError(f"input_format must be a PcmFormat, not {type(input_format).__name__}")
    what = _name(audio)

    if isinstance(audio, Audio):
        pcm_format = audio.pcm_format
        if pcm_format is not None:
            if not audio.pcm:
                raise AudioError("the Audio object holds no audio (zero length)")
            return BytesSource(audio.pcm, pcm_format, f"Audio ({audio.format})")
        return make_source(audio.data, target=target)
    if isinstance(audio, (PushStream, AsyncPushStream)):
        fmt = audio.format or _raw_format(input_format, sample_rate, target)
        return PushSource(audio._pipe, fmt, what, is_async=isinstance(audio, AsyncPushStream))
    if isinstance(audio, (str, os.PathLike)):
        path = audio_path(audio)
        try:
            f = open(path, "rb")  # noqa: SIM115 - owned by the source
        except FileNotFoundError:
            raise AudioError(f"{what}: no such file") from None
        except IsADirectoryError:
            raise AudioError(f"{what} is a directory, not an audio file") from None
        except OSError as exc:
            raise AudioError(f"{what} cannot be opened: {exc.strerror or exc}") from None
        raw = _raw_format(input_format, sample_rate, target) if input_format else None
        return _from_file(f, what, raw, owned=True, path=str(path))
    if isinstance(audio, (bytes, bytearray, memoryview)):
        view = memoryview(audio).cast("B")
        if not len(view):
            raise AudioError("audio bytes are empty (zero length)")
        what = f"audio bytes ({len(view)} bytes)"
        kind = sniff_container(bytes(view[:12]))
        # BytesIO shares a bytes object's buffer instead of copying it.
        shared = audio if isinstance(audio, bytes) else view
        if input_format is not None and kind not in _STRONG_MAGIC:
            fmt = _raw_format(input_format, sample_rate, target)
            if len(view) < fmt.block_align:
                raise AudioError(f"{what} are shorter than one {fmt.block_align}-byte frame")
            return BytesSource(view, fmt, what)
        if kind is None:
            raise AudioError(
                f"{what} are not a recognised audio file (no RIFF/WAV, FLAC, Ogg or MP3 "
                "header); for raw PCM pass input_format=PcmFormat(...)"
            )
        if kind == "wav":
            try:
                src = _from_file(io.BytesIO(shared), what, None, owned=True, path=None)
            except UnsupportedWav:
                return SoundFileSource(io.BytesIO(shared), what)
            return src
        return _from_file(io.BytesIO(shared), what, None, owned=True, path=None)
    if isinstance(audio, tuple):
        if len(audio) != 2 or not isinstance(audio[0], np.ndarray):
            raise AudioError("a tuple input must be (numpy_array, sample_rate)")
        rate = _check_rate(audio[1], "sample rate in the (array, rate) tuple")
        if sample_rate is not None and sample_rate != rate:
            raise AudioError(f"sample_rate={sample_rate} contradicts the tuple's rate {rate}")
        return ArraySource(audio[0], rate, "audio array")
    if isinstance(audio, np.ndarray):
        if sample_rate is None:
            raise AudioError(
                "a numpy array needs its sample rate: pass sample_rate=... or (array, rate)"
            )
        return ArraySource(audio, sample_rate, "audio array")
    if isinstance(audio, io.TextIOBase):
        raise AudioError(f"{what} is opened in text mode; open audio files with 'rb'")
    if hasattr(audio, "read"):
        raw = _raw_format(input_format, sample_rate, target) if input_format else None
        try:
            return _from_file(audio, what, raw, owned=False, path=None)
        except UnsupportedWav:
            raise AudioError(f"{what}: unsupported WAV encoding on a non-seekable stream") from None
    fmt = _raw_format(input_format, sample_rate, target)
    if hasattr(audio, "__aiter__"):
        return AsyncIterSource(audio, fmt, "async audio iterable")
    if isinstance(audio, Iterable):
        if isinstance(audio, (list, tuple)) and not all(
            isinstance(p, (bytes, bytearray, memoryview)) for p in audio
        ):
            raise AudioError("a list of audio chunks must contain only bytes")
        return IterSource(audio, fmt, "audio iterable")
    raise AudioError(
        f"unsupported audio input of type {type(audio).__name__}; pass a path, bytes, a binary "
        "file, a numpy array with sample_rate, an (array, rate) tuple, an iterable of PCM bytes "
        "or a push stream"
    )

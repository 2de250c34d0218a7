"""Turning every accepted kind of audio input into a reader of PCM bytes.

A *source* has a :class:`PcmFormat` and hands out pieces of bytes in that
format (``read`` / ``aread``; None at the end). Files are read in blocks, so
memory use does not grow with the file. Everything that can be checked
before the first byte is read (file exists, header is sane, array dtype,
sample rate) is checked when the source is made, so a bad input fails at
:func:`open_pcm_stream`, not half-way through a recognition.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol, Union

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .convert import _check_rate, check_finite
from .formats import FORMAT_FLOAT, FORMAT_PCM, PcmFormat
from .push import AsyncPushStream, PushStream, _Pipe
from .wav import UnsupportedWav, read_wav_header, sniff_container

__all__ = ["AudioInput", "Source", "make_source"]

logger = logging.getLogger("azspeech")

#: Everything :func:`open_pcm_stream` and :func:`decode_audio` accept.
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
]

_BLOCK_SECONDS = 0.5
_MIN_BLOCK = 16 * 1024
_STRONG_MAGIC = ("wav", "flac", "ogg")  # recognised even when input_format says raw


class Source:
    """A reader of PCM bytes in :attr:`format`. Subclasses override read/aread/close."""

    format: PcmFormat
    what: str = "audio"
    #: an input that is known-finite (file, bytes, array) must not be empty
    must_have_audio: bool = True
    #: warn when float input is clipped (off for lossy decoders, which overshoot)
    warn_clip: bool = True

    def read(self) -> bytes | None:
        """The next piece of audio, or None at the end."""
        raise NotImplementedError

    async def aread(self) -> bytes | None:
        """The next piece of audio, or None at the end (without blocking the loop where it
        matters)."""
        return self.read()

    def close(self) -> None:
        """Release files and the like."""

    def _block_bytes(self) -> int:
        n = int(self.format.bytes_per_second * _BLOCK_SECONDS)
        n = max(n, _MIN_BLOCK)
        return n - n % self.format.block_align


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...
    def close(self) -> None: ...


class BytesSource(Source):
    """Raw PCM held in memory, served in blocks (no copy of the whole)."""

    def __init__(self, data: bytes | bytearray | memoryview, fmt: PcmFormat, what: str) -> None:
        self.format = fmt
        self.what = what
        self._view = memoryview(data).cast("B")
        self._pos = 0
        self._block = self._block_bytes()

    def read(self) -> bytes | None:
        if self._pos >= len(self._view):
            return None
        piece = self._view[self._pos : self._pos + self._block]
        self._pos += len(piece)
        return bytes(piece)


class FileSource(Source):
    """Raw PCM read from a binary file object, at most *limit* bytes (None: to the end)."""

    def __init__(
        self, f: _Readable, fmt: PcmFormat, what: str, *, limit: int | None, owned: bool
    ) -> None:
        self.format = fmt
        self.what = what
        self._f = f
        self._owned = owned
        self._limit = limit
        self._got = 0
        self._block = self._block_bytes()
        self._done = False

    def read(self) -> bytes | None:
        if self._done:
            return None
        want = self._block
        if self._limit is not None:
            want = min(want, self._limit - self._got)
        data = self._f.read(want) if want > 0 else b""
        if not data:
            self._done = True
            if self._limit is not None and self._got < self._limit:
                logger.warning(
                    "%s: the WAV header promises %d bytes of audio but the file holds only %d; "
                    "using what is there",
                    self.what,
                    self._limit,
                    self._got,
                )
            self.close()
            return None
        self._got += len(data)
        return data

    def close(self) -> None:
        self._done = True
        if self._owned:
            self._f.close()


class SoundFileSource(Source):
    """Audio decoded by libsndfile (FLAC, Ogg Vorbis/Opus, MP3, AIFF, odd WAVs...)."""

    def __init__(
        self,
        target: Any,
        what: str,
        *,
        owned_file: IO[bytes] | None = None,
        kind: str | None = "audio",
    ) -> None:
        import soundfile as sf

        self.what = what
        self._owned_file = owned_file
        try:
            self._sf = sf.SoundFile(target)
        except Exception as exc:  # libsndfile's errors are RuntimeError/LibsndfileError
            if owned_file is not None:
                owned_file.close()
            if kind is None:
                raise AudioError(
                    f"{what} is not a recognised audio file ({_sf_message(exc)})"
                ) from exc
            raise AudioError(f"cannot decode {what}: {_sf_message(exc)}") from exc
        info = self._sf
        if info.samplerate <= 0 or info.channels <= 0:
            self.close()
            raise AudioError(
                f"cannot decode {what}: it reports {info.samplerate} Hz, {info.channels} channels"
            )
        self._exact16 = info.subtype == "PCM_16"
        self.format = (
            PcmFormat(info.samplerate, 16, info.channels)
            if self._exact16
            else PcmFormat(info.samplerate, 32, info.channels, FORMAT_FLOAT)
        )
        self.warn_clip = info.format not in ("MPEG", "OGG", "MP3")
        self._frames = max(1024, int(info.samplerate * _BLOCK_SECONDS))
        self._done = False

    def read(self) -> bytes | None:
        if self._done:
            return None
        try:
            block = self._sf.read(
                self._frames, dtype="int16" if self._exact16 else "float32", always_2d=True
            )
        except Exception as exc:
            self.close()
            raise AudioError(f"cannot decode {self.what}: {_sf_message(exc)}") from exc
        if not len(block):
            self.close()
            return None
        return bytes(block.tobytes())

    def close(self) -> None:
        self._done = True
        self._sf.close()
        if self._owned_file is not None:
            self._owned_file.close()


class ArraySource(Source):
    """A numpy array of samples, served in blocks."""

    def __init__(self, array: npt.NDArray[Any], rate: int, what: str) -> None:
        self.what = what
        arr = np.asarray(array)
        if arr.dtype.kind == "c" or arr.dtype == object or arr.dtype.kind not in "fiu":
            raise AudioError(
                f"{what}: unsupported dtype {arr.dtype}; use int16, int32, float32 or float64"
            )
        if arr.dtype.kind in "iu" and arr.dtype not in (np.int16, np.int32):
            raise AudioError(
                f"{what}: unsupported integer dtype {arr.dtype}; use int16 or int32 "
                "(or float32 in [-1, 1])"
            )
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        elif arr.ndim != 2:
            raise AudioError(
                f"{what}: expected shape (samples,) or (samples, channels), got {arr.shape}"
            )
        if arr.shape[1] == 0 or arr.shape[1] > 64:
            raise AudioError(
                f"{what}: {arr.shape[1]} channels (shape {arr.shape}); expected "
                "(samples, channels) with 1-64 channels"
            )
        if arr.dtype.kind == "f":
            check_finite(arr, what)
            bits, tag = 32, FORMAT_FLOAT
        else:
            bits, tag = arr.dtype.itemsize * 8, FORMAT_PCM
        self.format = PcmFormat(rate, bits, arr.shape[1], tag)
        self._arr = arr
        self._dtype = "<f4" if tag == FORMAT_FLOAT else f"<i{bits // 8}"
        self._pos = 0
        self._frames = max(1024, int(rate * _BLOCK_SECONDS))

    def read(self) -> bytes | None:
        if self._pos >= len(self._arr):
            return None
        block = self._arr[self._pos : self._pos + self._frames]
        self._pos += len(block)
        return np.ascontiguousarray(block, dtype=self._dtype).tobytes()


def _check_piece(piece: object, what: str) -> bytes:
    if isinstance(piece, bytes):
        return piece
    if isinstance(piece, (bytearray, memoryview)):
        return bytes(piece)
    raise AudioError(f"{what} yielded {type(piece).__name__}; expected bytes of raw PCM")


class IterSource(Source):
    """Raw PCM from a synchronous iterable of bytes."""

    must_have_audio = False

    def __init__(self, it: Iterable[Any], fmt: PcmFormat, what: str) -> None:
        self.format = fmt
        self.what = what
        self._it: Iterator[Any] | None = iter(it)

    def read(self) -> bytes | None:
        while self._it is not None:
            try:
                piece = next(self._it)
            except StopIteration:
                self._it = None
                return None
            data = _check_piece(piece, self.what)
            if data:
                return data
        return None

    def close(self) -> None:
        it, self._it = self._it, None
        close = getattr(it, "close", None)
        if callable(close):
            close()


class AsyncIterSource(Source):
    """Raw PCM from an async iterable of bytes. Sync reads run it on a private event loop."""

    must_have_audio = False

    def __init__(self, it: AsyncIterable[Any], fmt: PcmFormat, what: str) -> None:
        self.format = fmt
        self.what = what
        self._it: AsyncIterator[Any] | None = aiter(it)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def aread(self) -> bytes | None:
        while self._it is not None:
            try:
                piece = await anext(self._it)
            except StopAsyncIteration:
                self._it = None
                return None
            data = _check_piece(piece, self.what)
            if data:
                return data
        return None

    def read(self) -> bytes | None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise AudioError(
                f"{self.what} is asynchronous; inside a running event loop use "
                "'async for chunk in stream'"
            )
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(self.aread())

    def close(self) -> None:
        it, self._it = self._it, None
        aclose = getattr(it, "aclose", None)
        if self._loop is not None:
            if callable(aclose):
                with contextlib.suppress(Exception):
                    self._loop.run_until_complete(aclose())
            self._loop.close()
            self._loop = None


class PushSource(Source):
    """The reading end of a PushStream / AsyncPushStream."""

    must_have_audio = False

    def __init__(self, pipe: _Pipe, fmt: PcmFormat, what: str, *, is_async: bool) -> None:
        self.format = fmt
        self.what = what
        self._pipe = pipe
        self._is_async = is_async

    def read(self) -> bytes | None:
        if self._is_async:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                raise AudioError(
                    "an AsyncPushStream read synchronously inside a running event loop would "
                    "deadlock; use 'async for chunk in stream'"
                )
        return self._pipe.get()

    async def aread(self) -> bytes | None:
        return await self._pipe.aget()

    def close(self) -> None:
        self._pipe.abandon()


# ----------------------------------------------------------------------------------------


_SF_NOISE = re.compile(r"^(?:Error opening )?(?:<[^>]*>|'[^']*')?:?\s*(?:Error\s*:\s*)?")


def _sf_message(exc: BaseException) -> str:
    """libsndfile's complaint without the object repr / path prefix it puts in front."""
    text = _SF_NOISE.sub("", str(exc).strip()).strip()
    return text or type(exc).__name__


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


class _Prepend(io.RawIOBase):
    """A read-only stream: *head*, then the rest of *f*."""

    def __init__(self, head: bytes, f: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._f = f

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                head, self._head = self._head, b""
                return head + self._f.read()
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._f.read(n)

    def close(self) -> None:
        self._f.close()
        super().close()


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

    if isinstance(audio, (PushStream, AsyncPushStream)):
        fmt = audio.format or _raw_format(input_format, sample_rate, target)
        return PushSource(audio._pipe, fmt, what, is_async=isinstance(audio, AsyncPushStream))
    if isinstance(audio, (str, os.PathLike)):
        path = Path(os.fspath(audio))
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
                src = _from_file(io.BytesIO(view), what, None, owned=True, path=None)
            except UnsupportedWav:
                return SoundFileSource(io.BytesIO(view), what)
            return src
        return _from_file(io.BytesIO(view), what, None, owned=True, path=None)
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

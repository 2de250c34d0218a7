"""Readers of PCM bytes, one per kind of audio input.

A *source* has a :class:`PcmFormat` and hands out pieces of bytes in that
format (``read`` / ``aread``; None at the end). Files are read in blocks, so
memory use does not grow with the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import IO, Any, Protocol

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .convert import check_finite
from .formats import FORMAT_FLOAT, FORMAT_PCM, PcmFormat
from .push import _Pipe

__all__ = [
    "ArraySource",
    "AsyncIterSource",
    "BytesSource",
    "FileSource",
    "IterSource",
    "PushSource",
    "SoundFileSource",
    "Source",
]

logger = logging.getLogger("azspeech")

_BLOCK_SECONDS = 0.5
_MIN_BLOCK = 16 * 1024


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

    def prefer_reads_of(self, nbytes: int) -> None:
        """Read about *nbytes* at a time where the source can (a hint; by default ignored).

        Raw PCM from a file or memory then comes in the pieces the consumer
        cuts anyway, so that they pass through without being re-cut.
        """

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

    def prefer_reads_of(self, nbytes: int) -> None:
        """Serve blocks of *nbytes* (whole sample frames) where that is more than the default."""
        if nbytes > self._block:  # never smaller reads than the default
            self._block = nbytes - nbytes % self.format.block_align

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

    def prefer_reads_of(self, nbytes: int) -> None:
        """Read blocks of *nbytes* (whole sample frames) where that is more than the default."""
        if nbytes > self._block:  # never smaller reads than the default
            self._block = nbytes - nbytes % self.format.block_align

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
                    f"{what} is not a recognised audio file ({_sf_message(exc)}); "
                    "for raw PCM pass input_format=PcmFormat(...)"
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
        if arr.dtype.kind == "u" or (arr.dtype.kind == "i" and arr.dtype.itemsize not in (2, 4)):
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

"""PcmStream: any audio input as fixed-size chunks of PCM in the format the service wants."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from types import TracebackType

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .convert import PcmConverter, _check_rate
from .formats import FORMAT_FLOAT, PcmFormat
from .readers import Source
from .sources import AudioInput, make_source

__all__ = ["PcmStream", "decode_audio", "open_pcm_stream"]

_DEFAULT_TARGET = PcmFormat()

# Looked up at call time, so tests can substitute a fake clock.
_clock = time.monotonic
_sleep = time.sleep
_asleep = asyncio.sleep


class PcmStream:
    """Audio as chunks of PCM bytes in :attr:`format`, each *chunk_ms* long (the last may be
    shorter).

    Iterate it with ``for`` or ``async for`` (not both at once); it is
    single-pass. With ``realtime=True`` chunks are released at the pace of
    real time, measured on a monotonic clock from the first chunk so that
    scheduling delays do not add up. Close it (or use ``with`` /
    ``async with``) to release files early; it closes itself at the end.

    Made by :func:`open_pcm_stream`.
    """

    def __init__(
        self,
        source: Source,
        target: PcmFormat,
        *,
        chunk_ms: int = 100,
        realtime: bool = False,
    ) -> None:
        if isinstance(chunk_ms, bool) or not isinstance(chunk_ms, (int, float)) or chunk_ms <= 0:
            raise AudioError(
                f"chunk_ms must be a positive number of milliseconds, got {chunk_ms!r}"
            )
        if chunk_ms > 60_000:
            raise AudioError(f"chunk_ms={chunk_ms} is more than a minute; use at most 60000")
        self._source = source
        self._format = target
        self._chunk_ms = chunk_ms
        self._chunk_bytes = max(target.block_align, target.duration_to_bytes(chunk_ms / 1000))
        self._conv = PcmConverter(
            source.format, target, what=source.what, warn_clip=source.warn_clip
        )
        self._realtime = realtime
        if self._conv.passthrough:
            source.prefer_reads_of(self._chunk_bytes)  # chunks then pass through uncopied
        self._buf = bytearray()
        self._eof = False
        self._closed = False
        self._bytes_out = 0
        self._t0: float | None = None

    # -- properties -------------------------------------------------------------------------

    @property
    def format(self) -> PcmFormat:
        """The format of the chunks (the *target* given to :func:`open_pcm_stream`)."""
        return self._format

    @property
    def source_format(self) -> PcmFormat:
        """The format the input arrived in, before any conversion."""
        return self._source.format

    @property
    def chunk_ms(self) -> float:
        """Milliseconds of audio per chunk."""
        return self._chunk_ms

    @property
    def chunk_bytes(self) -> int:
        """Bytes per chunk (whole frames)."""
        return self._chunk_bytes

    @property
    def passthrough(self) -> bool:
        """True when the input is already in the target format (chunks are only re-cut)."""
        return self._conv.passthrough

    @property
    def bytes_read(self) -> int:
        """Bytes of target-format audio handed out so far."""
        return self._bytes_out

    @property
    def position_ticks(self) -> int:
        """Audio handed out so far, in 100-ns ticks."""
        return self._format.bytes_to_ticks(self._bytes_out)

    @property
    def closed(self) -> bool:
        """True once the stream has ended or been closed."""
        return self._closed

    def wav_header(self) -> bytes:
        """The 44-byte streaming WAV header (sizes 0) for :attr:`format`."""
        return self._format.wav_header()

    # -- shared logic ---------------------------------------------------------------------

    def _feed(self, data: bytes | None) -> bytes | None:
        """Take in a piece of input; returns it as the next chunk when it is exactly one."""
        if data is None:
            self._eof = True
            self._buf += self._conv.flush()
            return None
        out = self._conv.convert(data)
        if not self._buf and len(out) == self._chunk_bytes and type(out) is bytes:
            return out  # the usual case for raw PCM read in chunk-sized blocks: no copy
        self._buf += out
        return None

    def _take(self) -> bytes | None:
        """Cut the next chunk from the buffer, or None at the end."""
        if not self._buf:
            if self._bytes_out == 0 and self._source.must_have_audio:
                self.close()
                raise AudioError(f"{self._source.what} contains no audio (zero length)")
            self.close()
            return None
        buf = self._buf
        n = self._chunk_bytes
        if n >= len(buf):
            chunk = bytes(buf)
            buf.clear()
            return chunk
        with memoryview(buf) as view:
            chunk = bytes(view[:n])  # one copy (a bytearray slice would make two)
        del buf[:n]
        return chunk

    def _delay(self, chunk_len: int) -> float:
        """Seconds to wait before releasing a chunk (realtime pacing), and book-keeping."""
        delay = 0.0
        if self._realtime:
            now = _clock()
            if self._t0 is None:
                self._t0 = now
            due = self._t0 + self._format.bytes_to_seconds(self._bytes_out)
            delay = due - now
        self._bytes_out += chunk_len
        return delay

    def _wrap(self, exc: Exception) -> AudioError:
        self.close()
        if isinstance(exc, AudioError):
            return exc
        return AudioError(f"reading {self._source.what} failed: {type(exc).__name__}: {exc}")

    # -- sync iteration -------------------------------------------------------------------

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        try:
            chunk = None
            while len(self._buf) < self._chunk_bytes and not self._eof:
                chunk = self._feed(self._source.read())
                if chunk is not None:
                    break
            else:
                chunk = self._take()
        except Exception as exc:
            raise self._wrap(exc) from exc
        if chunk is None:
            raise StopIteration
        delay = self._delay(len(chunk))
        if delay > 0:
            _sleep(delay)
        return chunk

    # -- async iteration ---------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        try:
            chunk = None
            while len(self._buf) < self._chunk_bytes and not self._eof:
                chunk = self._feed(await self._source.aread())
                if chunk is not None:
                    break
            else:
                chunk = self._take()
        except Exception as exc:
            raise self._wrap(exc) from exc
        if chunk is None:
            raise StopAsyncIteration
        delay = self._delay(len(chunk))
        if delay > 0:
            await _asleep(delay)
        return chunk

    # -- whole-stream helpers -------------------------------------------------------------

    def read_all(self) -> bytes:
        """Read the rest of the stream into one bytes object (ignores realtime pacing)."""
        realtime, self._realtime = self._realtime, False
        try:
            return b"".join(self)
        finally:
            self._realtime = realtime

    async def aread_all(self) -> bytes:
        """Async form of :meth:`read_all`."""
        realtime, self._realtime = self._realtime, False
        try:
            return b"".join([chunk async for chunk in self])
        finally:
            self._realtime = realtime

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        """Stop reading and release the input (files are closed, push streams abandoned)."""
        if not self._closed:
            self._closed = True
            self._buf.clear()
            self._source.close()

    async def aclose(self) -> None:
        """Async form of :meth:`close`."""
        self.close()

    def __enter__(self) -> PcmStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> PcmStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"PcmStream(format={self._format}, source={self._source.what!r}, "
            f"chunk_ms={self._chunk_ms}, realtime={self._realtime})"
        )


def open_pcm_stream(
    audio: AudioInput,
    *,
    target: PcmFormat = _DEFAULT_TARGET,
    sample_rate: int | None = None,
    chunk_ms: int = 100,
    realtime: bool = False,
    input_format: PcmFormat | None = None,
) -> PcmStream:
    """Open any audio input as a :class:`PcmStream` of *target*-format chunks.

    Args:
        audio: a path; bytes of a WAV/FLAC/Ogg/MP3 file; a binary file
            object; a numpy array (int16, int32 or float in ``[-1, 1]``, shape
            ``(n,)`` or ``(n, channels)``) with *sample_rate*; an
            ``(array, rate)`` tuple; a sync or async iterable of raw PCM
            bytes; a :class:`PushStream` or :class:`AsyncPushStream` (or a
            :func:`microphone`); an :class:`Audio` (e.g. synthesized speech).
        target: the format of the chunks (default 16 kHz 16-bit mono PCM).
            Channels are averaged down to mono; rates are converted with soxr.
        sample_rate: the rate of a numpy array (required for arrays), or of
            raw PCM when *input_format* is not given (16-bit mono assumed).
            Ignored for container files, whose header is authoritative.
        chunk_ms: milliseconds of audio per chunk.
        realtime: release chunks at 1x real time instead of as fast as read.
        input_format: the format of raw PCM input (iterables, push streams
            without a format, or bytes/files that have no container header).
            Default: *target*, for iterables and push streams. Bytes and
            files with no header are an error unless this is given.

    Float samples beyond ``[-1, 1]`` are clipped, with one warning logged to
    the ``azspeech`` logger; NaN or infinite samples raise AudioError. A WAV
    header that promises more data than the file holds is tolerated (with a
    warning): the audio that is there is used.

    Files, bytes and arrays are read in the calling thread even under
    ``async for`` (in blocks of half a second, which is quick); a sync
    iterable that blocks would block the event loop, so give blocking
    producers an :class:`AsyncPushStream` or async iterable instead.

    Raises:
        AudioError: the input cannot be read, saying why. Problems visible
            up front (missing file, bad header, bad array) are raised here;
            problems found while decoding are raised from iteration.
    """
    if not isinstance(target, PcmFormat):
        raise AudioError(f"target must be a PcmFormat, not {type(target).__name__}")
    source = make_source(audio, target=target, sample_rate=sample_rate, input_format=input_format)
    try:
        return PcmStream(source, target, chunk_ms=chunk_ms, realtime=realtime)
    except Exception:
        source.close()
        raise


def decode_audio(
    audio: AudioInput,
    *,
    sample_rate: int | None = None,
    target_rate: int | None = None,
    mono: bool = True,
    input_format: PcmFormat | None = None,
) -> tuple[npt.NDArray[np.float32], int]:
    """Decode a whole clip to float32 samples in ``[-1, 1]``; returns ``(samples, rate)``.

    *sample_rate* is the rate of a numpy array or raw PCM input (as for
    :func:`open_pcm_stream`); *target_rate* resamples (default: keep the
    input's rate). With *mono* (default) the result has shape ``(n,)``,
    channels averaged; otherwise ``(n, channels)``.

    Raises:
        AudioError: as :func:`open_pcm_stream`, and for empty audio.
    """
    if sample_rate is not None:
        sample_rate = _check_rate(sample_rate)
    if target_rate is not None:
        target_rate = _check_rate(target_rate, "target_rate")
    probe = PcmFormat(sample_rate or 16000)  # raw input defaults to 16-bit mono
    source = make_source(audio, target=probe, sample_rate=sample_rate, input_format=input_format)
    try:
        rate = source.format.sample_rate if target_rate is None else target_rate
        channels = 1 if mono else source.format.channels
        target = PcmFormat(rate, 32, channels, FORMAT_FLOAT)
        stream = PcmStream(source, target, chunk_ms=60_000)
    except Exception:
        source.close()
        raise
    with stream:
        data = stream.read_all()
    samples: npt.NDArray[np.float32] = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if not mono:
        samples = samples.reshape(-1, channels)
    return samples, rate

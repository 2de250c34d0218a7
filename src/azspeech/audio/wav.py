"""Reading RIFF/WAV headers from a byte stream, and recognising containers by their magic.

:func:`read_wav_header` walks the RIFF chunks up to the ``data`` chunk using
only forward reads, so it works on pipes and sockets as well as files. It
understands PCM (8/16/24/32-bit), IEEE float, A-law, µ-law and
WAVE_FORMAT_EXTENSIBLE wrappers of those; anything else raises
:class:`UnsupportedWav` so the caller can fall back to libsndfile.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import AudioError
from .formats import FORMAT_ALAW, FORMAT_FLOAT, FORMAT_MULAW, FORMAT_PCM, PcmFormat

__all__ = ["UnsupportedWav", "WavInfo", "read_wav_header", "sniff_container"]

_EXTENSIBLE = 0xFFFE
_KNOWN_TAGS = (FORMAT_PCM, FORMAT_FLOAT, FORMAT_ALAW, FORMAT_MULAW)
_MAX_SKIPPED_CHUNK = 64 * 1024 * 1024
_MAX_CHUNKS = 1000


class UnsupportedWav(AudioError):
    """A well-formed WAV file whose encoding this module does not decode itself."""


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says.

    Attributes:
        format: the sample format.
        data_size: bytes in the ``data`` chunk as the header states them, or
            None when the header leaves it open (0 or 0xFFFFFFFF, as streams do).
        header_size: bytes read before the first data byte.
    """

    format: PcmFormat
    data_size: int | None
    header_size: int


def sniff_container(head: bytes) -> str | None:
    """Name the container of a file from its first bytes (12 are enough), or None.

    Returns ``"wav"``, ``"flac"``, ``"ogg"``, ``"mp3"``, ``"aiff"``, ``"webm"``,
    ``"w64"`` or None. MPEG audio without an ID3 tag is recognised by its frame
    sync, which raw PCM can imitate; callers that know the input is raw PCM
    should not sniff it.
    """
    if head[:4] in (b"RIFF", b"RF64", b"RIFX") and (len(head) < 12 or head[8:12] == b"WAVE"):
        return "wav"  # (a RIFF file cut short is reported as a truncated WAV)
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 12 and head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"riff":
        return "w64"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        layer = (head[1] >> 1) & 0x03
        version = (head[1] >> 3) & 0x03
        if layer != 0 and version != 1:
            return "mp3"
    return None


def _read_exact(read: Callable[[int], bytes], n: int, what: str) -> bytes:
    data = b""
    while len(data) < n:
        piece = read(n - len(data))
        if not piece:
            raise AudioError(f"truncated WAV: the file ends inside the {what}")
        data += piece
    return data


def _skip(read: Callable[[int], bytes], n: int, what: str) -> None:
    while n > 0:
        piece = read(min(n, 1 << 16))
        if not piece:
            raise AudioError(f"truncated WAV: the file ends inside the {what}")
        n -= len(piece)


def _parse_fmt(body: bytes) -> PcmFormat:
    if len(body) < 16:
        raise AudioError(f"malformed WAV: 'fmt ' chunk of {len(body)} bytes (need at least 16)")
    tag, channels, rate, _byte_rate, align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise AudioError("malformed WAV: WAVE_FORMAT_EXTENSIBLE header is too short")
        tag = struct.unpack("<H", body[24:26])[0]
    if tag not in _KNOWN_TAGS:
        raise UnsupportedWav(f"WAV encoding with format tag {tag:#06x}")
    if channels == 0:
        raise AudioError("malformed WAV: the header says 0 channels")
    if rate == 0:
        raise AudioError("malformed WAV: the header says the sample rate is 0 Hz")
    if bits == 0 or bits % 8:
        # Samples narrower than their container (e.g. 12 bits in 16): use the container.
        if align and channels and align % channels == 0:
            bits = (align // channels) * 8
        else:
            raise AudioError(f"unsupported sample width: {bits} bits per sample")
    if align != channels * bits // 8:
        container_bits = (align // channels) * 8 if align % channels == 0 else 0
        if container_bits and container_bits > bits:
            bits = container_bits
        else:
            raise AudioError(
                f"malformed WAV: block align {align} does not match "
                f"{channels} channel(s) of {bits} bits"
            )
    return PcmFormat(rate, bits, channels, tag)


def read_wav_header(read: Callable[[int], bytes]) -> WavInfo:
    """Read a WAV header with *read* (like ``file.read``), stopping at the first data byte.

    Raises:
        AudioError: the header is truncated or malformed, or describes a
            sample width or rate that cannot be used.
        UnsupportedWav: a valid header for an encoding decoded elsewhere.
    """
    head = _read_exact(read, 12, "RIFF header")
    if head[:4] == b"RIFX":
        raise UnsupportedWav("big-endian (RIFX) WAV")
    if head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        raise AudioError("not a WAV file: it does not start with RIFF....WAVE")
    offset = 12
    fmt: PcmFormat | None = None
    ds64_data_size: int | None = None
    for _ in range(_MAX_CHUNKS):
        chunk = _read_exact(read, 8, "chunk headers before the audio data")
        offset += 8
        cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if cid == b"data":
            if fmt is None:
                raise AudioError("malformed WAV: the 'data' chunk comes before any 'fmt ' chunk")
            data_size: int | None = size
            if head[:4] == b"RF64" and size == 0xFFFFFFFF:
                data_size = ds64_data_size
            if data_size in (0, 0xFFFFFFFF):
                data_size = None
            return WavInfo(fmt, data_size, offset)
        if cid == b"fmt ":
            if size > 4096:
                raise AudioError(f"malformed WAV: 'fmt ' chunk of {size} bytes")
            body = _read_exact(read, size + (size & 1), "'fmt ' chunk")
            fmt = _parse_fmt(body[:size])
        elif cid == b"ds64" and size >= 16:
            body = _read_exact(read, size + (size & 1), "'ds64' chunk")
            ds64_data_size = struct.unpack("<Q", body[8:16])[0]
        else:
            if size > _MAX_SKIPPED_CHUNK:
                raise AudioError(
                    f"malformed WAV: chunk {cid!r} claims {size} bytes before the audio data"
                )
            _skip(read, size + (size & 1), f"{cid.decode('latin-1')!r} chunk")
        offset += size + (size & 1)
    raise AudioError(f"malformed WAV: no 'data' chunk within the first {_MAX_CHUNKS} chunks")

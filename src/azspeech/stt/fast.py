"""Fast transcription (``POST /speechtotext/transcriptions:transcribe``).

A multipart request with the ``definition`` JSON and, unless the audio is
given by URL, an ``audio`` file part. A path is streamed from disk (httpx
reads the open file in pieces; the file is reopened for each retry), and its
size is checked against the limit before anything is sent.
"""

from __future__ import annotations

import contextlib
import io
import json
import mimetypes
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from .._transport.http import HttpRequest
from ..audio.paths import audio_path
from ..endpoints import Endpoints
from ..errors import AudioError, ProtocolError
from ..models.stt import (
    CombinedPhrase,
    TranscribedPhrase,
    TranscribedWord,
    TranscriptionResult,
)
from ..options.fast import FastProfanity, FastTranscriptionOptions

__all__ = [
    "DEFAULT_API_VERSION",
    "MAX_UPLOAD_BYTES",
    "FastTranscriptionRequest",
    "build_definition",
    "parse_transcription",
]

DEFAULT_API_VERSION = "2025-10-15"
# The 2025-10-15 OpenAPI text: "shorter than 2 hours ... and smaller than 250 MB".
MAX_UPLOAD_BYTES = 250 * 1024 * 1024


def build_definition(
    *,
    locales: Sequence[str] | None = None,
    diarization: bool | int | None = None,
    channels: Sequence[int] | None = None,
    profanity: FastProfanity | None = None,
    phrases: Sequence[str] | None = None,
    phrase_weight: float | None = None,
    audio_url: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``definition`` JSON of a fast-transcription request (validated).

    Kept for callers of the old helper; :class:`~azspeech.options.FastTranscriptionOptions`
    is the value the resource builds.
    """
    options = FastTranscriptionOptions(
        locales=locales, diarization=diarization, channels=channels, profanity=profanity,
        phrases=phrases, phrase_weight=phrase_weight, extra_definition=extra or {},
    )  # fmt: skip
    return options.definition(audio_url)


@dataclass
class FastTranscriptionRequest:
    """The audio part of a request, opened afresh for each attempt."""

    filename: str
    content_type: str
    opener: Callable[[], IO[bytes] | bytes]
    size: int | None
    _opened: list[IO[bytes]] = field(default_factory=list)

    def open(self) -> IO[bytes] | bytes:
        f = self.opener()
        if not isinstance(f, (bytes, bytearray)):
            self._opened.append(f)
        return f

    def close(self) -> None:
        for f in self._opened:
            with contextlib.suppress(Exception):
                f.close()
        self._opened.clear()


def _content_type(name: str) -> str:
    ctype, _ = mimetypes.guess_type(name)
    return ctype or "application/octet-stream"


def audio_part(audio: Any, *, max_bytes: int | None) -> FastTranscriptionRequest:
    """Describe how to send *audio* (path, bytes, binary file object or other audio input)."""

    def check(size: int | None, what: str) -> None:
        if size is not None and max_bytes is not None and size > max_bytes:
            raise AudioError(
                f"{what} is {size / 2**20:.1f} MB, over the fast-transcription upload limit of "
                f"{max_bytes / 2**20:g} MB; pass audio_url=... (a blob URL) or raise "
                "max_upload_bytes if your service accepts more",
                code="AudioTooLarge",
            )
        if size == 0:
            raise AudioError(f"{what} is empty", code="EmptyAudio")

    if isinstance(audio, (str, os.PathLike)):
        path = audio_path(audio)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise AudioError(f"cannot read audio file {str(path)!r}: {exc}") from exc
        if not path.is_file():
            raise AudioError(f"{str(path)!r} is not a file")
        check(size, f"audio file {path.name!r}")
        return FastTranscriptionRequest(
            path.name, _content_type(path.name), lambda: open(path, "rb"), size
        )
    if isinstance(audio, (bytes, bytearray, memoryview)):
        data = bytes(audio)
        check(len(data), "the audio")
        return FastTranscriptionRequest("audio.wav", "audio/wav", lambda: data, len(data))
    if hasattr(audio, "read"):
        fobj = audio
        name = os.path.basename(str(getattr(fobj, "name", "audio") or "audio"))
        fsize: int | None = None
        start = 0
        if fobj.seekable():
            start = fobj.tell()
            fsize = fobj.seek(0, io.SEEK_END) - start
            fobj.seek(start)
        check(fsize, f"audio {name!r}")

        def reopen() -> IO[bytes]:
            if fobj.seekable():
                fobj.seek(start)
            return _NoClose(fobj, start)  # type: ignore[return-value]

        return FastTranscriptionRequest(name, _content_type(name), reopen, fsize)
    # Anything else the audio layer understands (numpy arrays, iterators...): as WAV.
    from ..audio import PcmFormat, open_pcm_stream

    fmt = PcmFormat(16000, 16, 1)
    pcm = bytearray()
    for chunk in open_pcm_stream(audio, target=fmt):
        pcm += chunk
        if max_bytes is not None and len(pcm) > max_bytes:
            check(len(pcm), "the audio")
    wav = fmt.wav_header(len(pcm)) + bytes(pcm)
    check(len(wav), "the audio")
    return FastTranscriptionRequest("audio.wav", "audio/wav", lambda: wav, len(wav))


class _NoClose(io.RawIOBase):
    """A view of a caller's file from *start* on, which our cleanup does not close.

    A seekable file stays seekable through the view, with positions counted
    from *start*: httpx's ``seek(0)`` before each upload and a retry's rewind
    go back to where the caller's file was, not to its first byte, and the
    upload needs no spool (and gets a Content-Length).
    """

    def __init__(self, f: IO[bytes], start: int = 0) -> None:
        self._f = f
        self._start = start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        try:
            return bool(self._f.seekable())
        except (AttributeError, OSError, ValueError):
            return False

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self.seekable():
            raise io.UnsupportedOperation("seek")
        if whence == io.SEEK_SET:
            target = self._start + offset
        elif whence == io.SEEK_CUR:
            target = self._f.tell() + offset
        else:
            target = self._f.seek(0, io.SEEK_END) + offset
        if target < self._start:
            raise ValueError(f"seek to before the start of the audio ({target - self._start})")
        return self._f.seek(target) - self._start

    def tell(self) -> int:
        if not self.seekable():
            raise io.UnsupportedOperation("tell")
        return self._f.tell() - self._start

    def read(self, size: int | None = -1) -> bytes:
        return self._f.read(-1 if size is None else size)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))  # through read(): a subclass counting reads sees these too
        n = len(data)
        b[:n] = data
        return n

    def close(self) -> None:
        pass


def transcribe_request(
    endpoints: Endpoints,
    definition: Mapping[str, Any],
    part: FastTranscriptionRequest | None,
    api_version: str,
) -> HttpRequest:
    url = endpoints.rest("/speechtotext/transcriptions:transcribe")
    definition_json = json.dumps(definition, separators=(",", ":"))

    def files() -> Mapping[str, Any]:
        out: dict[str, Any] = {"definition": (None, definition_json, "application/json")}
        if part is not None:
            out["audio"] = (part.filename, part.open(), part.content_type)
        return out

    return HttpRequest(
        "POST",
        url,
        params={"api-version": api_version},
        headers={"Accept": "application/json"},
        files=files,
        retry_safe=True,  # transcription has no side effect
        what="fast transcription",
    )


def _req_int(obj: Mapping[str, Any], key: str, what: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value is None:
            raise ProtocolError(f"{what}: missing required field {key!r}")
        raise ProtocolError(f"{what}: field {key!r} must be a number, got {value!r}")
    return int(value)


def _opt_int(obj: Mapping[str, Any], key: str, what: str) -> int | None:
    if obj.get(key) is None:
        return None
    return _req_int(obj, key, what)


_PHRASE_KNOWN = {
    "text", "offsetMilliseconds", "durationMilliseconds", "confidence", "speaker",
    "channel", "locale", "words",
}  # fmt: skip


def parse_transcription(data: Any) -> TranscriptionResult:
    """The typed result of a fast-transcription answer (unknown fields kept)."""
    what = "fast transcription"
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{what}: the answer is not a JSON object")
    duration_ms = _req_int(data, "durationMilliseconds", what)
    combined_raw = data.get("combinedPhrases")
    phrases_raw = data.get("phrases")
    if not isinstance(combined_raw, list):
        raise ProtocolError(f"{what}: missing required list 'combinedPhrases'")
    if not isinstance(phrases_raw, list):
        raise ProtocolError(f"{what}: missing required list 'phrases'")
    combined = []
    for c in combined_raw:
        if not isinstance(c, Mapping) or not isinstance(c.get("text"), str):
            raise ProtocolError(f"{what}: a combined phrase without 'text'")
        extra = {k: v for k, v in c.items() if k not in ("text", "channel")}
        combined.append(
            CombinedPhrase(text=c["text"], channel=_opt_int(c, "channel", what), **extra)
        )
    phrases = []
    for p in phrases_raw:
        if not isinstance(p, Mapping) or not isinstance(p.get("text"), str):
            raise ProtocolError(f"{what}: a phrase without 'text'")
        off = _req_int(p, "offsetMilliseconds", what)
        dur = _req_int(p, "durationMilliseconds", what)
        words = []
        for w in p.get("words") or []:
            if not isinstance(w, Mapping) or not isinstance(w.get("text"), str):
                raise ProtocolError(f"{what}: a word without 'text'")
            woff = _req_int(w, "offsetMilliseconds", what) if "offsetMilliseconds" in w else 0
            wdur = _req_int(w, "durationMilliseconds", what) if "durationMilliseconds" in w else 0
            wextra = {
                k: v
                for k, v in w.items()
                if k not in ("text", "offsetMilliseconds", "durationMilliseconds")
            }
            words.append(
                TranscribedWord(
                    text=w["text"],
                    offset=timedelta(milliseconds=woff),
                    duration=timedelta(milliseconds=wdur),
                    offset_ms=woff,
                    duration_ms=wdur,
                    **wextra,
                )
            )
        conf = p.get("confidence")
        if conf is not None and (isinstance(conf, bool) or not isinstance(conf, (int, float))):
            raise ProtocolError(f"{what}: confidence must be a number, got {conf!r}")
        locale = p.get("locale")
        extra = {k: v for k, v in p.items() if k not in _PHRASE_KNOWN}
        phrases.append(
            TranscribedPhrase(
                text=p["text"],
                offset=timedelta(milliseconds=off),
                duration=timedelta(milliseconds=dur),
                offset_ms=off,
                duration_ms=dur,
                confidence=float(conf) if conf is not None else None,
                speaker=_opt_int(p, "speaker", what),
                channel=_opt_int(p, "channel", what),
                locale=locale if isinstance(locale, str) else None,
                words=words,
                **extra,
            )
        )
    return TranscriptionResult(
        duration=timedelta(milliseconds=duration_ms),
        duration_ms=duration_ms,
        combined_phrases=combined,
        phrases=phrases,
        raw=dict(data),
    )

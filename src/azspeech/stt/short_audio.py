"""Speech to text REST API for short audio (``/speech/recognition/conversation/...``, ≤ 60 s).

The audio is decoded to 16 kHz mono PCM, measured (a clip over the limit is
refused before anything is sent), and uploaded chunked: the first chunk is
the WAV header, then the PCM in pieces.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._protocol.stt import AudioFormat, RecognitionOptions, build_query, parse_result
from .._transport.http import HttpRequest
from ..endpoints import Endpoints
from ..errors import AudioError, ProtocolError
from ..models.stt import RecognitionResult

__all__ = ["SHORT_AUDIO_LIMIT_SECONDS", "ShortAudioCollector", "short_audio_request"]

SHORT_AUDIO_LIMIT_SECONDS = 60.0
UPLOAD_CHUNK = 32000  # 1 s of 16 kHz 16-bit mono per chunk


class ShortAudioCollector:
    """Collects PCM up to the limit; raises AudioError as soon as it is exceeded."""

    def __init__(self, fmt: AudioFormat, limit_seconds: float = SHORT_AUDIO_LIMIT_SECONDS) -> None:
        self.format = fmt
        self.limit_seconds = limit_seconds
        self.max_bytes = int(limit_seconds * fmt.bytes_per_second)
        self.buf = bytearray()

    def add(self, chunk: bytes) -> None:
        self.buf += chunk
        if len(self.buf) > self.max_bytes:
            raise AudioError(
                f"audio longer than the short-audio limit of {self.limit_seconds:g} s; use "
                "client.stt.connect(...) or client.stt.transcribe(...) for longer audio",
                code="AudioTooLong",
            )

    def finish(self) -> bytes:
        if not self.buf:
            raise AudioError("no audio to recognize (zero-length input)", code="EmptyAudio")
        return bytes(self.buf)


def _chunks(fmt: AudioFormat, pcm: bytes) -> Iterator[bytes]:
    yield fmt.wav_header(len(pcm))
    for i in range(0, len(pcm), UPLOAD_CHUNK):
        yield pcm[i : i + UPLOAD_CHUNK]


async def _achunks(fmt: AudioFormat, pcm: bytes) -> AsyncIterator[bytes]:
    for chunk in _chunks(fmt, pcm):
        yield chunk


def short_audio_request(
    endpoints: Endpoints, opts: RecognitionOptions, fmt: AudioFormat, pcm: bytes, *, is_async: bool
) -> HttpRequest:
    """The POST for *pcm* (the body a generator, so httpx sends it chunked)."""
    url = endpoints.stt("/speech/recognition/conversation/cognitiveservices/v1")
    url += "?" + build_query(opts)

    def body() -> Any:
        return _achunks(fmt, pcm) if is_async else _chunks(fmt, pcm)

    return HttpRequest(
        "POST",
        url,
        headers={
            "Content-Type": f"audio/wav; codecs=audio/pcm; samplerate={fmt.sample_rate}",
            "Accept": "application/json",
            **opts.headers(),  # Pronunciation-Assessment
        },
        content=body,
        retry_safe=True,  # recognition has no side effect
        what="short-audio recognition",
    )


def parse_short_audio(data: Any) -> RecognitionResult:
    """The result of a short-audio request (same JSON as ``speech.phrase``)."""
    if not isinstance(data, dict):
        raise ProtocolError("short-audio recognition: the answer is not a JSON object")
    return parse_result(data, 0, what="short-audio response")

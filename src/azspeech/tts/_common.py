"""What the blocking and async text-to-speech front ends share: input checks,
request descriptions, the voices cache and the sentence splitter."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .._protocol.tts import MetadataOptions
from .._transport.http import HttpRequest
from ..audio.formats import OutputFormat
from ..endpoints import Endpoints
from ..errors import InvalidRequestError
from ..models.tts import Voice
from ..ssml import (
    MAX_SSML_BYTES,
    is_ssml,
    remove_invalid_xml_chars,
    text_to_ssml,
    validate_ssml,
)

if TYPE_CHECKING:
    from ..audio import Audio

__all__ = [
    "DEFAULT_STREAM_FORMAT",
    "DEFAULT_VOICE",
    "PreparedSynthesis",
    "SentenceSplitter",
    "Transport",
    "VoiceCache",
    "make_audio",
    "prepare",
    "rest_request",
    "voices_request",
]

DEFAULT_VOICE = "en-US-AvaMultilingualNeural"
DEFAULT_FORMAT = "riff-24khz-16bit-mono-pcm"
DEFAULT_STREAM_FORMAT = "raw-24khz-16bit-mono-pcm"
WS_PATH = "/cognitiveservices/websocket/v1"
WS_STREAMING_PATH = "/cognitiveservices/websocket/v2"
REST_PATH = "/cognitiveservices/v1"
VOICES_PATH = "/cognitiveservices/voices/list"
VOICES_TTL = 3600.0

Transport = Literal["auto", "rest", "websocket"]


@dataclass(frozen=True)
class PreparedSynthesis:
    """One checked request: the input as given, the SSML to send, the formats."""

    text: str
    ssml: str
    is_ssml: bool
    output_format: OutputFormat
    request_format: OutputFormat
    options: MetadataOptions
    deployment_id: str | None

    @property
    def write_header(self) -> bool:
        """Whether the client writes a WAV header (riff-* asked as raw-* over the socket)."""
        return self.request_format is not self.output_format

    @property
    def bytes_per_second(self) -> int | None:
        """Byte rate of what the service sends, for PCM-like formats."""
        pcm = self.request_format.pcm_format
        return pcm.bytes_per_second if pcm is not None else None


def _check_deployment_id(deployment_id: str | None) -> str | None:
    if deployment_id is None:
        return None
    if not isinstance(deployment_id, str) or not re.fullmatch(
        r"[A-Za-z0-9._-]{1,64}", deployment_id
    ):
        raise InvalidRequestError(
            f"invalid deployment_id {deployment_id!r}: "
            "expected the custom voice endpoint id (a GUID)"
        )
    return deployment_id


def prepare(
    text_or_ssml: str,
    *,
    voice: str,
    output_format: str | OutputFormat,
    language: str,
    options: MetadataOptions | None = None,
    deployment_id: str | None = None,
    strict: bool = False,
    websocket: bool = True,
) -> PreparedSynthesis:
    """Check the input and build the SSML; raise :class:`InvalidRequestError` on bad input."""
    if not isinstance(text_or_ssml, str):
        raise TypeError(f"text_or_ssml must be a str, not {type(text_or_ssml).__name__}")
    if not text_or_ssml.strip():
        raise InvalidRequestError("nothing to synthesize: the text is empty")
    fmt = OutputFormat.parse(output_format)
    if is_ssml(text_or_ssml):
        ssml, as_ssml = text_or_ssml, True
        validate_ssml(ssml, max_bytes=MAX_SSML_BYTES)
    else:
        ssml = text_to_ssml(text_or_ssml, voice=voice, language=language, strict=strict)
        as_ssml = False
        if not remove_invalid_xml_chars(text_or_ssml).strip():
            raise InvalidRequestError(
                "nothing to synthesize: the text holds only characters XML cannot carry"
            )
        size = len(ssml.encode("utf-8"))
        if size > MAX_SSML_BYTES:
            raise InvalidRequestError(
                f"the text makes {size} bytes of SSML; the service accepts at most "
                f"{MAX_SSML_BYTES} bytes ({MAX_SSML_BYTES // 1024} KB) per request. Split it "
                "(stream_text() does that sentence by sentence)."
            )
    request_format = fmt
    if websocket and fmt.has_header and fmt.pcm_format is not None:
        request_format = fmt.request_format
    return PreparedSynthesis(
        text=text_or_ssml,
        ssml=ssml,
        is_ssml=as_ssml,
        output_format=fmt,
        request_format=request_format,
        options=options or MetadataOptions(),
        deployment_id=_check_deployment_id(deployment_id),
    )


def options_for(
    *,
    word_boundary: bool,
    sentence_boundary: bool,
    punctuation_boundary: bool | None,
    visemes: bool,
    bookmarks: bool,
) -> MetadataOptions:
    """The metadata options of a stream request (punctuation follows words by default)."""
    return MetadataOptions(
        word_boundary=word_boundary,
        punctuation_boundary=word_boundary
        if punctuation_boundary is None
        else punctuation_boundary,
        sentence_boundary=sentence_boundary,
        bookmarks=bookmarks,
        visemes=visemes,
        session_end=True,
    )


def rest_request(endpoints: Endpoints, prepared: PreparedSynthesis) -> HttpRequest:
    """The REST synthesis request (``POST /cognitiveservices/v1``)."""
    params = {"deploymentId": prepared.deployment_id} if prepared.deployment_id else None
    return HttpRequest(
        "POST",
        endpoints.tts(REST_PATH, custom_voice=prepared.deployment_id is not None),
        headers={
            "Content-Type": "application/ssml+xml",
            "X-Microsoft-OutputFormat": prepared.output_format.value,
        },
        params=params,
        content=prepared.ssml.encode("utf-8"),
        retry_safe=False,
        what="speech synthesis",
    )


def voices_request(endpoints: Endpoints) -> HttpRequest:
    """The voices-list request."""
    return HttpRequest("GET", endpoints.tts(VOICES_PATH), what="voices list")


def ws_url(endpoints: Endpoints, deployment_id: str | None, *, streaming: bool = False) -> str:
    """The synthesis WebSocket URL (v2 for text streaming; voice host for custom voices)."""
    url = endpoints.tts(
        WS_STREAMING_PATH if streaming else WS_PATH,
        websocket=True,
        custom_voice=deployment_id is not None,
    )
    if deployment_id is not None:
        url += ("&" if "?" in url else "?") + "deploymentId=" + deployment_id
    return url


def parse_voices(data: Any) -> list[Voice]:
    """The voices list body as typed voices."""
    if not isinstance(data, list):
        from ..errors import ProtocolError

        raise ProtocolError("voices list: expected a JSON array")
    return [Voice.model_validate(item) for item in data if isinstance(item, Mapping)]


def filter_voices(voices: list[Voice], locale: str | None) -> list[Voice]:
    """The voices of *locale* (case-insensitive), or all of them."""
    if locale is None:
        return list(voices)
    wanted = locale.strip().lower()
    return [v for v in voices if v.locale.lower() == wanted]


class VoiceCache:
    """The voices list, kept for *ttl* seconds (per client)."""

    def __init__(
        self, ttl: float = VOICES_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._voices: list[Voice] | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def get(self) -> list[Voice] | None:
        """The cached list, if fresh."""
        with self._lock:
            if self._voices is not None and self._clock() - self._at < self.ttl:
                return self._voices
            return None

    def put(self, voices: list[Voice]) -> None:
        """Remember *voices*."""
        with self._lock:
            self._voices, self._at = voices, self._clock()

    def clear(self) -> None:
        """Forget the cached list."""
        with self._lock:
            self._voices = None


def make_audio(data: bytes, prepared: PreparedSynthesis) -> Audio:
    """The :class:`~azspeech.audio.Audio` result, with a WAV header written when needed."""
    from ..audio import Audio

    fmt = prepared.output_format
    if prepared.write_header:
        pcm = fmt.pcm_format
        assert pcm is not None
        data = pcm.wav_header(len(data)) + data
    return Audio(data, fmt)


# -- sentence chunking ----------------------------------------------------------------

_SENTENCE_END = re.compile(r"""[.!?。！？…]+["'”’)\]]*(?=\s)|\n\s*\n""")
# A full stop after these is not the end of a sentence ("Dr. Smith", "e.g. this").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "e.g",
        "i.e",
        "fig",
        "approx",
        "dept",
        "inc",
        "ltd",
    ]
)


def _sentence_end(text: str, start: int = 0) -> int | None:
    """Where the first complete sentence of *text* (from *start*) ends, or None."""
    while True:
        match = _SENTENCE_END.search(text, start)
        if match is None:
            return None
        if text[match.start()] == ".":
            word = text[: match.start()].rsplit(None, 1)[-1:] or [""]
            token = word[0].lower().lstrip("(\"'“‘")
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                start = match.end()
                continue
        return match.end()


class SentenceSplitter:
    """Cuts text arriving in pieces into sentences as soon as each one is complete.

    A sentence ends at ``.``, ``!``, ``?`` (and CJK equivalents) followed by
    whitespace, or at a blank line, but not at the full stop of a common
    abbreviation or an initial ("Dr. Smith", "J. R. R. Tolkien"); a run longer
    than *max_chars* is cut at its last space, so synthesis never waits long
    for a missing full stop.
    """

    def __init__(self, max_chars: int = 300) -> None:
        self.max_chars = max_chars
        self._buf = ""
        self._consumed = 0  # characters of the whole text before _buf

    def feed(self, piece: str) -> list[tuple[int, str]]:
        """Add *piece*; return the completed sentences as (offset in the whole text, text)."""
        self._buf += piece
        out: list[tuple[int, str]] = []
        while True:
            cut = _sentence_end(self._buf)
            if cut is None and len(self._buf) > self.max_chars:
                space = self._buf.rfind(" ", 0, self.max_chars)
                cut = space + 1 if space > 0 else self.max_chars
            if cut is None:
                return out
            self._emit(cut, out)

    def _emit(self, cut: int, out: list[tuple[int, str]]) -> None:
        chunk, self._buf = self._buf[:cut], self._buf[cut:]
        start = self._consumed
        self._consumed += cut
        stripped = chunk.strip()
        if stripped:
            out.append((start + (len(chunk) - len(chunk.lstrip())), stripped))

    def flush(self) -> list[tuple[int, str]]:
        """The rest of the text, once no more pieces come."""
        out: list[tuple[int, str]] = []
        if self._buf:
            self._emit(len(self._buf), out)
        return out

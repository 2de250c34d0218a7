"""What the blocking and async text-to-speech front ends share: argument checks
(done once per call, in the caller's thread), request descriptions and the
checks on what the service answered."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._protocol.tts import MetadataOptions
from .._resource import response_request_id
from .._transport.http import HttpRequest
from ..audio.formats import OutputFormat
from ..endpoints import Endpoints
from ..errors import ConfigurationError, InvalidRequestError, ProtocolError
from ..ssml import (
    MAX_SSML_BYTES,
    is_ssml,
    remove_invalid_xml_chars,
    text_to_ssml,
    validate_ssml,
)
from ._voices import VoiceCache, filter_voices, parse_voices, voices_request

if TYPE_CHECKING:
    import httpx

    from ._result import SynthesizedAudio

__all__ = [
    "DEFAULT_FORMAT",
    "DEFAULT_STREAM_FORMAT",
    "DEFAULT_VOICE",
    "MAX_STREAM_TEXT_CHARS",
    "PreparedSynthesis",
    "StreamTextPlan",
    "Transport",
    "VoiceCache",
    "check_transport",
    "clean_piece",
    "filter_voices",
    "make_audio",
    "options_for",
    "parse_voices",
    "plan_stream",
    "plan_stream_text",
    "prepare",
    "rest_audio",
    "rest_request",
    "voices_request",
    "ws_url",
]

DEFAULT_VOICE = "en-US-AvaMultilingualNeural"
"""The voice used when none is given."""
DEFAULT_FORMAT = "riff-24khz-16bit-mono-pcm"
DEFAULT_STREAM_FORMAT = "raw-24khz-16bit-mono-pcm"
WS_PATH = "/cognitiveservices/websocket/v1"
WS_STREAMING_PATH = "/cognitiveservices/websocket/v2"
REST_PATH = "/cognitiveservices/v1"
MAX_STREAM_TEXT_CHARS = 100_000
"""Most text one ``stream_text(mode="service")`` request takes (the service stops at ten minutes of
audio, about 10,000 characters; the text is kept for offsets).
"""

Transport = Literal["auto", "rest", "websocket"]
StreamTextMode = Literal["service", "sentences"]


def check_transport(transport: str) -> None:
    """Refuse a transport other than ``auto``, ``rest`` and ``websocket``."""
    if transport not in ("auto", "rest", "websocket"):
        raise ConfigurationError(
            f"transport must be 'auto', 'rest' or 'websocket', not {transport!r}"
        )


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


def make_audio(
    data: bytes, prepared: PreparedSynthesis, request_id: str | None = None
) -> SynthesizedAudio:
    """The :class:`~azspeech.audio.Audio` result, with a WAV header written when needed."""
    from ._result import SynthesizedAudio  # numpy only once audio is made

    fmt = prepared.output_format
    if prepared.write_header:
        pcm = fmt.pcm_format
        assert pcm is not None
        data = pcm.wav_header(len(data)) + data
    return SynthesizedAudio(data, fmt, request_id=request_id)


_NOT_AUDIO = ("text/", "application/json", "application/xml", "application/xhtml")


def rest_audio(response: httpx.Response, prepared: PreparedSynthesis) -> SynthesizedAudio:
    """The audio of a REST synthesis answer, after checking it is audio at all.

    A redirect or error page, an empty answer (204 or no body) or a RIFF
    format without its header is a :class:`ProtocolError`, never an ``Audio``.
    The result carries the answer's request id. (This check, rather than
    ``HttpRequest(expect="audio/")``, is the one used: it also takes an
    answer without a Content-Type, as before.)
    """
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not 200 <= response.status_code < 300 or response.status_code == 204:
        raise ProtocolError(
            f"speech synthesis: the service answered {response.status_code} without audio",
            status_code=response.status_code,
        )
    if ctype.startswith(_NOT_AUDIO) or "html" in ctype:
        raise ProtocolError(
            f"speech synthesis: the service answered with {ctype}, not audio "
            "(a proxy or login page in the way?)",
            status_code=response.status_code,
        )
    data = response.content
    if not data:
        raise ProtocolError("speech synthesis: the service returned no audio")
    if prepared.output_format.has_header and data[:4] != b"RIFF":
        raise ProtocolError(
            f"speech synthesis: the answer is not {prepared.output_format.value} audio "
            "(no RIFF header)"
        )
    return make_audio(data, prepared, response_request_id(response))


def plan_stream(
    text_or_ssml: str,
    *,
    voice: str,
    output_format: str | OutputFormat,
    language: str,
    word_boundary: bool,
    sentence_boundary: bool,
    punctuation_boundary: bool | None,
    visemes: bool,
    bookmarks: bool,
    deployment_id: str | None,
    strict: bool,
) -> PreparedSynthesis:
    """The checked request of a ``stream()`` call."""
    return prepare(
        text_or_ssml,
        voice=voice,
        output_format=output_format,
        language=language,
        options=options_for(
            word_boundary=word_boundary,
            sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary,
            visemes=visemes,
            bookmarks=bookmarks,
        ),
        deployment_id=deployment_id,
        strict=strict,
    )


@dataclass(frozen=True)
class StreamTextPlan:
    """A checked ``stream_text()`` call, ready to run on either client."""

    mode: StreamTextMode
    voice: str
    language: str
    output_format: OutputFormat
    options: MetadataOptions
    deployment_id: str | None
    max_sentence_chars: int
    prosody: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def prepared(self) -> PreparedSynthesis:
        """The request of service mode (its text arrives in pieces)."""
        fmt = self.output_format
        return PreparedSynthesis(
            text="",
            ssml="",
            is_ssml=False,
            output_format=fmt,
            request_format=fmt.request_format if fmt.pcm_format is not None else fmt,
            options=self.options,
            deployment_id=self.deployment_id,
        )

    @property
    def streaming_input(self) -> dict[str, Any]:
        """The ``synthesis.input`` section of service mode."""
        section: dict[str, Any] = {"voiceName": self.voice, "language": self.language}
        for name, value in self.prosody.items():
            if value is not None:
                section[name] = str(value)
        return section


def plan_stream_text(
    *,
    voice: str,
    output_format: str | OutputFormat,
    language: str,
    mode: str,
    word_boundary: bool,
    sentence_boundary: bool,
    punctuation_boundary: bool | None,
    visemes: bool,
    bookmarks: bool,
    rate: str | None,
    pitch: str | None,
    volume: str | None,
    style: str | None,
    deployment_id: str | None,
    max_sentence_chars: int,
) -> StreamTextPlan:
    """Check the arguments of a ``stream_text()`` call."""
    if mode not in ("service", "sentences"):
        raise ConfigurationError(f"mode must be 'service' or 'sentences', not {mode!r}")
    if isinstance(max_sentence_chars, bool) or not isinstance(max_sentence_chars, int):
        raise ConfigurationError("max_sentence_chars must be an int")
    if max_sentence_chars < 1:
        raise ConfigurationError("max_sentence_chars must be at least 1")
    return StreamTextPlan(
        mode="service" if mode == "service" else "sentences",
        voice=voice,
        language=language,
        output_format=OutputFormat.parse(output_format),
        options=options_for(
            word_boundary=word_boundary,
            sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary,
            visemes=visemes,
            bookmarks=bookmarks,
        ),
        deployment_id=_check_deployment_id(deployment_id),
        max_sentence_chars=max_sentence_chars,
        prosody={"rate": rate, "pitch": pitch, "volume": volume, "style": style},
    )


def clean_piece(piece: object) -> str:
    """A text piece as the service can take it: characters XML cannot carry
    (lone surrogates, most control characters) dropped, as ``synthesize`` does."""
    if not isinstance(piece, str):
        raise TypeError(f"text pieces must be str, not {type(piece).__name__}")
    return remove_invalid_xml_chars(piece)

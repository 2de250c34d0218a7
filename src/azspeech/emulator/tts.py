"""Text to speech in the emulator: WebSocket (v1 and v2 text streaming), REST, voices list.

Routes: ``/cognitiveservices/websocket/v1`` (also under ``/tts``),
``/cognitiveservices/websocket/v2`` (text streaming; also under ``/tts``),
``POST /cognitiveservices/v1`` and ``GET /cognitiveservices/voices/list``
(both also under ``/tts``), plus batch synthesis (:mod:`.batch_synthesis`).

Speech is written with the tone codec (:mod:`.engines.tones`), so the
emulator's own speech to text reads it back. Word, punctuation and sentence
boundaries, bookmarks and visemes are computed from the same layout, so their
offsets agree with the audio sent. PCM formats (raw, RIFF, µ-law, A-law) are
produced exactly; MP3, Ogg/Opus and FLAC through libsndfile; the other
compressed formats (WebM, bare Opus frames, SILK, AMR-WB, G.722, Siren) are
refused: WebSocket close 1007 / HTTP 400 "not supported by the emulator".

A turn fails the way the service fails: a WebSocket close with code 1007 and a
reason (bad SSML, unknown voice, unknown format). With a ``deploymentId``
query parameter (custom voice) any voice name is accepted.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import math
import re
import secrets
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from .._protocol.framing import Message
from .._protocol.tts import (
    bookmark_entry,
    boundary_entry,
    session_end_entry,
    viseme_entry,
)
from ..audio.convert import float_to_bytes
from ..audio.formats import OutputFormat
from ..errors import ConfigurationError, ProtocolError
from .auth import apply_http_faults, error_response, guard_http, guard_ws
from .engines import tones
from .state import EmulatorState
from .voices import find_voice, voice_list
from .wsbase import Channel, SessionClosed

__all__ = [
    "Rendered",
    "SynthesisError",
    "UnsupportedFormat",
    "encode_audio",
    "render_ssml",
    "render_text",
    "routes",
]

logger = logging.getLogger("azspeech.emulator")

TICKS = 10_000_000
#: The service's limit on one SSML document (WebSocket turn or REST request).
MAX_SSML_BYTES = 64 * 1024
#: The service cuts synthesized audio at ten minutes.
MAX_AUDIO_SECONDS = 600
CHUNK_MS = 100
LEAD_MS = 50.0
TAIL_MS = 100.0
Encoder = Callable[..., tones.Encoded]
FloatArray = npt.NDArray[np.float32]

WS_PATHS = ("/cognitiveservices/websocket/v1", "/tts/cognitiveservices/websocket/v1")
WS_V2_PATHS = ("/cognitiveservices/websocket/v2", "/tts/cognitiveservices/websocket/v2")
REST_PATHS = ("/cognitiveservices/v1", "/tts/cognitiveservices/v1")
VOICES_PATHS = ("/cognitiveservices/voices/list", "/tts/cognitiveservices/voices/list")


class SynthesisError(ValueError):
    """The request cannot be synthesized (the service closes with 1007 / answers 400)."""


class UnsupportedFormat(SynthesisError):
    """An output format the emulator cannot encode."""


# -- SSML → items ------------------------------------------------------------------------


@dataclass
class _Text:
    text: str
    voice: str
    rate: float


@dataclass
class _Break:
    ms: float


@dataclass
class _Mark:
    name: str


_Item = _Text | _Break | _Mark

_RATE_NAMES = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25}
_RATE_NAMES["x-fast"] = 1.75
_BREAK_STRENGTH_MS = {
    "none": 0.0,
    "x-weak": 250.0,
    "weak": 500.0,
    "medium": 750.0,
    "strong": 1000.0,
    "x-strong": 1250.0,
}


def _rate(value: str | None, current: float) -> float:
    if not value:
        return current
    value = value.strip()
    if value in _RATE_NAMES:
        return _RATE_NAMES[value]
    try:
        factor = 1.0 + float(value[:-1]) / 100.0 if value.endswith("%") else float(value)
    except ValueError:
        raise SynthesisError(f"Invalid prosody rate: {value}") from None
    return min(3.0, max(0.5, factor))


def _break_ms(elem: ET.Element) -> float:
    time_attr = elem.get("time")
    if time_attr:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", time_attr)
        if not m:
            raise SynthesisError(f"Invalid break time: {time_attr}")
        value = float(m.group(1)) * (1000.0 if m.group(2) == "s" else 1.0)
        return min(value, 20000.0)
    strength = elem.get("strength")
    if strength:
        if strength not in _BREAK_STRENGTH_MS:
            raise SynthesisError(f"Invalid break strength: {strength}")
        return _BREAK_STRENGTH_MS[strength]
    return 750.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Doc:
    items: list[_Item] = field(default_factory=list)
    viseme_type: str | None = None
    voices: int = 0


def parse_ssml(ssml: str, *, any_voice: bool = False) -> _Doc:
    """The text, breaks and bookmarks of an SSML document, with voice and rate."""
    if "<!DOCTYPE" in ssml or "<!ENTITY" in ssml:
        raise SynthesisError("SSML must not contain a DTD")
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        raise SynthesisError(f"Invalid SSML: {exc}") from None
    if _local(root.tag) != "speak":
        raise SynthesisError("Invalid SSML: the root element must be speak")
    doc = _Doc()

    def add_text(text: str | None, voice: str | None, rate: float) -> None:
        if text:
            doc.items.append(_Text(text, voice or "", rate))

    def walk(elem: ET.Element, voice: str | None, rate: float) -> None:
        tag = _local(elem.tag)
        if tag == "voice":
            name = (elem.get("name") or "").strip()
            if not name:
                raise SynthesisError("Invalid SSML: voice element without a name")
            if not any_voice and find_voice(name) is None:
                raise SynthesisError(f"Unsupported voice {name}.")
            doc.voices += 1
            voice = name
        elif tag == "prosody":
            rate = _rate(elem.get("rate"), rate)
        elif tag == "break":
            doc.items.append(_Break(_break_ms(elem)))
        elif tag == "bookmark":
            doc.items.append(_Mark(elem.get("mark") or ""))
        elif tag == "viseme":
            doc.viseme_type = elem.get("type") or None
        if tag == "sub":
            add_text(" " + (elem.get("alias") or "") + " ", voice, rate)
        elif tag not in ("break", "bookmark", "viseme", "silence", "lexicon", "backgroundaudio"):
            block = tag in ("voice", "p", "s")  # these end words: "<voice>a.</voice><voice>b"
            if block:
                add_text(" ", voice, rate)
            add_text(elem.text, voice, rate)
            for child in elem:
                walk(child, voice, rate)
                add_text(child.tail, voice, rate)
            if block:
                add_text(" ", voice, rate)
        if tag == "voice" and voice is not None and doc.voices > 50:
            raise SynthesisError("Invalid SSML: more than 50 voice elements")

    walk(root, None, 1.0)
    if not any(isinstance(i, _Text) and i.voice for i in doc.items):
        # Text outside any <voice>: the service reads it with no voice only for custom voices.
        for item in doc.items:
            if isinstance(item, _Text) and not item.voice:
                item.voice = "en-US-AvaMultilingualNeural"
    return doc


# -- rendering ---------------------------------------------------------------------------


@dataclass
class Ev:
    """A metadata event at a sample position of the rendered audio."""

    start: int
    kind: str  # WordBoundary, PunctuationBoundary, SentenceBoundary, Bookmark, Viseme
    duration: int = 0
    text: str = ""
    viseme: int = 0
    animation: str | None = None
    last: bool | None = None


@dataclass
class Rendered:
    """Synthesized audio (float32 mono) and its events (sample positions)."""

    samples: FloatArray
    sample_rate: int
    events: list[Ev]

    @property
    def duration_ticks(self) -> int:
        return len(self.samples) * TICKS // self.sample_rate


def _symbols(ch: str) -> int:
    return 1 if 33 <= ord(ch) <= 126 else 4


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P") or ch in "$+<=>^`|~"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _viseme_of(ch: str) -> int:
    c = ch.lower()
    table = {"a": 2, "e": 4, "i": 6, "o": 8, "u": 7, "b": 21, "m": 21, "p": 21, "f": 18, "v": 18}
    if c in table:
        return table[c]
    return 1 + (ord(c) % 20)


class _Renderer:
    def __init__(
        self, sample_rate: int, viseme_type: str | None, encoder: Encoder = tones.encode
    ) -> None:
        self.encoder = encoder
        self.rate = sample_rate
        self.viseme_type = viseme_type
        self.pieces: list[FloatArray] = []
        self.pos = 0
        self.events: list[Ev] = []
        self.sentence: list[tuple[str, int, int]] = []
        self.last_word_sentence_end = True
        self.had_words = False
        self.face_words: list[tuple[int, int, int]] = []

    def silence(self, ms: float) -> None:
        n = round(self.rate * ms / 1000.0)
        if n > 0:
            self.pieces.append(np.zeros(n, dtype=np.float32))
            self.pos += n

    def text(self, text: str, speed: float) -> None:
        enc = self.encoder(text, self.rate, rate=speed)
        if not enc.words:
            return
        if self.had_words:
            gap = tones.SENTENCE_GAP_MS if self.last_word_sentence_end else tones.WORD_GAP_MS
            self.silence(gap / speed)
        base = self.pos
        self.pieces.append(enc.samples)
        self.pos += len(enc.samples)
        self.had_words = True
        for word in enc.words:
            self._word(word.text, base + word.start, base + word.end, word.sentence_end)

    def _word(self, token: str, start: int, end: int, sentence_end: bool) -> None:
        total = sum(_symbols(c) for c in token)
        per = (end - start) / total if total else 0.0
        i = 0
        while i < len(token) and _is_punct(token[i]):
            i += 1
        j = len(token)
        while j > i and _is_punct(token[j - 1]):
            j -= 1

        def at(k: int) -> int:
            return start + round(per * sum(_symbols(c) for c in token[:k]))

        if i > 0:
            self.events.append(
                Ev(start, "PunctuationBoundary", at(i) - start, _xml_escape(token[:i]))
            )
        if j > i:
            core = token[i:j]
            self.events.append(Ev(at(i), "WordBoundary", at(j) - at(i), _xml_escape(core)))
            self._visemes(core, at(i), at(j), [at(k) for k in range(i, j)])
        if j < len(token):
            self.events.append(
                Ev(at(j), "PunctuationBoundary", end - at(j), _xml_escape(token[j:]))
            )
        self.sentence.append((token, start, end))
        if sentence_end:
            self._end_sentence()
        self.last_word_sentence_end = sentence_end

    def _end_sentence(self) -> None:
        if not self.sentence:
            return
        text = " ".join(t for t, _, _ in self.sentence)
        start, end = self.sentence[0][1], self.sentence[-1][2]
        self.events.append(Ev(start, "SentenceBoundary", end - start, _xml_escape(text)))
        self.sentence = []

    def _visemes(self, core: str, start: int, end: int, starts: list[int]) -> None:
        if self.viseme_type == "FacialExpression":
            # frames are laid out over the whole audio in finish()
            self.face_words.append((start, end, _viseme_of(core[0])))
            return
        for ch, pos in zip(core, starts, strict=True):
            vid = _viseme_of(ch)
            if self.viseme_type == "redlips_front":
                svg = f'<svg width="1200px" height="1200px"><path d="M{vid},0 L0,{vid}"/></svg>'
                half = len(svg) // 2
                self.events.append(Ev(pos, "Viseme", viseme=vid, animation=svg[:half], last=False))
                self.events.append(Ev(pos, "Viseme", viseme=vid, animation=svg[half:], last=True))
            else:
                self.events.append(Ev(pos, "Viseme", viseme=vid))

    def _blend_shapes(self, total: int) -> None:
        """Blend-shape frames at 60 fps over the whole audio, one chunk per viseme.

        Frames are contiguous from ``FrameIndex`` 0 and cover the silences too
        (a neutral pose), so ``round(duration * 60)`` frames in all; the chunk
        of the viseme at offset *t* starts at frame ``round(t * 60)``.
        """
        n_frames = round(total / self.rate * 60)
        if n_frames <= 0:
            return
        spans = [
            (round(a / self.rate * 60), round(b / self.rate * 60)) for a, b, _ in self.face_words
        ]
        moving = np.zeros(n_frames, dtype=bool)
        for a, b in spans:
            moving[a : max(b, a + 1)] = True
        anchors: list[tuple[int, int, int]] = [(0, 0, 0)]  # (frame, sample, viseme id)
        for (start, _end, vid), (f, _) in zip(self.face_words, spans, strict=True):
            if f >= n_frames:
                continue
            if f == anchors[-1][0]:
                anchors[-1] = (f, start, vid)
            elif f > anchors[-1][0]:
                anchors.append((f, start, vid))
        bounds = [a[0] for a in anchors] + [n_frames]
        for (frame, sample, vid), end_frame in zip(anchors, bounds[1:], strict=True):
            shapes = [
                [round(0.5 + 0.5 * math.sin((i / 7.0) + k / 9.0), 3) if moving[i] else 0.0
                 for k in range(55)]
                for i in range(frame, end_frame)
            ]  # fmt: skip
            anim = json.dumps({"FrameIndex": frame, "BlendShapes": shapes}, separators=(",", ":"))
            self.events.append(Ev(sample, "Viseme", viseme=vid, animation=anim, last=True))

    def finish(self) -> Rendered:
        self._end_sentence()
        samples = np.concatenate(self.pieces) if self.pieces else np.zeros(0, dtype=np.float32)
        limit = MAX_AUDIO_SECONDS * self.rate
        if len(samples) > limit:  # the service truncates at ten minutes
            samples = samples[:limit]
            self.events = [e for e in self.events if e.start < limit]
            self.face_words = [w for w in self.face_words if w[0] < limit]
        if self.viseme_type == "FacialExpression":
            self._blend_shapes(len(samples))
        else:
            self.events.insert(0, Ev(0, "Viseme", viseme=0))
        order = {"SentenceBoundary": 0, "Bookmark": 1, "WordBoundary": 2}
        self.events.sort(key=lambda e: (e.start, order.get(e.kind, 3)))
        return Rendered(samples.astype(np.float32, copy=False), self.rate, self.events)


def render_ssml(
    ssml: str, sample_rate: int, *, any_voice: bool = False, encoder: Encoder = tones.encode
) -> Rendered:
    """Synthesize an SSML document with *encoder* (the tone codec unless told otherwise)."""
    doc = parse_ssml(ssml, any_voice=any_voice)
    r = _Renderer(sample_rate, doc.viseme_type, encoder)
    r.silence(LEAD_MS)
    pending: list[str] = []
    speed = 1.0
    for item in doc.items:
        if isinstance(item, _Text):
            if pending and item.rate != speed:
                r.text("".join(pending), speed)
                pending = []
            speed = item.rate
            pending.append(item.text)
            continue
        if pending:
            r.text("".join(pending), speed)
            pending = []
        if isinstance(item, _Break):
            r.silence(item.ms)
        else:
            r.events.append(Ev(r.pos, "Bookmark", text=item.name))
    if pending:
        r.text("".join(pending), speed)
    r.silence(_tail_ms(r))
    return r.finish()


def render_text(text: str, sample_rate: int, *, encoder: Encoder = tones.encode) -> Rendered:
    """Synthesize plain *text* (streamed pieces, custom-voice plain text)."""
    r = _Renderer(sample_rate, None, encoder)
    r.text(text, 1.0)
    r.silence(_tail_ms(r))
    return r.finish()


def _tail_ms(r: _Renderer) -> float:
    # Like the service, a request that ends a sentence ends in a sentence's pause, so
    # audio of consecutive requests joins into separate phrases, not one run-on phrase.
    if r.had_words and r.last_word_sentence_end:
        return max(TAIL_MS, tones.SENTENCE_GAP_MS - LEAD_MS)
    return TAIL_MS


# -- formats -----------------------------------------------------------------------------

_SOUNDFILE = {"mp3": ("MP3", "MPEG_LAYER_III"), "ogg": ("OGG", "OPUS"), "flac": ("FLAC", "PCM_16")}


def parse_format(value: str) -> OutputFormat:
    """The format named *value*; :class:`UnsupportedFormat` if unknown or not encodable here."""
    try:
        fmt = OutputFormat.parse(value)
    except ConfigurationError:
        raise UnsupportedFormat(f"Unsupported output format: {value}") from None
    if fmt.pcm_format is None and fmt.container not in _SOUNDFILE:
        raise UnsupportedFormat(f"Output format {fmt.value} is not supported by the emulator")
    return fmt


def encode_audio(samples: FloatArray, fmt: OutputFormat, *, header: bool) -> bytes:
    """*samples* (at ``fmt.sample_rate``) in *fmt*; with *header*, RIFF formats get theirs."""
    pcm = fmt.pcm_format
    if pcm is not None:
        data = float_to_bytes(np.clip(samples, -1.0, 1.0).astype(np.float32), pcm)
        if header and fmt.has_header:
            data = pcm.wav_header(len(data)) + data
        return data
    import soundfile as sf

    container, subtype = _SOUNDFILE[fmt.container]
    buf = io.BytesIO()
    sf.write(buf, samples, fmt.sample_rate, format=container, subtype=subtype)
    return buf.getvalue()


def content_type(fmt: OutputFormat) -> str:
    """The Content-Type of audio frames and REST answers for *fmt*."""
    if fmt.pcm_format is not None:
        return "audio/x-wav"
    return {"mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac"}[fmt.container]


# -- metadata options ----------------------------------------------------------------------


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _ci(obj: Any, *names: str) -> Any:
    cur = obj
    for name in names:
        if not isinstance(cur, Mapping):
            return None
        lname = name.lower()
        cur = next((v for k, v in cur.items() if str(k).lower() == lname), None)
    return cur


@dataclass
class _Options:
    output_format: str = "raw-16khz-16bit-mono-pcm"
    word: bool = False
    punctuation: bool = False
    sentence: bool = False
    bookmark: bool = False
    viseme: bool = False
    session_end: bool = True
    streaming: dict[str, Any] | None = None

    @classmethod
    def from_context(cls, body: Any, base: _Options | None = None) -> _Options:
        opts = _Options(**vars(base)) if base is not None else _Options()
        audio = _ci(body, "synthesis", "audio") or _ci(body, "context", "synthesis", "audio")
        fmt = _ci(audio, "outputFormat")
        if isinstance(fmt, str):
            opts.output_format = fmt
        meta = _ci(audio, "metadataOptions")
        if isinstance(meta, Mapping):
            opts.word = _flag(_ci(meta, "wordBoundaryEnabled"), opts.word)
            opts.punctuation = _flag(_ci(meta, "punctuationBoundaryEnabled"), opts.word)
            opts.sentence = _flag(_ci(meta, "sentenceBoundaryEnabled"), opts.sentence)
            opts.bookmark = _flag(_ci(meta, "bookmarkEnabled"), opts.bookmark)
            opts.viseme = _flag(_ci(meta, "visemeEnabled"), opts.viseme)
            opts.session_end = _flag(_ci(meta, "sessionEndEnabled"), opts.session_end)
        streaming = _ci(body, "synthesis", "input")
        opts.streaming = dict(streaming) if isinstance(streaming, Mapping) else None
        return opts

    def wants(self, kind: str) -> bool:
        return {
            "WordBoundary": self.word,
            "PunctuationBoundary": self.punctuation,
            "SentenceBoundary": self.sentence,
            "Bookmark": self.bookmark,
            "Viseme": self.viseme,
        }.get(kind, False)


def _entry(ev: Ev, base_ticks: int, rate: int) -> dict[str, Any]:
    offset = base_ticks + ev.start * TICKS // rate
    if ev.kind in ("WordBoundary", "PunctuationBoundary", "SentenceBoundary"):
        return boundary_entry(ev.kind, offset, ev.duration * TICKS // rate, ev.text)
    if ev.kind == "Bookmark":
        return bookmark_entry(offset, ev.text)
    return viseme_entry(offset, ev.viseme, ev.animation, ev.last)


# -- the WebSocket session -------------------------------------------------------------------


class _Turn:
    """One request on the socket: where its audio stands."""

    def __init__(self, rid: str, opts: _Options, fmt: OutputFormat) -> None:
        self.rid = rid
        self.opts = opts
        self.fmt = fmt
        self.tag = secrets.token_hex(16).upper()
        self.stream_id = secrets.token_hex(16).upper()
        self.samples_sent = 0
        self.started = False
        self.text = ""
        self.header_sent = False


async def _start(ch: Channel, turn: _Turn) -> None:
    if turn.started:
        return
    turn.started = True
    await ch.send_text("turn.start", {"context": {"serviceTag": turn.tag}}, request_id=turn.rid)
    await ch.send_text(
        "response",
        {
            "context": {"serviceTag": turn.tag},
            "audio": {"type": "inline", "streamId": turn.stream_id},
        },
        request_id=turn.rid,
    )


async def _send_rendered(ch: Channel, turn: _Turn, rendered: Rendered) -> None:
    """Audio in ~100 ms chunks, each preceded by the metadata that falls inside it."""
    fmt, rate = turn.fmt, rendered.sample_rate
    base_ticks = turn.samples_sent * TICKS // rate
    n = len(rendered.samples)
    chunk = max(1, rate * CHUNK_MS // 1000)
    bounds = [*range(0, n, chunk), n]
    pcm = fmt.pcm_format
    if pcm is not None:
        blob = encode_audio(rendered.samples, fmt, header=False)
        if fmt.has_header and not turn.header_sent:  # a client asking for riff-* itself
            blob = pcm.wav_header(len(blob)) + blob
            turn.header_sent = True
            pieces = [blob[: 44 + bounds[1] * pcm.block_align]] + [
                blob[44 + a * pcm.block_align : 44 + b * pcm.block_align]
                for a, b in itertools.pairwise(bounds[1:])
            ]
        else:
            pieces = [
                blob[a * pcm.block_align : b * pcm.block_align]
                for a, b in itertools.pairwise(bounds)
            ]
    else:
        blob = encode_audio(rendered.samples, fmt, header=False)
        parts = max(1, len(bounds) - 1)
        step = math.ceil(len(blob) / parts)
        pieces = [blob[k * step : (k + 1) * step] for k in range(parts)]
    events = [e for e in rendered.events if turn.opts.wants(e.kind)]
    k = 0
    ctype = content_type(fmt)
    for idx, piece in enumerate(pieces):
        upper = bounds[idx + 1] if idx + 1 < len(pieces) else n + 1
        entries = []
        while k < len(events) and events[k].start < upper:
            entries.append(_entry(events[k], base_ticks, rate))
            k += 1
        if entries:
            await ch.send_text("audio.metadata", {"Metadata": entries}, request_id=turn.rid)
        if piece:
            ms = (bounds[idx + 1] - bounds[idx]) * 1000.0 / rate if idx + 1 < len(bounds) else 0.0
            await ch.send_binary(
                "audio",
                piece,
                request_id=turn.rid,
                content_type=ctype,
                headers={"X-StreamId": turn.stream_id},
                audio_ms=ms,
            )
    turn.samples_sent += n


async def _finish(ch: Channel, turn: _Turn) -> None:
    if turn.opts.session_end:
        total = turn.samples_sent * TICKS // turn.fmt.sample_rate
        await ch.send_text(
            "audio.metadata", {"Metadata": [session_end_entry(total)]}, request_id=turn.rid
        )
    await ch.send_binary("audio", b"", request_id=turn.rid, headers={"X-StreamId": turn.stream_id})
    await ch.send_text("turn.end", "", request_id=turn.rid)


_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_SENTENCE_CUT = re.compile(r"[.!?]+[\"')\]]*\s")


async def _session(state: EmulatorState, websocket: WebSocket, *, v2: bool) -> None:
    accepted, faults = await guard_ws(state, websocket)
    if not accepted:
        return
    any_voice = any(k.lower() == "deploymentid" for k in websocket.query_params)
    async with Channel.open(state, websocket, "tts", faults) as ch:
        base = _Options()
        contexts: dict[str, _Options] = {}
        turn: _Turn | None = None
        try:
            while (msg := await ch.recv()) is not None:
                path = msg.path.lower()
                rid = msg.request_id
                if path == "speech.config":
                    body = _json(msg)
                    if _ci(body, "context", "synthesis") is not None:  # edge-tts style options
                        base = _Options.from_context(body)
                    continue
                if path == "telemetry":
                    continue
                if path in ("synthesis.context", "ssml", "text.piece", "text.end") and (
                    rid is None or not _REQUEST_ID.match(rid)
                ):
                    await ch.close(1002, "Missing or invalid X-RequestId")
                    return
                if path == "synthesis.context":
                    assert rid is not None
                    contexts[rid.lower()] = _Options.from_context(_json(msg), base)
                    continue
                if path == "ssml":
                    assert rid is not None
                    opts = contexts.pop(rid.lower(), base)
                    await _ssml_turn(ch, rid, opts, msg.text, any_voice)
                    continue
                if path == "text.piece":
                    assert rid is not None
                    if not v2:
                        await ch.close(1007, "Text streaming needs the v2 endpoint")
                        return
                    if turn is None or turn.rid != rid:
                        opts = contexts.pop(rid.lower(), base)
                        turn = await _open_stream_turn(ch, rid, opts, any_voice)
                        if turn is None:
                            return
                    turn.text += msg.text
                    await _speak_complete_sentences(ch, turn, final=False)
                    continue
                if path == "text.end":
                    assert rid is not None
                    if turn is None or turn.rid != rid:
                        opts = contexts.pop(rid.lower(), base)
                        turn = await _open_stream_turn(ch, rid, opts, any_voice)
                        if turn is None:
                            return
                    await _speak_complete_sentences(ch, turn, final=True)
                    await _finish(ch, turn)
                    turn = None
                    continue
                if path == "synthesis.control":
                    continue
                ch.log.errors.append(f"unexpected message {msg.path!r} ignored")
        except _Refused as exc:
            await ch.close(1007, str(exc)[:120])
        except ProtocolError as exc:  # e.g. an ssml or text.piece body that is not UTF-8
            ch.log.errors.append(f"bad message: {exc}")
            await ch.close(1007, str(exc)[:120])
        except SessionClosed:
            pass
        except Exception as exc:  # keep serving other sessions; tell this one
            logger.exception("text-to-speech session failed")
            ch.log.errors.append(f"internal error: {exc!r}")
            await ch.close(1011, "Internal server error")


class _Refused(Exception):
    pass


def _json(msg: Message) -> Any:
    try:
        return json.loads(msg.body or b"{}")
    except ValueError:
        return {}


def check_ssml_size(ssml: str) -> None:
    """Refuse SSML over the service's per-request limit."""
    size = len(ssml.encode("utf-8", "surrogatepass"))
    if size > MAX_SSML_BYTES:
        raise SynthesisError(f"SSML exceeds the 64 KB limit ({size} bytes).")


async def _ssml_turn(ch: Channel, rid: str, opts: _Options, ssml: str, any_voice: bool) -> None:
    try:
        check_ssml_size(ssml)
        fmt = parse_format(opts.output_format)
        rendered = render_ssml(
            ssml, fmt.sample_rate, any_voice=any_voice, encoder=ch.state.speech_encoder
        )
    except SynthesisError as exc:
        ch.log.errors.append(f"synthesis refused: {exc}")
        raise _Refused(str(exc)) from None
    turn = _Turn(rid, opts, fmt)
    await _start(ch, turn)
    await _send_rendered(ch, turn, rendered)
    await _finish(ch, turn)


async def _open_stream_turn(ch: Channel, rid: str, opts: _Options, any_voice: bool) -> _Turn | None:
    try:
        fmt = parse_format(opts.output_format)
        voice = str(_ci(opts.streaming, "voiceName") or "en-US-AvaMultilingualNeural")
        if not any_voice and find_voice(voice) is None:
            raise SynthesisError(f"Unsupported voice {voice}.")
    except SynthesisError as exc:
        ch.log.errors.append(f"synthesis refused: {exc}")
        raise _Refused(str(exc)) from None
    turn = _Turn(rid, opts, fmt)
    await _start(ch, turn)
    return turn


async def _speak_complete_sentences(ch: Channel, turn: _Turn, *, final: bool) -> None:
    while True:
        m = _SENTENCE_CUT.search(turn.text)
        if m is None:
            if not final or not turn.text.strip():
                if final:
                    turn.text = ""
                return
            sentence, turn.text = turn.text, ""
        else:
            sentence, turn.text = turn.text[: m.end()], turn.text[m.end() :]
        rendered = render_text(sentence, turn.fmt.sample_rate, encoder=ch.state.speech_encoder)
        if turn.samples_sent == 0:
            lead = np.zeros(round(turn.fmt.sample_rate * LEAD_MS / 1000), dtype=np.float32)
            shift = len(lead)
            for ev in rendered.events:
                if ev.start or ev.kind != "Viseme":
                    ev.start += shift
            rendered = Rendered(
                np.concatenate([lead, rendered.samples]), rendered.sample_rate, rendered.events
            )
        else:
            gap = np.zeros(round(turn.fmt.sample_rate * tones.SENTENCE_GAP_MS / 1000), np.float32)
            for ev in rendered.events:
                ev.start += len(gap)
            rendered = Rendered(
                np.concatenate([gap, rendered.samples]), rendered.sample_rate, rendered.events
            )
        await _send_rendered(ch, turn, rendered)


# -- REST ----------------------------------------------------------------------------------


async def _rest_synthesize(state: EmulatorState, request: Request) -> Response:
    entry = state.new_request(
        request.method, request.url.path, dict(request.query_params), dict(request.headers)
    )
    refused, faults = await guard_http(state, request)
    if refused is None:
        refused = await apply_http_faults(request, faults)
    if refused is not None:
        entry.status = refused.status_code
        return refused

    def fail(status: int, message: str) -> Response:
        entry.status = status
        entry.error = message
        return error_response(status, message)

    ctype = request.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "application/ssml+xml":
        return fail(415, "Unsupported media type: Content-Type must be application/ssml+xml.")
    fmt_name = request.headers.get("x-microsoft-outputformat")
    if not fmt_name:
        return fail(400, "Missing X-Microsoft-OutputFormat header.")
    if not request.headers.get("user-agent"):
        return fail(400, "Missing User-Agent header.")
    body = (await request.body()).decode("utf-8", "replace")
    any_voice = any(k.lower() == "deploymentid" for k in request.query_params)
    try:
        check_ssml_size(body)
        fmt = parse_format(fmt_name)
        if body.lstrip().startswith("<"):
            rendered = render_ssml(
                body, fmt.sample_rate, any_voice=any_voice, encoder=state.speech_encoder
            )
        elif any_voice:
            rendered = render_text(body, fmt.sample_rate, encoder=state.speech_encoder)
        else:
            raise SynthesisError("The request body must be SSML.")
    except SynthesisError as exc:
        return fail(400, str(exc))
    audio = encode_audio(rendered.samples, fmt, header=True)
    entry.status = 200
    entry.body_size = len(audio)
    return Response(audio, media_type=content_type(fmt))


async def _voices(state: EmulatorState, request: Request) -> Response:
    entry = state.new_request(
        request.method, request.url.path, dict(request.query_params), dict(request.headers)
    )
    refused, faults = await guard_http(state, request)
    if refused is None:
        refused = await apply_http_faults(request, faults)
    if refused is not None:
        entry.status = refused.status_code
        return refused
    entry.status = 200
    return JSONResponse(voice_list())


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Text-to-speech routes (and batch synthesis)."""
    from . import batch_synthesis

    async def ws_v1(websocket: WebSocket) -> None:
        await _session(state, websocket, v2=False)

    async def ws_v2(websocket: WebSocket) -> None:
        await _session(state, websocket, v2=True)

    async def rest(request: Request) -> Response:
        return await _rest_synthesize(state, request)

    async def voices(request: Request) -> Response:
        return await _voices(state, request)

    out: list[BaseRoute] = []
    out += [WebSocketRoute(p, ws_v1) for p in WS_PATHS]
    out += [WebSocketRoute(p, ws_v2) for p in WS_V2_PATHS]
    out += [Route(p, rest, methods=["POST"]) for p in REST_PATHS]
    out += [Route(p, voices, methods=["GET"]) for p in VOICES_PATHS]
    out += batch_synthesis.routes(state)
    return out

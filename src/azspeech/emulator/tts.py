"""Text to speech in the emulator: WebSocket (v1 and v2 text streaming), REST, voices list.

Routes: ``/cognitiveservices/websocket/v1`` (also under ``/tts``),
``/cognitiveservices/websocket/v2`` (text streaming; also under ``/tts``),
``POST /cognitiveservices/v1`` and ``GET /cognitiveservices/voices/list``
(both also under ``/tts``). Batch synthesis is :mod:`.batch_synthesis`.

Synthesis itself is in :mod:`.tts_ssml` (SSML read into items) and
:mod:`.tts_render` (items into audio, events and an output format); this
module serves it.

A turn fails the way the service fails: a WebSocket close with code 1007 and a
reason (bad SSML, unknown voice, unknown format). With a ``deploymentId``
query parameter (custom voice) any voice name is accepted.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..audio.formats import TICKS_PER_SECOND, OutputFormat
from ..errors import ProtocolError
from .auth import admit_http, error_response, guard_ws
from .engines import tones
from .state import EmulatorState
from .tts_frames import (
    bookmark_entry,
    boundary_entry,
    session_end_entry,
    viseme_entry,
)
from .tts_render import (
    LEAD_MS,
    Ev,
    Rendered,
    UnsupportedFormat,
    content_type,
    encode_audio,
    parse_format,
    render_ssml,
    render_text,
)
from .tts_ssml import SynthesisError
from .voices import find_voice, voice_list
from .wsbase import Channel, SessionClosed

__all__ = [
    "Rendered",
    "SynthesisError",
    "UnsupportedFormat",
    "encode_audio",
    "parse_format",
    "render_ssml",
    "render_text",
    "routes",
]

logger = logging.getLogger("azspeech.emulator")

#: The service's limit on one SSML document (WebSocket turn or REST request).
MAX_SSML_BYTES = 64 * 1024
CHUNK_MS = 100

WS_PATHS = ("/cognitiveservices/websocket/v1", "/tts/cognitiveservices/websocket/v1")
WS_V2_PATHS = ("/cognitiveservices/websocket/v2", "/tts/cognitiveservices/websocket/v2")
REST_PATHS = ("/cognitiveservices/v1", "/tts/cognitiveservices/v1")
VOICES_PATHS = ("/cognitiveservices/voices/list", "/tts/cognitiveservices/voices/list")


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
    offset = base_ticks + ev.start * TICKS_PER_SECOND // rate
    if ev.kind in ("WordBoundary", "PunctuationBoundary", "SentenceBoundary"):
        return boundary_entry(ev.kind, offset, ev.duration * TICKS_PER_SECOND // rate, ev.text)
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
    base_ticks = turn.samples_sent * TICKS_PER_SECOND // rate
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
        total = turn.samples_sent * TICKS_PER_SECOND // turn.fmt.sample_rate
        await ch.send_text(
            "audio.metadata", {"Metadata": [session_end_entry(total)]}, request_id=turn.rid
        )
    await ch.send_binary("audio", b"", request_id=turn.rid, headers={"X-StreamId": turn.stream_id})
    await ch.send_text("turn.end", "", request_id=turn.rid)


_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_SENTENCE_CUT = re.compile(r"[.!?]+[\"')\]]*\s")


async def _session(state: EmulatorState, websocket: WebSocket, *, v2: bool) -> None:
    if _flag(websocket.query_params.get("enableTalkingAvatar"), False):
        from .avatar_realtime import serve_avatar  # the real-time avatar (WebRTC)

        return await serve_avatar(state, websocket)
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
                    body = msg.json_or_empty()
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
                    contexts[rid.lower()] = _Options.from_context(msg.json_or_empty(), base)
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
    entry, refused, _ = await admit_http(state, request)
    if refused is not None:
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
    entry, refused, _ = await admit_http(state, request)
    if refused is not None:
        return refused
    entry.status = 200
    return JSONResponse(voice_list())


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Text-to-speech routes: WebSocket v1 and v2, REST synthesis, voices list."""

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
    return out

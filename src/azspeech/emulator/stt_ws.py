"""Speech to text over the WebSocket (USP), as the service and containers serve it.

Paths: ``/speech/recognition/{interactive|conversation|dictation}/cognitiveservices/v1``,
the same under ``/stt``, and ``/speech/universal/v2`` / ``/stt/speech/universal/v2``.

Per connection: ``speech.config`` once; per turn ``speech.context`` then
audio (a RIFF header first, an empty audio message last). The emulator
answers ``turn.start``, ``speech.startDetected``, ``speech.hypothesis`` (about
every 300 ms of speech, when the text grew), ``speech.phrase``,
``speech.endDetected`` and ``turn.end``, with offsets in 100-ns ticks counted
from the start of the turn's audio. Interactive turns end after one phrase;
conversation and dictation turns last until the end of the audio. A turn
always carries at least one ``speech.phrase`` (``InitialSilenceTimeout`` when
there was no speech) because the official SDK waits for one.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .._protocol.framing import Message
from ..errors import ProtocolError
from ._audio import AudioFormatError, PcmConverter, parse_wav_header
from .auth import guard_ws
from .engines.base import (
    Final,
    Hypothesis,
    InitialSilence,
    RecognitionOptions,
    SegmentingStream,
    SpeechStarted,
)
from .language_id import AT_START, LanguageTracker, lid_mode
from .results import OutputOptions, detailed_phrase, speaker_id, ticks
from .state import EmulatorState
from .wsbase import Channel, SessionClosed

logger = logging.getLogger("azspeech.emulator")

__all__ = ["STT_PATHS", "TurnHandler", "parse_options", "register_turn_handler", "routes"]

STT_PATHS = [
    "/speech/recognition/{mode}/cognitiveservices/v1",
    "/stt/speech/recognition/{mode}/cognitiveservices/v1",
    "/speech/universal/v2",
    "/stt/speech/universal/v2",
]
MODES = ("interactive", "conversation", "dictation")
_REQUEST_ID = re.compile(r"^[0-9a-fA-F]{32}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")
_BAD_REQUEST_ID = "Invalid request. X-RequestId header value was not in no-dash UUID format."
MAX_AUDIO_CHUNK = 8192  # legacy limit on one audio message's payload


def _q(query: Mapping[str, str], name: str) -> str | None:
    lname = name.lower()
    for k, v in query.items():
        if k.lower() == lname:
            return v
    return None


def _get(obj: Any, *names: str) -> Any:
    """Case-insensitive nested lookup: ``_get(ctx, "phraseDetection", "mode")``."""
    cur = obj
    for name in names:
        if not isinstance(cur, Mapping):
            return None
        lname = name.lower()
        found = None
        for k, v in cur.items():
            if str(k).lower() == lname:
                found = v
                break
        cur = found
    return cur


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def parse_options(
    path_mode: str | None,
    query: Mapping[str, str],
    config: Any = None,
    context: Any = None,
) -> tuple[RecognitionOptions, OutputOptions]:
    """Recognition and output options from the URL, ``speech.config`` and ``speech.context``.

    The context wins over the URL where both say something (as the service does
    for the result format).
    """
    ctx = context if isinstance(context, Mapping) else {}
    pd = _get(ctx, "phraseDetection") or {}
    po = _get(ctx, "phraseOutput") or {}

    mode = _get(pd, "mode") or path_mode or _get(config, "recognition") or _q(query, "scenario")
    mode = str(mode or "conversation").lower()
    if mode not in MODES:
        mode = "conversation"

    language = _get(pd, "language") or _q(query, "language") or _q(query, "from") or "en-US"
    lid = _get(ctx, "languageId")
    candidates: list[str] = []
    if isinstance(lid, Mapping):
        langs = _get(lid, "languages")
        if isinstance(langs, list):
            candidates = [str(x) for x in langs if str(x).upper() != "UND"]
    lid_q = _q(query, "lidEnabled")
    if not candidates and lid_q and lid_q.lower() not in ("true", "false"):
        candidates = [x for x in lid_q.split(",") if x]

    fmt = _get(po, "format") or _q(query, "format") or "simple"
    detailed_opts = _get(po, "detailed", "options") or []
    opt_set = {str(o).lower() for o in detailed_opts} if isinstance(detailed_opts, list) else set()
    word_ts = "wordtimings" in opt_set or _truthy(_q(query, "wordLevelTimestamps"))
    detailed = str(fmt).lower() == "detailed" or word_ts

    profanity = _get(pd, "enrichment", "profanity") or _q(query, "profanity") or "masked"

    phrases: list[str] = []
    dgi = _get(ctx, "dgi")
    groups = _get(dgi, "groups") if dgi is not None else None
    if isinstance(groups, list):
        for group in groups:
            items = _get(group, "items")
            if isinstance(items, list):
                for item in items:
                    text = _get(item, "text")
                    if isinstance(text, str) and text.strip():
                        phrases.append(text)

    initial = _get(pd, "initialSilenceTimeout")
    if initial is None:
        initial = _q(query, "initialSilenceTimeoutMs")
    initial_ms = _int(initial)
    if initial_ms is None and mode == "interactive":
        initial_ms = 5000
    if initial_ms == 0:
        initial_ms = None

    seg = _get(pd, mode, "segmentation") or {}
    seg_ms = _int(_get(seg, "segmentationSilenceTimeoutMs"))
    if seg_ms is None:
        seg_ms = _int(_q(query, "segmentationSilenceTimeoutMs"))
    if mode == "interactive":
        end_ms = _int(_get(pd, "trailingSilenceTimeout")) or _int(_q(query, "endSilenceTimeoutMs"))
        seg_ms = end_ms or seg_ms
    forced = _int(_get(seg, "segmentationForcedTimeoutMs"))

    diar = _get(pd, "speakerDiarization")
    diarization = isinstance(diar, Mapping) and str(_get(diar, "mode") or "None") != "None"
    diar_interim = diarization and bool(_get(diar, "diarizeIntermediates"))

    reco = RecognitionOptions(
        mode=mode,
        language=None if candidates and not _get(pd, "language") else str(language),
        segmentation_silence_ms=float(seg_ms or 500),
        initial_silence_ms=float(initial_ms) if initial_ms else None,
        max_segment_ms=float(forced or 30_000),
        phrases=phrases,
        diarization=diarization,
        candidate_languages=candidates,
    )
    out = OutputOptions(
        detailed=detailed,
        word_timings=word_ts,
        word_confidence="wordconfidence" in opt_set,
        display_words="displaywords" in opt_set or "displaywordtimings" in opt_set,
        snr="snr" in opt_set,
        profanity=str(profanity).lower(),
        phrases=phrases,
        diarization=diarization,
        diarize_intermediates=diar_interim,
        candidate_languages=candidates,
        language=str(language),
    )
    return reco, out


class TurnHandler:
    """Changes what a recognition turn sends (the hook translation and other features use).

    Register a factory with :func:`register_turn_handler`; for every new turn it
    is given the turn's ``speech.context`` (a dict) and the URL query, and
    returns a handler, or None to leave the turn alone. The default methods
    produce the plain speech-to-text messages; each returns the messages to
    send: ``(path, json_body)`` or ``(path, json_body, headers)`` for text,
    ``(path, payload_bytes, headers)`` for binary.
    """

    def event(self, body: Any) -> None:
        """A client ``event`` message arrived during the turn (default: ignored)."""

    def hypothesis(self, body: dict[str, Any]) -> list[Any]:
        """Messages for an interim result (*body* is the ``speech.hypothesis`` JSON)."""
        return [("speech.hypothesis", body)]

    def phrase(self, body: dict[str, Any]) -> list[Any]:
        """Messages for a final result (*body* is the ``speech.phrase`` JSON)."""
        return [("speech.phrase", body)]


TurnHandlerFactory = Callable[[Mapping[str, Any], Mapping[str, str]], "TurnHandler | None"]


def register_turn_handler(state: EmulatorState, factory: TurnHandlerFactory) -> None:
    """Let *factory* take over the result messages of turns whose context it recognizes.

    Factories are asked in the order they were registered; the first handler
    returned takes the turn.
    """
    state.turn_handlers.append(factory)


_DEFAULT_HANDLER = TurnHandler()


def _request_id_and_timestamp(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``X-RequestId`` and ``X-Timestamp`` (first of each, any case) in one pass over *headers*.

    The same answers as two :meth:`Message.header` calls, at a third of the cost:
    this runs for every audio message.
    """
    rid = ts = None
    for name, value in headers.items():
        lname = name.lower()
        if lname == "x-requestid":
            if rid is None:
                rid = value
        elif lname == "x-timestamp" and ts is None:
            ts = value
    return rid, ts


class _Turn:
    def __init__(
        self,
        request_id: str,
        stream: SegmentingStream,
        converter: PcmConverter,
        reco: RecognitionOptions,
        out: OutputOptions,
    ) -> None:
        self.request_id = request_id
        self.stream = stream
        self.converter = converter
        self.reco = reco
        self.out = out
        self.started_sent = False
        self.ended = False
        self.phrases = 0
        self.last_speech_end = 0
        self.language: str | None = None
        self.handler: TurnHandler = _DEFAULT_HANDLER
        self.lid = LanguageTracker(out.candidate_languages, AT_START)


class SttSession:
    """One recognition connection."""

    def __init__(self, state: EmulatorState, ch: Channel, path_mode: str | None) -> None:
        self.state = state
        self.ch = ch
        self.path_mode = path_mode
        self.query = dict(ch.ws.query_params)
        self.config: Any = None
        self.config_seen = False
        self.contexts: dict[str, Any] = {}
        self.turn: _Turn | None = None
        self.finished: set[str] = set()
        self.events_received: list[Any] = []
        self.valid_rid: str | None = None  # the last X-RequestId found well-formed

    async def run(self) -> None:
        while True:
            msg = await self.ch.recv()
            if msg is None:
                return
            try:
                await self.handle(msg)
            except ProtocolError as exc:
                self.ch.log.errors.append(str(exc))
                await self.ch.close(1007, str(exc)[:120])
                return
            if self.ch.closed:
                return

    async def _fail(self, code: int, reason: str) -> None:
        self.ch.log.errors.append(reason)
        await self.ch.close(code, reason[:120])

    def _check_headers(self, msg: Message, ts: str | None) -> None:
        warn = self.ch.log.warnings
        if len(warn) >= 100:
            return
        if ts is None:
            warn.append(f"{msg.path}: no X-Timestamp header")
        elif not _TIMESTAMP.match(ts):
            warn.append(f"{msg.path}: malformed X-Timestamp {ts!r}")
        if msg.binary and len(msg.body) > MAX_AUDIO_CHUNK and msg.body[:4] != b"RIFF":
            warn.append(f"{msg.path}: {len(msg.body)}-byte payload (the service takes <= 8192)")

    async def handle(self, msg: Message) -> None:
        path = msg.path.lower()
        rid, ts = _request_id_and_timestamp(msg.headers)
        self._check_headers(msg, ts)
        if rid is not None and rid != self.valid_rid:
            if not _REQUEST_ID.match(rid):
                await self._fail(1002, _BAD_REQUEST_ID)
                return
            self.valid_rid = rid  # every audio message of a turn repeats it: checked once
        if path == "speech.config":
            if msg.binary:
                await self._fail(1003, "speech.config must be a text message")
                return
            self.config = msg.json() if msg.body else {}
            self.config_seen = True
            return
        if path == "telemetry":
            return
        if path == "event" and not msg.binary:
            body = msg.json() if msg.body else {}
            self.events_received.append(body)
            if self.turn is not None:
                self.turn.handler.event(body)
            return
        if path == "speech.context":
            if msg.binary:
                await self._fail(1003, "speech.context must be a text message")
                return
            if rid is None:
                await self._fail(1002, "Missing X-RequestId header on speech.context.")
                return
            if rid in self.finished:
                await self._fail(1002, "Invalid request. X-RequestId was already used.")
                return
            if self.turn is not None and self.turn.request_id == rid and not self.turn.ended:
                await self._fail(1002, "speech.context must come before the turn's audio.")
                return
            self.contexts = {rid: msg.json() if msg.body else {}}
            return
        if path == "audio":
            if not msg.binary:
                self.ch.log.errors.append("audio in a text frame ignored")
                return
            await self.audio(msg, rid)
            return
        # anything else (event, synthesis messages on the wrong path...) is logged and ignored
        self.ch.log.errors.append(f"unexpected message {msg.path!r} ignored")

    async def audio(self, msg: Message, rid: str | None) -> None:
        if rid is None:
            await self._fail(1002, "Missing X-RequestId header on audio.")
            return
        if not self.config_seen:
            await self._fail(1002, "speech.config must be sent before audio.")
            return
        turn = self.turn
        if turn is not None and turn.request_id == rid:
            if turn.ended:
                return  # audio after the service ended the turn (interactive): ignored
            if not msg.body:
                await self.end_turn(turn)
                return
            ch = self.ch
            ch.audio_ms += turn.converter.ms(len(msg.body))
            samples = turn.converter.feed(msg.body)
            if self.state.engine.slow:
                events = await run_in_threadpool(turn.stream.feed, samples)
            else:
                events = turn.stream.feed(samples)
            if events:
                await self.events(turn, events)
            if ch.pending:
                await ch.check_faults()
            return
        if rid in self.finished:
            return  # late audio of a finished turn
        if turn is not None and not turn.ended:
            # A new request id starts a new turn; the service drops the old one.
            self.finished.add(turn.request_id)
        await self.start_turn(rid, msg)

    async def start_turn(self, rid: str, msg: Message) -> None:
        if msg.body and msg.header("Content-Type") is None:
            self.ch.log.warnings.append("first audio message without Content-Type")
        context = self.contexts.get(rid)
        if context is None and self.contexts:
            context = next(iter(self.contexts.values()))  # lenient: a context with another id
        reco, out = parse_options(self.path_mode, self.query, self.config, context)
        if not msg.body:
            # A turn with no audio at all.
            fmt = parse_wav_header(_DEFAULT_HEADER)
        else:
            if msg.body[:4] != b"RIFF":
                await self._fail(
                    1007, "Invalid audio: the first audio message needs a RIFF header."
                )
                return
            try:
                fmt = parse_wav_header(msg.body)
            except AudioFormatError as exc:
                await self._fail(1007, f"Invalid audio format: {exc}")
                return
        stream = self.state.engine.open_stream(reco)
        turn = _Turn(rid, stream, PcmConverter(fmt), reco, out)
        ctx = context if isinstance(context, Mapping) else {}
        turn.lid = LanguageTracker(out.candidate_languages, lid_mode(ctx))
        for factory in self.state.turn_handlers:
            handler = factory(ctx, self.query)
            if handler is not None:
                turn.handler = handler
                break
        self.turn = turn
        await self.ch.send_text(
            "turn.start", {"context": {"serviceTag": secrets.token_hex(16)}}, request_id=rid
        )
        rest = msg.body[fmt.data_offset :] if msg.body else b""
        if rest:
            self.ch.count_audio(turn.converter.ms(len(rest)))
            await self.events(turn, await self._feed(turn, turn.converter.feed(rest)))
        if not msg.body:
            await self.end_turn(turn)

    async def _feed(self, turn: _Turn, samples: Any) -> list[Any]:
        """Run the engine on *samples* (off the event loop for slow engines)."""
        if self.state.engine.slow:
            return await run_in_threadpool(turn.stream.feed, samples)
        return turn.stream.feed(samples)

    async def events(self, turn: _Turn, events: list[Any]) -> None:
        rid = turn.request_id
        for ev in events:
            if turn.ended:
                return
            if isinstance(ev, SpeechStarted):
                if not turn.started_sent:
                    turn.started_sent = True
                    await self.ch.send_text(
                        "speech.startDetected", {"Offset": ticks(ev.offset)}, request_id=rid
                    )
            elif isinstance(ev, Hypothesis):
                body: dict[str, Any] = {
                    "Text": ev.text,
                    "Offset": ticks(ev.start),
                    "Duration": ticks(ev.end - ev.start),
                }
                if turn.out.candidate_languages:
                    body["PrimaryLanguage"] = turn.lid.primary_language(ev.text, final=False)
                if turn.out.diarization:
                    body["SpeakerId"] = (
                        speaker_id(ev.speaker) if turn.out.diarize_intermediates else "Unknown"
                    )
                await self.send_out(turn, turn.handler.hypothesis(body))
            elif isinstance(ev, Final):
                seg = ev.segment
                turn.last_speech_end = seg.end
                body = detailed_phrase(seg, turn.out)
                if turn.out.candidate_languages:
                    text = seg.transcript.text if seg.transcript else ""
                    body["PrimaryLanguage"] = turn.lid.primary_language(text, final=True)
                turn.phrases += 1
                if turn.reco.mode == "interactive":
                    await self.ch.send_text(
                        "speech.endDetected", {"Offset": ticks(seg.end)}, request_id=rid
                    )
                    await self.send_phrase(turn, body)
                    await self.finish(turn)
                    return
                await self.send_phrase(turn, body)
            elif isinstance(ev, InitialSilence):
                await self.send_phrase(
                    turn,
                    {"RecognitionStatus": "InitialSilenceTimeout", "Offset": 0,
                     "Duration": ticks(ev.duration)},
                )  # fmt: skip
                turn.phrases += 1
                if turn.reco.mode == "interactive":
                    await self.finish(turn)
                    return

    async def send_phrase(self, turn: _Turn, body: dict[str, Any]) -> None:
        await self.send_out(turn, turn.handler.phrase(body))

    async def send_out(self, turn: _Turn, items: list[Any]) -> None:
        """Send a handler's messages: ``(path, json)`` text or ``(path, bytes, headers)`` binary."""
        for item in items:
            if isinstance(item[1], (bytes, bytearray)):
                headers = item[2] if len(item) > 2 else None
                await self.ch.send_binary(
                    item[0], bytes(item[1]), request_id=turn.request_id, headers=headers
                )
            else:
                headers = item[2] if len(item) > 2 else None
                await self.ch.send_text(
                    item[0], item[1], request_id=turn.request_id, headers=headers
                )

    async def end_turn(self, turn: _Turn) -> None:
        """The client's empty audio message: flush, then end the turn."""
        tail = turn.converter.feed(b"", last=True)
        events = await self._feed(turn, tail) if len(tail) else []
        if self.state.engine.slow:
            events += await run_in_threadpool(turn.stream.finish)
        else:
            events += turn.stream.finish()
        await self.events(turn, events)
        if turn.ended:
            return
        rid = turn.request_id
        total = turn.stream.total
        if not turn.stream.any_speech and not turn.stream.initial_silence_reported:
            await self.send_phrase(
                turn,
                {"RecognitionStatus": "InitialSilenceTimeout", "Offset": 0,
                 "Duration": ticks(total)},
            )  # fmt: skip
        else:
            # Continuous modes acknowledge all received audio at its end (the SDKs
            # otherwise replay the unacknowledged tail in a continuation turn).
            await self.send_phrase(
                turn,
                {"RecognitionStatus": "EndOfDictation", "Offset": ticks(total), "Duration": 0},
            )
            if turn.started_sent:
                await self.ch.send_text(
                    "speech.endDetected", {"Offset": ticks(total)}, request_id=rid
                )
        await self.finish(turn)

    async def finish(self, turn: _Turn) -> None:
        turn.ended = True
        self.finished.add(turn.request_id)
        await self.ch.send_text("turn.end", b"", request_id=turn.request_id)


_DEFAULT_HEADER = (
    b"RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00"
    b"\x00}\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
)


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The recognition WebSocket routes."""

    async def endpoint(websocket: WebSocket) -> None:
        mode = websocket.path_params.get("mode")
        if mode is not None and mode not in MODES:
            from .auth import deny, error_response

            await deny(websocket, error_response(404))
            return
        accepted, faults = await guard_ws(state, websocket)
        if not accepted:
            return
        async with Channel.open(state, websocket, "stt", faults) as ch:
            try:
                await SttSession(state, ch, mode).run()
            except SessionClosed:
                raise
            except Exception as exc:  # a bug here must not look like a service decision
                logger.exception("speech-to-text session failed")
                ch.log.errors.append(f"internal error: {exc!r}")
                await ch.close(1011, "Internal server error.")

    return [WebSocketRoute(p, endpoint) for p in STT_PATHS]

"""A recognition over USP across turns and reconnects, sans-I/O, for any result codec.

:class:`RecognitionState` owns what every USP recognition shares (speech to
text, translation, language identification): the turn's opening frames, the
turn's base offset on one timeline, acknowledgement of audio by final results
(which shrinks the replay buffer), de-duplication of results and speech
start/end after a replay, and liveness. What the results *are* is the
:class:`ResultCodec`'s business: which paths carry partials and finals, how a
body becomes typed events, what goes into ``speech.config`` and
``speech.context``.

No sockets, no clock, no event loop: timestamps are parameters, given by the
session that drives this object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..audio.formats import PcmFormat
from .framing import DEFAULT_LIMITS, Limits, Message, encode_binary, encode_text, loads_json
from .framing import new_request_id as _new_id
from .replay import ReplayBuffer
from .stt_results import as_object, int_field

__all__ = ["Failure", "Final", "Partial", "RecognitionState", "ResultCodec"]

E = TypeVar("E")


@dataclass(frozen=True)
class Partial(Generic[E]):
    """An interim result: where it ends (absolute ticks) and the events it becomes."""

    end_ticks: int
    duration_ticks: int
    events: Sequence[E]


@dataclass(frozen=True)
class Final(Generic[E]):
    """A final result: the audio it acknowledges (absolute ticks) and its events.

    ``recognized`` tells a result with content from a no-match; in a mode
    where the service ends each turn after one utterance, the recognition
    goes on after a turn that recognized something.
    """

    end_ticks: int
    duration_ticks: int
    events: Sequence[E]
    recognized: bool = False


@dataclass(frozen=True)
class Failure(Generic[E]):
    """A final that cancels the recognition: the error and the events announcing it."""

    error: Exception
    events: Sequence[E]


class ResultCodec(ABC, Generic[E]):
    """What one feature (speech, translation...) puts on the wire and gets back.

    Paths are compared in lower case. Offsets in bodies are relative to the
    turn; the codec adds *base_ticks* so that events carry absolute times.
    """

    #: paths of interim results (``speech.hypothesis``...)
    partial_paths: frozenset[str] = frozenset()
    #: paths of final results (``speech.phrase``...)
    final_paths: frozenset[str] = frozenset()
    #: the service ends each turn after one utterance (interactive mode)
    one_utterance_per_turn: bool = False
    #: interim results are reported; when False, the bodies of partial paths that are not
    #: also final paths are not even decoded (nobody listens to them)
    wants_partials: bool = True

    @abstractmethod
    def config(self, fmt: PcmFormat) -> Mapping[str, Any]:
        """The ``speech.config`` body, sent once per connection."""

    @abstractmethod
    def context(self, *, audio_offset_ms: int, audio_session_id: str) -> Mapping[str, Any]:
        """The ``speech.context`` body, sent at the start of every turn."""

    @abstractmethod
    def partial(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Partial[E] | Final[E] | Failure[E] | None:
        """An interim result from a body of a partial path (``None``: not reported).

        A path that carries both kinds (translation's ``translation.response``)
        lists itself here and returns a :class:`Final` or :class:`Failure` for a final.
        """

    @abstractmethod
    def final(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Final[E] | Failure[E] | None:
        """A final result, a cancelling failure, or ``None`` (not a result: nothing to ack)."""

    @abstractmethod
    def detected(self, start: bool, offset_ticks: int, session_id: str) -> E:
        """The speech start (``start``) or end event at *offset_ticks* (absolute)."""

    def other(self, msg: Message, base_ticks: int, session_id: str) -> Sequence[E] | None:
        """Events for a message of another path of the current turn; ``None``: not ours.

        Messages that are not ours do not count as a sign of life.
        """
        return None


class RecognitionState(Generic[E]):
    """A recognition across turns and reconnects: frames out, events in.

    The session calls :meth:`connection_frames` after each connect,
    :meth:`start_turn` to open a turn (which rewinds the replay buffer to the
    acknowledged point and makes that the turn's base offset),
    :meth:`audio_frame` for each chunk, :meth:`end_frame` at the end of the
    audio, and :meth:`receive` for every message from the service.
    ``timestamp`` arguments are ``X-Timestamp`` values (the caller reads the
    clock); ``None`` lets the framing stamp the current time.
    """

    def __init__(
        self,
        codec: ResultCodec[E],
        fmt: PcmFormat,
        replay: ReplayBuffer,
        *,
        session_id: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.codec = codec
        self.format = fmt
        self.replay = replay
        self.limits = limits
        self.session_id = session_id or _new_id()
        self.audio_session_id = _new_id().upper()
        self.request_id = ""
        self.base_ticks = 0  # absolute offset of the current turn's first audio byte
        self.acked_ticks = 0  # end of the last final result (absolute)
        self.turn_active = False
        self.turn_started = False  # turn.start seen for the current turn
        self.turn_done = False  # turn.end seen for the current turn
        self.end_sent = False  # the empty audio frame went out in the current turn
        self.turns = 0
        self.finals = 0
        self.progress = 0  # messages that moved the recognition on: the service's signs of life
        self.turn_recognized = 0  # finals with content in the current turn
        self.service_tag: str | None = None
        self.speech_ended = False  # speech end detected in the current turn
        self.error: Exception | None = None
        self._header = fmt.wav_header()  # streaming: sizes 0
        self._last_start_ticks = -1
        self._last_end_ticks = -1
        self._speech_open = False  # speech start reported, no final or end since
        self._prefix = b""  # the audio frame's header (length + block), for _stamp_text
        self._prefix_head = b""
        self._prefix_rid = ""
        self._stamp_text = ""

    # -- client → service ---------------------------------------------------------------------

    def connection_frames(self, timestamp: str | None = None) -> list[str | bytes]:
        """Frames to send once per connection (``speech.config``)."""
        # No X-RequestId: speech.config belongs to the connection, not to a turn (what
        # the native SDKs send; the JS SDK reuses the first turn's id instead).
        return [
            encode_text("speech.config", self.codec.config(self.format), headers=_ts(timestamp))
        ]

    def start_turn(self, timestamp: str | None = None) -> list[str | bytes]:
        """Open a turn: new request id, ``speech.context`` and the WAV header.

        The replay buffer is rewound to the acknowledged point; results of
        the new turn are shifted by that point.
        """
        start = self.replay.rewind()
        self.base_ticks = self.replay.bytes_to_ticks(start)
        self.request_id = _new_id()
        self.turn_active = True
        self.turn_started = False
        self.turn_done = False
        self.end_sent = False
        self.speech_ended = False
        self.turn_recognized = 0
        self.turns += 1
        ctx = self.codec.context(
            audio_offset_ms=self.base_ticks // 10_000, audio_session_id=self.audio_session_id
        )
        headers = _ts(timestamp)
        return [
            encode_text("speech.context", ctx, request_id=self.request_id, headers=headers),
            encode_binary(
                "audio",
                self._header,
                request_id=self.request_id,
                content_type="audio/x-wav",
                headers=headers,
            ),
        ]

    def audio_frame(self, chunk: bytes | memoryview, timestamp: str | None = None) -> bytes:
        """The ``audio`` frame carrying *chunk* in the current turn."""
        if timestamp is None:
            return encode_binary("audio", chunk, request_id=self.request_id)
        return b"".join((self._audio_prefix(timestamp), chunk))

    def audio_frames(self, chunks: Sequence[bytes], timestamp: str) -> list[bytes]:
        """The ``audio`` frames carrying *chunks*, all stamped *timestamp* (one batch)."""
        prefix = self._audio_prefix(timestamp)
        join = b"".join
        return [join((prefix, chunk)) for chunk in chunks]

    def _audio_prefix(self, timestamp: str) -> bytes:
        if self._prefix_rid != self.request_id:
            # The header block is fixed but for the timestamp: build it once per turn and
            # re-stamp it once per timestamp; each frame is then one join (one copy).
            self._prefix_rid = self.request_id
            self._prefix_head = (
                b"Path:audio\r\nX-RequestId:" + self.request_id.encode() + (b"\r\nX-Timestamp:")
            )
            self._stamp_text = ""
        if timestamp != self._stamp_text:
            if "\r" in timestamp or "\n" in timestamp:
                raise ValueError("header 'X-Timestamp' contains a forbidden character")
            stamp = timestamp.encode("ascii")
            block_len = len(self._prefix_head) + len(stamp) + 2
            self._prefix = block_len.to_bytes(2, "big") + self._prefix_head + stamp + b"\r\n"
            self._stamp_text = timestamp
        return self._prefix

    def end_frame(self, timestamp: str | None = None) -> bytes:
        """The empty ``audio`` frame that ends the audio of the current turn."""
        self.end_sent = True
        return encode_binary("audio", b"", request_id=self.request_id, headers=_ts(timestamp))

    def audio_finished(self) -> bool:
        """After ``turn.end``: whether the service has answered all the audio.

        True once the end-of-audio frame went out in this turn, except where
        the service ends each turn after one utterance: there the recognition
        goes on (a new turn) while a turn still recognized something and
        audio remains after it.
        """
        if not self.end_sent or self.replay.unsent_bytes:
            return False
        if not self.codec.one_utterance_per_turn:
            return True
        remaining = self.replay.end - self.replay.ticks_to_bytes(self.acked_ticks)
        return not (self.turn_recognized and remaining > self.format.bytes_per_second // 10)

    # -- service → client ------------------------------------------------------------------------

    def receive(self, msg: Message) -> list[E]:
        """Events for one service message (stale and duplicate results dropped).

        A cancelling final yields the codec's events and sets :attr:`error`.
        :attr:`progress` counts the messages that moved the recognition on.
        """
        rid = msg.headers.get("X-RequestId")  # as the service spells it: no method call
        if rid is None:
            rid = msg.request_id
        own = self.request_id
        if rid is not None and own and rid != own and rid.lower() != own.lower():
            return []  # a late message of an earlier turn
        path = msg.path.lower()
        before = self.progress
        events = self._dispatch(path, msg)
        if events or path in ("turn.start", "turn.end") or self.error is not None:
            self.progress = before + 1
        return events

    def _dispatch(self, path: str, msg: Message) -> list[E]:
        codec = self.codec
        if path == "turn.start":
            self.turn_started = True
            self._service_tag(msg)
            return []
        if path == "turn.end":
            self.turn_done = True
            self.turn_active = False
            return []
        if path == "speech.startdetected":
            off = self._detected_offset(msg)
            if off < self._last_start_ticks or (self._speech_open and self.turns > 1):
                return []  # the same speech detected again on a replayed turn
            self._last_start_ticks = off
            self._speech_open = True
            return [codec.detected(True, off, self.session_id)]
        if path == "speech.enddetected":
            self.speech_ended = True
            off = self._detected_offset(msg)
            if off <= self._last_end_ticks:
                return []  # already reported before a reconnect
            self._last_end_ticks = off
            self._speech_open = False
            return [codec.detected(False, off, self.session_id)]
        if path in codec.partial_paths:
            if not codec.wants_partials and path not in codec.final_paths:
                return []  # interim results are off: no JSON decoding for nobody
            part = codec.partial(path, self._json(msg), self.base_ticks, self.session_id)
            if part is None:
                return []
            if not isinstance(part, Partial):
                return self._final(part)
            if part.end_ticks <= self.acked_ticks and part.duration_ticks > 0:
                return []  # stale: about audio already covered by a final
            return list(part.events)
        if path in codec.final_paths:
            return self._final(codec.final(path, self._json(msg), self.base_ticks, self.session_id))
        other = codec.other(msg, self.base_ticks, self.session_id)
        return list(other) if other else []

    def _json(self, msg: Message) -> Any:
        return loads_json(msg.body, limits=self.limits, what=msg.path)

    def _service_tag(self, msg: Message) -> None:
        if not msg.body:
            return
        body = loads_json(msg.body, limits=self.limits, what="turn.start")
        if isinstance(body, Mapping):
            ctx = body.get("context")
            if isinstance(ctx, Mapping) and isinstance(ctx.get("serviceTag"), str):
                self.service_tag = ctx["serviceTag"]

    def _detected_offset(self, msg: Message) -> int:
        if not msg.body or not msg.body.strip():
            return self.base_ticks
        body = as_object(self._json(msg), msg.path)
        return int_field(body, "Offset", msg.path, required=False) + self.base_ticks

    def _final(self, final: Final[E] | Failure[E] | None) -> list[E]:
        if final is None:
            return []  # not a result (the service ending a dictation turn...)
        if isinstance(final, Failure):
            self.error = final.error
            return list(final.events)
        end = final.end_ticks
        if end <= self.acked_ticks and (final.duration_ticks > 0 or end < self.acked_ticks):
            return []  # already delivered before a reconnect
        self.acked_ticks = max(self.acked_ticks, end)
        self.replay.shrink(self.acked_ticks)
        if self.codec.one_utterance_per_turn:
            self._speech_open = False  # each turn is one utterance
        self.finals += 1
        if final.recognized:
            self.turn_recognized += 1
        return list(final.events)


def _ts(timestamp: str | None) -> dict[str, str] | None:
    return {"X-Timestamp": timestamp} if timestamp else None

"""Speech to text over the WebSocket, sans-I/O.

* :mod:`.stt_options`: :class:`RecognitionOptions` (every recognition option,
  checked once) and the URL query, ``speech.config`` and ``speech.context``
  built from it;
* :mod:`.stt_results`: :func:`parse_result` / :func:`parse_partial` for
  ``speech.phrase`` and ``speech.hypothesis`` bodies;
* here, :class:`RecognitionState`: the state of a recognition across turns
  and connections. It builds each turn's opening frames, tracks the turn's
  base offset, decodes the service's messages into typed events, drops stale
  and duplicate results and shrinks the replay buffer as finals arrive.

No sockets, no event loop: the async session (and through it the blocking
one) drives this object. The names of the two other modules are re-exported
here.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping

from ..errors import CanceledError
from ..models.stt import (
    NoMatch,
    NoMatchReason,
    RecognitionResult,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SpeechEndDetected,
    SpeechEvent,
    SpeechStartDetected,
    ticks_to_timedelta,
)
from .framing import (
    DEFAULT_LIMITS,
    Limits,
    Message,
    encode_binary,
    encode_text,
    loads_json,
    timestamp,
)
from .framing import new_request_id as _new_id
from .replay import ReplayBuffer
from .stt_options import (
    LID_MODES,
    MODES,
    PROFANITY,
    AudioFormat,
    RecognitionOptions,
    build_query,
    check_phrases,
    recognition_path,
    speech_config,
    speech_context,
    validate_locale,
)
from .stt_results import (
    as_object,
    canceled_event,
    int_field,
    parse_partial,
    parse_result,
)

__all__ = [
    "LID_MODES",
    "MODES",
    "PROFANITY",
    "AudioFormat",
    "RecognitionOptions",
    "RecognitionState",
    "build_query",
    "canceled_event",
    "check_phrases",
    "parse_partial",
    "parse_result",
    "recognition_path",
    "speech_config",
    "speech_context",
    "validate_locale",
]


_NO_MATCH_REASON = {
    RecognitionStatus.NO_MATCH: NoMatchReason.NOT_RECOGNIZED,
    RecognitionStatus.INITIAL_SILENCE_TIMEOUT: NoMatchReason.INITIAL_SILENCE_TIMEOUT,
    RecognitionStatus.BABBLE_TIMEOUT: NoMatchReason.INITIAL_BABBLE_TIMEOUT,
}
_CANCEL_CODE = {
    RecognitionStatus.ERROR: "ServiceError",
    RecognitionStatus.TOO_MANY_REQUESTS: "TooManyRequests",
    RecognitionStatus.BAD_REQUEST: "BadRequestParameters",
    RecognitionStatus.FORBIDDEN: "Forbidden",
    RecognitionStatus.SERVICE_UNAVAILABLE: "ServiceUnavailable",
    RecognitionStatus.UNKNOWN: "ServiceError",
}


# -- the state of a recognition -----------------------------------------------------------------


class RecognitionState:
    """A recognition across turns and reconnects: frames out, events in.

    The session calls :meth:`connection_frames` after each connect,
    :meth:`start_turn` to open a turn (which rewinds the replay buffer to the
    acknowledged point and makes that the turn's base offset),
    :meth:`audio_frame` for each chunk, :meth:`end_frame` at the end of the
    audio, and :meth:`receive` for every message from the service.
    """

    def __init__(
        self,
        options: RecognitionOptions,
        fmt: AudioFormat,
        replay: ReplayBuffer,
        *,
        session_id: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.options = options
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
        self.turn_recognized = 0  # Success finals in the current turn
        self.service_tag: str | None = None
        self.speech_ended = False  # speech.endDetected in the current turn
        self.error: Exception | None = None
        self._header = fmt.wav_header()  # streaming: sizes 0
        self._last_start_ticks = -1
        self._last_end_ticks = -1
        self._speech_open = False  # speech start reported, no final or end since
        self._ts_ms = -1
        self._ts_headers: dict[str, str] = {}

    # -- client → service ---------------------------------------------------------------------

    def connection_frames(self) -> list[str | bytes]:
        """Frames to send once per connection (``speech.config``)."""
        body = speech_config(self.format, self.options.mode)
        # No X-RequestId: speech.config belongs to the connection, not to a turn (what
        # the native SDKs send; the JS SDK reuses the first turn's id instead).
        return [encode_text("speech.config", body)]

    def start_turn(self) -> list[str | bytes]:
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
        ctx = speech_context(
            self.options,
            audio_offset_ms=self.base_ticks // 10_000,
            audio_session_id=self.audio_session_id,
        )
        return [
            encode_text("speech.context", ctx, request_id=self.request_id),
            encode_binary(
                "audio", self._header, request_id=self.request_id, content_type="audio/x-wav"
            ),
        ]

    def _timestamp(self) -> dict[str, str]:
        # X-Timestamp has millisecond resolution: format it once per millisecond.
        now = int(_time.time() * 1000)
        if now != self._ts_ms:
            self._ts_ms = now
            self._ts_headers = {"X-Timestamp": timestamp()}
        return self._ts_headers

    def audio_frame(self, chunk: bytes) -> bytes:
        return encode_binary("audio", chunk, request_id=self.request_id, headers=self._timestamp())

    def end_frame(self) -> bytes:
        self.end_sent = True
        return encode_binary("audio", b"", request_id=self.request_id)

    def audio_finished(self) -> bool:
        """After ``turn.end``: whether the service has answered all the audio.

        True once the end-of-audio frame went out in this turn, except in
        interactive mode, where the service ends each turn after one
        utterance: there the recognition goes on (a new turn) while a turn
        still recognized something and audio remains after it.
        """
        if not self.end_sent or self.replay.unsent_bytes:
            return False
        if self.options.mode != "interactive":
            return True
        remaining = self.replay.end - self.replay.ticks_to_bytes(self.acked_ticks)
        return not (self.turn_recognized and remaining > self.format.bytes_per_second // 10)

    # -- service → client ------------------------------------------------------------------------

    def receive(self, msg: Message) -> list[SpeechEvent]:
        """Events for one service message (stale and duplicate results dropped).

        A cancelling ``RecognitionStatus`` yields a :class:`Canceled` event and
        sets :attr:`error` to a :class:`CanceledError`.
        """
        rid = msg.request_id
        if rid is not None and self.request_id and rid.lower() != self.request_id.lower():
            return []  # a late message of an earlier turn
        path = msg.path.lower()
        if path == "turn.start":
            self.turn_started = True
            if msg.body:
                body = loads_json(msg.body, limits=self.limits, what="turn.start")
                if isinstance(body, Mapping):
                    ctx = body.get("context")
                    if isinstance(ctx, Mapping) and isinstance(ctx.get("serviceTag"), str):
                        self.service_tag = ctx["serviceTag"]
            return []
        if path == "turn.end":
            self.turn_done = True
            self.turn_active = False
            return []
        if path == "speech.startdetected":
            off = self._detected_offset(msg, "speech.startDetected")
            if off < self._last_start_ticks or (self._speech_open and self.turns > 1):
                return []  # the same speech detected again on a replayed turn
            self._last_start_ticks = off
            self._speech_open = True
            return [
                SpeechStartDetected(
                    session_id=self.session_id,
                    offset=ticks_to_timedelta(off),
                    offset_ticks=off,
                )
            ]
        if path == "speech.enddetected":
            self.speech_ended = True
            off = self._detected_offset(msg, "speech.endDetected")
            if off <= self._last_end_ticks:
                return []  # already reported before a reconnect
            self._last_end_ticks = off
            self._speech_open = False
            return [
                SpeechEndDetected(
                    session_id=self.session_id,
                    offset=ticks_to_timedelta(off),
                    offset_ticks=off,
                )
            ]
        if path in ("speech.hypothesis", "speech.fragment"):
            if not self.options.interim_results:
                return []
            body = loads_json(msg.body, limits=self.limits, what=msg.path)
            result = parse_partial(body, self.base_ticks, what=msg.path)
            if result.end_ticks <= self.acked_ticks and result.duration_ticks > 0:
                return []  # stale: about audio already covered by a final
            return [
                Recognizing(
                    session_id=self.session_id,
                    result=result,
                    stable=path == "speech.fragment",
                )
            ]
        if path == "speech.phrase":
            body = loads_json(msg.body, limits=self.limits, what="speech.phrase")
            result = parse_result(body, self.base_ticks)
            return self._final(result)
        return []  # other paths (telemetry answers, translation...) are not ours

    def _detected_offset(self, msg: Message, what: str) -> int:
        if not msg.body or not msg.body.strip():
            return self.base_ticks
        body = as_object(loads_json(msg.body, limits=self.limits, what=what), what)
        return int_field(body, "Offset", what, required=False) + self.base_ticks

    def _final(self, result: RecognitionResult) -> list[SpeechEvent]:
        status = result.status
        if status.is_error:
            code = _CANCEL_CODE.get(status, "ServiceError")
            raw_status = result.raw.get("RecognitionStatus")
            err = CanceledError(
                f"recognition canceled by the service: RecognitionStatus {raw_status!r}",
                reason="Error",
                code=code,
            )
            self.error = err
            return [canceled_event(err, self.session_id)]
        end = result.end_ticks
        if status is RecognitionStatus.END_OF_DICTATION:
            return []  # the service ending a dictation turn; not a result
        if end <= self.acked_ticks and (result.duration_ticks > 0 or end < self.acked_ticks):
            return []  # already delivered before a reconnect
        self.acked_ticks = max(self.acked_ticks, end)
        self.replay.shrink(self.acked_ticks)
        if self.options.mode == "interactive":
            self._speech_open = False  # each turn is one utterance
        self.finals += 1
        if status is RecognitionStatus.SUCCESS:
            self.turn_recognized += 1
            return [Recognized(session_id=self.session_id, result=result)]
        reason = _NO_MATCH_REASON.get(status, NoMatchReason.NOT_RECOGNIZED)
        return [NoMatch(session_id=self.session_id, result=result, reason=reason)]

"""Speech to text over the WebSocket, sans-I/O.

* :class:`RecognitionOptions` holds every recognition option, checked once;
* :func:`build_query`, :func:`speech_config`, :func:`speech_context` turn it
  into the URL query, the ``speech.config`` and the ``speech.context`` bodies;
* :func:`parse_result` / :func:`parse_partial` turn ``speech.phrase`` and
  ``speech.hypothesis`` bodies into :class:`~azspeech.models.stt.RecognitionResult`;
* :class:`RecognitionState` is the state of a recognition across turns and
  connections: it builds each turn's opening frames, tracks the turn's base
  offset, decodes the service's messages into typed events, drops stale and
  duplicate results and shrinks the replay buffer as finals arrive.

No sockets, no event loop: the async session (and through it the blocking
one) drives this object.
"""

from __future__ import annotations

import platform
import re
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .._version import __version__
from ..audio.formats import PcmFormat
from ..errors import CanceledError, InvalidRequestError, ProtocolError
from ..models.stt import (
    Canceled,
    NBestEntry,
    NoMatch,
    NoMatchReason,
    RecognitionResult,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SpeechEndDetected,
    SpeechEvent,
    SpeechStartDetected,
    Word,
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

__all__ = [
    "MODES",
    "PROFANITY",
    "AudioFormat",
    "RecognitionOptions",
    "RecognitionState",
    "build_query",
    "parse_partial",
    "parse_result",
    "recognition_path",
    "speech_config",
    "speech_context",
    "validate_locale",
]

#: The PCM format of the audio a session sends (16 kHz, 16-bit mono by default).
AudioFormat = PcmFormat

MODES = ("interactive", "conversation", "dictation")
PROFANITY = ("masked", "removed", "raw")
LID_MODES = {"at_start": "DetectAtAudioStart", "continuous": "DetectContinuous"}

# BCP-47 as the service uses it: language, optional script, region (en-US, zh-Hans-CN, es-419).
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?-([A-Z]{2}|[0-9]{3})$")


def validate_locale(value: object, what: str = "language") -> str:
    """Return *value* if it looks like ``xx-YY`` (case fixed up), else raise InvalidRequestError."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{what} must be a locale such as 'en-US', got {value!r}")
    parts = value.strip().replace("_", "-").split("-")
    if len(parts) >= 2:
        parts[0] = parts[0].lower()
        parts[-1] = parts[-1].upper() if parts[-1].isalpha() else parts[-1]
        if len(parts) == 3:
            parts[1] = parts[1].title()
    fixed = "-".join(parts)
    if not _LOCALE_RE.match(fixed):
        raise InvalidRequestError(
            f"{what} {value!r} is not a locale; use a BCP-47 locale such as 'en-US' or 'de-DE'"
        )
    return fixed


def _check_ms(name: str, value: float | None, lo: int = 0, hi: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(f"{name} must be a number of milliseconds, got {value!r}")
    ms = int(value)
    if ms < lo or (hi is not None and ms > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise InvalidRequestError(f"{name} must be {bound} ms, got {value!r}")
    return ms


def check_phrases(phrases: Sequence[str] | None, weight: float | None) -> list[str]:
    """Validate a phrase list (no empty entries) and its weight (0.0–2.0)."""
    if phrases is None:
        if weight is not None:
            raise InvalidRequestError("phrase_weight needs a phrase list (phrases=[...])")
        return []
    if isinstance(phrases, str):
        raise InvalidRequestError("phrases must be a list of strings, not one string")
    out: list[str] = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase.strip():
            raise InvalidRequestError(f"phrase list entry {i} is empty or not a string: {phrase!r}")
        out.append(phrase.strip())
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 2
    ):
        raise InvalidRequestError(f"phrase_weight must be between 0.0 and 2.0, got {weight!r}")
    return out


@dataclass
class RecognitionOptions:
    """Every option of a real-time recognition, validated by :meth:`checked`."""

    mode: str = "conversation"
    language: str = "en-US"
    candidate_languages: list[str] | None = None
    language_id_mode: str = "at_start"
    detailed: bool = False
    word_timings: bool = False
    word_confidence: bool = False
    snr: bool = False
    profanity: str | None = None
    phrases: list[str] = field(default_factory=list)
    phrase_weight: float | None = None
    initial_silence_timeout_ms: int | None = None
    end_silence_timeout_ms: int | None = None
    segmentation_silence_timeout_ms: int | None = None
    segmentation_max_ms: int | None = None
    endpoint_id: str | None = None
    interim_results: bool = True
    stable_partial_threshold: int | None = None
    diarization: bool = False
    diarize_interim: bool = False
    true_text: bool = False
    store_audio: bool = False
    extra_query: dict[str, str] = field(default_factory=dict)
    extra_context: dict[str, Any] = field(default_factory=dict)

    def checked(self) -> RecognitionOptions:
        """Validate and normalize in place; return self."""
        mode = str(self.mode).lower()
        if mode not in MODES:
            raise InvalidRequestError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        self.mode = mode
        self.language = validate_locale(self.language)
        if self.candidate_languages is not None:
            if isinstance(self.candidate_languages, str):
                raise InvalidRequestError("candidate_languages must be a list of locales")
            cands = [validate_locale(c, "candidate language") for c in self.candidate_languages]
            if not cands:
                raise InvalidRequestError("candidate_languages must not be empty")
            if len(cands) != len(set(cands)):
                raise InvalidRequestError("candidate_languages has duplicates")
            limit = 10 if self.language_id_mode == "continuous" else 4
            if len(cands) > limit:
                raise InvalidRequestError(
                    f"at most {limit} candidate languages with language_id_mode="
                    f"{self.language_id_mode!r}, got {len(cands)}"
                )
            self.candidate_languages = cands
        if self.language_id_mode not in LID_MODES:
            raise InvalidRequestError(
                "language_id_mode must be 'at_start' or 'continuous', "
                f"got {self.language_id_mode!r}"
            )
        if self.profanity is not None:
            prof = str(self.profanity).lower()
            if prof not in PROFANITY:
                raise InvalidRequestError(
                    f"profanity must be one of {', '.join(PROFANITY)}, got {self.profanity!r}"
                )
            self.profanity = prof
        self.phrases = check_phrases(self.phrases or None, self.phrase_weight)
        self.initial_silence_timeout_ms = _check_ms(
            "initial_silence_timeout", self.initial_silence_timeout_ms
        )
        self.end_silence_timeout_ms = _check_ms("end_silence_timeout", self.end_silence_timeout_ms)
        self.segmentation_silence_timeout_ms = _check_ms(
            "segmentation_silence_timeout", self.segmentation_silence_timeout_ms, 100, 5000
        )
        self.segmentation_max_ms = _check_ms(
            "segmentation_max_time", self.segmentation_max_ms, 20000, 70000
        )
        if self.stable_partial_threshold is not None:
            self.stable_partial_threshold = int(
                _check_ms("stable_partial_threshold", self.stable_partial_threshold, 1) or 1
            )
        if self.word_timings or self.word_confidence or self.snr:
            self.detailed = True
        if self.diarization and self.mode == "interactive":
            raise InvalidRequestError("diarization needs mode='conversation'")
        return self

    @property
    def universal_endpoint(self) -> bool:
        """Whether this recognition needs the universal v2 endpoint (continuous LID)."""
        return bool(self.candidate_languages) and self.language_id_mode == "continuous"

    @property
    def output_format(self) -> str:
        return "detailed" if self.detailed else "simple"


def recognition_path(mode: str, *, universal: bool = False) -> str:
    """The WebSocket path: v1 per mode, or the universal v2 endpoint.

    Continuous language identification needs the universal endpoint; the
    mode then travels in ``speech.context`` only. The un-prefixed spelling is
    the documented one and the one containers serve.
    """
    if universal:
        return "/speech/universal/v2"
    return f"/speech/recognition/{mode}/cognitiveservices/v1"


def build_query(opts: RecognitionOptions) -> str:
    """The URL query string for the recognition WebSocket (or short-audio REST)."""
    q: dict[str, str] = {"language": opts.language, "format": opts.output_format}
    if opts.profanity:
        q["profanity"] = opts.profanity
    if opts.word_timings:
        q["wordLevelTimestamps"] = "true"
    if opts.initial_silence_timeout_ms is not None:
        q["initialSilenceTimeoutMs"] = str(opts.initial_silence_timeout_ms)
    if opts.end_silence_timeout_ms is not None:
        q["endSilenceTimeoutMs"] = str(opts.end_silence_timeout_ms)
    if opts.segmentation_silence_timeout_ms is not None:
        q["segmentationSilenceTimeoutMs"] = str(opts.segmentation_silence_timeout_ms)
    if opts.stable_partial_threshold is not None:
        q["stableIntermediateThreshold"] = str(opts.stable_partial_threshold)
    if opts.endpoint_id:
        q["cid"] = opts.endpoint_id
    if opts.candidate_languages:
        q["lidEnabled"] = "true"
    if opts.store_audio:
        q["storeAudio"] = "true"
    q.update(opts.extra_query)
    return urlencode(q)


def speech_config(fmt: AudioFormat, mode: str, source: str = "Stream") -> dict[str, Any]:
    """The ``speech.config`` body.

    ``context.system.name`` is ``SpeechSDK``, as both official SDKs send it (the
    protocol notes call mirroring it the safe choice); ``build`` names this SDK.
    """
    return {
        "context": {
            "system": {
                "name": "SpeechSDK",
                "version": __version__,
                "build": "azspeech-python",
                "lang": "Python",
            },
            "os": {
                "platform": "Python",
                "name": platform.system() or "unknown",
                "version": platform.release() or "unknown",
            },
            "audio": {
                "source": {
                    "bitspersample": fmt.bits_per_sample,
                    "channelcount": fmt.channels,
                    "connectivity": "Unknown",
                    "manufacturer": "azspeech",
                    "model": source,
                    "samplerate": fmt.sample_rate,
                    "type": source,
                }
            },
        },
        "recognition": mode,
    }


def speech_context(
    opts: RecognitionOptions, *, audio_offset_ms: int = 0, audio_session_id: str = ""
) -> dict[str, Any]:
    """The ``speech.context`` body of one turn."""
    mode_name = opts.mode.capitalize()
    detection: dict[str, Any] = {"mode": mode_name}
    if not opts.candidate_languages:
        detection["language"] = opts.language
    if opts.initial_silence_timeout_ms is not None:
        detection["initialSilenceTimeout"] = opts.initial_silence_timeout_ms
    if opts.end_silence_timeout_ms is not None:
        detection["trailingSilenceTimeout"] = opts.end_silence_timeout_ms
    segmentation: dict[str, Any] = {}
    if opts.segmentation_silence_timeout_ms is not None:
        segmentation["segmentationSilenceTimeoutMs"] = opts.segmentation_silence_timeout_ms
    if opts.segmentation_max_ms is not None:
        segmentation["segmentationForcedTimeoutMs"] = opts.segmentation_max_ms
    if segmentation:
        detection[opts.mode] = {"segmentation": {"mode": "Custom", **segmentation}}
    enrichment: dict[str, Any] = {}
    if opts.profanity:
        enrichment["profanity"] = opts.profanity.capitalize()
    if opts.true_text:
        enrichment[opts.mode] = {
            "punctuationMode": "Implicit",
            "disfluencyMode": "Removed",
            "intermediatePunctuationMode": "Implicit",
            "intermediateDisfluencyMode": "Removed",
        }
    detection["enrichment"] = enrichment
    if opts.diarization:
        detection["speakerDiarization"] = {
            "mode": "Anonymous",
            "audioSessionId": audio_session_id,
            "audioOffsetMs": audio_offset_ms,
            "diarizeIntermediates": opts.diarize_interim,
        }
    output: dict[str, Any] = {}
    if opts.detailed:
        options: list[str] = []
        if opts.word_timings:
            options.append("WordTimings")
        if opts.word_confidence:
            options.append("WordConfidence")
        if opts.snr:
            options.append("SNR")
        output["format"] = "Detailed"
        output["detailed"] = {"options": options}
    else:
        output["format"] = "Simple"
    interim: dict[str, Any] = {"resultType": "Auto" if opts.interim_results else "None"}
    if opts.stable_partial_threshold is not None:
        interim["stableThreshold"] = opts.stable_partial_threshold
    output["interimResults"] = interim
    output["phraseResults"] = {"resultType": "Always"}
    ctx: dict[str, Any] = {"phraseDetection": detection, "phraseOutput": output}
    if opts.phrases:
        dgi: dict[str, Any] = {
            "groups": [{"type": "Generic", "items": [{"text": p} for p in opts.phrases]}]
        }
        dgi["bias"] = 1.0 if opts.phrase_weight is None else float(opts.phrase_weight)
        ctx["dgi"] = dgi
    if opts.candidate_languages:
        ctx["languageId"] = {
            "languages": list(opts.candidate_languages),
            "mode": LID_MODES[opts.language_id_mode],
            "onSuccess": {"action": "Recognize"},
            "onUnknown": {"action": "None"},
            "priority": "PrioritizeLatency",
        }
    for key, value in opts.extra_context.items():
        ctx[key] = value
    return ctx


# -- parsing ------------------------------------------------------------------------------------

_STATUS_BY_NUMBER = [
    RecognitionStatus.SUCCESS,
    RecognitionStatus.NO_MATCH,
    RecognitionStatus.INITIAL_SILENCE_TIMEOUT,
    RecognitionStatus.BABBLE_TIMEOUT,
    RecognitionStatus.ERROR,
    RecognitionStatus.END_OF_DICTATION,
    RecognitionStatus.TOO_MANY_REQUESTS,
    RecognitionStatus.BAD_REQUEST,
    RecognitionStatus.FORBIDDEN,
]
_STATUS_BY_NAME = {s.value.lower(): s for s in RecognitionStatus}


def _status(value: object) -> RecognitionStatus:
    if isinstance(value, bool):
        raise ProtocolError(f"RecognitionStatus must be a string, got {value!r}")
    if isinstance(value, int):
        if 0 <= value < len(_STATUS_BY_NUMBER):
            return _STATUS_BY_NUMBER[value]
        return RecognitionStatus.UNKNOWN
    if isinstance(value, str):
        return _STATUS_BY_NAME.get(value.strip().lower(), RecognitionStatus.UNKNOWN)
    raise ProtocolError(f"RecognitionStatus must be a string, got {value!r}")


def _int(body: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> int:
    value = body.get(key)
    if value is None:
        if required:
            raise ProtocolError(f"{what}: missing required field {key!r}")
        return 0
    if isinstance(value, bool):
        raise ProtocolError(f"{what}: field {key!r} must be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):  # the REST docs show numbers as strings in places
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ProtocolError(f"{what}: field {key!r} must be an integer, got {value!r}")


def _opt_str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _opt_float(body: Mapping[str, Any], key: str, what: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ProtocolError(f"{what}: field {key!r} must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise ProtocolError(f"{what}: field {key!r} must be a number, got {value!r}") from exc


def _words(items: object, base: int, what: str) -> list[Word]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ProtocolError(f"{what}: Words must be a list")
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ProtocolError(f"{what}: a word must be an object")
        word = item.get("Word")
        if not isinstance(word, str):
            raise ProtocolError(f"{what}: a word without a 'Word' string")
        off = _int(item, "Offset", what, required=False) + base
        dur = _int(item, "Duration", what, required=False)
        extra = {
            k: v for k, v in item.items() if k not in ("Word", "Offset", "Duration", "Confidence")
        }
        out.append(
            Word(
                word=word,
                offset=ticks_to_timedelta(off),
                duration=ticks_to_timedelta(dur),
                offset_ticks=off,
                duration_ticks=dur,
                confidence=_opt_float(item, "Confidence", what),
                **extra,
            )
        )
    return out


def _nbest(items: object, base: int, what: str) -> list[NBestEntry]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ProtocolError(f"{what}: NBest must be a list")
    out = []
    known = ("Confidence", "Lexical", "ITN", "MaskedITN", "Display", "Words", "DisplayWords")
    for item in items:
        if not isinstance(item, Mapping):
            raise ProtocolError(f"{what}: an NBest entry must be an object")
        extra = {k: v for k, v in item.items() if k not in known}
        out.append(
            NBestEntry(
                confidence=_opt_float(item, "Confidence", what),
                lexical=_opt_str(item, "Lexical") or "",
                itn=_opt_str(item, "ITN") or "",
                masked_itn=_opt_str(item, "MaskedITN") or "",
                display=_opt_str(item, "Display") or "",
                words=_words(item.get("Words"), base, what),
                display_words=_words(item.get("DisplayWords"), base, what),
                **extra,
            )
        )
    return out


def _language(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    lang = body.get("PrimaryLanguage")
    if isinstance(lang, Mapping):
        return _opt_str(lang, "Language"), _opt_str(lang, "Confidence")
    if isinstance(lang, str):
        return lang, None
    return None, None


def _channel(body: Mapping[str, Any], what: str) -> int | None:
    if body.get("Channel") is None:
        return None
    return _int(body, "Channel", what)


def _as_object(body: object, what: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise ProtocolError(f"{what}: body must be a JSON object")
    return body


def parse_result(
    body: object, base_ticks: int = 0, *, what: str = "speech.phrase"
) -> RecognitionResult:
    """A final result from a ``speech.phrase`` (or short-audio REST) body.

    ``RecognitionStatus`` is required (a ``ProtocolError`` without it); offsets
    are shifted by *base_ticks*; unknown fields stay in ``raw``.
    """
    body = _as_object(body, what)
    if "RecognitionStatus" not in body:
        raise ProtocolError(f"{what}: missing required field 'RecognitionStatus'")
    status = _status(body["RecognitionStatus"])
    off = _int(body, "Offset", what, required=False) + base_ticks
    dur = _int(body, "Duration", what, required=False)
    nbest = _nbest(body.get("NBest"), base_ticks, what)
    text = _opt_str(body, "DisplayText")
    if text is None:
        text = nbest[0].display if nbest else ""
    language, lang_conf = _language(body)
    return RecognitionResult(
        status=status,
        text=text if status is RecognitionStatus.SUCCESS else text or "",
        offset=ticks_to_timedelta(off),
        duration=ticks_to_timedelta(dur),
        offset_ticks=off,
        duration_ticks=dur,
        language=language,
        language_confidence=lang_conf,
        speaker_id=_opt_str(body, "SpeakerId"),
        channel=_channel(body, what),
        snr=_opt_float(body, "SNR", what),
        nbest=nbest,
        is_final=True,
        raw=dict(body),
    )


def parse_partial(
    body: object, base_ticks: int = 0, *, what: str = "speech.hypothesis"
) -> RecognitionResult:
    """An interim result from a ``speech.hypothesis``/``speech.fragment`` body."""
    body = _as_object(body, what)
    text = body.get("Text")
    if text is None:
        text = body.get("DisplayText")
    if not isinstance(text, str):
        raise ProtocolError(f"{what}: missing required field 'Text'")
    off = _int(body, "Offset", what) + base_ticks
    dur = _int(body, "Duration", what, required=False)
    language, lang_conf = _language(body)
    return RecognitionResult(
        status=RecognitionStatus.SUCCESS,
        text=text,
        offset=ticks_to_timedelta(off),
        duration=ticks_to_timedelta(dur),
        offset_ticks=off,
        duration_ticks=dur,
        language=language,
        language_confidence=lang_conf,
        speaker_id=_opt_str(body, "SpeakerId"),
        channel=_channel(body, what),
        is_final=False,
        raw=dict(body),
    )


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


def canceled_event(error: Exception, session_id: str = "") -> Canceled:
    """The :class:`Canceled` event for *error*."""
    code = getattr(error, "code", None)
    reason = getattr(error, "reason", "Error")
    return Canceled(
        session_id=session_id,
        reason=str(reason),
        code=str(code) if code is not None else None,
        message=str(getattr(error, "message", error)),
        error=error,
    )


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
        body = _as_object(loads_json(msg.body, limits=self.limits, what=what), what)
        return _int(body, "Offset", what, required=False) + self.base_ticks

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

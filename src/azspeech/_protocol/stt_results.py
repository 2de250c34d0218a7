"""Speech to text over the WebSocket, sans-I/O: the service's result bodies, parsed.

:func:`parse_result` / :func:`parse_partial` turn ``speech.phrase`` and
``speech.hypothesis`` bodies (and short-audio REST answers) into
:class:`~azspeech.models.stt.RecognitionResult`; :func:`canceled_event` makes
the :class:`~azspeech.models.stt.Canceled` event for an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta as _td
from typing import Any

from ..errors import ProtocolError
from ..models._base import build_trusted
from ..models.stt import (
    Canceled,
    NBestEntry,
    RecognitionResult,
    RecognitionStatus,
    Word,
    ticks_to_timedelta,
)

__all__ = ["as_object", "canceled_event", "int_field", "parse_partial", "parse_result"]

# -- fields ------------------------------------------------------------------------------------

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

# The fields a validating RecognitionResult(...) call of each parser is given (fields_set).
_PARTIAL_FIELDS = {
    "status", "text", "offset", "duration", "offset_ticks", "duration_ticks", "language",
    "language_confidence", "speaker_id", "channel", "is_final", "raw",
}  # fmt: skip
_FINAL_FIELDS = _PARTIAL_FIELDS | {"snr", "nbest"}


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


def int_field(body: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> int:
    """The integer field *key* (a number or numeric string); 0 if absent and not *required*."""
    value = body.get(key)
    if type(value) is int:  # the common case first (bool is a subclass of int, not int)
        return value
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
        off = int_field(item, "Offset", what, required=False) + base
        dur = int_field(item, "Duration", what, required=False)
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
    if lang is None:
        return None, None
    if isinstance(lang, Mapping):
        return _opt_str(lang, "Language"), _opt_str(lang, "Confidence")
    if isinstance(lang, str):
        return lang, None
    return None, None


def _channel(body: Mapping[str, Any], what: str) -> int | None:
    if body.get("Channel") is None:
        return None
    return int_field(body, "Channel", what)


def as_object(body: object, what: str) -> Mapping[str, Any]:
    """*body* if it is a JSON object, else a ProtocolError."""
    if type(body) is dict:  # what json.loads gives: no ABC check
        return body
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
    body = as_object(body, what)
    if "RecognitionStatus" not in body:
        raise ProtocolError(f"{what}: missing required field 'RecognitionStatus'")
    status = _status(body["RecognitionStatus"])
    off = int_field(body, "Offset", what, required=False) + base_ticks
    dur = int_field(body, "Duration", what, required=False)
    nbest = _nbest(body.get("NBest"), base_ticks, what)
    text = _opt_str(body, "DisplayText")
    if text is None:
        text = nbest[0].display if nbest else ""
    language, lang_conf = _language(body)
    speaker = _opt_str(body, "SpeakerId")
    channel = _channel(body, what)
    snr = _opt_float(body, "SNR", what)
    if type(body) is dict and type(text) is str and type(off) is int:
        # A JSON object (every value checked above): no second validation by pydantic.
        return _trusted_result(
            status, text, off, dur, language, lang_conf, speaker, channel, snr, nbest, True,
            body, _FINAL_FIELDS,
        )  # fmt: skip
    return RecognitionResult(
        status=status,
        text=text,
        offset=ticks_to_timedelta(off),
        duration=ticks_to_timedelta(dur),
        offset_ticks=off,
        duration_ticks=dur,
        language=language,
        language_confidence=lang_conf,
        speaker_id=speaker,
        channel=channel,
        snr=snr,
        nbest=nbest,
        is_final=True,
        raw=dict(body),
    )


def parse_partial(
    body: object, base_ticks: int = 0, *, what: str = "speech.hypothesis"
) -> RecognitionResult:
    """An interim result from a ``speech.hypothesis``/``speech.fragment`` body."""
    if type(body) is not dict:
        body = as_object(body, what)
    text = body.get("Text")
    if text is None:
        text = body.get("DisplayText")
    if not isinstance(text, str):
        raise ProtocolError(f"{what}: missing required field 'Text'")
    off = body.get("Offset")
    if type(off) is not int:  # the usual case is an int: no call
        off = int_field(body, "Offset", what)
    off += base_ticks
    dur = body.get("Duration")
    if type(dur) is not int:
        dur = int_field(body, "Duration", what, required=False)
    language = lang_conf = speaker = channel = None
    if len(body) > 3 or "Text" not in body or "Duration" not in body:
        # Not just Text, Offset and Duration (the usual hypothesis): the optional fields.
        language, lang_conf = _language(body)
        speaker = _opt_str(body, "SpeakerId")
        channel = _channel(body, what)
    if type(body) is dict and type(text) is str and type(off) is int:
        # A JSON object (every value checked above): no second validation by pydantic.
        return _trusted_result(
            RecognitionStatus.SUCCESS, text, off, dur, language, lang_conf, speaker, channel,
            None, [], False, body, _PARTIAL_FIELDS,
        )  # fmt: skip
    return RecognitionResult(
        status=RecognitionStatus.SUCCESS,
        text=text,
        offset=ticks_to_timedelta(off),
        duration=ticks_to_timedelta(dur),
        offset_ticks=off,
        duration_ticks=dur,
        language=language,
        language_confidence=lang_conf,
        speaker_id=speaker,
        channel=channel,
        is_final=False,
        raw=dict(body),
    )


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


def _trusted_result(
    status: RecognitionStatus,
    text: str,
    off: int,
    dur: int,
    language: str | None,
    lang_conf: str | None,
    speaker: str | None,
    channel: int | None,
    snr: float | None,
    nbest: list[NBestEntry],
    is_final: bool,
    body: dict[str, Any],
    fields: set[str],
) -> RecognitionResult:
    """A result from values the parser checked: every field, in declaration order."""
    return build_trusted(
        RecognitionResult,
        {
            "status": status,
            "text": text,
            "offset": _td(0, 0, off // 10),
            "duration": _td(0, 0, dur // 10),
            "offset_ticks": off,
            "duration_ticks": dur,
            "language": language,
            "language_confidence": lang_conf,
            "speaker_id": speaker,
            "channel": channel,
            "snr": snr,
            "nbest": nbest,
            "is_final": is_final,
            "raw": body.copy(),
        },
        fields.copy(),
    )

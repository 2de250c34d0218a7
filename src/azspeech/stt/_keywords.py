"""Flat keywords of ``client.stt`` → option values, in one place.

The resource methods take a few flat shortcuts (``language=``, ``mode=``...),
the option objects (``options=``, ``silence=``...), and, typed through
:class:`OptionKeywords` / :class:`SessionKeywords`, the keyword names the
methods had before the option objects existed. One rule for all of them: an
object is the starting point, and a flat keyword overrides the same setting
in it. Everything is validated once, when the resulting objects are built.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from ..models.stt import (
    Canceled,
    NoMatch,
    Recognized,
    Recognizing,
    SessionStarted,
    SessionStopped,
    SpeechEndDetected,
    SpeechStartDetected,
)
from ..options import (
    LanguageIdentification,
    LanguageIdMode,
    Mode,
    OutputOptions,
    Profanity,
    PronunciationAssessment,
    RecognitionOptions,
    Reliability,
    SilenceTimeouts,
)
from ..options._base import choice

if TYPE_CHECKING:  # pragma: no cover
    from _typeshed import DataclassInstance

__all__ = ["OptionKeywords", "SessionKeywords", "callbacks", "recognition", "reliability"]


class OptionKeywords(TypedDict, total=False):
    """Per-option keywords of ``recognize_once`` and ``connect``, as named before the options.

    Each sets one field of an option object: ``diarization``,
    ``diarize_interim``, ``phrase_weight``, ``endpoint_id``, ``store_audio``,
    ``extra_query``, ``extra_context`` → :class:`RecognitionOptions`;
    ``word_timings``, ``word_confidence``, ``profanity``, ``true_text``,
    ``stable_partial_threshold`` → :class:`OutputOptions`;
    ``initial_silence_timeout``, ``end_silence_timeout``,
    ``segmentation_silence_timeout``, ``segmentation_max_time`` (seconds) →
    :class:`SilenceTimeouts`; ``language_id_mode`` → :class:`LanguageIdentification`.
    """

    diarization: bool
    diarize_interim: bool
    phrase_weight: float | None
    endpoint_id: str | None
    store_audio: bool
    extra_query: Mapping[str, str] | None
    extra_context: Mapping[str, Any] | None
    word_timings: bool
    word_confidence: bool
    profanity: Profanity | None
    true_text: bool
    stable_partial_threshold: int | None
    initial_silence_timeout: float | None
    end_silence_timeout: float | None
    segmentation_silence_timeout: float | None
    segmentation_max_time: float | None
    language_id_mode: LanguageIdMode


class SessionKeywords(OptionKeywords, total=False):
    """``connect`` also takes the :class:`Reliability` fields and one callback per event type.

    ``chunk_ms``, ``max_reconnects``, ``replay_buffer_seconds``,
    ``window_wait``, ``max_connection_age``, ``end_timeout`` →
    :class:`Reliability`; ``on_recognized=cb`` is ``session.on("recognized", cb)``
    registered before the session starts (likewise for every event type).
    """

    chunk_ms: int
    max_reconnects: int
    replay_buffer_seconds: float
    window_wait: float
    max_connection_age: float | None
    end_timeout: float | None
    on_session_started: Callable[[SessionStarted], object] | None
    on_session_stopped: Callable[[SessionStopped], object] | None
    on_speech_start_detected: Callable[[SpeechStartDetected], object] | None
    on_speech_end_detected: Callable[[SpeechEndDetected], object] | None
    on_recognizing: Callable[[Recognizing], object] | None
    on_recognized: Callable[[Recognized], object] | None
    on_no_match: Callable[[NoMatch], object] | None
    on_canceled: Callable[[Canceled], object] | None


_T = TypeVar("_T", bound="DataclassInstance")

_TOP = ("diarization", "diarize_interim", "phrase_weight", "endpoint_id", "store_audio",
        "extra_query", "extra_context")  # fmt: skip
_OUTPUT = ("word_timings", "word_confidence", "profanity", "true_text", "stable_partial_threshold")
_SILENCE = {
    "initial_silence_timeout": "initial",
    "end_silence_timeout": "end",
    "segmentation_silence_timeout": "segmentation",
    "segmentation_max_time": "segmentation_max",
}
_RELIABILITY = tuple(f.name for f in dataclasses.fields(Reliability))
_OPTION_NAMES = frozenset((*_TOP, *_OUTPUT, *_SILENCE, "language_id_mode"))
_SESSION_NAMES = _OPTION_NAMES | set(_RELIABILITY) | set(SessionKeywords.__annotations__)


@functools.cache
def _defaults(mode: Mode) -> RecognitionOptions:
    return RecognitionOptions(mode=mode)  # immutable: one per mode serves every call


def check_names(method: str, given: Mapping[str, Any], *, session: bool) -> None:
    """A misspelt keyword fails as it would without ``**kwargs``."""
    known = _SESSION_NAMES if session else _OPTION_NAMES
    for name in given:
        if name not in known:
            raise TypeError(f"{method}() got an unexpected keyword argument {name!r}")


def _changes(given: Mapping[str, Any], names: Mapping[str, str] | Sequence[str]) -> dict[str, Any]:
    pairs = names.items() if isinstance(names, Mapping) else ((n, n) for n in names)
    return {field: given[name] for name, field in pairs if given.get(name) is not None}


def _replace(obj: _T, changes: dict[str, Any]) -> _T:
    return dataclasses.replace(obj, **changes) if changes else obj


def recognition(
    *,
    default_mode: Mode,
    shortcuts: Mapping[str, Any],
    given: Mapping[str, Any],
    options: RecognitionOptions | None = None,
    silence: SilenceTimeouts | None = None,
    output: OutputOptions | None = None,
    language_id: LanguageIdentification | None = None,
    pronunciation: PronunciationAssessment | None = None,
) -> RecognitionOptions:
    """The recognition options: *options* (or the defaults), then groups, then flat keywords."""
    base = options if options is not None else _defaults(default_mode)
    top = _changes(shortcuts, ("language", "mode", "interim_results", "phrases"))
    top.update(_changes(given, _TOP))
    if options is None and "mode" not in top and top.get("diarization"):
        top["mode"] = "conversation"  # diarization needs it (the service's rule)
    out_changes = {**_changes(given, _OUTPUT), **_changes(shortcuts, ("detailed",))}
    out = _replace(output or base.output, out_changes)
    sil = _replace(silence or base.silence, _changes(given, _SILENCE))
    lid = language_id or base.language_id
    lid_changes = _changes(
        {"candidates": shortcuts.get("candidate_languages"), "mode": given.get("language_id_mode")},
        ("candidates", "mode"),
    )
    if lid is not None:
        lid = _replace(lid, lid_changes)
    elif "candidates" in lid_changes:
        lid = LanguageIdentification(**lid_changes)
    elif "mode" in lid_changes:  # a mode without candidates: checked (as before), then unused
        choice("language_id_mode", lid_changes["mode"], ("at_start", "continuous"))
    groups = {"silence": sil, "output": out, "language_id": lid,
              "pronunciation": pronunciation or base.pronunciation}  # fmt: skip
    top.update({k: v for k, v in groups.items() if v is not getattr(base, k)})
    return _replace(base, top)


def reliability(base: Reliability | None, given: Mapping[str, Any]) -> Reliability:
    """The reliability settings: *base* (or the defaults) with the flat keywords applied."""
    changes = {name: given[name] for name in _RELIABILITY if name in given}
    return _replace(base or Reliability(), changes)


def callbacks(given: Mapping[str, Any]) -> dict[str, Callable[[Any], object]]:
    """``on_recognized=cb`` and the like, as ``{"recognized": cb}``."""
    return {k[3:]: cb for k, cb in given.items() if k.startswith("on_") and cb is not None}

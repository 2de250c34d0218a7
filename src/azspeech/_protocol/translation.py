"""Speech translation over the WebSocket, sans-I/O: the translation codec.

Translation is speech to text with translations attached, so
:class:`TranslationCodec` wraps a :class:`~.stt.SpeechCodec` (statuses,
offsets, no-match and cancellation are its business) and adds:

* the results: ``translation.hypothesis`` / ``translation.phrase`` (v1, the
  translations nested under ``Translation``; top-level fields accepted too)
  and ``translation.response`` (v2: recognition under ``SpeechHypothesis`` /
  ``SpeechPhrase``, a partial or a final depending on which), turned into
  :class:`~azspeech.models.translation.Translating` and
  :class:`~azspeech.models.translation.Translated` events. Plain ``speech.*``
  results are not taken: the translation messages carry the same results;
* the translated speech: ``translation.synthesis`` chunks and
  ``translation.synthesis.end`` (v1), ``audio.start`` / ``audio`` /
  ``audio.end`` demultiplexed by ``X-StreamId`` (v2), as
  :class:`~azspeech.models.translation.Synthesizing` chunks and one
  :class:`~azspeech.models.translation.Synthesized` per utterance;
* the target languages of the following turns, and the ``event`` body that
  changes them mid-session (``updateLanguage``).

No sockets, no event loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..audio.formats import PcmFormat
from ..errors import ProtocolError
from ..models.stt import NoMatch, RecognitionResult, Recognized, Recognizing, SpeechEvent
from ..models.translation import (
    Synthesized,
    Synthesizing,
    Translated,
    Translating,
    TranslationResult,
)
from ..options.translation import TranslationOptions, validate_target_language
from .framing import Message, loads_json
from .recognition import Failure, Final, Partial, ResultCodec
from .stt import SpeechCodec

__all__ = ["TranslationCodec", "translation_result"]

_V2 = "translation.response"


def _translations(body: Mapping[str, Any]) -> tuple[dict[str, str], str | None]:
    """The translations of a body (nested ``Translation`` first, else top level) and any error."""
    section = body.get("Translation")
    src = section if isinstance(section, Mapping) else body
    out: dict[str, str] = {}
    items = src.get("Translations")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("Language"), str):
            text = item.get("Text", item.get("DisplayText"))
            out[item["Language"]] = text if isinstance(text, str) else ""
    status = src.get("TranslationStatus")
    if isinstance(status, str) and status.lower() == "error":
        reason = src.get("FailureReason")
        return out, str(reason) if reason else "translation failed"
    return out, None


def translation_result(result: RecognitionResult, body: Mapping[str, Any]) -> TranslationResult:
    """*result* (parsed by the speech codec) with the translations of *body*."""
    translations, error = _translations(body)
    fields = {name: getattr(result, name) for name in type(result).model_fields}
    return TranslationResult(**fields, translations=translations, translation_error=error)


def _v1_shape(body: Any) -> tuple[Mapping[str, Any], bool]:
    """A v2 ``translation.response`` as a v1 body, and whether it is a final."""
    if not isinstance(body, Mapping):
        raise ProtocolError("translation.response: the body is not a JSON object")
    final = isinstance(body.get("SpeechPhrase"), Mapping)
    inner = body.get("SpeechPhrase" if final else "SpeechHypothesis")
    if not isinstance(inner, Mapping):
        raise ProtocolError("translation.response: neither SpeechPhrase nor SpeechHypothesis")
    rest = {k: v for k, v in body.items() if k not in ("SpeechPhrase", "SpeechHypothesis")}
    return {**inner, "Translation": rest}, final


class TranslationCodec(ResultCodec[SpeechEvent]):
    """Translation results and translated speech; speech results by the speech codec."""

    partial_paths = frozenset({"translation.hypothesis", _V2})
    final_paths = frozenset({"translation.phrase"})

    def __init__(self, options: TranslationOptions) -> None:
        self.options = options
        self.speech = SpeechCodec(options.recognition)
        self.one_utterance_per_turn = self.speech.one_utterance_per_turn
        self.targets: list[str] = list(options.target_languages)
        """The target languages of the following turns (changed by :meth:`update_languages`)."""
        self._chunks: dict[str | None, bytearray] = {}
        self._streams: dict[str, str] = {}  # v2: X-StreamId -> target language
        self._last_end = -1  # end of the last final delivered (absolute ticks)
        self._skip_audio = False  # the speech of a final delivered before a reconnect
        self._awaiting_speech = False  # a final was delivered and its speech has not ended

    # -- client -> service ------------------------------------------------------------------------

    def config(self, fmt: PcmFormat) -> Mapping[str, Any]:
        """The ``speech.config`` body (the speech codec's)."""
        return self.speech.config(fmt)

    def context(self, *, audio_offset_ms: int, audio_session_id: str) -> Mapping[str, Any]:
        """The ``speech.context`` of a turn, for the current target languages."""
        return self.options.context(
            self.targets, audio_offset_ms=audio_offset_ms, audio_session_id=audio_session_id
        )

    def update_languages(self, targets: Sequence[str]) -> dict[str, Any]:
        """Make *targets* the target languages; the ``event`` body that tells the service.

        The change applies from the service's next final result, and every
        later turn (after a reconnect too) asks for these targets. Bad codes,
        an empty or too long list, or dropping the voice's language raise
        :class:`~azspeech.errors.InvalidRequestError`.
        """
        if isinstance(targets, (str, bytes)):
            targets = [targets]  # one code, not its letters
        codes = [validate_target_language(t) for t in targets]
        self.targets = list(
            dataclasses.replace(self.options, target_languages=codes).target_languages
        )
        body: dict[str, Any] = {"id": "translation", "name": "updateLanguage"}
        voices = self.options.default_voices(self.targets)
        if voices:
            body["synthesis"] = {"defaultVoices": voices}
        body["to"] = list(self.targets)
        return body

    # -- service -> client ------------------------------------------------------------------------

    def partial(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Partial[SpeechEvent] | Final[SpeechEvent] | Failure[SpeechEvent] | None:
        """A :class:`Translating` event; a v2 ``translation.response`` may be a final."""
        if path == _V2:
            body, final = _v1_shape(body)
            if final:
                return self.final(path, body, base_ticks, session_id)
        part = self.speech.partial(path, body, base_ticks, session_id)
        if part is None:
            return None
        events = [
            Translating(session_id=session_id, result=translation_result(e.result, body))
            for e in part.events
            if isinstance(e, Recognizing)
        ]
        return Partial(part.end_ticks, part.duration_ticks, events)

    def final(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Final[SpeechEvent] | Failure[SpeechEvent] | None:
        """A :class:`Translated` or no-match final, or a cancelling status."""
        if isinstance(body, Mapping) and "DisplayText" not in body and "Text" in body:
            body = {**body, "DisplayText": body["Text"]}  # v1 phrases say Text
        got = self.speech.final(path, body, base_ticks, session_id)
        if not isinstance(got, Final):
            return got
        events: list[SpeechEvent] = []
        for event in got.events:
            if isinstance(event, Recognized):
                events.append(
                    Translated(session_id=session_id, result=translation_result(event.result, body))
                )
            elif isinstance(event, NoMatch):
                result = translation_result(event.result, body)
                events.append(event.model_copy(update={"result": result}))
            else:
                events.append(event)
        # The speech that follows belongs to this final; a final the state drops as a
        # duplicate (delivered before a reconnect) had its speech delivered then too.
        self._skip_audio = got.end_ticks <= self._last_end and got.duration_ticks > 0
        self._last_end = max(self._last_end, got.end_ticks)
        self._chunks.clear()
        self._awaiting_speech = (
            not self._skip_audio
            and bool(self.options.default_voices(self.targets))
            and any(isinstance(e, Translated) for e in events)
        )
        return Final(got.end_ticks, got.duration_ticks, events, recognized=got.recognized)

    def detected(self, start: bool, offset_ticks: int, session_id: str) -> SpeechEvent:
        """Speech start or end (the speech codec's events)."""
        return self.speech.detected(start, offset_ticks, session_id)

    def other(self, msg: Message, base_ticks: int, session_id: str) -> Sequence[SpeechEvent] | None:
        """Translated speech: chunks, then the whole utterance; ``None`` for other paths."""
        path = msg.path.lower()
        if path in ("translation.synthesis", "audio") and msg.binary:
            language = self._language(msg)
            if self._skip_audio:
                return []
            self._chunks.setdefault(language, bytearray()).extend(msg.body)
            return [Synthesizing(session_id=session_id, language=language, audio=bytes(msg.body))]
        if path == "audio.start":
            body = self._body(msg)
            stream = msg.header("X-StreamId")
            if stream is not None and isinstance(body.get("TranslationLanguage"), str):
                self._streams[stream] = body["TranslationLanguage"]
            return []
        if path in ("translation.synthesis.end", "audio.end"):
            language = self._language(msg)
            body = self._body(msg)
            data = bytes(self._chunks.pop(language, b""))
            if self._skip_audio:
                return []
            status = str(body.get("SynthesisStatus", body.get("Status", "Success")))
            error = None
            if status.lower() != "success":
                error = str(body.get("FailureReason") or f"synthesis status {status}")
            if error is not None:
                data = b""
            self._awaiting_speech = False
            return [Synthesized(session_id=session_id, language=language, data=data, error=error)]
        return None

    @property
    def awaiting_speech(self) -> bool:
        """Whether a delivered final's translated speech has not ended yet."""
        return self._awaiting_speech

    def connection_lost(self, session_id: str) -> list[SpeechEvent]:
        """What the caller is owed when the connection drops: the speech of a delivered final.

        The final was acknowledged, so the replay resumes after its audio and the
        service never speaks it again: its :class:`Synthesized` says so (``error``)
        instead of never coming. Speech chunks of the lost connection are dropped.
        """
        self._chunks.clear()
        if not self._awaiting_speech:
            return []
        self._awaiting_speech = False
        language = next(iter(self.options.default_voices(self.targets)), None)
        return [
            Synthesized(
                session_id=session_id,
                language=language,
                error="the connection dropped before the translated speech was complete",
            )
        ]

    def _language(self, msg: Message) -> str | None:
        stream = msg.header("X-StreamId")
        if stream is not None and stream in self._streams:
            return self._streams[stream]
        spoken = self.options.default_voices(self.targets)
        return next(iter(spoken), None)  # v1: one voice, its language

    @staticmethod
    def _body(msg: Message) -> Mapping[str, Any]:
        if not msg.body or not msg.body.strip():
            return {}
        body = loads_json(msg.body, what=msg.path)
        return body if isinstance(body, Mapping) else {}

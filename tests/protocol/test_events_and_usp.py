"""One event convention for both features, one speech.config, one X-Timestamp."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from datetime import timedelta

import pydantic
import pytest
from typing_extensions import assert_never

from azspeech._protocol import usp
from azspeech._protocol.framing import decode_frame, timestamp
from azspeech._protocol.stt_options import AudioFormat
from azspeech._protocol.stt_options import speech_config as stt_speech_config
from azspeech._protocol.tts import SynthesisTurn, speech_config_frame
from azspeech._transport.ws import now_timestamp
from azspeech.captions import TimedPhrase, TimedWord, to_srt
from azspeech.emulator.tts_frames import boundary_entry, metadata_frame, turn_end_frame
from azspeech.models import stt as stt_models
from azspeech.models import tts as tts_models

RID = "0123456789abcdef0123456789abcdef"


def _members(union: object) -> tuple[type, ...]:
    return typing.get_args(union)


# -- type literals and unions ----------------------------------------------------------------


def _type_of(cls: type) -> str:
    if issubclass(cls, pydantic.BaseModel):
        default = cls.model_fields["type"].default
    elif dataclasses.is_dataclass(cls):
        (field,) = [f for f in dataclasses.fields(cls) if f.name == "type"]
        default = field.default
    else:
        default = cls.type  # type: ignore[attr-defined]
    assert isinstance(default, str) and default, cls
    return default


@pytest.mark.parametrize(
    ("union", "base"),
    [
        (stt_models.RecognitionEvent, stt_models.SpeechEvent),
        (tts_models.SynthesisEvent, tts_models.TtsEvent),
    ],
)
def test_every_event_has_its_own_type_literal_and_is_in_the_union(
    union: object, base: type
) -> None:
    members = _members(union)
    concrete = {
        cls
        for cls in vars(stt_models if base is stt_models.SpeechEvent else tts_models).values()
        if isinstance(cls, type) and issubclass(cls, base) and cls is not base
        and not cls.__name__.startswith("_")
    }  # fmt: skip
    assert concrete <= set(members)
    types = [_type_of(cls) for cls in members]
    assert len(set(types)) == len(types)  # a match on .type is unambiguous
    for cls in members:
        hints = typing.get_type_hints(cls)
        literal = hints["type"]
        if typing.get_origin(literal) is typing.ClassVar:
            (literal,) = typing.get_args(literal)
        assert typing.get_args(literal) == (_type_of(cls),), cls


def test_both_features_end_with_session_stopped() -> None:
    assert tts_models.SessionEnd is tts_models.SessionStopped  # the former name still works
    tts_end = tts_models.SessionEnd(20_000_000)
    stt_end = stt_models.SessionStopped()
    assert tts_end.type == stt_end.type == "session_stopped"
    assert isinstance(tts_end, tts_models.SessionStopped)
    assert tts_end.duration == timedelta(seconds=2)


def test_an_exhaustive_match_over_the_synthesis_union() -> None:
    def describe(event: tts_models.SynthesisEvent) -> str:
        match event:
            case tts_models.AudioChunk():
                return f"{len(event)} bytes"
            case tts_models.WordBoundary(text=text) | tts_models.PunctuationBoundary(text=text):
                return text
            case tts_models.SentenceBoundary(text=text):
                return text
            case tts_models.Viseme(viseme_id=vid):
                return str(vid)
            case tts_models.Bookmark(name=name):
                return name
            case tts_models.SessionStopped():
                return "end"
        assert_never(event)

    turn = SynthesisTurn(RID, text="Hi there", bytes_per_second=32000)
    entries = [
        boundary_entry("WordBoundary", 10, 5, "Hi"),
        boundary_entry("WordBoundary", 20, 5, "there"),
    ]
    events = turn.feed(decode_frame(metadata_frame(RID, entries)))
    events += turn.feed(decode_frame(turn_end_frame(RID)))
    assert [describe(e) for e in events] == ["Hi", "there", "end"]
    first = events[0]
    assert isinstance(first, tts_models.WordBoundary)
    assert (first.offset_ticks, first.duration_ticks, first.text_offset) == (10, 5, 0)


def test_positional_construction_of_tts_events_still_works() -> None:
    w = tts_models.WordBoundary(1, 2, "a", 1, 0)
    assert (w.offset_ticks, w.duration_ticks, w.text, w.length, w.text_offset, w.type) == (
        1, 2, "a", 1, 0, "word_boundary"
    )  # fmt: skip


def test_printing_an_audio_chunk_shows_its_size_not_its_bytes() -> None:
    chunk = tts_models.AudioChunk(b"\x01" * 340_000, 10_000_000)
    for text in (str(chunk), repr(chunk), f"{chunk}", str([chunk])):
        assert len(text) < 80 and "340000 bytes" in text
    assert bytes(chunk) == b"\x01" * 340_000 and chunk.type == "audio"


def test_canceled_error_is_an_exception() -> None:
    err = ValueError("boom")
    assert stt_models.Canceled(error=err).error is err
    with pytest.raises(pydantic.ValidationError):
        stt_models.Canceled(error="not an exception")


# -- captions take TimedPhrase ----------------------------------------------------------------


def test_result_types_are_timed_phrases() -> None:
    result = stt_models.RecognitionResult(text="Hi.", duration=timedelta(seconds=1))
    phrase = stt_models.TranscribedPhrase(
        text="Hi.", offset=timedelta(0), duration=timedelta(1), offset_ms=0, duration_ms=1000
    )
    word = stt_models.Word(
        word="Hi", offset=timedelta(0), duration=timedelta(1), offset_ticks=0, duration_ticks=1
    )
    assert isinstance(result, TimedPhrase) and isinstance(phrase, TimedPhrase)
    assert isinstance(word, TimedWord)


def test_captions_from_a_type_of_your_own() -> None:
    @dataclasses.dataclass
    class Line:
        text: str
        offset: timedelta
        duration: timedelta
        words: tuple[TimedWord, ...] = ()
        speaker: str | None = None

    line: TimedPhrase = Line(
        "Good morning.", timedelta(seconds=1), timedelta(seconds=2), speaker="A"
    )
    assert to_srt([line]) == "1\n00:00:01,000 --> 00:00:03,000\nA: Good morning.\n"


# -- one speech.config, one X-Timestamp ----------------------------------------------------------


def test_one_speech_config_for_both_features() -> None:
    tts_body = json.loads(decode_frame(speech_config_frame(RID)).body)
    assert tts_body == usp.speech_config()
    assert tts_body["context"] == usp.client_identity()
    assert "audio" not in tts_body["context"] and "recognition" not in tts_body
    stt_body = usp.speech_config(AudioFormat(), recognition="conversation", source="Stream")
    # The STT body today is the same one, built by the options module: a drop-in switch.
    assert stt_body == stt_speech_config(AudioFormat(), "conversation")


def test_speech_config_extra_context() -> None:
    body = usp.speech_config(extra_context={"synthesis": {"video": {"format": "x"}}})
    assert body["context"]["synthesis"] == {"video": {"format": "x"}}
    assert body["context"]["system"]["name"] == "SpeechSDK"


def test_x_timestamp_is_formatted_from_the_time_given() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678_900, tzinfo=dt.timezone.utc)
    assert usp.x_timestamp(when) == "2026-01-02T03:04:05.678Z"
    plus_two = when.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert usp.x_timestamp(plus_two) == "2026-01-02T03:04:05.678Z"
    assert timestamp(when) == usp.x_timestamp(when)
    frame = decode_frame(speech_config_frame(RID, timestamp=usp.x_timestamp(when)))
    assert frame.header("X-Timestamp") == "2026-01-02T03:04:05.678Z"
    assert len(now_timestamp()) == len("2026-01-02T03:04:05.678Z")


def test_now_timestamp_reads_the_clock_once_per_millisecond(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azspeech._transport.ws as ws

    calls: list[float] = []
    moments = iter([1767323045.975, 1767323045.9754, 1767323045.976])

    def clock() -> float:
        calls.append(0)
        return next(moments)

    monkeypatch.setattr(ws, "_clock", clock)
    monkeypatch.setattr(ws, "_last_stamp", (-1, ""))
    assert ws.now_timestamp() == "2026-01-02T03:04:05.975Z"
    assert ws.now_timestamp() == "2026-01-02T03:04:05.975Z"  # same millisecond: cached
    assert ws.now_timestamp() == "2026-01-02T03:04:05.976Z"
    assert len(calls) == 3

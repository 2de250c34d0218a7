"""Sans-I/O speech to text: options, URL query, config/context bodies, parsers, turn state."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import Message, decode_frame, encode_text
from azspeech._protocol.replay import ReplayBuffer
from azspeech._protocol.stt import (
    AudioFormat,
    RecognitionOptions,
    RecognitionState,
    build_query,
    parse_partial,
    parse_result,
    speech_config,
    speech_context,
    validate_locale,
)
from azspeech.errors import InvalidRequestError, ProtocolError
from azspeech.models.stt import (
    Canceled,
    NoMatch,
    NoMatchReason,
    RecognitionStatus,
    Recognized,
    Recognizing,
    SpeechEndDetected,
    SpeechStartDetected,
)
from azspeech.options import LanguageIdentification, OutputOptions, SilenceTimeouts

# -- options and validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [("en-US", "en-US"), ("en-us", "en-US"), ("de_DE", "de-DE"), ("zh-Hans-CN", "zh-Hans-CN"),
     ("es-419", "es-419")],
)  # fmt: skip
def test_locale_accepted(given: str, expected: str) -> None:
    assert validate_locale(given) == expected


@pytest.mark.parametrize("bad", ["english", "en", "", "  ", "en-USA", "1234", None, 5])
def test_locale_rejected(bad: object) -> None:
    with pytest.raises(InvalidRequestError, match="locale"):
        validate_locale(bad)


def test_empty_phrase_list_entry_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="phrase list entry 1"):
        RecognitionOptions(phrases=["Contoso", "  "]).checked()


@pytest.mark.parametrize(
    "build",
    [lambda: RecognitionOptions(mode="shouting"),  # type: ignore[arg-type]
     lambda: OutputOptions(profanity="bleep"),  # type: ignore[arg-type]
     lambda: RecognitionOptions(phrase_weight=3.0, phrases=["a"]),
     lambda: RecognitionOptions(phrase_weight=1.0), lambda: SilenceTimeouts(segmentation=0.05),
     lambda: RecognitionOptions(diarization=True, mode="interactive"),
     lambda: LanguageIdentification(candidates=["english"]),
     lambda: LanguageIdentification(candidates=["en-US"] * 2),
     lambda: LanguageIdentification(candidates="en-US"),
     lambda: LanguageIdentification(candidates=["en-US", "de-DE", "fr-FR", "es-ES", "it-IT"])],
)  # fmt: skip
def test_bad_options(build: Callable[[], object]) -> None:
    # The option values validate when they are built (a bad one never reaches a session).
    with pytest.raises(InvalidRequestError):
        build()


def test_query_carries_every_option() -> None:
    opts = RecognitionOptions(
        language="de-DE", endpoint_id="abc-123",
        output=OutputOptions(word_timings=True, profanity="Removed", stable_partial_threshold=3),  # type: ignore[arg-type]
        silence=SilenceTimeouts(initial=5.0, segmentation=0.8, end=1.2),
        language_id=LanguageIdentification(candidates=["de-DE", "en-US"]),
    ).checked()  # fmt: skip
    q = {k: v[0] for k, v in parse_qs(build_query(opts)).items()}
    assert q == {
        "language": "de-DE", "format": "detailed", "profanity": "removed",
        "wordLevelTimestamps": "true", "initialSilenceTimeoutMs": "5000",
        "endSilenceTimeoutMs": "1200", "segmentationSilenceTimeoutMs": "800",
        "stableIntermediateThreshold": "3", "cid": "abc-123", "lidEnabled": "true",
    }  # fmt: skip


def test_simple_query_is_minimal() -> None:
    q = parse_qs(build_query(RecognitionOptions().checked()))
    assert q == {"language": ["en-US"], "format": ["simple"]}


# -- bodies -----------------------------------------------------------------------------------


def test_speech_config_mirrors_the_sdk_shape() -> None:
    body = speech_config(AudioFormat(), "conversation")
    assert body["context"]["system"]["name"] == "SpeechSDK"
    assert body["context"]["system"]["build"] == "azspeech-python"
    src = body["context"]["audio"]["source"]
    assert (src["samplerate"], src["bitspersample"], src["channelcount"]) == (16000, 16, 1)
    assert body["recognition"] == "conversation"


def test_context_simple() -> None:
    ctx = speech_context(RecognitionOptions().checked())
    assert ctx["phraseDetection"] == {"mode": "Conversation", "language": "en-US", "enrichment": {}}
    assert ctx["phraseOutput"]["format"] == "Simple"
    assert ctx["phraseOutput"]["interimResults"] == {"resultType": "Auto"}
    assert "dgi" not in ctx and "languageId" not in ctx


def test_context_everything() -> None:
    opts = RecognitionOptions(
        mode="dictation", phrases=["Contoso", "Jessie"], phrase_weight=1.5, interim_results=False,
        output=OutputOptions(detailed=True, word_timings=True, word_confidence=True,
                             profanity="raw", stable_partial_threshold=4),
        silence=SilenceTimeouts(initial=3.0, end=0.9, segmentation=0.7),
    ).checked()  # fmt: skip
    ctx = speech_context(opts)
    pd = ctx["phraseDetection"]
    assert pd["mode"] == "Dictation"
    assert pd["initialSilenceTimeout"] == 3000 and pd["trailingSilenceTimeout"] == 900
    assert pd["dictation"] == {
        "segmentation": {"mode": "Custom", "segmentationSilenceTimeoutMs": 700}
    }
    assert pd["enrichment"] == {"profanity": "Raw"}
    po = ctx["phraseOutput"]
    assert po["format"] == "Detailed"
    assert po["detailed"]["options"] == ["WordTimings", "WordConfidence"]
    assert po["interimResults"] == {"resultType": "None", "stableThreshold": 4}
    assert ctx["dgi"] == {
        "groups": [{"type": "Generic", "items": [{"text": "Contoso"}, {"text": "Jessie"}]}],
        "bias": 1.5,
    }


def test_context_language_id_and_diarization() -> None:
    opts = RecognitionOptions(
        language_id=LanguageIdentification(candidates=["en-US", "de-DE"], mode="continuous"),
        diarization=True,
    ).checked()
    ctx = speech_context(opts, audio_offset_ms=1234, audio_session_id="ABC")
    assert "language" not in ctx["phraseDetection"]
    assert ctx["languageId"]["languages"] == ["en-US", "de-DE"]
    assert ctx["languageId"]["mode"] == "DetectContinuous"
    assert ctx["phraseDetection"]["speakerDiarization"] == {
        "mode": "Anonymous", "audioSessionId": "ABC", "audioOffsetMs": 1234,
        "diarizeIntermediates": False,
    }  # fmt: skip


def test_wav_header_is_streaming_riff() -> None:
    h = AudioFormat().wav_header()  # streaming: both sizes 0
    assert len(h) == 44 and h[:4] == b"RIFF" and h[8:16] == b"WAVEfmt "
    assert int.from_bytes(h[4:8], "little") == 0 and int.from_bytes(h[40:44], "little") == 0
    assert int.from_bytes(h[24:28], "little") == 16000
    assert int.from_bytes(h[28:32], "little") == 32000


# -- parsers ----------------------------------------------------------------------------------


def test_parse_simple_result() -> None:
    r = parse_result(
        {"RecognitionStatus": "Success", "DisplayText": "Hi.", "Offset": 5_300_000,
         "Duration": 21_800_000, "Mystery": {"a": 1}},
        base_ticks=10_000_000,
    )  # fmt: skip
    assert r.status is RecognitionStatus.SUCCESS and r.text == "Hi."
    assert r.offset_ticks == 15_300_000 and r.duration_ticks == 21_800_000
    assert r.offset == timedelta(seconds=1.53) and r.duration == timedelta(seconds=2.18)
    assert r.raw["Mystery"] == {"a": 1}  # unknown fields kept
    assert r.raw["Offset"] == 5_300_000  # raw is as received


def test_parse_detailed_result() -> None:
    body = {
        "RecognitionStatus": "Success", "Offset": 100, "Duration": 900, "SNR": 38.7,
        "DisplayText": "What's up?",
        "PrimaryLanguage": {"Language": "de-DE", "Confidence": "High"}, "SpeakerId": "Guest-1",
        "NBest": [{
            "Confidence": 0.9, "Lexical": "what's up", "ITN": "what's up",
            "MaskedITN": "what's up", "Display": "What's up?", "Extra": True,
            "Words": [{"Word": "what's", "Offset": 100, "Duration": 400, "Confidence": 0.8},
                      {"Word": "up", "Offset": 600, "Duration": 400}],
        }],
    }  # fmt: skip
    r = parse_result(body, 1000)
    assert r.language == "de-DE" and r.language_confidence == "High"
    assert r.speaker_id == "Guest-1" and r.snr == 38.7
    best = r.best
    assert best is not None and best.confidence == 0.9 and best.masked_itn == "what's up"
    assert [w.word for w in r.words] == ["what's", "up"]
    assert r.words[0].offset_ticks == 1100 and r.words[0].confidence == 0.8
    assert r.words[1].confidence is None
    assert best.model_extra == {"Extra": True}


def test_parse_detailed_without_display_text_uses_nbest() -> None:
    r = parse_result({"RecognitionStatus": "Success", "NBest": [{"Display": "Hello."}]})
    assert r.text == "Hello."


@pytest.mark.parametrize(
    ("status", "expected"),
    [("NoMatch", RecognitionStatus.NO_MATCH), (1, RecognitionStatus.NO_MATCH),
     (2, RecognitionStatus.INITIAL_SILENCE_TIMEOUT),
     ("babbletimeout", RecognitionStatus.BABBLE_TIMEOUT),
     ("Weird", RecognitionStatus.UNKNOWN)],
)  # fmt: skip
def test_status_strings_and_numbers(status: object, expected: RecognitionStatus) -> None:
    assert parse_result({"RecognitionStatus": status}).status is expected


def test_offsets_as_strings_are_accepted() -> None:
    r = parse_result({"RecognitionStatus": "Success", "Offset": "100", "Duration": "200"})
    assert (r.offset_ticks, r.duration_ticks) == (100, 200)


@pytest.mark.parametrize(
    "body",
    [{"DisplayText": "no status", "Offset": 0}, [], "text",
     {"RecognitionStatus": "Success", "Offset": "soon"},
     {"RecognitionStatus": "Success", "NBest": {"not": "a list"}},
     {"RecognitionStatus": "Success", "NBest": [{"Words": [{"Offset": 1}]}]},
     {"RecognitionStatus": True}],
)  # fmt: skip
def test_malformed_phrase_is_a_protocol_error(body: object) -> None:
    with pytest.raises(ProtocolError):
        parse_result(body)


def test_parse_partial() -> None:
    r = parse_partial(
        {"Text": "what's the", "Offset": 50, "Duration": 100, "SpeakerId": "Unknown"}, 10
    )
    assert not r.is_final and r.text == "what's the" and r.offset_ticks == 60
    with pytest.raises(ProtocolError):
        parse_partial({"Offset": 1})


# -- the turn state -----------------------------------------------------------------------------


def _service(path: str, rid: str, body: object = None) -> Message:
    frame = encode_text(path, json.dumps(body) if body is not None else "", request_id=rid)
    return decode_frame(frame)


def _phrase(text: str, off: int, dur: int, status: str = "Success") -> dict[str, object]:
    body: dict[str, object] = {"RecognitionStatus": status, "Offset": off, "Duration": dur}
    if status == "Success":
        body["DisplayText"] = text
    return body


def test_turn_frames_and_events() -> None:
    rb = ReplayBuffer(32000, 2)
    st = RecognitionState(RecognitionOptions().checked(), AudioFormat(), rb)
    cfg = decode_frame(st.connection_frames()[0])
    assert cfg.path == "speech.config" and cfg.header("X-Timestamp")
    ctx_frame, header_frame = st.start_turn()
    ctx = decode_frame(ctx_frame)
    assert ctx.path == "speech.context" and ctx.request_id == st.request_id
    hdr = decode_frame(header_frame)
    assert hdr.path == "audio" and hdr.header("Content-Type") == "audio/x-wav"
    assert len(hdr.body) == 44
    assert decode_frame(st.audio_frame(b"\0" * 3200)).header("Content-Type") is None
    end = decode_frame(st.end_frame())
    assert end.body == b"" and st.end_sent

    rid = st.request_id
    assert st.receive(_service("turn.start", rid, {"context": {"serviceTag": "T1"}})) == []
    assert st.service_tag == "T1"
    (ev,) = st.receive(_service("speech.startDetected", rid, {"Offset": 500}))
    assert isinstance(ev, SpeechStartDetected) and ev.offset_ticks == 500
    (ev,) = st.receive(
        _service("speech.hypothesis", rid, {"Text": "hel", "Offset": 500, "Duration": 10})
    )
    assert isinstance(ev, Recognizing) and ev.text == "hel"
    (ev,) = st.receive(_service("speech.phrase", rid, _phrase("Hello.", 500, 1000)))
    assert isinstance(ev, Recognized) and ev.result.text == "Hello."
    assert st.acked_ticks == 1500
    (ev,) = st.receive(_service("speech.endDetected", rid))  # empty body allowed
    assert isinstance(ev, SpeechEndDetected)
    (ev,) = st.receive(
        _service("speech.phrase", rid, _phrase("", 2000, 500, "InitialSilenceTimeout"))
    )
    assert isinstance(ev, NoMatch) and ev.reason is NoMatchReason.INITIAL_SILENCE_TIMEOUT
    assert st.receive(_service("turn.end", rid)) == [] and st.turn_done


def test_messages_of_another_turn_are_dropped() -> None:
    st = RecognitionState(RecognitionOptions().checked(), AudioFormat(), ReplayBuffer(32000))
    st.start_turn()
    assert st.receive(_service("speech.phrase", "0" * 32, _phrase("old", 0, 10))) == []


def test_cancelling_status_gives_canceled_and_error() -> None:
    st = RecognitionState(RecognitionOptions().checked(), AudioFormat(), ReplayBuffer(32000))
    st.start_turn()
    (ev,) = st.receive(
        _service("speech.phrase", st.request_id, {"RecognitionStatus": "TooManyRequests"})
    )
    assert isinstance(ev, Canceled) and ev.code == "TooManyRequests"
    assert st.error is not None


def test_missing_status_is_a_protocol_error() -> None:
    st = RecognitionState(RecognitionOptions().checked(), AudioFormat(), ReplayBuffer(32000))
    st.start_turn()
    with pytest.raises(ProtocolError, match="RecognitionStatus"):
        st.receive(_service("speech.phrase", st.request_id, {"DisplayText": "x", "Offset": 0}))


def test_replay_shifts_offsets_and_drops_duplicates() -> None:
    """A drop after phrase A: the new turn starts at A's end; a repeated A is not delivered."""
    rb = ReplayBuffer(32000, 2)
    st = RecognitionState(RecognitionOptions().checked(), AudioFormat(), rb)
    rb.append(b"\0" * 32000 * 10)  # 10 s
    st.start_turn()
    for _ in range(60):  # send 6 s
        rb.advance(len(rb.next_chunk(3200) or b""))
    (ev,) = st.receive(
        _service("speech.phrase", st.request_id, _phrase("A", 10_000_000, 20_000_000))
    )
    assert isinstance(ev, Recognized)
    # connection drops; a new turn starts at the acknowledged point (3.0 s)
    st.start_turn()
    assert st.base_ticks == 30_000_000 and rb.cursor == 96000
    # the service restarts its clock at 0 for the replayed audio
    (ev,) = st.receive(
        _service("speech.phrase", st.request_id, _phrase("B", 5_000_000, 10_000_000))
    )
    assert isinstance(ev, Recognized)
    assert ev.result.offset_ticks == 35_000_000 and ev.result.offset == timedelta(seconds=3.5)
    # a late repeat of B (same absolute end) is dropped
    assert (
        st.receive(_service("speech.phrase", st.request_id, _phrase("B", 5_000_000, 10_000_000)))
        == []
    )
    assert st.finals == 2


def test_interim_results_off_suppresses_partials() -> None:
    st = RecognitionState(
        RecognitionOptions(interim_results=False).checked(), AudioFormat(), ReplayBuffer(32000)
    )
    st.start_turn()
    assert (
        st.receive(_service("speech.hypothesis", st.request_id, {"Text": "x", "Offset": 0})) == []
    )


# -- property tests for the parsers ----------------------------------------------------------------


_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.text(max_size=5))
_extra = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda k: k[:1].isalpha() and k[0].islower()),
    st.recursive(_json_leaf, lambda c: st.lists(c, max_size=3), max_leaves=5),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(
    status=st.sampled_from(
        [s.value for s in RecognitionStatus if s is not RecognitionStatus.UNKNOWN]
    ),
    text=st.text(max_size=30),
    offset=st.integers(0, 10**12),
    duration=st.integers(0, 10**10),
    base=st.integers(0, 10**12),
    extra=_extra,
    words=st.lists(st.tuples(st.text(min_size=1, max_size=8), st.integers(0, 10**9)), max_size=5),
)
def test_parse_result_properties(
    status: str, text: str, offset: int, duration: int, base: int,
    extra: dict[str, object], words: list[tuple[str, int]],
) -> None:  # fmt: skip
    body: dict[str, object] = {"RecognitionStatus": status, "DisplayText": text,
                               "Offset": offset, "Duration": duration, **extra}  # fmt: skip
    if words:
        body["NBest"] = [{"Display": text, "Words": [{"Word": w, "Offset": o, "Duration": 1}
                                                     for w, o in words]}]  # fmt: skip
    r = parse_result(json.loads(json.dumps(body)), base)
    assert r.status.value == status and r.text == text
    assert r.offset_ticks == offset + base and r.duration_ticks == duration
    assert r.offset == timedelta(microseconds=(offset + base) // 10)
    for key, value in extra.items():
        assert r.raw[key] == value  # unknown fields are kept, untouched
    assert [(w.word, w.offset_ticks) for w in r.words] == [(w, o + base) for w, o in words]


@settings(max_examples=100, deadline=None)
@given(body=st.dictionaries(st.text(max_size=10), _json_leaf, max_size=6))
def test_parse_result_never_crashes_unexpectedly(body: dict[str, object]) -> None:
    with contextlib.suppress(ProtocolError):
        parse_result(body)


def test_speech_config_frame_has_no_request_id() -> None:
    st_ = RecognitionState(RecognitionOptions().checked(), AudioFormat(), ReplayBuffer(32000))
    (frame,) = st_.connection_frames()
    msg = decode_frame(frame)
    assert msg.path == "speech.config" and msg.request_id is None
    assert msg.header("Content-Type") == "application/json"


@settings(max_examples=150, deadline=None)
@given(
    mode=st.sampled_from(["interactive", "conversation", "dictation"]),
    detailed=st.booleans(),
    word_timings=st.booleans(),
    profanity=st.sampled_from([None, "masked", "removed", "raw"]),
    phrases=st.lists(st.text(min_size=1, max_size=12).filter(str.strip), max_size=4),
    weight=st.one_of(st.none(), st.floats(0, 2)),
    silence=st.one_of(st.none(), st.integers(0, 60000)),
    segmentation=st.one_of(st.none(), st.integers(100, 5000)),
    candidates=st.one_of(st.none(), st.just(["en-US", "de-DE"])),
    interim=st.booleans(),
)
def test_context_and_query_agree(
    mode: str, detailed: bool, word_timings: bool, profanity: str | None, phrases: list[str],
    weight: float | None, silence: int | None, segmentation: int | None,
    candidates: list[str] | None, interim: bool,
) -> None:  # fmt: skip
    opts = RecognitionOptions(
        mode=mode, phrases=phrases, phrase_weight=weight if phrases else None,
        interim_results=interim,
        output=OutputOptions(detailed=detailed, word_timings=word_timings, profanity=profanity),
        silence=SilenceTimeouts(
            initial=None if silence is None else silence / 1000,
            segmentation=None if segmentation is None else segmentation / 1000,
        ),
        language_id=LanguageIdentification(candidates=candidates) if candidates else None,
    ).checked()  # fmt: skip
    ctx = json.loads(json.dumps(speech_context(opts)))  # plain JSON
    q = {k: v[0] for k, v in parse_qs(build_query(opts)).items()}
    pd, po = ctx["phraseDetection"], ctx["phraseOutput"]
    assert pd["mode"] == mode.capitalize()
    detailed_ = opts.output_format == "detailed"
    assert (po["format"] == "Detailed") == (q["format"] == "detailed") == detailed_
    assert ("WordTimings" in po.get("detailed", {}).get("options", [])) == word_timings
    assert ("wordLevelTimestamps" in q) == word_timings
    if profanity:
        assert q["profanity"] == profanity and pd["enrichment"]["profanity"] == profanity.title()
    if silence is not None:
        assert pd["initialSilenceTimeout"] == silence == int(q["initialSilenceTimeoutMs"])
    if segmentation is not None:
        seg = pd[mode]["segmentation"]["segmentationSilenceTimeoutMs"]
        assert seg == segmentation == int(q["segmentationSilenceTimeoutMs"])
    if phrases:
        assert [i["text"] for i in ctx["dgi"]["groups"][0]["items"]] == [p.strip() for p in phrases]
        assert ctx["dgi"]["bias"] == (1.0 if weight is None else weight)
    else:
        assert "dgi" not in ctx
    assert ("languageId" in ctx) == ("lidEnabled" in q) == bool(candidates)
    assert ("language" in pd) == (not candidates)
    assert po["interimResults"]["resultType"] == ("Auto" if interim else "None")


def test_speech_start_is_not_repeated_after_a_replay() -> None:
    rb = ReplayBuffer(32000, 2)
    st_ = RecognitionState(RecognitionOptions().checked(), AudioFormat(), rb)
    rb.append(bytes(32000 * 4))
    st_.start_turn()
    rb.advance(32000 * 3)
    assert len(st_.receive(_service("speech.startDetected", st_.request_id, {"Offset": 1000}))) == 1
    st_.receive(_service("speech.phrase", st_.request_id, _phrase("A", 1000, 10_000_000)))
    st_.start_turn()  # reconnect
    assert st_.receive(_service("speech.startDetected", st_.request_id, {"Offset": 0})) == []
    (end,) = st_.receive(_service("speech.endDetected", st_.request_id, {"Offset": 500}))
    assert end.offset_ticks == st_.base_ticks + 500
    assert st_.receive(_service("speech.endDetected", st_.request_id, {"Offset": 500})) == []

"""The STT hot path builds results and events without a second pydantic validation.

``parse_partial``/``parse_result`` and the speech codec build their models
with ``build_trusted`` when the body is a JSON object (the codec has checked
every field itself). These tests pin that such a model is the one full
validation gives (equality, dump, repr, set fields, field order, value
types), and that malformed service messages still fail with the same
``ProtocolError``.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import Message, decode_frame, encode_text, loads_json
from azspeech._protocol.replay import ReplayBuffer
from azspeech._protocol.stt import (
    RecognitionOptions,
    SpeechCodec,
    SpeechRecognitionState,
    parse_partial,
    parse_result,
)
from azspeech.audio import PcmFormat
from azspeech.errors import ProtocolError
from azspeech.models.stt import (
    NoMatch,
    RecognitionResult,
    Recognized,
    Recognizing,
    SpeechEvent,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

texts = st.text(max_size=30)
ticks = st.integers(min_value=0, max_value=10**12)
signed = st.integers(min_value=-(10**12), max_value=10**12)  # what a peer may send
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts
json_numbers = st.integers(0, 10**9) | st.floats(0, 1e9, allow_nan=False).map(float)
_KNOWN = {
    "Text", "DisplayText", "Offset", "Duration", "PrimaryLanguage", "SpeakerId", "Channel",
    "RecognitionStatus", "NBest", "SNR",
}  # fmt: skip
extra_keys = st.text(min_size=1, max_size=12).filter(lambda k: k not in _KNOWN)

languages = (
    st.none()
    | texts
    | st.fixed_dictionaries(
        {}, optional={"Language": texts, "Confidence": st.sampled_from(["Low", "High"])}
    )
)


@st.composite
def hypothesis_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"Text" if draw(st.booleans()) else "DisplayText": draw(texts)}
    body["Offset"] = draw(signed | ticks.map(str) | ticks.map(float))
    if draw(st.booleans()):
        body["Duration"] = draw(signed)
    if draw(st.booleans()):
        body["PrimaryLanguage"] = draw(languages)
    if draw(st.booleans()):
        body["SpeakerId"] = draw(texts | st.integers(0, 9))
    if draw(st.booleans()):
        body["Channel"] = draw(st.integers(0, 7))
    for key in draw(st.lists(extra_keys, max_size=3)):
        body.setdefault(key, draw(json_scalars))
    return json.loads(json.dumps(body))  # as it comes off the wire


words = st.fixed_dictionaries(
    {"Word": texts, "Offset": ticks, "Duration": ticks},
    optional={"Confidence": st.floats(0, 1)},
)


@st.composite
def phrase_bodies(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(
        st.sampled_from(["Success", "NoMatch", "InitialSilenceTimeout", "BabbleTimeout",
                         "EndOfDictation", "Error", "Weird"]) | st.integers(0, 12)
    )  # fmt: skip
    body: dict[str, Any] = {"RecognitionStatus": status}
    if draw(st.booleans()):
        body["Offset"] = draw(ticks)
    if draw(st.booleans()):
        body["Duration"] = draw(ticks)
    if draw(st.booleans()):
        body["DisplayText"] = draw(texts)
    if draw(st.booleans()):
        body["NBest"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"Display": texts, "Lexical": texts},
                    optional={"Confidence": st.floats(0, 1), "Words": st.lists(words, max_size=3)},
                ),
                max_size=2,
            )
        )
    if draw(st.booleans()):
        body["SNR"] = draw(json_numbers)
    if draw(st.booleans()):
        body["PrimaryLanguage"] = draw(languages)
    if draw(st.booleans()):
        body["SpeakerId"] = draw(texts)
    if draw(st.booleans()):
        body["Channel"] = draw(st.integers(0, 7))
    for key in draw(st.lists(extra_keys, max_size=3)):
        body.setdefault(key, draw(json_scalars))
    return json.loads(json.dumps(body))


def assert_same_model(fast: Any, full: Any) -> None:
    """*fast* is indistinguishable from *full* (built by pydantic validation)."""
    assert type(fast) is type(full)
    assert fast == full
    assert repr(fast) == repr(full)
    assert fast.model_dump() == full.model_dump()
    assert fast.model_dump(exclude_unset=True) == full.model_dump(exclude_unset=True)
    assert fast.model_dump_json() == full.model_dump_json()
    assert fast.model_fields_set == full.model_fields_set
    assert fast.model_extra == full.model_extra
    assert fast.__pydantic_private__ == full.__pydantic_private__
    assert list(vars(fast)) == list(vars(full))
    for name, value in vars(full).items():
        assert type(vars(fast)[name]) is type(value), name
    assert fast.model_copy(update={"session_id": "x"} if "session_id" in vars(full) else {}) == (
        full.model_copy(update={"session_id": "x"} if "session_id" in vars(full) else {})
    )


@SETTINGS
@given(body=hypothesis_bodies(), base=ticks)
def test_partial_result_equals_the_validated_one(body: dict[str, Any], base: int) -> None:
    # A mapping that is not a dict takes the validating path: the reference.
    full = parse_partial(MappingProxyType(body), base)
    fast = parse_partial(body, base)
    assert_same_model(fast, full)
    assert fast.raw == body and fast.raw is not body
    assert isinstance(RecognitionResult.model_validate(fast.model_dump()), RecognitionResult)


@SETTINGS
@given(body=phrase_bodies(), base=ticks)
def test_final_result_equals_the_validated_one(body: dict[str, Any], base: int) -> None:
    full = parse_result(MappingProxyType(body), base)
    fast = parse_result(body, base)
    assert_same_model(fast, full)


@SETTINGS
@given(body=hypothesis_bodies(), base=ticks, fragment=st.booleans(), sid=texts)
def test_recognizing_event_equals_the_validated_one(
    body: dict[str, Any], base: int, fragment: bool, sid: str
) -> None:
    codec = SpeechCodec(RecognitionOptions(language="en-US"))
    path = "speech.fragment" if fragment else "speech.hypothesis"
    part = codec.partial(path, body, base, sid)
    assert part is not None
    (event,) = part.events
    full = Recognizing(session_id=sid, result=parse_partial(MappingProxyType(body), base),
                       stable=fragment)  # fmt: skip
    assert_same_model(event, full)
    assert part.end_ticks == full.result.end_ticks
    assert part.duration_ticks == full.result.duration_ticks


@SETTINGS
@given(body=phrase_bodies(), base=ticks, sid=texts)
def test_final_events_equal_the_validated_ones(body: dict[str, Any], base: int, sid: str) -> None:
    codec = SpeechCodec(RecognitionOptions(language="en-US"))
    out = codec.final("speech.phrase", body, base, sid)
    full_result = parse_result(MappingProxyType(body), base)
    if out is None or not hasattr(out, "recognized"):
        return  # EndOfDictation or a cancelling status: no result model built
    (event,) = out.events
    full: SpeechEvent
    if isinstance(event, Recognized):
        full = Recognized(session_id=sid, result=full_result)
    else:
        assert isinstance(event, NoMatch)
        full = NoMatch(session_id=sid, result=full_result, reason=event.reason)
    assert_same_model(event, full)


def test_a_session_id_of_a_str_subclass_is_still_validated() -> None:
    class Sid(str):
        pass

    codec = SpeechCodec(RecognitionOptions(language="en-US"))
    part = codec.partial("speech.hypothesis", {"Text": "a", "Offset": 0}, 0, Sid("s"))
    assert part is not None
    assert type(part.events[0].session_id) is str


@SETTINGS
@given(value=st.recursive(json_scalars | st.floats(allow_nan=False),
                          lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(texts, inner, max_size=4), max_leaves=20))  # fmt: skip
def test_loads_json_equals_json_loads(value: Any) -> None:
    for text in (json.dumps(value), json.dumps({"v": value}), json.dumps({"v": value}) + " "):
        assert loads_json(text) == json.loads(text)
        assert loads_json(text.encode()) == json.loads(text)


@SETTINGS
@given(junk=st.text(max_size=20))
@example(junk="NaN")
@example(junk="-Infinity")
def test_loads_json_refuses_what_json_loads_refuses(junk: str) -> None:
    for text in (junk, "{" + junk, '{"a":1}' + junk, "\ufeff" + junk):
        try:
            expected = json.loads(text)
        except ValueError as exc:
            with pytest.raises(ProtocolError) as info:
                loads_json(text, what="speech.hypothesis")
            assert str(exc) in str(info.value)
        else:
            # repr, not ==: 'NaN' parses to a float that is not equal to itself.
            assert repr(loads_json(text)) == repr(expected)


# -- malformed messages through the recognition state ---------------------------------------------


def _state() -> SpeechRecognitionState:
    state = SpeechRecognitionState(
        RecognitionOptions(language="en-US"), PcmFormat(16000, 16, 1), ReplayBuffer(32000, 2)
    )
    state.start_turn("2026-01-01T00:00:00.000Z")
    return state


def _frame(state: SpeechRecognitionState, path: str, body: str) -> Message:
    return decode_frame(
        encode_text(path, body, request_id=state.request_id, content_type="application/json")
    )


MALFORMED = [
    ("speech.hypothesis", '{"Offset":0,"Duration":1}', "missing required field 'Text'"),
    ("speech.hypothesis", '{"Text":5,"Offset":0}', "missing required field 'Text'"),
    ("speech.hypothesis", '{"Text":"a","Duration":1}', "missing required field 'Offset'"),
    ("speech.hypothesis", '{"Text":"a","Offset":true}', "must be a number"),
    ("speech.hypothesis", '{"Text":"a","Offset":"x"}', "must be an integer"),
    ("speech.hypothesis", '{"Text":"a","Offset":1.5}', "must be an integer"),
    ("speech.hypothesis", '{"Text":"a","Offset":0,"Channel":"left"}', "must be an integer"),
    ("speech.hypothesis", '["Text"]', "body must be a JSON object"),
    ("speech.hypothesis", '{"Text":"a","Offset":0', "not valid JSON"),
    ("speech.hypothesis", '{"Text":"a","Offset":0}}', "not valid JSON (Extra data"),
    ("speech.hypothesis", '{"Text":"a","Offset":0,}', "not valid JSON"),
    ("speech.hypothesis", '{"Text":"a\x01","Offset":0}', "not valid JSON (Invalid control"),
    ("speech.hypothesis", "{" * 100 + "}" * 100, "nested deeper than 64"),
    ("speech.phrase", '{"Offset":0,"DisplayText":"a"}', "missing required field 'Recognition"),
    ("speech.phrase", '{"RecognitionStatus":true}', "RecognitionStatus must be a string"),
    ("speech.phrase", '{"RecognitionStatus":"Success","SNR":"loud"}', "must be a number"),
    ("speech.phrase", '{"RecognitionStatus":"Success","NBest":{}}', "NBest must be a list"),
    ("speech.phrase", '{"RecognitionStatus":"Success","Duration":null,"Offset":[]}', "integer"),
]


@pytest.mark.parametrize(("path", "body", "message"), MALFORMED)
def test_malformed_results_are_protocol_errors(path: str, body: str, message: str) -> None:
    state = _state()
    with pytest.raises(ProtocolError, match=None) as info:
        state.receive(_frame(state, path, body))
    assert message in str(info.value)


def test_wellformed_results_through_the_state() -> None:
    state = _state()
    hyp = state.receive(
        _frame(state, "speech.hypothesis", '{"Text":"a b","Offset":10,"Duration":20}')
    )
    fin = state.receive(
        _frame(
            state,
            "speech.phrase",
            '{"RecognitionStatus":"Success","Offset":10,"Duration":30,"DisplayText":"A b."}',
        )
    )
    assert [type(e) for e in hyp + fin] == [Recognizing, Recognized]
    assert hyp[0].result.text == "a b" and hyp[0].result.end_ticks == 30
    assert fin[0].result.text == "A b." and state.acked_ticks == 40

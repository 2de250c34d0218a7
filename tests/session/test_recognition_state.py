"""The generic recognition state, sans-I/O, with a codec that is not speech to text."""

from __future__ import annotations

from azspeech._protocol.framing import Message, decode_frame, encode_text
from azspeech._protocol.recognition import RecognitionState
from azspeech._protocol.replay import ReplayBuffer
from azspeech.audio.formats import PcmFormat

from .test_core_reuse import ToyCodec, ToyEvent

TS = "2026-01-02T03:04:05.678Z"


def _state() -> RecognitionState[ToyEvent]:
    return RecognitionState(ToyCodec(), PcmFormat(16000), ReplayBuffer(32000, 2))


def _msg(state: RecognitionState[ToyEvent], path: str, body: object = "") -> Message:
    return decode_frame(encode_text(path, body, request_id=state.request_id))


def test_frames_carry_the_timestamp_they_are_given() -> None:
    st = _state()
    frames = [*st.connection_frames(TS), *st.start_turn(TS), st.audio_frame(b"\0\0", TS)]
    frames.append(st.end_frame(TS))
    assert [decode_frame(f).header("X-Timestamp") for f in frames] == [TS] * 5
    assert decode_frame(frames[0]).json() == {"toy": {"rate": 16000}}
    assert decode_frame(frames[1]).json() == {"toy": {"offsetMs": 0}}


def test_only_messages_the_codec_understands_are_progress() -> None:
    st = _state()
    st.start_turn(TS)
    assert st.receive(_msg(st, "turn.start", {})) == [] and st.progress == 1
    assert st.receive(_msg(st, "telemetry.unknown", {"x": 1})) == []
    assert st.progress == 1
    other_turn = decode_frame(encode_text("toy.phrase", {}, request_id="0" * 32))
    assert st.receive(other_turn) == [] and st.progress == 1
    (final,) = st.receive(
        _msg(st, "toy.phrase", {"Text": "a", "Offset": 0, "Duration": 10_000_000})
    )
    assert final.type == "final" and st.progress == 2 and st.acked_ticks == 10_000_000
    # A repeat of the same final after a replay is neither delivered nor a sign of life.
    assert (
        st.receive(_msg(st, "toy.phrase", {"Text": "a", "Offset": 0, "Duration": 10_000_000})) == []
    )
    assert st.progress == 2


def test_a_codec_failure_sets_the_error() -> None:
    st = _state()
    st.start_turn(TS)
    (event,) = st.receive(_msg(st, "toy.phrase", {"Status": "Broken"}))
    assert event.type == "canceled" and isinstance(st.error, RuntimeError)

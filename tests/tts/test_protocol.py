"""Sans-I/O text-to-speech protocol: frames, the turn state machine, text offsets, splitting."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import decode_frame, encode_binary, encode_text
from azspeech._protocol.tts import (
    MetadataOptions,
    SynthesisTurn,
    TextLocator,
    speech_config_frame,
    ssml_frame,
    synthesis_context,
    synthesis_context_frame,
    text_end_frame,
    text_piece_frame,
)
from azspeech.emulator.tts_frames import (
    audio_frame,
    boundary_entry,
    metadata_frame,
    response_frame,
    turn_end_frame,
    turn_start_frame,
    viseme_entry,
)
from azspeech.models.tts import (
    AudioChunk,
    Bookmark,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    Viseme,
    WordBoundary,
)
from azspeech.tts import SentenceSplitter

RID = "0123456789abcdef0123456789abcdef"


def test_client_frames() -> None:
    cfg = decode_frame(speech_config_frame(RID))
    assert cfg.path == "speech.config" and cfg.request_id == RID
    assert json.loads(cfg.body)["context"]["system"]["name"] == "SpeechSDK"  # one identity
    body = synthesis_context("raw-24khz-16bit-mono-pcm", MetadataOptions(visemes=True))
    ctx = decode_frame(synthesis_context_frame(RID, body))
    parsed = json.loads(ctx.body)
    audio = parsed["synthesis"]["audio"]
    assert audio["outputFormat"] == "raw-24khz-16bit-mono-pcm"
    assert audio["metadataOptions"] == {
        "bookmarkEnabled": True,
        "punctuationBoundaryEnabled": True,
        "sentenceBoundaryEnabled": False,
        "sessionEndEnabled": True,
        "visemeEnabled": True,
        "wordBoundaryEnabled": True,
    }
    assert parsed["synthesis"]["language"] == {"autoDetection": False}
    assert "input" not in parsed["synthesis"]
    s = decode_frame(ssml_frame(RID, "<speak>é</speak>"))
    assert s.header("Content-Type") == "application/ssml+xml" and s.text == "<speak>é</speak>"
    p = decode_frame(text_piece_frame(RID, "Hello "))
    assert (
        p.path == "text.piece" and p.text == "Hello " and p.header("content-type") == "text/plain"
    )
    e = decode_frame(text_end_frame(RID))
    assert e.path == "text.end" and e.body == b""


def test_streaming_context() -> None:
    body = synthesis_context(
        "raw-24khz-16bit-mono-pcm",
        MetadataOptions(),
        streaming_input={"voiceName": "en-US-AvaNeural", "language": "en-US", "rate": "1.1"},
    )
    assert body["synthesis"]["input"] == {
        "bidirectionalStreamingMode": True,
        "voiceName": "en-US-AvaNeural",
        "language": "en-US",
        "rate": "1.1",
    }


def _turn_messages(sid: str = "STREAM1") -> list[str | bytes]:
    return [
        turn_start_frame(RID, "TAG"),
        response_frame(RID, "TAG", sid),
        metadata_frame(RID, [boundary_entry("WordBoundary", 500000, 1000000, "Tom")]),
        audio_frame(RID, sid, b"\x01\x00" * 2400, "audio/x-wav"),
        metadata_frame(
            RID,
            [
                boundary_entry("WordBoundary", 1600000, 100000, "&amp;"),
                boundary_entry("PunctuationBoundary", 2000000, 10000, ","),
                {"Type": "Bookmark", "Data": {"Offset": 2100000, "Bookmark": "m1"}},
            ],
        ),
        audio_frame(RID, sid, b"\x02\x00" * 2400),
        audio_frame(RID, sid, b""),  # the final empty frame
        metadata_frame(RID, [{"Type": "SessionEnd", "Data": {"Offset": 2000000}}]),
        turn_end_frame(RID),
    ]


def test_turn_events_in_order() -> None:
    turn = SynthesisTurn(RID.upper(), text="Tom & Jerry, hi", bytes_per_second=48000)
    events = []
    for frame in _turn_messages():
        events += turn.feed(decode_frame(frame))
    kinds = [type(e) for e in events]
    assert kinds == [
        WordBoundary,
        AudioChunk,
        WordBoundary,
        PunctuationBoundary,
        Bookmark,
        AudioChunk,
        SessionEnd,
    ]
    assert turn.done and turn.service_tag == "TAG" and turn.stream_id == "stream1"
    w0, c0, w1, p, b, c1, end = events
    assert isinstance(w0, WordBoundary) and w0.text == "Tom" and w0.text_offset == 0
    assert w0.offset.total_seconds() == 0.05 and w0.duration.total_seconds() == 0.1
    assert isinstance(w1, WordBoundary) and w1.text == "&" and w1.text_offset == 4
    assert isinstance(p, PunctuationBoundary) and p.text_offset == 11
    assert isinstance(b, Bookmark) and b.name == "m1"
    assert isinstance(c0, AudioChunk) and len(c0) == 4800 and c0.offset_ticks == 0
    assert isinstance(c1, AudioChunk) and c1.offset_ticks == 1_000_000  # 4800 bytes at 48000 B/s
    assert isinstance(end, SessionEnd) and end.duration.total_seconds() == 0.2


def test_turn_filters_foreign_messages() -> None:
    turn = SynthesisTurn(RID)
    other = "f" * 32
    feed = [
        turn_start_frame(RID, "T"),
        response_frame(RID, "T", "GOOD"),
        audio_frame(RID, "OTHER", b"bad"),  # another stream
        audio_frame(other, "GOOD", b"bad"),  # another request
        encode_text("audio", "text-frame", request_id=RID),  # audio must be binary
        encode_binary("audio", b"nostream", request_id=RID),  # no X-StreamId
        audio_frame(RID, "good", b"ok"),  # stream ids compare case-insensitively
        encode_text("audio.metadata", "not json", request_id=RID),
        encode_text("something.else", "{}", request_id=RID),
        turn_end_frame(other),
    ]
    events = []
    for frame in feed:
        events += turn.feed(decode_frame(frame))
    assert events == [b"ok"]
    assert not turn.done
    events = turn.feed(decode_frame(turn_end_frame(RID)))
    assert turn.done and isinstance(events[0], SessionEnd) and events[0].offset_ticks == 0
    assert turn.feed(decode_frame(audio_frame(RID, "GOOD", b"late"))) == []


def test_audio_accepted_without_response() -> None:
    turn = SynthesisTurn(RID)
    (chunk,) = turn.feed(decode_frame(audio_frame(RID, "ANY", b"abc")))
    assert chunk == b"abc"


def test_viseme_assembly() -> None:
    turn = SynthesisTurn(RID)
    entries = [
        viseme_entry(100, 1),  # no IsLastAnimation: counts as last
        viseme_entry(200, 2, '{"FrameIndex":0,', False),
        viseme_entry(300, 3, '"BlendShapes":[]}', True),
        viseme_entry(400, 4, None, False),  # explicit false: waits
        {"Type": "Viseme", "Data": {"Offset": 500, "VisemeId": 5, "IsLastAnimation": "true"}},
    ]
    events = turn.feed(decode_frame(metadata_frame(RID, entries)))
    assert events == [
        Viseme(100, 1, None),
        Viseme(300, 3, '{"FrameIndex":0,"BlendShapes":[]}'),
        Viseme(500, 5, None),
    ]


def test_sentence_boundaries_and_tolerance() -> None:
    turn = SynthesisTurn(RID, text="One. Two.")
    entries = [
        boundary_entry("SentenceBoundary", 0, 10, "One."),
        boundary_entry("SentenceBoundary", 20, 10, "Two."),
        {"Type": "WordBoundary", "Data": {"Offset": "30", "Duration": None}},
        {"Type": "Unknown", "Data": {}},
        "junk",
        {"Type": "Bookmark"},
    ]
    events = turn.feed(decode_frame(metadata_frame(RID, entries)))
    assert [type(e) for e in events] == [SentenceBoundary, SentenceBoundary, WordBoundary]
    assert [e.text_offset for e in events[:2]] == [0, 5]  # type: ignore[union-attr]
    assert events[2].offset_ticks == 30 and events[2].text == ""  # type: ignore[union-attr]


def test_locator_skips_tags_and_advances() -> None:
    ssml = "<speak><voice name='hello'>hello &amp; hello</voice></speak>"
    loc = TextLocator(ssml, is_ssml=True)
    first = loc.find("hello")
    assert first == ssml.index(">hello") + 1
    assert loc.find("&amp;") == ssml.index("&amp;")
    assert loc.find("hello") == ssml.rindex("hello")
    assert loc.find("missing") is None
    plain = TextLocator("a < b", is_ssml=False)
    assert plain.find("&lt;") == 2


def test_sentence_splitter() -> None:
    sp = SentenceSplitter(max_chars=40)
    out = []
    for piece in ["Hello wor", "ld. How ", "are you?", " Fine!\n\nNext", " part"]:
        out += sp.feed(piece)
    out += sp.flush()
    text = "Hello world. How are you? Fine!\n\nNext part"
    assert [s for _, s in out] == ["Hello world.", "How are you?", "Fine!", "Next part"]
    for start, sentence in out:
        assert text[start : start + len(sentence)] == sentence


def test_sentence_splitter_cuts_long_runs() -> None:
    sp = SentenceSplitter(max_chars=20)
    out = sp.feed("word " * 10)
    assert out and all(len(s) <= 20 for _, s in out)
    assert " ".join(s for _, s in out + sp.flush()) == ("word " * 10).strip()


@pytest.mark.parametrize("value", [True, False])
def test_metadata_options_are_booleans(value: bool) -> None:
    opts = MetadataOptions(word_boundary=value, punctuation_boundary=value)
    assert all(isinstance(v, bool) for v in opts.to_json().values())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
entry_values = st.fixed_dictionaries(
    {
        "Type": st.sampled_from(
            ["WordBoundary", "SentenceBoundary", "Viseme", "Bookmark", "SessionEnd", "X"]
        )
    },
    optional={
        "Data": st.dictionaries(
            st.sampled_from(
                [
                    "Offset",
                    "Duration",
                    "text",
                    "VisemeId",
                    "AnimationChunk",
                    "IsLastAnimation",
                    "Bookmark",
                ]
            ),
            json_values,
            max_size=6,
        )
    },
)


@given(st.lists(entry_values | json_values, max_size=6))
@settings(max_examples=200, deadline=None)
def test_metadata_parser_never_crashes(entries: list[object]) -> None:
    turn = SynthesisTurn(RID, text="some text", is_ssml=False)
    body = json.dumps({"Metadata": entries})
    events = turn.feed(decode_frame(encode_text("audio.metadata", body, request_id=RID)))
    assert all(isinstance(e.offset_ticks, int) for e in events)


@pytest.mark.parametrize("offset", ["Infinity", "-Infinity", "NaN", '"inf"', "1e400"])
def test_metadata_with_a_non_finite_offset_is_not_a_crash(offset: str) -> None:
    """Found by the property test: an infinite Offset raised OverflowError from the parser."""
    turn = SynthesisTurn(RID, text="some text", is_ssml=False)
    entry = '{"Type": "WordBoundary", "Data": {"Offset": ' + offset + ', "Duration": 1,'
    entry += ' "text": {"Text": "some", "Length": 4, "BoundaryType": "WordBoundary"}}}'
    body = '{"Metadata": [' + entry + "]}"
    events = turn.feed(decode_frame(encode_text("audio.metadata", body, request_id=RID)))
    assert all(isinstance(e.offset_ticks, int) for e in events)


def test_voice_cache_expires() -> None:
    from azspeech.tts._common import VoiceCache

    now = [0.0]
    cache = VoiceCache(ttl=10, clock=lambda: now[0])
    assert cache.get() is None
    cache.put([])
    assert cache.get() == []
    now[0] = 11
    assert cache.get() is None


@pytest.mark.parametrize(
    ("endpoint", "deployment", "streaming", "expected"),
    [
        (
            "westeurope",
            None,
            False,
            "wss://westeurope.tts.speech.microsoft.com/cognitiveservices/websocket/v1",
        ),
        (
            "westeurope",
            "abc-1",
            False,
            "wss://westeurope.voice.speech.microsoft.com/cognitiveservices/websocket/v1?deploymentId=abc-1",
        ),
        (
            "usgovvirginia",
            None,
            True,
            "wss://usgovvirginia.tts.speech.azure.us/cognitiveservices/websocket/v2",
        ),
        (
            "https://my-res.cognitiveservices.azure.com",
            None,
            False,
            "wss://my-res.cognitiveservices.azure.com/tts/cognitiveservices/websocket/v1",
        ),
        ("http://localhost:5000", None, True, "ws://localhost:5000/cognitiveservices/websocket/v2"),
    ],
)
def test_websocket_urls(
    endpoint: str, deployment: str | None, streaming: bool, expected: str
) -> None:
    from azspeech.endpoints import Endpoints
    from azspeech.tts._common import ws_url

    eps = (
        Endpoints.from_endpoint(endpoint) if "://" in endpoint else Endpoints.from_region(endpoint)
    )
    assert ws_url(eps, deployment, streaming=streaming) == expected


def test_sentence_splitter_abbreviations() -> None:
    sp = SentenceSplitter()
    text = "Dr. Smith met J. R. R. Tolkien, e.g. at lunch. Then (Mr. Jones) left! Done"
    out = sp.feed(text) + sp.flush()
    assert [s for _, s in out] == [
        "Dr. Smith met J. R. R. Tolkien, e.g. at lunch.",
        "Then (Mr. Jones) left!",
        "Done",
    ]

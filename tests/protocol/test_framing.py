"""Round trips and limits of the USP frame codec."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azspeech._protocol.framing import (
    Limits,
    decode_frame,
    encode_binary,
    encode_text,
    loads_json,
    new_request_id,
    timestamp,
)
from azspeech.errors import ProtocolError

header_names = st.from_regex(r"X-[a-z][a-z0-9-]{0,20}", fullmatch=True).filter(
    lambda n: n.lower() not in ("path", "x-requestid", "x-timestamp", "content-type")
)
header_values = st.from_regex(r"[ -~]{0,40}", fullmatch=True).map(str.strip)
paths = st.from_regex(r"[a-z][a-z.]{0,30}", fullmatch=True)


@given(paths, st.text(), st.dictionaries(header_names, header_values, max_size=8))
def test_text_round_trip(path: str, body: str, headers: dict[str, str]) -> None:
    rid = new_request_id()
    frame = encode_text(path, body, request_id=rid, content_type="text/plain", headers=headers)
    msg = decode_frame(frame)
    assert msg.path == path
    assert msg.request_id == rid
    assert msg.text == body
    assert not msg.binary
    for name, value in headers.items():
        assert msg.header(name.upper()) == value


@given(paths, st.binary(max_size=10_000), st.dictionaries(header_names, header_values, max_size=8))
def test_binary_round_trip(path: str, payload: bytes, headers: dict[str, str]) -> None:
    frame = encode_binary(path, payload, request_id="ab" * 16, headers=headers)
    header_length = int.from_bytes(frame[:2], "big")
    assert frame[2 + header_length :] == payload
    msg = decode_frame(frame)
    assert msg.path == path
    assert msg.body == payload
    assert msg.binary
    assert msg.request_id == "ab" * 16


def test_json_body_and_content_type() -> None:
    frame = encode_text("speech.config", {"context": {"a": 1}}, request_id="0" * 32)
    msg = decode_frame(frame)
    assert msg.header("content-type") == "application/json"
    assert msg.json() == {"context": {"a": 1}}


def test_headers_use_no_space_and_timestamp_format() -> None:
    frame = encode_text("turn.end", request_id="1" * 32)
    head = frame.split("\r\n\r\n")[0].split("\r\n")
    assert head[0] == "Path:turn.end"
    ts = next(line for line in head if line.startswith("X-Timestamp:"))
    assert re.fullmatch(r"X-Timestamp:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", ts)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", timestamp())


def test_body_with_blank_line_is_kept_whole() -> None:
    body = "line one\r\n\r\nline three"
    assert decode_frame(encode_text("ssml", body)).text == body


def test_parse_tolerates_spaces_and_case() -> None:
    msg = decode_frame("path: Speech.Phrase\r\nx-requestid:  abc \r\n\r\n{}")
    assert msg.path == "Speech.Phrase"
    assert msg.request_id == "abc"


def test_empty_audio_frame_ends_stream() -> None:
    msg = decode_frame(encode_binary("audio", b"", request_id="2" * 32))
    assert msg.body == b""


@pytest.mark.parametrize(
    "frame",
    [
        b"",
        b"\x00",
        b"\x00\x50Path:audio\r\n",  # header length beyond the frame
        b"\x00\x04\xff\xfe\xfd\xfc",  # non-ASCII header
        b"\x00\x0cX-RequestId:\r\n",  # no Path
        "X-RequestId:abc\r\n\r\n{}",  # text frame without Path
        "Path:\r\n\r\n",  # empty Path
    ],
)
def test_malformed_frames_raise_protocol_error(frame: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_frame(frame)


def test_limits_are_enforced() -> None:
    small = Limits(max_frame_bytes=100, max_header_bytes=50, max_header_count=3)
    with pytest.raises(ProtocolError, match="exceeds"):
        decode_frame(b"\x00\x02ab" + b"x" * 200, small)
    with pytest.raises(ProtocolError, match="header"):
        decode_frame("Path:a\r\n" + "X-A:" + "b" * 60 + "\r\n\r\n", small)
    many = "Path:a\r\n" + "".join(f"X-{i}:v\r\n" for i in range(5)) + "\r\n"
    with pytest.raises(ProtocolError, match="headers"):
        decode_frame(many, small)
    with pytest.raises(ProtocolError, match="exceeds"):
        decode_frame(
            b"\xff\xff" + b"x" * 90, Limits(max_header_bytes=8192, max_frame_bytes=1 << 20)
        )


def test_json_depth_limit() -> None:
    deep = "[" * 1000 + "]" * 1000
    with pytest.raises(ProtocolError, match="deeper"):
        loads_json(deep)
    assert loads_json(json.dumps({"a": [[1]]})) == {"a": [[1]]}
    with pytest.raises(ProtocolError, match="not valid JSON"):
        loads_json("{nope")
    with pytest.raises(ProtocolError, match="UTF-8"):
        loads_json(b"\xff\xfe")


def test_header_injection_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_text("a", "", headers={"X-Evil": "v\r\nPath:other"})

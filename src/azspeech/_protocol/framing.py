"""Encoding and decoding of the Speech service's WebSocket messages ("USP").

Text frames:   ``Name:value\\r\\n`` header lines, a blank line, then the body.
Binary frames: a 2-byte big-endian header length N, N bytes of header lines
(each ending in CRLF, no blank line), then the payload.

This module is sans-I/O: it turns :class:`Message` objects into frame payloads
and back, enforcing limits on everything it reads. Both the client and the
emulator use it, so a header is formatted and parsed in exactly one place.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProtocolError
from .usp import x_timestamp

__all__ = [
    "MAX_AUDIO_PAYLOAD",
    "Limits",
    "Message",
    "decode_frame",
    "encode_binary",
    "encode_text",
    "loads_json",
    "new_request_id",
    "timestamp",
]


@dataclass(frozen=True)
class Limits:
    """Bounds on what a peer may send. A violation raises :class:`ProtocolError`."""

    max_frame_bytes: int = 16 * 1024 * 1024
    max_header_bytes: int = 8192
    max_header_count: int = 64
    max_json_depth: int = 64


DEFAULT_LIMITS = Limits()

#: The most audio bytes one ``audio`` message may carry (the service's limit on its payload).
MAX_AUDIO_PAYLOAD = 8192


def new_request_id() -> str:
    """A fresh request or connection id: 32 lowercase hex digits, no dashes."""
    return uuid.uuid4().hex


def timestamp(now: _dt.datetime | None = None) -> str:
    """An ``X-Timestamp`` value: ISO-8601 UTC with milliseconds (``2026-01-02T03:04:05.678Z``).

    Formatting is :func:`azspeech._protocol.usp.x_timestamp`'s; without *now*
    this reads the clock, which only the fallback of frames built without an
    ``X-Timestamp`` header does (callers in the I/O layer pass one:
    ``azspeech._transport.ws.now_timestamp()``).
    """
    return x_timestamp(now or _dt.datetime.now(_dt.timezone.utc))


@dataclass
class Message:
    """One protocol message: its headers and its body.

    ``headers`` keeps the names as sent; :meth:`header` looks them up without
    regard to case. ``binary`` tells which kind of frame carries it.
    """

    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    binary: bool = False

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header *name* (case-insensitive), or *default*."""
        value = self.headers.get(name)  # as spelled here (the usual case): one lookup
        if value is not None:
            return value
        lname = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lname:
                return value
        return default

    @property
    def request_id(self) -> str | None:
        """The ``X-RequestId`` header, if any."""
        return self.header("X-RequestId")

    @property
    def text(self) -> str:
        """The body as text (UTF-8)."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"message {self.path!r} has a body that is not UTF-8") from exc

    def json(self, limits: Limits = DEFAULT_LIMITS) -> Any:
        """The body parsed as JSON, within the depth limit."""
        return loads_json(self.body, limits=limits, what=self.path)

    def json_or_empty(self, limits: Limits = DEFAULT_LIMITS) -> Any:
        """The body parsed as JSON, or ``{}`` when it is empty or unreadable.

        For messages read leniently, as the service reads them: a metadata
        or context body that does not parse counts as empty.
        """
        if not self.body:
            return {}
        try:
            return loads_json(self.body, limits=limits, what=self.path)
        except ProtocolError:
            return {}


def _header_block(
    path: str,
    headers: Mapping[str, str] | None,
    request_id: str | None,
    content_type: str | None = None,
) -> str:
    """The header lines joined by CRLF (no trailing one); built once per frame, so kept lean."""
    block = "Path:" + path
    if request_id is not None:
        block += "\r\nX-RequestId:" + request_id
    have_ts = have_ct = False
    if headers:
        for name, value in headers.items():
            if "\r" in name or "\n" in name or "\r" in value or "\n" in value or ":" in name:
                raise ValueError(f"header {name!r} contains a forbidden character")
            lname = name.lower()
            if lname in ("path", "x-requestid"):
                continue
            if lname == "x-timestamp":
                have_ts = True
            elif lname == "content-type":
                have_ct = True
            block += f"\r\n{name}:{value}"
    if content_type and not have_ct:
        block += "\r\nContent-Type:" + content_type
    if not have_ts:
        block += "\r\nX-Timestamp:" + timestamp()
    return block


def encode_text(
    path: str,
    body: str | bytes | Mapping[str, Any] | list[Any] = b"",
    *,
    request_id: str | None = None,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    """Build the payload of a text frame.

    A mapping or list body is serialized as compact JSON with
    ``Content-Type: application/json`` unless another type is given.
    """
    if isinstance(body, (Mapping, list)):
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        content_type = content_type or "application/json"
    elif isinstance(body, bytes):
        text = body.decode("utf-8")
    else:
        text = body
    block = _header_block(path, headers, request_id, content_type if text else None)
    return block + "\r\n\r\n" + text


def encode_binary(
    path: str,
    payload: bytes | bytearray | memoryview = b"",
    *,
    request_id: str | None = None,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """Build the payload of a binary frame (2-byte big-endian header length first)."""
    block = (_header_block(path, headers, request_id, content_type) + "\r\n").encode("ascii")
    if len(block) > 0xFFFF:
        raise ValueError("header block longer than 65535 bytes")
    # One copy of the payload (bytes + buffer concatenates without an intermediate).
    return len(block).to_bytes(2, "big") + block + payload


def _parse_header_lines(lines: list[str], limits: Limits) -> dict[str, str]:
    if len(lines) <= limits.max_header_count:  # the usual case: no count to keep
        headers: dict[str, str] = {}
        for line in lines:
            name, sep, value = line.partition(":")
            if sep:  # a line without a colon (or an empty one) carries nothing
                headers[name.strip()] = value.strip()
        return headers
    headers = {}
    for count, line in enumerate(lines):
        if not line:
            continue
        if count >= limits.max_header_count:
            raise ProtocolError(f"more than {limits.max_header_count} headers in one message")
        name, sep, value = line.partition(":")
        if not sep:
            continue  # a line without a colon carries nothing; the service ignores it too
        headers[name.strip()] = value.strip()
    return headers


def decode_frame(
    data: str | bytes | bytearray | memoryview, limits: Limits = DEFAULT_LIMITS
) -> Message:
    """Parse one received frame (``str`` = text frame, bytes = binary frame)."""
    if isinstance(data, str):
        return _decode_text(data, limits)
    return _decode_binary(bytes(data), limits)


def _decode_text(data: str, limits: Limits) -> Message:
    # Once per service message (hypotheses...): the usual case inline, no helper calls.
    if len(data) > limits.max_frame_bytes:
        raise ProtocolError(f"text frame of {len(data)} characters exceeds the limit")
    head, sep, body = data.partition("\r\n\r\n")
    if not sep:
        # A message with headers only and no blank line: accept it, body empty.
        head, body = data.rstrip("\r\n"), ""
    if len(head) > limits.max_header_bytes:
        raise ProtocolError(f"header block of {len(head)} bytes exceeds {limits.max_header_bytes}")
    lines = head.split("\r\n")
    if len(lines) <= limits.max_header_count:
        headers: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if colon:  # a line without a colon (or an empty one) carries nothing
                headers[name.strip()] = value.strip()
    else:
        headers = _parse_header_lines(lines, limits)
    path = headers.get("Path")  # as spelled by the service: one lookup
    if not path:
        path = _path_of(headers)
    return Message(path, body.encode("utf-8"), headers, False)


def _decode_binary(data: bytes, limits: Limits) -> Message:
    if len(data) > limits.max_frame_bytes:
        raise ProtocolError(f"binary frame of {len(data)} bytes exceeds the limit")
    if len(data) < 2:
        raise ProtocolError("binary frame shorter than its 2-byte header length")
    n = int.from_bytes(data[:2], "big")
    if n > limits.max_header_bytes:
        raise ProtocolError(f"binary header length {n} exceeds {limits.max_header_bytes}")
    if 2 + n > len(data):
        raise ProtocolError(
            f"binary header length {n} runs past the end of a {len(data)}-byte frame"
        )
    try:
        head = data[2 : 2 + n].decode("ascii")
    except UnicodeDecodeError as exc:
        raise ProtocolError("binary frame header is not ASCII") from exc
    headers = _parse_header_lines(head.split("\r\n"), limits)
    path = _path_of(headers)
    return Message(path=path, body=data[2 + n :], headers=headers, binary=True)


def _path_of(headers: Mapping[str, str]) -> str:
    path = headers.get("Path")  # as spelled by the service: one lookup
    if path:
        return path
    for key, value in headers.items():
        if key.lower() == "path":
            if not value:
                break
            return value
    raise ProtocolError("message without a Path header")


def _prescan_depth(text: str, limit: int) -> None:
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise ProtocolError(f"JSON nested deeper than {limit} levels")
        elif ch in "]}":
            depth -= 1


# json.loads's own scanner (the C one where built); typeshed does not declare it.
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def loads_json(data: str | bytes, *, limits: Limits = DEFAULT_LIMITS, what: str = "message") -> Any:
    """Parse JSON from the network: size and depth bounded, errors as ProtocolError."""
    if len(data) > limits.max_frame_bytes:
        raise ProtocolError(f"{what}: JSON body of {len(data)} bytes exceeds the limit")
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what}: body is not UTF-8") from exc
    if text.count("[") + text.count("{") > limits.max_json_depth:
        _prescan_depth(text, limits.max_json_depth)
    if text[:1] == "{":
        # What json.loads does for an object with no surrounding white space, without
        # its Python layers (two regex matches, argument checks); anything else,
        # including every error, goes through json.loads for its exact outcome.
        try:
            value, end = _scan_json(text, 0)
        except (ValueError, StopIteration, RecursionError):
            pass
        else:
            if end == len(text):
                return value
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"{what}: body is not valid JSON ({exc})") from exc
    return value

"""SSML text: escaping for text and attribute values, and checks of whole documents.

Part of :mod:`azspeech.ssml` (import the names from there).
"""

from __future__ import annotations

import re
from xml.parsers import expat

from ..errors import InvalidRequestError

__all__ = [
    "EMO_NS",
    "MAX_SSML_BYTES",
    "MAX_VOICE_AND_AUDIO_ELEMENTS",
    "MSTTS_NS",
    "SSML_NS",
    "escape_attribute",
    "escape_text",
    "is_ssml",
    "remove_invalid_xml_chars",
    "validate_ssml",
]

SSML_NS = "http://www.w3.org/2001/10/synthesis"
MSTTS_NS = "http://www.w3.org/2001/mstts"
EMO_NS = "http://www.w3.org/2009/10/emotionml"

MAX_SSML_BYTES = 64 * 1024
"""The service's limit on one SSML document sent over the WebSocket (per turn)."""
MAX_VOICE_AND_AUDIO_ELEMENTS = 50
"""The service's limit on ``<voice>`` plus ``<audio>`` elements in one document."""

# Characters XML 1.0 cannot carry (its Char production), as a regex class.
_INVALID_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]",
)
_TEXT_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
    "\r": "&#13;",
}
_ATTR_ESCAPES = {**_TEXT_ESCAPES, "\t": "&#9;", "\n": "&#10;"}
_TEXT_RE = re.compile("[&<>\"'\r]")
_ATTR_RE = re.compile("[&<>\"'\r\n\t]")


def remove_invalid_xml_chars(text: str) -> str:
    """*text* without the characters XML 1.0 cannot represent (controls, lone surrogates...)."""
    return _INVALID_XML.sub("", text)


def _check_chars(text: str, strict: bool, what: str) -> str:
    match = _INVALID_XML.search(text)
    if match is None:
        return text
    if strict:
        bad = match.group()
        raise InvalidRequestError(
            f"{what} contains the character U+{ord(bad):04X} at index {match.start()}, "
            "which XML (and so SSML) cannot carry; remove it or pass strict=False "
            "to have such characters dropped"
        )
    return _INVALID_XML.sub("", text)


def escape_text(text: str, *, strict: bool = False) -> str:
    """Escape *text* for use as SSML element content.

    ``&``, ``<``, ``>``, ``"``, ``'`` become entities and ``\\r`` a character
    reference; characters XML cannot carry are removed (or, with *strict*,
    raise :class:`~azspeech.errors.InvalidRequestError`).
    """
    if not isinstance(text, str):
        raise TypeError(f"SSML text must be a str, not {type(text).__name__}")
    text = _check_chars(text, strict, "text")
    return _TEXT_RE.sub(lambda m: _TEXT_ESCAPES[m.group()], text)


def escape_attribute(value: str, *, strict: bool = False) -> str:
    """Escape *value* for use inside a quoted SSML attribute."""
    value = _check_chars(value, strict, "attribute value")
    return _ATTR_RE.sub(lambda m: _ATTR_ESCAPES[m.group()], value)


def is_ssml(text: str) -> bool:
    """Whether *text* is meant as SSML: it starts with ``<speak`` (after whitespace
    and an optional XML declaration)."""
    stripped = text.lstrip().lstrip("\ufeff")
    if stripped.startswith("<?xml"):
        end = stripped.find("?>")
        if end != -1:
            stripped = stripped[end + 2 :].lstrip()
    return stripped.startswith("<speak")


def validate_ssml(ssml: str, *, max_bytes: int | None = MAX_SSML_BYTES) -> None:
    """Check that *ssml* is a document the service can take; raise
    :class:`~azspeech.errors.InvalidRequestError` pointing at the problem."""
    if not isinstance(ssml, str):
        raise TypeError(f"SSML must be a str, not {type(ssml).__name__}")
    size = len(ssml.encode("utf-8", "surrogatepass"))
    if max_bytes is not None and size > max_bytes:
        raise InvalidRequestError(
            f"SSML is {size} bytes; the service accepts at most {max_bytes} bytes "
            f"({max_bytes // 1024} KB) per request. Split the text into several requests."
        )
    parser = expat.ParserCreate(namespace_separator=" ")  # also catches unbound prefixes
    counts = {"elements": 0, "voice_audio": 0}
    root: list[str] = []

    def start(name: str, attrs: object) -> None:
        if not root:
            root.append(name)
        counts["elements"] += 1
        local = name.rsplit(" ", 1)[-1]
        if local in ("voice", "audio"):
            counts["voice_audio"] += 1

    def doctype(*args: object) -> None:
        raise InvalidRequestError("SSML must not contain a DOCTYPE declaration")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    bad = _INVALID_XML.search(ssml)
    if bad is not None:
        before = ssml[: bad.start()]
        line = before.count("\n") + 1
        column = bad.start() - (before.rfind("\n") + 1) + 1
        raise InvalidRequestError(
            f"SSML contains the character U+{ord(bad.group()):04X}, which XML cannot carry, "
            f"at line {line}, column {column}"
        )
    try:
        parser.Parse(ssml, True)
    except expat.ExpatError as exc:
        line, column = exc.lineno, exc.offset + 1
        lines = ssml.splitlines() or [""]
        context = lines[line - 1] if 0 < line <= len(lines) else ""
        if len(context) > 80:
            start_at = max(0, column - 40)
            context = context[start_at : start_at + 80]
        raise InvalidRequestError(
            f"SSML is not well-formed XML: {expat.ErrorString(exc.code)} "
            f"at line {line}, column {column}: {context!r}"
        ) from None
    if root and root[0].rsplit(" ", 1)[-1] != "speak":
        raise InvalidRequestError(
            f"SSML root element must be <speak>, not <{root[0].rsplit(' ', 1)[-1]}>"
        )
    if counts["voice_audio"] > MAX_VOICE_AND_AUDIO_ELEMENTS:
        raise InvalidRequestError(
            f"SSML has {counts['voice_audio']} <voice>/<audio> elements; the service "
            f"accepts at most {MAX_VOICE_AND_AUDIO_ELEMENTS} per request"
        )

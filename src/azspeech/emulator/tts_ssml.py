"""Text to speech in the emulator: SSML read into text, breaks and bookmarks.

:func:`parse_ssml` checks a document the way the service does (root
``speak``, known voices unless any voice is allowed, at most 50 ``voice``
elements, no DTD) and flattens it into items with their voice and
speaking rate. A bad document raises :class:`SynthesisError`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .voices import find_voice

__all__ = ["BreakItem", "Item", "MarkItem", "SsmlDoc", "SynthesisError", "TextItem", "parse_ssml"]


class SynthesisError(ValueError):
    """The request cannot be synthesized (the service closes with 1007 / answers 400)."""


# -- SSML → items ------------------------------------------------------------------------


@dataclass
class TextItem:
    """Text to speak, with its voice and rate factor."""

    text: str
    voice: str
    rate: float


@dataclass
class BreakItem:
    """A pause of *ms* milliseconds."""

    ms: float


@dataclass
class MarkItem:
    """A bookmark."""

    name: str


Item = TextItem | BreakItem | MarkItem

_RATE_NAMES = {"x-slow": 0.5, "slow": 0.75, "medium": 1.0, "default": 1.0, "fast": 1.25}
_RATE_NAMES["x-fast"] = 1.75
_BREAK_STRENGTH_MS = {
    "none": 0.0,
    "x-weak": 250.0,
    "weak": 500.0,
    "medium": 750.0,
    "strong": 1000.0,
    "x-strong": 1250.0,
}


def _rate(value: str | None, current: float) -> float:
    if not value:
        return current
    value = value.strip()
    if value in _RATE_NAMES:
        return _RATE_NAMES[value]
    try:
        factor = 1.0 + float(value[:-1]) / 100.0 if value.endswith("%") else float(value)
    except ValueError:
        raise SynthesisError(f"Invalid prosody rate: {value}") from None
    return min(3.0, max(0.5, factor))


def _break_ms(elem: ET.Element) -> float:
    time_attr = elem.get("time")
    if time_attr:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", time_attr)
        if not m:
            raise SynthesisError(f"Invalid break time: {time_attr}")
        value = float(m.group(1)) * (1000.0 if m.group(2) == "s" else 1.0)
        return min(value, 20000.0)
    strength = elem.get("strength")
    if strength:
        if strength not in _BREAK_STRENGTH_MS:
            raise SynthesisError(f"Invalid break strength: {strength}")
        return _BREAK_STRENGTH_MS[strength]
    return 750.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class SsmlDoc:
    """A parsed document: its items and the viseme type asked for."""

    items: list[Item] = field(default_factory=list)
    viseme_type: str | None = None
    voices: int = 0


def parse_ssml(ssml: str, *, any_voice: bool = False) -> SsmlDoc:
    """The text, breaks and bookmarks of an SSML document, with voice and rate."""
    if "<!DOCTYPE" in ssml or "<!ENTITY" in ssml:
        raise SynthesisError("SSML must not contain a DTD")
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        raise SynthesisError(f"Invalid SSML: {exc}") from None
    if _local(root.tag) != "speak":
        raise SynthesisError("Invalid SSML: the root element must be speak")
    doc = SsmlDoc()

    def add_text(text: str | None, voice: str | None, rate: float) -> None:
        if text:
            doc.items.append(TextItem(text, voice or "", rate))

    def walk(elem: ET.Element, voice: str | None, rate: float) -> None:
        tag = _local(elem.tag)
        if tag == "voice":
            name = (elem.get("name") or "").strip()
            if not name:
                raise SynthesisError("Invalid SSML: voice element without a name")
            if not any_voice and find_voice(name) is None:
                raise SynthesisError(f"Unsupported voice {name}.")
            doc.voices += 1
            voice = name
        elif tag == "prosody":
            rate = _rate(elem.get("rate"), rate)
        elif tag == "break":
            doc.items.append(BreakItem(_break_ms(elem)))
        elif tag == "bookmark":
            doc.items.append(MarkItem(elem.get("mark") or ""))
        elif tag == "viseme":
            doc.viseme_type = elem.get("type") or None
        if tag == "sub":
            add_text(" " + (elem.get("alias") or "") + " ", voice, rate)
        elif tag not in ("break", "bookmark", "viseme", "silence", "lexicon", "backgroundaudio"):
            block = tag in ("voice", "p", "s")  # these end words: "<voice>a.</voice><voice>b"
            if block:
                add_text(" ", voice, rate)
            add_text(elem.text, voice, rate)
            for child in elem:
                walk(child, voice, rate)
                add_text(child.tail, voice, rate)
            if block:
                add_text(" ", voice, rate)
        if tag == "voice" and voice is not None and doc.voices > 50:
            raise SynthesisError("Invalid SSML: more than 50 voice elements")

    walk(root, None, 1.0)
    if not any(isinstance(i, TextItem) and i.voice for i in doc.items):
        # Text outside any <voice>: the service reads it with no voice only for custom voices.
        for item in doc.items:
            if isinstance(item, TextItem) and not item.voice:
                item.voice = "en-US-AvaMultilingualNeural"
    return doc

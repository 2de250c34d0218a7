"""SSML elements and the document builder, with their attribute checks.

Part of :mod:`azspeech.ssml` (import the names from there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union

from ..errors import InvalidRequestError
from .checks import (
    EMO_NS,
    MSTTS_NS,
    SSML_NS,
    escape_attribute,
    escape_text,
    remove_invalid_xml_chars,
)

__all__ = [
    "Content",
    "Element",
    "Speak",
    "VoiceBuilder",
    "audio",
    "bookmark",
    "break_",
    "emphasis",
    "express_as",
    "lang",
    "lexicon",
    "phoneme",
    "prosody",
    "say_as",
    "silence",
    "sub",
    "text_to_ssml",
    "viseme",
]

# -- attribute checks ----------------------------------------------------------------

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_RATE = re.compile(rf"^(?:x-slow|slow|medium|fast|x-fast|default|{_NUM}%?)$")
_PITCH = re.compile(rf"^(?:x-low|low|medium|high|x-high|default|{_NUM}(?:Hz|st|%)?)$")
_VOLUME = re.compile(rf"^(?:silent|x-soft|soft|medium|loud|x-loud|default|{_NUM}(?:%|dB)?)$")
_CONTOUR = re.compile(
    rf"^\s*(?:\(\s*{_NUM}%\s*,\s*(?:{_NUM}(?:Hz|st|%)?|x-low|low|medium|high|x-high|default)\s*\)\s*)+$"
)
_TIME = re.compile(r"^\d+(?:\.\d+)?(?:ms|s)$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 (),._:-]*$")
_STYLE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_BREAK_STRENGTHS = ("none", "x-weak", "weak", "medium", "strong", "x-strong")
_EMPHASIS_LEVELS = ("reduced", "none", "moderate", "strong")
_PHONEME_ALPHABETS = ("ipa", "sapi", "ups", "x-sampa", "x-microsoft-sapi", "x-microsoft-ups")
_ROLES = (
    "Girl",
    "Boy",
    "YoungAdultFemale",
    "YoungAdultMale",
    "OlderAdultFemale",
    "OlderAdultMale",
    "SeniorFemale",
    "SeniorMale",
)
_SILENCE_TYPES = (
    "Leading",
    "Leading-exact",
    "Tailing",
    "Tailing-exact",
    "Sentenceboundary",
    "Sentenceboundary-exact",
    "Comma-exact",
    "Semicolon-exact",
    "Enumerationcomma-exact",
)
_VISEME_TYPES = ("redlips_front", "FacialExpression")


def _bad(what: str, value: object, expected: str) -> InvalidRequestError:
    return InvalidRequestError(f"invalid {what} {value!r}: expected {expected}")


def _match(what: str, value: object, pattern: re.Pattern[str], expected: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not pattern.match(value):
        raise _bad(what, value, expected)
    return value


def _choice(what: str, value: object, choices: Iterable[str]) -> str:
    options = tuple(choices)
    if value not in options:
        raise _bad(what, value, "one of " + ", ".join(options))
    return str(value)


def _plain(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(what, value, "a non-empty string")
    if remove_invalid_xml_chars(value) != value:
        raise _bad(what, value, "a string without control characters")
    return value


def _lang(value: object) -> str:
    return _match("language", value, _LANG, "a BCP-47 tag such as 'en-US'")


def _time(what: str, value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{int(value)}ms"
    return _match(what, value, _TIME, "a duration such as '500ms' or '2s'")


# -- the element tree ----------------------------------------------------------------

Content = Union[str, "Element"]


@dataclass
class Element:
    """One SSML element: a tag, attributes and content (text or elements)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Content] = field(default_factory=list)

    def render(self, out: list[str], strict: bool) -> None:
        """Append this element's XML to *out*."""
        out.append("<" + self.tag)
        for name, value in self.attrs.items():
            out.append(f' {name}="{escape_attribute(value, strict=strict)}"')
        if not self.children:
            out.append("/>")
            return
        out.append(">")
        for child in self.children:
            if isinstance(child, Element):
                child.render(out, strict)
            else:
                out.append(escape_text(child, strict=strict))
        out.append(f"</{self.tag}>")

    def to_xml(self, *, strict: bool = False) -> str:
        """This element (not a whole document) as XML."""
        out: list[str] = []
        self.render(out, strict)
        return "".join(out)


def _content(items: Iterable[object]) -> list[Content]:
    result: list[Content] = []
    for item in items:
        if isinstance(item, (str, Element)):
            result.append(item)
        else:
            raise TypeError(
                f"SSML content must be str or an element built by azspeech.ssml, "
                f"not {type(item).__name__}"
            )
    return result


def _attrs(**values: str | None) -> dict[str, str]:
    return {k.replace("__", ":").replace("_", "-"): v for k, v in values.items() if v is not None}


def prosody(
    *content: Content,
    rate: str | float | None = None,
    pitch: str | None = None,
    volume: str | float | None = None,
    contour: str | None = None,
    range: str | None = None,
) -> Element:
    """``<prosody>``: speaking rate (``"-20%"``, ``"slow"``, ``1.2``), pitch (``"+2st"``,
    ``"+10Hz"``, ``"high"``), volume (``"+20%"``, ``"loud"``, ``80``), pitch contour
    (``"(0%,+20Hz) (50%,-10%)"``) and pitch range."""
    if rate is None and pitch is None and volume is None and contour is None and range is None:
        raise InvalidRequestError("prosody needs at least one of rate, pitch, volume, contour")
    attrs = _attrs(
        rate=None if rate is None else _match("rate", rate, _RATE, "x-slow..x-fast, '+10%', 1.2"),
        pitch=None
        if pitch is None
        else _match("pitch", pitch, _PITCH, "x-low..x-high, '+2st', '+10Hz', '-5%'"),
        contour=None
        if contour is None
        else _match("contour", contour, _CONTOUR, "pairs like '(0%,+20Hz) (50%,-2st)'"),
        range=None
        if range is None
        else _match("range", range, _PITCH, "x-low..x-high, '+2st', '+10Hz'"),
        volume=None
        if volume is None
        else _match("volume", volume, _VOLUME, "silent..x-loud, 0-100, '+10%', '-6dB'"),
    )
    return Element("prosody", attrs, _content(content))


def express_as(
    *content: Content,
    style: str,
    styledegree: float | str | None = None,
    role: str | None = None,
) -> Element:
    """``<mstts:express-as>``: speaking style (``cheerful``...), its degree (0.01-2)
    and a role-play role (``Girl``, ``OlderAdultMale``...)."""
    attrs: dict[str, str] = {"style": _match("style", style, _STYLE, "a style name")}
    if styledegree is not None:
        try:
            degree = float(styledegree)
        except (TypeError, ValueError):
            raise _bad("styledegree", styledegree, "a number from 0.01 to 2") from None
        if not 0.01 <= degree <= 2:
            raise _bad("styledegree", styledegree, "a number from 0.01 to 2")
        attrs["styledegree"] = f"{degree:g}"
    if role is not None:
        attrs["role"] = _choice("role", role, _ROLES)
    return Element("mstts:express-as", attrs, _content(content))


def break_(*, time: str | int | None = None, strength: str | None = None) -> Element:
    """``<break>``: a pause of *time* (``"500ms"``, ``"2s"``, or milliseconds as int)
    or of a *strength* (``none`` .. ``x-strong``)."""
    attrs: dict[str, str] = {}
    if time is not None:
        attrs["time"] = _time("break time", time)
    if strength is not None:
        attrs["strength"] = _choice("break strength", strength, _BREAK_STRENGTHS)
    return Element("break", attrs)


def emphasis(*content: Content, level: str | None = None) -> Element:
    """``<emphasis>`` with *level* ``reduced``, ``none``, ``moderate`` or ``strong``."""
    attrs = {} if level is None else {"level": _choice("emphasis level", level, _EMPHASIS_LEVELS)}
    return Element("emphasis", attrs, _content(content))


def say_as(
    text: str, *, interpret_as: str, format: str | None = None, detail: str | None = None
) -> Element:
    """``<say-as>``: how to read *text* (``interpret_as="date"``, ``"cardinal"``...)."""
    attrs = {"interpret-as": _match("interpret-as", interpret_as, _STYLE, "a name like 'date'")}
    if format is not None:
        attrs["format"] = _plain("say-as format", format)
    if detail is not None:
        attrs["detail"] = _plain("say-as detail", detail)
    return Element("say-as", attrs, _content([text]))


def phoneme(text: str, *, ph: str, alphabet: str = "ipa") -> Element:
    """``<phoneme>``: pronounce *text* as the phonetic string *ph* in *alphabet*."""
    attrs = {
        "alphabet": _choice("phoneme alphabet", alphabet, _PHONEME_ALPHABETS),
        "ph": _plain("phoneme ph", ph),
    }
    return Element("phoneme", attrs, _content([text]))


def sub(text: str, *, alias: str) -> Element:
    """``<sub>``: read *alias* instead of *text*."""
    return Element("sub", {"alias": _plain("sub alias", alias)}, _content([text]))


def lexicon(uri: str) -> Element:
    """``<lexicon uri="...">``: a custom pronunciation lexicon."""
    return Element("lexicon", {"uri": _plain("lexicon uri", uri)})


def bookmark(mark: str) -> Element:
    """``<bookmark mark="...">``: reported as a Bookmark event when reached."""
    return Element("bookmark", {"mark": _plain("bookmark mark", mark)})


def lang(*content: Content, xml_lang: str) -> Element:
    """``<lang xml:lang="...">``: switch the language of a multilingual voice."""
    return Element("lang", {"xml:lang": _lang(xml_lang)}, _content(content))


def audio(src: str, *fallback: Content) -> Element:
    """``<audio src="...">``: insert a recording; *fallback* is spoken if it fails."""
    return Element("audio", {"src": _plain("audio src", src)}, _content(fallback))


def silence(*, type: str, value: str | int) -> Element:
    """``<mstts:silence>``: silence of *value* (``"200ms"``) of a *type*
    (``Leading``, ``Tailing``, ``Sentenceboundary``, ``Comma-exact``...)."""
    return Element(
        "mstts:silence",
        {"type": _choice("silence type", type, _SILENCE_TYPES), "value": _time("silence", value)},
    )


def viseme(*, type: str) -> Element:
    """``<mstts:viseme>``: ask for ``redlips_front`` (SVG) or ``FacialExpression``
    (blend shapes) animation data in Viseme events."""
    return Element("mstts:viseme", {"type": _choice("viseme type", type, _VISEME_TYPES)})


class _ContentBuilder:
    """Methods shared by every builder that holds content."""

    _element: Element

    def add(self, *content: Content) -> _ContentBuilder:
        """Append text or elements."""
        self._element.children.extend(_content(content))
        return self

    def text(self, *content: Content) -> _ContentBuilder:
        """Append text (escaped on output) or elements."""
        return self.add(*content)


class VoiceBuilder(_ContentBuilder):
    """The content of one ``<voice>`` element; every method returns the builder.

    ``.voice(...)`` starts the next voice of the same document and ``.to_xml()``
    renders the whole document.
    """

    def __init__(self, speak: Speak, element: Element) -> None:
        self._speak = speak
        self._element = element

    def add(self, *content: Content) -> VoiceBuilder:
        """Append text or elements."""
        self._element.children.extend(_content(content))
        return self

    def text(self, *content: Content) -> VoiceBuilder:
        """Append text (escaped on output) or elements."""
        return self.add(*content)

    def prosody(
        self,
        *content: Content,
        rate: str | float | None = None,
        pitch: str | None = None,
        volume: str | float | None = None,
        contour: str | None = None,
        range: str | None = None,
    ) -> VoiceBuilder:
        """Append a ``<prosody>`` element (see :func:`prosody`)."""
        return self.add(
            prosody(*content, rate=rate, pitch=pitch, volume=volume, contour=contour, range=range)
        )

    def express_as(
        self,
        *content: Content,
        style: str,
        styledegree: float | str | None = None,
        role: str | None = None,
    ) -> VoiceBuilder:
        """Append an ``<mstts:express-as>`` element (see :func:`express_as`)."""
        return self.add(express_as(*content, style=style, styledegree=styledegree, role=role))

    def break_(self, *, time: str | int | None = None, strength: str | None = None) -> VoiceBuilder:
        """Append a ``<break>`` (see :func:`break_`)."""
        return self.add(break_(time=time, strength=strength))

    def emphasis(self, *content: Content, level: str | None = None) -> VoiceBuilder:
        """Append an ``<emphasis>`` element."""
        return self.add(emphasis(*content, level=level))

    def say_as(
        self, text: str, *, interpret_as: str, format: str | None = None, detail: str | None = None
    ) -> VoiceBuilder:
        """Append a ``<say-as>`` element."""
        return self.add(say_as(text, interpret_as=interpret_as, format=format, detail=detail))

    def phoneme(self, text: str, *, ph: str, alphabet: str = "ipa") -> VoiceBuilder:
        """Append a ``<phoneme>`` element."""
        return self.add(phoneme(text, ph=ph, alphabet=alphabet))

    def sub(self, text: str, *, alias: str) -> VoiceBuilder:
        """Append a ``<sub>`` element."""
        return self.add(sub(text, alias=alias))

    def lexicon(self, uri: str) -> VoiceBuilder:
        """Append a ``<lexicon>`` element."""
        return self.add(lexicon(uri))

    def bookmark(self, mark: str) -> VoiceBuilder:
        """Append a ``<bookmark>``."""
        return self.add(bookmark(mark))

    def lang(self, *content: Content, xml_lang: str) -> VoiceBuilder:
        """Append a ``<lang>`` element."""
        return self.add(lang(*content, xml_lang=xml_lang))

    def audio(self, src: str, *fallback: Content) -> VoiceBuilder:
        """Append an ``<audio>`` element."""
        return self.add(audio(src, *fallback))

    def silence(self, *, type: str, value: str | int) -> VoiceBuilder:
        """Append an ``<mstts:silence>`` element."""
        return self.add(silence(type=type, value=value))

    def viseme(self, *, type: str) -> VoiceBuilder:
        """Append an ``<mstts:viseme>`` element."""
        return self.add(viseme(type=type))

    def voice(self, name: str, *, effect: str | None = None) -> VoiceBuilder:
        """Start the next ``<voice>`` of the same document."""
        return self._speak.voice(name, effect=effect)

    def to_xml(self) -> str:
        """The whole document as a string."""
        return self._speak.to_xml()

    def __str__(self) -> str:
        return self.to_xml()


class Speak:
    """An SSML document: ``Speak(lang="en-US").voice("...").text("...").to_xml()``.

    Args:
        lang: the document language (``xml:lang``).
        strict: raise on characters XML cannot carry instead of removing them.
    """

    def __init__(self, lang: str = "en-US", *, strict: bool = False) -> None:
        self.lang = _lang(lang)
        self.strict = strict
        self._children: list[Element] = []

    def voice(self, name: str, *, effect: str | None = None) -> VoiceBuilder:
        """Add a ``<voice name=...>`` and return a builder for its content."""
        name = _match("voice name", name, _NAME, "a voice name such as 'en-US-AvaNeural'")
        attrs = {"name": name}
        if effect is not None:
            attrs["effect"] = _match("voice effect", effect, _STYLE, "an effect name")
        element = Element("voice", attrs)
        self._children.append(element)
        return VoiceBuilder(self, element)

    def add(self, element: Element) -> Speak:
        """Add a top-level element (for example a ``<lexicon>`` outside any voice)."""
        self._children.append(element)
        return self

    def to_xml(self) -> str:
        """The document as a string."""
        out = [
            f'<speak version="1.0" xmlns="{SSML_NS}" xmlns:mstts="{MSTTS_NS}" '
            f'xmlns:emo="{EMO_NS}" xml:lang="{self.lang}">'
        ]
        for child in self._children:
            child.render(out, self.strict)
        out.append("</speak>")
        return "".join(out)

    def __str__(self) -> str:
        return self.to_xml()


def text_to_ssml(text: str, *, voice: str, language: str = "en-US", strict: bool = False) -> str:
    """Wrap plain *text* into a one-voice SSML document, escaped."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return Speak(lang=language, strict=strict).voice(voice).text(text).to_xml()

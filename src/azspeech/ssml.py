"""Build Speech Synthesis Markup (SSML) safely, and check SSML written by hand.

>>> from azspeech.ssml import Speak, emphasis
>>> doc = (
...     Speak(lang="en-US")
...     .voice("en-US-AvaMultilingualNeural")
...     .text("Tom & Jerry say ")
...     .prosody("hello", rate="-10%", pitch="+2st")
...     .break_(time="250ms")
...     .express_as("I'm so happy!", style="cheerful", styledegree=1.5)
...     .voice("en-US-AndrewNeural")
...     .text("And ", emphasis("I", level="strong"), " agree.")
... )
>>> xml = doc.to_xml()

Every piece of text handed to the builder is escaped (``&``, ``<``, ``>``,
quotes, and carriage returns, which XML parsers would otherwise turn into line
feeds), so it reaches the service exactly as written. Characters that XML 1.0
cannot carry at all — C0 control characters other than tab, line feed and
carriage return, lone surrogates, U+FFFE and U+FFFF — are **removed** by
default; pass ``strict=True`` to :class:`Speak` (or :func:`escape_text`) to get
an :class:`~azspeech.errors.InvalidRequestError` instead. Attribute values are
checked against the forms the service documents (rates, pitches, volumes,
break times, style degrees...), so mistakes show up before a request is sent.

:func:`validate_ssml` checks a hand-written document: well-formed XML (the
error names the line and column), a ``<speak>`` root, no DTD, at most 50
``<voice>``/``<audio>`` elements and at most 64 KB of UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union
from xml.parsers import expat

from .errors import InvalidRequestError

__all__ = [
    "MAX_SSML_BYTES",
    "MAX_VOICE_AND_AUDIO_ELEMENTS",
    "Element",
    "Speak",
    "VoiceBuilder",
    "audio",
    "bookmark",
    "break_",
    "emphasis",
    "escape_attribute",
    "escape_text",
    "express_as",
    "is_ssml",
    "lang",
    "lexicon",
    "phoneme",
    "prosody",
    "remove_invalid_xml_chars",
    "say_as",
    "silence",
    "sub",
    "text_to_ssml",
    "validate_ssml",
    "viseme",
]

SSML_NS = "http://www.w3.org/2001/10/synthesis"
MSTTS_NS = "http://www.w3.org/2001/mstts"
EMO_NS = "http://www.w3.org/2009/10/emotionml"

#: The service's limit on one SSML document sent over the WebSocket (per turn).
MAX_SSML_BYTES = 64 * 1024
#: The service's limit on ``<voice>`` plus ``<audio>`` elements in one document.
MAX_VOICE_AND_AUDIO_ELEMENTS = 50

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
    if _INVALID_XML.search(value):
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

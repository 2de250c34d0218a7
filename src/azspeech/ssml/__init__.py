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

from .builder import Content as Content  # the type of element content
from .builder import (
    Element,
    Speak,
    VoiceBuilder,
    audio,
    bookmark,
    break_,
    emphasis,
    express_as,
    lang,
    lexicon,
    phoneme,
    prosody,
    say_as,
    silence,
    sub,
    text_to_ssml,
    viseme,
)
from .checks import EMO_NS as EMO_NS
from .checks import (
    MAX_SSML_BYTES,
    MAX_VOICE_AND_AUDIO_ELEMENTS,
    escape_attribute,
    escape_text,
    is_ssml,
    remove_invalid_xml_chars,
    validate_ssml,
)
from .checks import MSTTS_NS as MSTTS_NS
from .checks import SSML_NS as SSML_NS

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

"""Validated option values for recognition and the streaming sessions.

Each option object is a frozen, keyword-only dataclass checked once, when it
is built: a bad value raises :class:`~azspeech.errors.InvalidRequestError`
naming the field, before anything is sent. The recognition groups each add
their own part to the URL query, ``speech.context`` and REST headers.

.. code-block:: python

    from azspeech.options import OutputOptions, RecognitionOptions, SilenceTimeouts

    opts = RecognitionOptions(
        language="de-DE",
        silence=SilenceTimeouts(initial=5.0, segmentation=0.8),
        output=OutputOptions(word_timings=True, profanity="raw"),
    )
    async with client.stt.connect(options=opts) as session:
        ...
"""

from .fast import FastProfanity, FastTranscriptionOptions
from .features import (
    GradingSystem,
    Granularity,
    LanguageIdentification,
    LanguageIdMode,
    LanguageIdPriority,
    PronunciationAssessment,
)
from .recognition import (
    Mode,
    OutputOptions,
    Profanity,
    RecognitionOptions,
    SilenceTimeouts,
    SpeechStartSensitivity,
)
from .reliability import Reliability
from .translation import TranslationOptions

__all__ = [
    "FastProfanity",
    "FastTranscriptionOptions",
    "GradingSystem",
    "Granularity",
    "LanguageIdMode",
    "LanguageIdPriority",
    "LanguageIdentification",
    "Mode",
    "OutputOptions",
    "Profanity",
    "PronunciationAssessment",
    "RecognitionOptions",
    "Reliability",
    "SilenceTimeouts",
    "SpeechStartSensitivity",
    "TranslationOptions",
]

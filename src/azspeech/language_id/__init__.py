"""Language identification: ``client.language_id.identify(audio, candidate_languages=[...])``.

Returns a :class:`LanguageIdentificationResult`: the dominant language and
the language of every phrase with its offsets. The same identification rides
any recognition: ``candidate_languages=`` or ``language_id=``
(:class:`~azspeech.options.LanguageIdentification`) on ``client.stt`` puts
``.language`` and ``.language_confidence`` on every result and event.
"""

from __future__ import annotations

from ..options.features import LanguageIdentification
from .resource import AsyncLanguageId, LanguageId
from .result import LanguageIdentificationResult, LanguageSegment, identification_result

__all__ = [
    "AsyncLanguageId",
    "LanguageId",
    "LanguageIdentification",
    "LanguageIdentificationResult",
    "LanguageSegment",
    "identification_result",
]

"""Language identification in the emulator: which candidate each phrase is in, and how sure.

The language comes from the recognized text (:func:`~azspeech.emulator.results.guess_language`:
its script and letters). With ``DetectAtAudioStart`` (the default mode) the
first identification of a turn holds for the rest of it; with
``DetectContinuous`` every phrase is identified on its own. Confidence is
``High`` when the text's letters point at the chosen candidate (plain ASCII
text at an English one included), ``Low`` when the engine fell back to a
candidate the text gives no evidence for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .results import guess_language

__all__ = ["AT_START", "CONTINUOUS", "LanguageTracker", "lid_mode"]

AT_START = "DetectAtAudioStart"
CONTINUOUS = "DetectContinuous"
_MARKED = re.compile(r"[^\x00-\x7f]")


def lid_mode(context: Mapping[str, Any]) -> str:
    """The identification mode the ``speech.context`` asks for (at start by default)."""
    lid = context.get("languageId")
    mode = lid.get("mode") if isinstance(lid, Mapping) else None
    return CONTINUOUS if str(mode or "").lower() == CONTINUOUS.lower() else AT_START


def _confidence(text: str, language: str) -> str:
    marked = bool(_MARKED.search(text))
    if not marked:
        return "High" if language.lower().startswith("en") else "Low"
    return "Low" if language.lower().startswith("en") else "High"


class LanguageTracker:
    """The ``PrimaryLanguage`` of each result of one turn."""

    def __init__(self, candidates: list[str], mode: str) -> None:
        self.candidates = candidates
        self.mode = mode
        self._fixed: dict[str, str] | None = None

    def primary_language(self, text: str, *, final: bool) -> dict[str, str]:
        """``{"Language": ..., "Confidence": ...}`` for a result with *text*."""
        if self._fixed is not None:
            return dict(self._fixed)
        language = guess_language(text, self.candidates, None) or self.candidates[0]
        found = {"Language": language, "Confidence": _confidence(text, language)}
        if self.mode == AT_START and final and text.strip():
            self._fixed = found
        return dict(found)

"""LLM speech: the ``enhancedMode`` of fast transcription (api-version 2025-10-15).

:class:`EnhancedMode` is the spec's ``EnhancedModeProperties`` (with
``EnhancedModeModelOptions``): the task (``transcribe`` or ``translate``),
the target language of a translation, prompts, and the model with its
options. Results are the fast-transcription result,
:class:`~azspeech.models.stt.TranscriptionResult` (LLM speech reports
``confidence`` 0, and a translation has no word timings).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ._base import Model
from .stt import TranscriptionResult

__all__ = [
    "TARGET_LANGUAGES",
    "EnhancedMode",
    "EnhancedModeModelOptions",
    "LlmTask",
    "TimestampGranularity",
    "TranscribeStyle",
    "TranscriptionResult",
]

LlmTask = Literal["transcribe", "translate"]
TimestampGranularity = Literal["word", "segment", "none"]
TranscribeStyle = Literal["verbatim", "clean"]

#: The target languages the LLM speech documentation lists for ``translate``.
TARGET_LANGUAGES = frozenset({"de", "en", "es", "fr", "it", "ko", "ja", "pt", "zh"})


class EnhancedModeModelOptions(Model):
    """Options of the enhanced-mode model: timestamp granularity and transcription style."""

    timestamps: str | None = None
    transcribe_style: str | None = Field(default=None, alias="transcribeStyle")


class EnhancedMode(Model):
    """The ``definition.enhancedMode`` object of a fast-transcription request."""

    enabled: bool = True
    task: str | None = None
    target_language: str | None = Field(default=None, alias="targetLanguage")
    prompt: list[str] = Field(default_factory=list)
    model: str | None = None
    model_options: EnhancedModeModelOptions | None = Field(default=None, alias="modelOptions")

    def to_wire(self) -> dict[str, Any]:
        """The JSON object sent as ``enhancedMode`` (unset members left out)."""
        out = self.model_dump(by_alias=True, exclude_none=True)
        if not out.get("prompt"):
            out.pop("prompt", None)
        return out

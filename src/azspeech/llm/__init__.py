"""LLM speech: ``client.llm.transcribe`` and ``client.llm.translate``.

The enhanced mode of fast transcription (``POST
/speechtotext/transcriptions:transcribe``, api-version 2025-10-15, with
``definition.enhancedMode``): a large model transcribes (language detected,
no locale needed) or translates into a target language, guided by optional
prompts. Results are :class:`~azspeech.models.stt.TranscriptionResult`, the
phrase model of fast transcription. :func:`enhanced_mode` builds the
``enhancedMode`` member for ``client.stt.transcribe(extra_definition=...)``.
"""

from __future__ import annotations

from .resource import AsyncLlmSpeech, LlmSpeech, enhanced_mode

__all__ = ["AsyncLlmSpeech", "LlmSpeech", "enhanced_mode"]

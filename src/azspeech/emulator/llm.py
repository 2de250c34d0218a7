"""LLM speech in the emulator: ``definition.enhancedMode`` of fast transcription.

:func:`check_definition` refuses an ``enhancedMode`` the spec's
``EnhancedModeProperties`` does not allow (unknown member, a task other than
``transcribe``/``translate``, ``translate`` without ``targetLanguage``,
diarization with ``translate``...); :func:`enhance` turns the emulator's
fast-transcription result into what LLM speech answers: ``confidence`` 0,
phrase locales in lower case, and for ``translate`` the emulator's
deterministic translation (``"[de] ..."`` or a known phrase), one speaker
and no word timings. A prompt asking for "lexical" output gets lower-case
text without punctuation, so tests can see a prompt reach the model.
"""

from __future__ import annotations

import re
from typing import Any

from .custom_speech_schema import ENHANCED_MODE
from .translation import translate

__all__ = ["MAX_PROMPT_CHARS", "check_definition", "enhance"]

MAX_PROMPT_CHARS = 4096


def _mode(definition: dict[str, Any]) -> dict[str, Any] | None:
    mode = definition.get("enhancedMode")
    if not isinstance(mode, dict) or mode.get("enabled") is False:
        return None
    return mode


def check_definition(definition: dict[str, Any]) -> str | None:
    """The first problem of the request's ``enhancedMode``, or None."""
    if "enhancedMode" not in definition:
        return None
    mode = definition["enhancedMode"]
    problem = ENHANCED_MODE.check(mode, "definition.enhancedMode")
    if problem:
        return problem
    task = mode.get("task", "transcribe")
    if task not in ("transcribe", "translate"):
        return "definition.enhancedMode.task must be transcribe or translate."
    if task == "translate" and not mode.get("targetLanguage"):
        return "definition.enhancedMode.targetLanguage is required with the translate task."
    if task != "translate" and mode.get("targetLanguage"):
        return "definition.enhancedMode.targetLanguage applies to the translate task only."
    diarization = definition.get("diarization") or {}
    if task == "translate" and (diarization.get("enabled") or diarization.get("maxSpeakers")):
        return "Diarization is not supported with the translate task."
    if sum(len(p) for p in mode.get("prompt") or []) > MAX_PROMPT_CHARS:
        return f"definition.enhancedMode.prompt is longer than {MAX_PROMPT_CHARS} characters."
    return None


def _lexical(text: str) -> str:
    return re.sub(r"[^\w\s']", "", text).lower().strip()


def enhance(result: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    """*result* (a fast-transcription answer) as LLM speech gives it, if enhanced mode is on."""
    mode = _mode(definition)
    if mode is None:
        return result
    target = mode.get("targetLanguage") if mode.get("task") == "translate" else None
    lexical = any("lexical" in p.lower() for p in mode.get("prompt") or [])
    timestamps = (mode.get("modelOptions") or {}).get("timestamps", "word")
    phrases = []
    for phrase in result["phrases"]:
        p = dict(phrase, confidence=0)
        if target:
            p["text"] = translate(p["text"], target)
            p["locale"] = target
            p.pop("speaker", None)
            p.pop("words", None)
        else:
            p["locale"] = str(p.get("locale", "")).lower()
        if lexical:
            p["text"] = _lexical(p["text"])
            for w in p.get("words") or []:
                w["text"] = _lexical(w["text"])
        if timestamps in ("segment", "none"):
            p.pop("words", None)
        phrases.append(p)
    combined = []
    for entry in result["combinedPhrases"]:
        channel = entry.get("channel")
        texts = [p["text"] for p in phrases if p.get("channel") == channel]
        combined.append({**entry, "text": " ".join(t for t in texts if t)})
    return {**result, "combinedPhrases": combined, "phrases": phrases}

"""Recognition engines behind the emulator.

``tones`` (default, deterministic): decodes the tone code the emulator's own
text to speech writes (:mod:`.tones`), else reports the configured script.
``script``: always the script. ``whisper`` (optional extra ``[engines]``):
faster-whisper, for real speech.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import RecognitionOptions, SttEngine

if TYPE_CHECKING:
    from ..state import EmulatorState

__all__ = ["ENGINES", "RecognitionOptions", "SttEngine", "make_engine"]

ENGINES = ("tones", "script", "whisper", "real")


def make_engine(spec: str | SttEngine | None, state: EmulatorState) -> SttEngine:
    """The engine named *spec* (or *spec* itself), wired to *state*'s script."""
    if isinstance(spec, SttEngine):
        return spec
    name = (spec or "tones").lower()
    if name == "tones":
        from .tone_stt import ToneEngine

        return ToneEngine(state.script.pop, state.script.peek)
    if name == "script":
        from .tone_stt import ScriptEngine

        return ScriptEngine(state.script.pop, state.script.peek)
    if name in ("whisper", "real"):
        from .whisper import WhisperEngine

        return WhisperEngine()
    raise ValueError(f"unknown engine {spec!r}; choose one of {', '.join(ENGINES)}")

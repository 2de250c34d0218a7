"""What the Voice Live service refuses in a ``session`` object, as the emulator checks it."""

from __future__ import annotations

from typing import Any

from .avatar_fmp4 import video_problem
from .voices import find_voice

__all__ = ["OUT_RATES", "session_problem"]

OUT_RATES = {"pcm16": 24000, "pcm16_8000hz": 8000, "pcm16_16000hz": 16000}
_VOICE_TYPES = {
    "azure-standard",
    "azure-custom",
    "azure-personal",
    "openai",
    "azure-realtime-native",
}
_VAD_TYPES = {"server_vad", "azure_semantic_vad", "azure_semantic_vad_multilingual", "semantic_vad"}


def session_problem(session: dict[str, Any]) -> str | None:
    """What the service would refuse in a ``session`` object, if anything."""
    voice = session.get("voice")
    if voice is not None:
        if not isinstance(voice, dict) or voice.get("type") not in _VOICE_TYPES:
            return (
                f"Unknown voice type {voice.get('type') if isinstance(voice, dict) else voice!r}."
            )
        if voice["type"] == "azure-standard" and find_voice(str(voice.get("name", ""))) is None:
            return f"Unsupported voice {voice.get('name')!r}."
    temperature = session.get("temperature")
    if temperature is not None and not (
        isinstance(temperature, (int, float)) and 0.6 <= temperature <= 1.2
    ):
        return "temperature must be between 0.6 and 1.2."
    if session.get("input_audio_format", "pcm16") not in ("pcm16", "g711_ulaw", "g711_alaw"):
        return "Unsupported input_audio_format."
    if session.get("output_audio_format", "pcm16") not in OUT_RATES:
        return "The emulator produces pcm16 output formats only."
    td = session.get("turn_detection")
    if td is not None and (not isinstance(td, dict) or td.get("type") not in _VAD_TYPES):
        return "Unknown turn_detection type."
    noise = session.get("input_audio_noise_reduction")
    if noise is not None:
        kind = noise.get("type") if isinstance(noise, dict) else None
        if kind not in ("azure_deep_noise_suppression", "near_field", "far_field"):
            return "Unknown input_audio_noise_reduction type."
        if kind != "azure_deep_noise_suppression" and not str(session.get("model")).startswith(
            "gpt-realtime"
        ):
            return f"{kind} noise reduction is only available with gpt-realtime models."
    echo = session.get("input_audio_echo_cancellation")
    if echo is not None and (
        not isinstance(echo, dict) or echo.get("type") != "server_echo_cancellation"
    ):
        return "Unknown input_audio_echo_cancellation type."
    return video_problem(session)

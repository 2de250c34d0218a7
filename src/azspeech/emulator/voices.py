"""The emulator's voice table: a small, made-up list shaped like the service's voices list.

Field names and value types follow the service (numbers as strings, optional
lists omitted when empty). The emulator's synthesizer accepts exactly these
short names (plus any name on a custom voice deployment).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_VOICES", "VOICES", "find_voice", "voice_list"]

_LOCALE_NAMES = {
    "en-US": "English (United States)",
    "en-GB": "English (United Kingdom)",
    "de-DE": "German (Germany)",
    "fr-FR": "French (France)",
    "es-ES": "Spanish (Spain)",
    "ja-JP": "Japanese (Japan)",
    "zh-CN": "Chinese (Mandarin, Simplified)",
}

_MULTILINGUAL = ["de-DE", "en-GB", "es-ES", "fr-FR", "it-IT", "ja-JP", "pt-BR", "zh-CN"]


def _voice(
    locale: str,
    name: str,
    gender: str,
    *,
    local_name: str | None = None,
    styles: list[str] | None = None,
    roles: list[str] | None = None,
    secondary: list[str] | None = None,
    wpm: int = 150,
    status: str = "GA",
    hq48k: bool = True,
) -> dict[str, Any]:
    short = f"{locale}-{name}"
    display = name.removesuffix("Neural").removesuffix("Multilingual")
    entry: dict[str, Any] = {
        "Name": f"Microsoft Server Speech Text to Speech Voice ({locale}, {name})",
        "DisplayName": display,
        "LocalName": local_name or display,
        "ShortName": short,
        "Gender": gender,
        "Locale": locale,
        "LocaleName": _LOCALE_NAMES[locale],
        "SampleRateHertz": "24000",
        "VoiceType": "Neural",
        "Status": status,
        "WordsPerMinute": str(wpm),
    }
    if styles:
        entry["StyleList"] = styles
    if roles:
        entry["RolePlayList"] = roles
    if secondary:
        entry["SecondaryLocaleList"] = secondary
    if hq48k:
        entry["ExtendedPropertyMap"] = {"IsHighQuality48K": "True"}
    return entry


VOICES: list[dict[str, Any]] = [
    _voice("en-US", "AvaMultilingualNeural", "Female", secondary=_MULTILINGUAL, wpm=152),
    _voice("en-US", "AndrewMultilingualNeural", "Male", secondary=_MULTILINGUAL, wpm=148),
    _voice("en-US", "AvaNeural", "Female", styles=["cheerful", "sad", "angry"], wpm=152),
    _voice("en-US", "AndrewNeural", "Male", wpm=148),
    _voice(
        "en-US",
        "JennyNeural",
        "Female",
        styles=["assistant", "chat", "cheerful", "customerservice", "newscast", "sad"],
        wpm=152,
    ),
    _voice(
        "en-US",
        "GuyNeural",
        "Male",
        styles=["angry", "cheerful", "newscast", "sad", "shouting"],
        roles=["Boy", "OlderAdultMale", "YoungAdultMale"],
        wpm=144,
    ),
    _voice("en-GB", "SoniaNeural", "Female", styles=["cheerful", "sad"], wpm=146),
    _voice("en-GB", "RyanNeural", "Male", styles=["chat", "cheerful"], wpm=142, hq48k=False),
    _voice("de-DE", "KatjaNeural", "Female", wpm=136),
    _voice("de-DE", "ConradNeural", "Male", styles=["cheerful"], wpm=131),
    _voice("fr-FR", "DeniseNeural", "Female", styles=["cheerful", "sad"], wpm=140),
    _voice("es-ES", "AlvaroNeural", "Male", styles=["cheerful", "sad"], wpm=150),
    _voice("ja-JP", "NanamiNeural", "Female", local_name="七海", styles=["chat", "cheerful"]),
    _voice(
        "zh-CN",
        "XiaoxiaoNeural",
        "Female",
        local_name="晓晓",
        styles=["affectionate", "assistant", "calm", "chat", "cheerful", "newscast", "sad"],
        roles=["Girl", "YoungAdultFemale", "OlderAdultFemale", "SeniorFemale"],
        wpm=285,
    ),
    _voice("en-US", "EmmaNeural", "Female", status="Preview", wpm=150),
]

#: Per-locale defaults the official SDKs use when no voice is named.
DEFAULT_VOICES = {
    "en-US": "en-US-AvaMultilingualNeural",
    "de-DE": "de-DE-KatjaNeural",
    "fr-FR": "fr-FR-DeniseNeural",
    "es-ES": "es-ES-AlvaroNeural",
    "ja-JP": "ja-JP-NanamiNeural",
    "zh-CN": "zh-CN-XiaoxiaoNeural",
}

_BY_NAME: dict[str, dict[str, Any]] = {}
for _v in VOICES:
    _BY_NAME[_v["ShortName"].lower()] = _v
    _BY_NAME[_v["Name"].lower()] = _v


def find_voice(name: str) -> dict[str, Any] | None:
    """The voice entry for a short or long *name* (case-insensitive), or None."""
    return _BY_NAME.get(name.strip().lower())


def voice_list() -> list[dict[str, Any]]:
    """The voices list as the service returns it (a fresh copy)."""
    return [dict(v) for v in VOICES]

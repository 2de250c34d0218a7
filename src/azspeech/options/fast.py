"""The options of a fast transcription, validated once; they build the request's ``definition``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InvalidRequestError
from ._base import check_phrases, choice, validate_locale

__all__ = ["FastProfanity", "FastTranscriptionOptions"]

FastProfanity = Literal["none", "raw", "masked", "removed", "tags"]
"""What fast transcription does with profanity: ``none``/``raw`` (no filtering), ``masked``,
``removed`` or ``tags``.
"""
# "raw" is the real-time spelling of "None" (no filtering); both are accepted.
_PROFANITY = {
    "none": "None",
    "raw": "None",
    "masked": "Masked",
    "removed": "Removed",
    "tags": "Tags",
}


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # normalizing a frozen dataclass in __post_init__


@dataclass(frozen=True, kw_only=True)
class FastTranscriptionOptions:
    """What ``client.stt.transcribe`` asks of the fast-transcription API.

    Attributes:
        locales: the candidate locales (one fixes the language; several let
            the service identify it; none: the service identifies it among all).
            A single string is taken as one locale.
        diarization: ``True`` to identify speakers, or the maximum number of
            speakers (2 to 35).
        channels: ``[0]``, ``[1]`` or ``[0, 1]``: the channels transcribed separately.
        profanity: ``"none"`` (or ``"raw"``), ``"masked"``, ``"removed"`` or ``"tags"``.
        phrases: a phrase list (a list: a bare string is refused).
        phrase_weight: the phrase list's weight, 0.0 to 2.0.
        extra_definition: more ``definition`` members (they win over the SDK's).
    """

    locales: Sequence[str] | None = None
    diarization: bool | int | None = None
    channels: Sequence[int] | None = None
    profanity: FastProfanity | None = None
    phrases: Sequence[str] | None = None
    phrase_weight: float | None = None
    extra_definition: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.locales is not None:
            locales = [self.locales] if isinstance(self.locales, str) else self.locales
            _set(self, "locales", tuple(validate_locale(loc, "locale") for loc in locales))
        d = self.diarization
        if d is not None and d is not True and d is not False:
            if isinstance(d, bool) or not isinstance(d, int) or not 2 <= d <= 35:
                raise InvalidRequestError(
                    "diarization must be True or a maximum number of speakers from 2 to 35, "
                    f"got {d!r}"
                )
        elif d is not None and not isinstance(d, bool):
            raise InvalidRequestError(f"diarization must be True, False or an int, got {d!r}")
        if self.channels is not None:
            chans = list(self.channels)
            if (
                not chans
                or len(chans) > 2
                or any(
                    isinstance(c, bool) or not isinstance(c, int) or c not in (0, 1) for c in chans
                )
                or len(set(chans)) != len(chans)
            ):
                raise InvalidRequestError(
                    "channels must be [0], [1] or [0, 1] (zero-based, at most two), "
                    f"got {self.channels!r}"
                )
            if self.diarization not in (None, False) and len(chans) == 2:
                raise InvalidRequestError("diarization cannot be combined with channels=[0, 1]")
            _set(self, "channels", tuple(chans))
        if self.profanity is not None:
            try:
                _set(self, "profanity", choice("profanity", self.profanity, tuple(_PROFANITY)))
            except InvalidRequestError:
                raise InvalidRequestError(
                    "profanity must be one of None (or raw), Masked, Removed, Tags; "
                    f"got {self.profanity!r}"
                ) from None
        phrases = check_phrases(self.phrases, self.phrase_weight)
        _set(self, "phrases", tuple(phrases) if self.phrases is not None else None)
        if not isinstance(self.extra_definition, Mapping):
            raise InvalidRequestError(
                f"extra_definition must be a mapping, got {self.extra_definition!r}"
            )
        _set(self, "extra_definition", dict(self.extra_definition))

    def definition(self, audio_url: str | None = None) -> dict[str, Any]:
        """The ``definition`` JSON of the request (with ``audioUrl`` when the audio is remote)."""
        d: dict[str, Any] = {}
        if self.locales is not None:
            d["locales"] = list(self.locales)
        if self.diarization is True:
            d["diarization"] = {"enabled": True}
        elif self.diarization not in (None, False):
            d["diarization"] = {"enabled": True, "maxSpeakers": self.diarization}
        if self.channels is not None:
            d["channels"] = list(self.channels)
        if self.profanity is not None:
            d["profanityFilterMode"] = _PROFANITY[self.profanity]
        if self.phrases:
            pl: dict[str, Any] = {"phrases": list(self.phrases)}
            if self.phrase_weight is not None:
                pl["biasingWeight"] = float(self.phrase_weight)
            d["phraseList"] = pl
        if audio_url is not None:
            if not isinstance(audio_url, str) or not audio_url.startswith(("https://", "http://")):
                raise InvalidRequestError(f"audio_url must be an http(s) URL, got {audio_url!r}")
            d["audioUrl"] = audio_url
        d.update(self.extra_definition)
        return d

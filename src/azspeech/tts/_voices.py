"""The voices list: its request, its parsing, and the cache the client state keeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._protocol.framing import Limits, loads_json
from .._transport.http import HttpRequest
from ..endpoints import Endpoints
from ..errors import InvalidRequestError, ProtocolError
from ..models.tts import Voice

if TYPE_CHECKING:
    import httpx

__all__ = [
    "VoiceCache",
    "filter_voices",
    "find_voice",
    "parse_voices",
    "voices_from",
    "voices_request",
]

VOICES_PATH = "/cognitiveservices/voices/list"
VOICES_TTL = 3600.0


def voices_request(endpoints: Endpoints) -> HttpRequest:
    """The voices-list request."""
    return HttpRequest("GET", endpoints.tts(VOICES_PATH), what="voices list")


def parse_voices(data: Any) -> list[Voice]:
    """The voices list body as typed voices."""
    if not isinstance(data, list):
        raise ProtocolError("voices list: expected a JSON array")
    return [Voice.model_validate(item) for item in data if isinstance(item, Mapping)]


def voices_from(response: httpx.Response, limits: Limits) -> list[Voice]:
    """The typed voices of a voices-list answer."""
    return parse_voices(loads_json(response.content, limits=limits, what="voices list"))


def filter_voices(voices: list[Voice], locale: str | None) -> list[Voice]:
    """The voices of *locale* (case-insensitive), or all of them."""
    if locale is None:
        return list(voices)
    wanted = locale.strip().lower()
    return [v for v in voices if v.locale.lower() == wanted]


def find_voice(voices: list[Voice], short_name: str) -> Voice:
    """The voice named *short_name* (case-insensitive) in *voices*."""
    for voice in voices:
        if voice.short_name.lower() == short_name.lower():
            return voice
    raise InvalidRequestError(f"no voice named {short_name!r} in the voices list")


class VoiceCache:
    """The voices list, kept for *ttl* seconds (one per client and its copies)."""

    def __init__(
        self, ttl: float = VOICES_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._voices: list[Voice] | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def get(self, *, refresh: bool = False) -> list[Voice] | None:
        """The cached list, if fresh (None with *refresh*, to fetch it again)."""
        if refresh:
            return None
        with self._lock:
            if self._voices is not None and self._clock() - self._at < self.ttl:
                return self._voices
            return None

    def put(self, voices: list[Voice]) -> list[Voice]:
        """Remember *voices*; return them."""
        with self._lock:
            self._voices, self._at = voices, self._clock()
        return voices

    def clear(self) -> None:
        """Forget the cached list."""
        with self._lock:
            self._voices = None

"""The voices list: its request, its parsing, and the cache the client state keeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._transport.http import HttpRequest
from ..endpoints import Endpoints
from ..errors import InvalidRequestError, ProtocolError
from ..models.tts import Voice

if TYPE_CHECKING:
    from .._resource import RequestOptions

__all__ = [
    "VoiceCache",
    "VoiceList",
    "filter_voices",
    "find_voice",
    "parse_voice_list",
    "parse_voices",
    "voices_request",
]

VOICES_PATH = "/cognitiveservices/voices/list"
VOICES_TTL = 3600.0


def voices_request(endpoints: Endpoints) -> HttpRequest:
    """The voices-list request."""
    return HttpRequest("GET", endpoints.tts(VOICES_PATH), what="voices list")


class VoiceList(list[Voice]):
    """What ``tts.list_voices()`` returns: a ``list`` of :class:`Voice`, plus :attr:`request_id`."""

    def __init__(self, voices: Iterable[Voice] = (), request_id: str | None = None) -> None:
        super().__init__(voices)
        self._request_id = request_id

    @property
    def request_id(self) -> str | None:
        """The service's id of the request that fetched the list (a cached list keeps it)."""
        return self._request_id


def parse_voices(data: Any) -> list[Voice]:
    """The voices list body as typed voices."""
    if not isinstance(data, list):
        raise ProtocolError("voices list: expected a JSON array")
    return [Voice.model_validate(item) for item in data if isinstance(item, Mapping)]


def parse_voice_list(data: Any) -> VoiceList:
    """The voices list body as a :class:`VoiceList` (its request id is set by the REST core)."""
    return VoiceList(parse_voices(data))


def filter_voices(voices: VoiceList, locale: str | None) -> VoiceList:
    """The voices of *locale* (case-insensitive), or all of them."""
    wanted = locale.strip().lower() if locale is not None else None
    return VoiceList(
        (v for v in voices if wanted is None or v.locale.lower() == wanted), voices.request_id
    )


def find_voice(voices: list[Voice], short_name: str) -> Voice:
    """The voice named *short_name* (case-insensitive) in *voices*."""
    for voice in voices:
        if voice.short_name.lower() == short_name.lower():
            return voice
    raise InvalidRequestError(f"no voice named {short_name!r} in the voices list")


class VoiceCache:
    """The voices list, kept for *ttl* seconds (one per client and its copies).

    A call with ``extra_headers=`` or ``extra_query=`` may get another answer:
    it neither reads nor fills the cache (:meth:`lookup`, :meth:`store`).
    """

    def __init__(
        self, ttl: float = VOICES_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._voices: VoiceList | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def get(self, *, refresh: bool = False) -> VoiceList | None:
        """The cached list, if fresh (None with *refresh*, to fetch it again)."""
        if refresh:
            return None
        with self._lock:
            if self._voices is not None and self._clock() - self._at < self.ttl:
                return self._voices
            return None

    def put(self, voices: VoiceList) -> VoiceList:
        """Remember *voices*; return them."""
        with self._lock:
            self._voices, self._at = voices, self._clock()
        return voices

    def lookup(self, refresh: bool, options: RequestOptions) -> VoiceList | None:
        """The cached list for a call with these per-call *options*, if it may use it."""
        return self.get(refresh=refresh) if _cacheable(options) else None

    def store(self, voices: VoiceList, options: RequestOptions) -> VoiceList:
        """*voices*, remembered if fetched without extra headers or query."""
        return self.put(voices) if _cacheable(options) else voices


def _cacheable(options: RequestOptions) -> bool:
    return not options.get("extra_headers") and not options.get("extra_query")

    def clear(self) -> None:
        """Forget the cached list."""
        with self._lock:
            self._voices = None

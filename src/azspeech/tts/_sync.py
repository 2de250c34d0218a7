"""The blocking text-to-speech resource: ``SpeechClient.tts``.

Each method checks its arguments once, in the caller's thread, then runs the
async resource's coroutine for the checked request on the client's portal
(WebSocket work) or sends through the blocking HTTP transport (REST).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Generator, Iterable
from typing import TYPE_CHECKING, Any

from .._resource import SyncAPIResource
from .._transport.http import MAX_BODY_BYTES
from ..audio.formats import OutputFormat
from ..models.tts import SynthesisEvent, Voice
from ._async import deprecated_alias, prepare_synthesize
from ._common import (
    DEFAULT_FORMAT,
    DEFAULT_STREAM_FORMAT,
    DEFAULT_VOICE,
    Transport,
    plan_stream,
    plan_stream_text,
    rest_audio,
    rest_request,
)
from ._turn import run_turn
from ._voices import VoiceList, filter_voices, find_voice, parse_voice_list, voices_request
from .batch import BatchSyntheses

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import SpeechClient
    from .._resource import RequestOptions
    from ._result import SynthesizedAudio

__all__ = ["TextToSpeech"]


class _ThreadedPieces:
    """A blocking iterable read from a worker thread, so it cannot stall the portal loop."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._it = iter(pieces)

    def __aiter__(self) -> AsyncIterator[str]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[str]:
        end = object()
        while True:
            item = await asyncio.to_thread(next, self._it, end)
            if item is end:
                return
            yield item  # type: ignore[misc]


class TextToSpeech(SyncAPIResource):
    """Text to speech (blocking). Same methods as :class:`AsyncTextToSpeech`."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client)
        self.batch = BatchSyntheses(client)
        """Batch synthesis (long audio, asynchronous on the service): ``client.tts.batch``."""

    if not TYPE_CHECKING:  # type checkers keep flagging typos and the removed aliases

        def __getattr__(self, name: str) -> Any:
            return deprecated_alias(self, name)

    def synthesize(
        self,
        text_or_ssml: str,
        *,
        voice: str = DEFAULT_VOICE,
        output_format: str | OutputFormat = DEFAULT_FORMAT,
        language: str = "en-US",
        transport: Transport = "auto",
        deployment_id: str | None = None,
        strict: bool = False,
        **request_options: Unpack[RequestOptions],
    ) -> SynthesizedAudio:
        """Synthesize and return the whole audio (see :meth:`AsyncTextToSpeech.synthesize`)."""
        prepared = prepare_synthesize(
            text_or_ssml, voice=voice, output_format=output_format, language=language,
            transport=transport, deployment_id=deployment_id, strict=strict,
            request_options=request_options,
        )  # fmt: skip
        if transport == "rest":
            request = rest_request(self._endpoints, prepared)
            return rest_audio(self._send(request, request_options, MAX_BODY_BYTES), prepared)
        return self._client._run(lambda aclient: aclient.tts._synthesize_ws(prepared))

    def stream(
        self,
        text_or_ssml: str,
        *,
        voice: str = DEFAULT_VOICE,
        output_format: str | OutputFormat = DEFAULT_STREAM_FORMAT,
        language: str = "en-US",
        word_boundary: bool = True,
        sentence_boundary: bool = False,
        punctuation_boundary: bool | None = None,
        visemes: bool = False,
        bookmarks: bool = True,
        deployment_id: str | None = None,
        strict: bool = False,
    ) -> Generator[SynthesisEvent, None, None]:
        """Audio chunks and events as they arrive (see :meth:`AsyncTextToSpeech.stream`)."""
        prepared = plan_stream(
            text_or_ssml, voice=voice, output_format=output_format, language=language,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            deployment_id=deployment_id, strict=strict,
        )  # fmt: skip
        return self._client._iterate(lambda aclient: run_turn(aclient, prepared))

    def stream_text(
        self,
        pieces: Iterable[str] | AsyncIterable[str],
        *,
        voice: str = DEFAULT_VOICE,
        output_format: str | OutputFormat = DEFAULT_STREAM_FORMAT,
        language: str = "en-US",
        mode: str = "service",
        word_boundary: bool = True,
        sentence_boundary: bool = False,
        punctuation_boundary: bool | None = None,
        visemes: bool = False,
        bookmarks: bool = False,
        rate: str | None = None,
        pitch: str | None = None,
        volume: str | None = None,
        style: str | None = None,
        deployment_id: str | None = None,
        max_sentence_chars: int = 300,
    ) -> Generator[SynthesisEvent, None, None]:
        """Synthesize text arriving in pieces (see :meth:`AsyncTextToSpeech.stream_text`).

        A blocking iterable of pieces is read in a worker thread.
        """
        plan = plan_stream_text(
            voice=voice, output_format=output_format, language=language, mode=mode,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            rate=rate, pitch=pitch, volume=volume, style=style, deployment_id=deployment_id,
            max_sentence_chars=max_sentence_chars,
        )  # fmt: skip
        source: Iterable[str] | AsyncIterable[str] = (
            pieces if isinstance(pieces, AsyncIterable) else _ThreadedPieces(pieces)
        )
        return self._client._iterate(lambda aclient: aclient.tts._stream_text(plan, source))

    def list_voices(
        self,
        locale: str | None = None,
        *,
        refresh: bool = False,
        **request_options: Unpack[RequestOptions],
    ) -> VoiceList:
        """The voices the service offers (see :meth:`AsyncTextToSpeech.list_voices`)."""
        cache = self._client._state.voices
        voices = cache.lookup(refresh, request_options) or cache.store(
            self._request(voices_request(self._endpoints), parse_voice_list, request_options),
            request_options,
        )
        return filter_voices(voices, locale)

    def get_voice(self, short_name: str, **request_options: Unpack[RequestOptions]) -> Voice:
        """The voice named *short_name* (see :meth:`AsyncTextToSpeech.get_voice`)."""
        return find_voice(self.list_voices(**request_options), short_name)

    def close(self) -> None:
        """Close the idle pooled synthesis connections (the client stays usable)."""
        if not self._client.closed:  # a closed client closed them already
            self._client._run(lambda aclient: aclient.tts.close())

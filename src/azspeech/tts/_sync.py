"""The blocking text-to-speech resource: ``SpeechClient.tts``.

REST calls (``transport="rest"``, voices, batch) use the blocking HTTP
transport; WebSocket work runs the async implementation on the client's portal.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Generator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .._protocol.framing import loads_json
from ..audio.formats import OutputFormat
from ..errors import ConfigurationError, InvalidRequestError
from ..models.tts import SynthesisEvent, Voice
from ._common import (
    DEFAULT_FORMAT,
    DEFAULT_STREAM_FORMAT,
    DEFAULT_VOICE,
    Transport,
    VoiceCache,
    filter_voices,
    make_audio,
    parse_voices,
    prepare,
    rest_request,
    voices_request,
)
from .batch import BatchSyntheses

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient
    from .._transport.portal import Portal
    from ..audio import Audio

__all__ = ["TextToSpeech"]

T = TypeVar("T")


def _drive(portal: Portal, agen: AsyncIterator[T]) -> Generator[T, None, None]:
    """Iterate *agen* from blocking code; close it on the portal when abandoned."""
    try:
        yield from portal.iterate(agen)
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(RuntimeError):  # the portal may be closed already
                portal.call(aclose)


class _ThreadedPieces:
    """A blocking iterable read from a worker thread, so it cannot stall the portal loop."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._it = iter(pieces)

    def __aiter__(self) -> AsyncIterator[str]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[str]:
        import asyncio

        end = object()
        while True:
            item = await asyncio.to_thread(next, self._it, end)
            if item is end:
                return
            yield item  # type: ignore[misc]


class TextToSpeech:
    """Text to speech (blocking). Same methods as :class:`AsyncTextToSpeech`."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client
        self._voices = VoiceCache()
        self.batch = BatchSyntheses(client)
        """Batch synthesis (long audio, asynchronous on the service): ``client.tts.batch``."""

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
    ) -> Audio:
        """Synthesize and return the whole audio (see :meth:`AsyncTextToSpeech.synthesize`)."""
        if transport not in ("auto", "rest", "websocket"):
            raise ConfigurationError(
                f"transport must be 'auto', 'rest' or 'websocket', not {transport!r}"
            )
        if transport == "rest":
            prepared = prepare(
                text_or_ssml,
                voice=voice,
                output_format=output_format,
                language=language,
                deployment_id=deployment_id,
                strict=strict,
                websocket=False,
            )
            response = self._client._http.send(
                rest_request(self._client._config.endpoints, prepared)
            )
            return make_audio(response.content, prepared)
        # Check the input here, in the caller's thread, before touching the portal.
        prepare(
            text_or_ssml,
            voice=voice,
            output_format=output_format,
            language=language,
            deployment_id=deployment_id,
            strict=strict,
        )

        async def run(aclient: AsyncSpeechClient) -> Audio:
            return await aclient.tts.synthesize(
                text_or_ssml,
                voice=voice,
                output_format=output_format,
                language=language,
                transport=transport,
                deployment_id=deployment_id,
                strict=strict,
            )

        return self._client._run(run)

    #: Names Microsoft's SDK users know (``speak_text_async``/``speak_ssml_async`` there).
    speak_text = synthesize
    speak_ssml = synthesize

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
        kwargs: dict[str, Any] = dict(
            voice=voice, output_format=output_format, language=language,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            deployment_id=deployment_id, strict=strict,
        )  # fmt: skip
        prepare(
            text_or_ssml,
            voice=voice,
            output_format=output_format,
            language=language,
            deployment_id=deployment_id,
            strict=strict,
        )

        async def make(aclient: AsyncSpeechClient) -> AsyncIterator[SynthesisEvent]:
            return aclient.tts.stream(text_or_ssml, **kwargs)

        return _drive(self._client.portal, self._client._run(make))

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
        OutputFormat.parse(output_format)
        if mode not in ("service", "sentences"):
            raise ConfigurationError(f"mode must be 'service' or 'sentences', not {mode!r}")
        source: Iterable[str] | AsyncIterable[str] = (
            pieces if isinstance(pieces, AsyncIterable) else _ThreadedPieces(pieces)
        )
        kwargs: dict[str, Any] = dict(
            voice=voice, output_format=output_format, language=language, mode=mode,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            rate=rate, pitch=pitch, volume=volume, style=style, deployment_id=deployment_id,
            max_sentence_chars=max_sentence_chars,
        )  # fmt: skip

        async def make(aclient: AsyncSpeechClient) -> AsyncIterator[SynthesisEvent]:
            return aclient.tts.stream_text(source, **kwargs)

        return _drive(self._client.portal, self._client._run(make))

    def list_voices(self, locale: str | None = None, *, refresh: bool = False) -> list[Voice]:
        """The voices the service offers (all, or those of *locale*); cached for an hour."""
        voices = None if refresh else self._voices.get()
        if voices is None:
            response = self._client._http.send(voices_request(self._client._config.endpoints))
            voices = parse_voices(
                loads_json(response.content, limits=self._client._config.limits, what="voices list")
            )
            self._voices.put(voices)
        return filter_voices(voices, locale)

    def close(self) -> None:
        """Close the pooled synthesis connections (the client's ``close()`` ends them too)."""
        aclient = self._client._aclient
        if aclient is not None and "tts" in aclient.__dict__:
            with contextlib.suppress(RuntimeError):
                self._client.portal.call(aclient.tts.aclose)

    def get_voice(self, short_name: str) -> Voice:
        """The voice named *short_name*."""
        for voice in self.list_voices():
            if voice.short_name.lower() == short_name.lower():
                return voice
        raise InvalidRequestError(f"no voice named {short_name!r} in the voices list")

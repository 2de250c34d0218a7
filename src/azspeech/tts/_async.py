"""The async text-to-speech resource: ``AsyncSpeechClient.tts``.

A stateless view of its client: the socket pool and the voices cache live in
the client's state. The WebSocket work is :func:`~azspeech.tts._turn.run_turn`;
the blocking resource runs the same coroutines on its client's portal, after
checking the arguments once in the caller's thread.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from .._protocol.tts import MetadataOptions
from .._resource import AsyncAPIResource
from .._transport.http import MAX_BODY_BYTES
from ..audio.formats import OutputFormat
from ..errors import InvalidRequestError, ProtocolError
from ..models.tts import AudioChunk, SynthesisEvent, Voice
from ._common import (
    DEFAULT_FORMAT,
    DEFAULT_STREAM_FORMAT,
    DEFAULT_VOICE,
    PreparedSynthesis,
    StreamTextPlan,
    Transport,
    check_transport,
    make_audio,
    plan_stream,
    plan_stream_text,
    prepare,
    rest_audio,
    rest_request,
)
from ._sentences import stream_sentences
from ._turn import run_turn
from ._voices import VoiceList, filter_voices, find_voice, parse_voice_list, voices_request
from .batch import AsyncBatchSyntheses

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient
    from .._resource import RequestOptions
    from ._result import SynthesizedAudio

__all__ = ["AsyncTextToSpeech"]

_NO_EVENTS = MetadataOptions(
    word_boundary=False,
    punctuation_boundary=False,
    sentence_boundary=False,
    bookmarks=False,
    visemes=False,
)

#: Most audio one synthesize() call keeps in memory (the HTTP body limit).
MAX_SYNTHESIS_BYTES = MAX_BODY_BYTES

#: Names of Microsoft's SDK (``speak_text_async``/``speak_ssml_async``) still answered,
#: with a DeprecationWarning; the migration guide maps them to ``synthesize``.
_DEPRECATED_ALIASES = {"speak_text": "synthesize", "speak_ssml": "synthesize"}


def deprecated_alias(resource: object, name: str) -> Any:
    """The method an old alias stands for, with a DeprecationWarning."""
    target = _DEPRECATED_ALIASES.get(name)
    if target is None:
        raise AttributeError(f"{type(resource).__name__!r} object has no attribute {name!r}")
    warnings.warn(
        f"tts.{name}() is deprecated; use tts.{target}()", DeprecationWarning, stacklevel=3
    )
    return getattr(resource, target)


async def _aiter_pieces(pieces: AsyncIterable[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(pieces, AsyncIterable):
        async for piece in pieces:
            yield piece
    else:
        for piece in pieces:
            yield piece


def prepare_synthesize(
    text_or_ssml: str,
    *,
    voice: str,
    output_format: str | OutputFormat,
    language: str,
    transport: str,
    deployment_id: str | None,
    strict: bool,
    request_options: RequestOptions,
) -> PreparedSynthesis:
    """The checked request of a ``synthesize()`` call."""
    check_transport(transport)
    given = sorted(k for k, v in request_options.items() if v is not None)
    if given and transport != "rest":
        raise InvalidRequestError(
            f"{', '.join(given)}: per-call request options apply to transport='rest'; "
            "for the WebSocket, use client.with_options(timeout=...)"
        )
    return prepare(
        text_or_ssml,
        voice=voice,
        output_format=output_format,
        language=language,
        options=_NO_EVENTS,
        deployment_id=deployment_id,
        strict=strict,
        websocket=transport != "rest",
    )


class AsyncTextToSpeech(AsyncAPIResource):
    """Text to speech: REST and WebSocket synthesis, streaming with events, voices, batch.

    Created by the client: ``client.tts``.
    """

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client)
        self.batch = AsyncBatchSyntheses(client)
        """Batch synthesis (long audio, asynchronous on the service): ``client.tts.batch``."""

    if not TYPE_CHECKING:  # type checkers keep flagging typos and the removed aliases

        def __getattr__(self, name: str) -> Any:
            return deprecated_alias(self, name)

    # -- synthesize -----------------------------------------------------------------

    async def synthesize(
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
        """Synthesize *text_or_ssml* and return the whole :class:`~azspeech.audio.Audio`.

        Plain text is escaped into SSML for *voice* and *language*; a string
        starting with ``<speak`` is sent as SSML after a well-formedness check
        (it names its own voices, so *voice* and *language* do not apply).
        *output_format* is any :class:`~azspeech.audio.OutputFormat` or its
        string. *transport* ``"auto"`` uses the WebSocket (kept open and
        reused for the next request), ``"rest"`` one HTTP POST.
        *deployment_id* selects a custom voice deployment. *strict* makes
        characters XML cannot carry an error instead of dropping them.
        ``timeout=``, ``extra_headers=`` and ``extra_query=`` apply to this
        call with ``transport="rest"`` (:class:`~azspeech._resource.RequestOptions`;
        the WebSocket takes the client's, ``client.with_options(timeout=...)``).

        The result is a :class:`~azspeech.tts._result.SynthesizedAudio`: an
        ``Audio`` whose ``request_id`` is the service's id of the REST request.

        Raises:
            InvalidRequestError: empty text, malformed or oversized SSML
                (over 64 KB), or the service refused the request (REST 400).
            ConfigurationError: an unknown output format (the message lists
                the valid ones) or transport.
            CanceledError: the service ended the request (WebSocket close
                1007, code ``BadRequestParameters``: an unknown voice, bad SSML...).
            ProtocolError: the answer is not audio of *output_format* (a REST
                answer that is an HTML page, empty, or a RIFF format without its
                header) or the synthesis ended with no audio.
            TimeoutError: the service sent nothing for ``timeout`` seconds, or
                did not finish within ``timeout`` plus the duration of the
                audio it sent (a trickle or a stream of ignored messages).
            ConnectionError: the client was closed during the call.
        """
        prepared = prepare_synthesize(
            text_or_ssml, voice=voice, output_format=output_format, language=language,
            transport=transport, deployment_id=deployment_id, strict=strict,
            request_options=request_options,
        )  # fmt: skip
        if transport == "rest":
            request = rest_request(self._endpoints, prepared)
            return rest_audio(await self._send(request, request_options, MAX_BODY_BYTES), prepared)
        return await self._synthesize_ws(prepared)

    async def _synthesize_ws(self, prepared: PreparedSynthesis) -> SynthesizedAudio:
        data = bytearray()
        async for event in run_turn(self._client, prepared):
            if isinstance(event, AudioChunk):
                data += event
                if len(data) > MAX_SYNTHESIS_BYTES:
                    # The service stops at 10 minutes of audio (58 MB at 48 kHz PCM);
                    # a peer sending more is broken, and memory is not unlimited.
                    raise ProtocolError(
                        f"synthesis returned more than {MAX_SYNTHESIS_BYTES} bytes of audio"
                    )
        if not data:
            raise ProtocolError("synthesis ended with no audio")
        return make_audio(bytes(data), prepared)

    # -- streaming -----------------------------------------------------------------

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
    ) -> AsyncGenerator[SynthesisEvent, None]:
        """Synthesize over the WebSocket, yielding audio as it arrives.

        Yields :class:`~azspeech.models.tts.AudioChunk` (``bytes``) interleaved
        with :class:`WordBoundary`, :class:`PunctuationBoundary`,
        :class:`SentenceBoundary`, :class:`Viseme`, :class:`Bookmark` events and
        a final :class:`SessionEnd`. Chunks hold the service's payload as is:
        for ``riff-*`` formats that is the ``raw-*`` PCM (no WAV header).
        The input is checked now; the connection opens on first iteration.
        The call is bounded by the client's ``timeout`` as in :meth:`synthesize`
        (time spent by the caller between events does not count); closing the
        client ends it with a :class:`~azspeech.ConnectionError`.
        """
        return run_turn(self._client, plan_stream(
            text_or_ssml, voice=voice, output_format=output_format, language=language,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            deployment_id=deployment_id, strict=strict,
        ))  # fmt: skip

    # -- streaming text input -----------------------------------------------------------

    def stream_text(
        self,
        pieces: AsyncIterable[str] | Iterable[str],
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
    ) -> AsyncGenerator[SynthesisEvent, None]:
        """Synthesize text that arrives in pieces (for example from an LLM).

        ``mode="service"`` streams the pieces to the service's v2 endpoint
        (``text.piece`` / ``text.end``), which starts speaking before the text
        is complete. ``mode="sentences"`` works with any endpoint: the text is
        cut into sentences as it arrives, each sentence is synthesized as soon
        as it is complete (the next one while the current one is yielded), and
        the audio is yielded as one continuous stream: offsets run on across
        sentences and, for PCM formats, the chunks join without gaps.
        Events are as in :meth:`stream`; text offsets refer to the joined text.
        Pieces are cleaned as :meth:`synthesize` cleans text (characters XML
        cannot carry, such as lone surrogates, are dropped); service mode
        takes at most ``MAX_STREAM_TEXT_CHARS`` characters per request
        (:class:`InvalidRequestError` beyond). An error raised by the text
        source reaches the caller as that error.
        """
        plan = plan_stream_text(
            voice=voice, output_format=output_format, language=language, mode=mode,
            word_boundary=word_boundary, sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary, visemes=visemes, bookmarks=bookmarks,
            rate=rate, pitch=pitch, volume=volume, style=style, deployment_id=deployment_id,
            max_sentence_chars=max_sentence_chars,
        )  # fmt: skip
        return self._stream_text(plan, pieces)

    def _stream_text(
        self, plan: StreamTextPlan, pieces: AsyncIterable[str] | Iterable[str]
    ) -> AsyncGenerator[SynthesisEvent, None]:
        source = _aiter_pieces(pieces)
        if plan.mode == "sentences":
            return stream_sentences(plan, source, lambda p: run_turn(self._client, p))
        return run_turn(
            self._client, plan.prepared, pieces=source, streaming_input=plan.streaming_input
        )

    # -- voices ------------------------------------------------------------------------

    async def list_voices(
        self,
        locale: str | None = None,
        *,
        refresh: bool = False,
        **request_options: Unpack[RequestOptions],
    ) -> VoiceList:
        """The voices the service offers (all, or those of *locale*); cached for an hour.

        ``timeout=``, ``extra_headers=``, ``extra_query=`` apply to this call
        (:class:`~azspeech._resource.RequestOptions`); a call with extra headers
        or query fetches the list afresh and does not cache it. The result is a
        ``list`` with the service's ``request_id``.
        """
        cache = self._client._state.voices
        voices = cache.lookup(refresh, request_options) or cache.store(
            await self._request(voices_request(self._endpoints), parse_voice_list, request_options),
            request_options,
        )
        return filter_voices(voices, locale)

    async def get_voice(self, short_name: str, **request_options: Unpack[RequestOptions]) -> Voice:
        """The voice named *short_name* (``en-US-AvaNeural``), from :meth:`list_voices`."""
        return find_voice(await self.list_voices(**request_options), short_name)

    async def close(self) -> None:
        """Close the idle pooled synthesis connections (the client stays usable)."""
        await self._client._state.tts_pool.close()

    aclose = close

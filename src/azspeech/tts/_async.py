"""The async text-to-speech resource: ``AsyncSpeechClient.tts``.

The WebSocket work lives here once; the blocking resource drives it through
the client's portal.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Iterable,
)
from typing import TYPE_CHECKING, Any

from .._protocol.framing import loads_json, new_request_id
from .._protocol.tts import (
    MetadataOptions,
    SynthesisTurn,
    speech_config_frame,
    ssml_frame,
    synthesis_context,
    synthesis_context_frame,
    text_end_frame,
    text_piece_frame,
)
from .._transport.http import MAX_BODY_BYTES
from .._transport.ws import WebSocket
from ..audio.formats import OutputFormat, bytes_to_ticks
from ..errors import (
    ConfigurationError,
    ConnectionClosedError,
    InvalidRequestError,
    ProtocolError,
    TimeoutError,
)
from ..models.tts import (
    AudioChunk,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    SynthesisEvent,
    Voice,
    WordBoundary,
)
from ._common import (
    DEFAULT_FORMAT,
    DEFAULT_STREAM_FORMAT,
    DEFAULT_VOICE,
    PreparedSynthesis,
    SentenceSplitter,
    Transport,
    VoiceCache,
    filter_voices,
    make_audio,
    options_for,
    parse_voices,
    prepare,
    rest_request,
    voices_request,
    ws_url,
)
from ._pool import ConnectionPool
from .batch import AsyncBatchSyntheses

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient
    from ..audio import Audio

__all__ = ["AsyncTextToSpeech"]

_timeout_cm = getattr(asyncio, "timeout", None)
_NO_EVENTS = MetadataOptions(
    word_boundary=False,
    punctuation_boundary=False,
    sentence_boundary=False,
    bookmarks=False,
    visemes=False,
)

#: Most audio one synthesize() call keeps in memory (the HTTP body limit).
MAX_SYNTHESIS_BYTES = MAX_BODY_BYTES


def _shift(event: SynthesisEvent, ticks: int, chars: int) -> SynthesisEvent:
    if isinstance(event, AudioChunk):
        return AudioChunk(event, event.offset_ticks + ticks)
    if isinstance(event, (WordBoundary, PunctuationBoundary, SentenceBoundary)):
        pos = None if event.text_offset is None else event.text_offset + chars
        return dataclasses.replace(event, offset_ticks=event.offset_ticks + ticks, text_offset=pos)
    return dataclasses.replace(event, offset_ticks=event.offset_ticks + ticks)


async def _aiter_pieces(pieces: AsyncIterable[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(pieces, AsyncIterable):
        async for piece in pieces:
            yield piece
    else:
        for piece in pieces:
            yield piece


class AsyncTextToSpeech:
    """Text to speech: REST and WebSocket synthesis, streaming with events, voices, batch.

    Created by the client: ``client.tts``.
    """

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client
        self._pool = ConnectionPool(self._open)
        self._voices = VoiceCache()
        self.batch = AsyncBatchSyntheses(client)
        """Batch synthesis (long audio, asynchronous on the service): ``client.tts.batch``."""

    async def _open(self, url: str) -> WebSocket:
        return await self._client._ws_connect(url)

    @property
    def _timeout(self) -> float:
        return self._client._config.timeout

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
    ) -> Audio:
        """Synthesize *text_or_ssml* and return the whole :class:`~azspeech.audio.Audio`.

        Plain text is escaped into SSML for *voice* and *language*; a string
        starting with ``<speak`` is sent as SSML after a well-formedness check
        (it names its own voices, so *voice* and *language* do not apply).
        *output_format* is any :class:`~azspeech.audio.OutputFormat` or its
        string. *transport* ``"auto"`` uses the WebSocket (kept open and
        reused for the next request), ``"rest"`` one HTTP POST.
        *deployment_id* selects a custom voice deployment. *strict* makes
        characters XML cannot carry an error instead of dropping them.

        Raises:
            InvalidRequestError: empty text, malformed or oversized SSML
                (over 64 KB), or the service refused the request (REST 400).
            ConfigurationError: an unknown output format (the message lists
                the valid ones) or transport.
            CanceledError: the service ended the request (WebSocket close
                1007, code ``BadRequestParameters``: an unknown voice, bad SSML...).
        """
        if transport not in ("auto", "rest", "websocket"):
            raise ConfigurationError(
                f"transport must be 'auto', 'rest' or 'websocket', not {transport!r}"
            )
        use_ws = transport != "rest"
        prepared = prepare(
            text_or_ssml,
            voice=voice,
            output_format=output_format,
            language=language,
            options=_NO_EVENTS,
            deployment_id=deployment_id,
            strict=strict,
            websocket=use_ws,
        )
        if not use_ws:
            response = await self._client._http.send(
                rest_request(self._client._config.endpoints, prepared)
            )
            return make_audio(response.content, prepared)
        data = bytearray()
        async for event in self._turn(prepared):
            if isinstance(event, AudioChunk):
                data += event
                if len(data) > MAX_SYNTHESIS_BYTES:
                    # The service stops at 10 minutes of audio (58 MB at 48 kHz PCM);
                    # a peer sending more is broken, and memory is not unlimited.
                    raise ProtocolError(
                        f"synthesis returned more than {MAX_SYNTHESIS_BYTES} bytes of audio"
                    )
        return make_audio(bytes(data), prepared)

    #: Names Microsoft's SDK users know (``speak_text_async``/``speak_ssml_async`` there).
    speak_text = synthesize
    speak_ssml = synthesize

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
        """
        prepared = prepare(
            text_or_ssml,
            voice=voice,
            output_format=output_format,
            language=language,
            options=options_for(
                word_boundary=word_boundary,
                sentence_boundary=sentence_boundary,
                punctuation_boundary=punctuation_boundary,
                visemes=visemes,
                bookmarks=bookmarks,
            ),
            deployment_id=deployment_id,
            strict=strict,
        )
        return self._turn(prepared)

    async def _recv(self, ws: WebSocket) -> Any:
        try:
            if _timeout_cm is not None:  # Python 3.11+: no extra task per message
                async with _timeout_cm(self._timeout):
                    return await ws.recv()
            return await asyncio.wait_for(ws.recv(), self._timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"the service sent nothing for {self._timeout:g} s during synthesis"
            ) from None

    async def _turn(
        self,
        prepared: PreparedSynthesis,
        *,
        pieces: AsyncIterator[str] | None = None,
        streaming_input: dict[str, Any] | None = None,
    ) -> AsyncGenerator[SynthesisEvent, None]:
        """Run one request on a pooled socket; yield what the service sends."""
        url = ws_url(
            self._client._config.endpoints, prepared.deployment_id, streaming=pieces is not None
        )
        context = synthesis_context(
            prepared.request_format.value, prepared.options, streaming_input=streaming_input
        )
        attempt = 0
        while True:
            conn, reused = await self._pool.acquire(url)
            rid = new_request_id()
            turn: SynthesisTurn | None = None
            ok = False
            sender: asyncio.Task[None] | None = None
            try:
                ws = conn.ws
                if not conn.configured:
                    await ws.send(speech_config_frame(rid))
                    conn.configured = True
                await ws.send(synthesis_context_frame(rid, context))
                if pieces is None:
                    await ws.send(ssml_frame(rid, prepared.ssml))
                # built after the request is on its way: nothing delays the first bytes
                turn = SynthesisTurn(
                    rid,
                    text=prepared.text,
                    is_ssml=prepared.is_ssml,
                    bytes_per_second=prepared.bytes_per_second,
                )
                if pieces is not None:
                    sender = asyncio.ensure_future(self._send_pieces(ws, rid, pieces, turn))
                while not turn.done:
                    if sender is not None and not sender.done():
                        msg = await self._recv_or_fail(ws, sender)
                    else:
                        msg = await self._recv(ws)
                    for event in turn.feed(msg):
                        yield event
                ok = True
                return
            except ConnectionClosedError:
                # A pooled socket the service closed while idle: try once on a fresh one.
                if reused and attempt == 0 and pieces is None and not (turn and turn.started):
                    attempt += 1
                    continue
                raise
            finally:
                if sender is not None and not sender.done():
                    sender.cancel()
                if ok:
                    self._pool.release(conn)
                else:
                    await self._pool.discard(conn)

    async def _recv_or_fail(self, ws: WebSocket, sender: asyncio.Task[None]) -> Any:
        """Receive while the text sender runs; its failure ends the wait."""
        recv = asyncio.ensure_future(ws.recv())
        try:
            await asyncio.wait({recv, sender}, return_when=asyncio.FIRST_COMPLETED)
            if not recv.done():
                exc = sender.exception()
                if exc is not None:
                    raise exc
            return await asyncio.wait_for(asyncio.shield(recv), self._timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(
                f"the service sent nothing for {self._timeout:g} s during synthesis"
            ) from None
        finally:
            if not recv.done():
                recv.cancel()

    async def _send_pieces(
        self, ws: WebSocket, rid: str, pieces: AsyncIterator[str], turn: SynthesisTurn
    ) -> None:
        async for piece in pieces:
            if not isinstance(piece, str):
                raise TypeError(f"text pieces must be str, not {type(piece).__name__}")
            if not piece:
                continue
            turn.locator.text += piece
            await ws.send(text_piece_frame(rid, piece))
        await ws.send(text_end_frame(rid))

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
        """
        fmt = OutputFormat.parse(output_format)
        options = options_for(
            word_boundary=word_boundary,
            sentence_boundary=sentence_boundary,
            punctuation_boundary=punctuation_boundary,
            visemes=visemes,
            bookmarks=bookmarks,
        )
        if mode == "sentences":
            return self._stream_sentences(
                pieces,
                voice=voice,
                fmt=fmt,
                language=language,
                options=options,
                deployment_id=deployment_id,
                max_chars=max_sentence_chars,
                prosody={"rate": rate, "pitch": pitch, "volume": volume, "style": style},
            )
        if mode != "service":
            raise ConfigurationError(f"mode must be 'service' or 'sentences', not {mode!r}")
        request_format = fmt.request_format if fmt.pcm_format is not None else fmt
        prepared = PreparedSynthesis(
            text="",
            ssml="",
            is_ssml=False,
            output_format=fmt,
            request_format=request_format,
            options=options,
            deployment_id=deployment_id,
        )
        streaming_input: dict[str, Any] = {"voiceName": voice, "language": language}
        for name, value in (("rate", rate), ("pitch", pitch), ("volume", volume), ("style", style)):
            if value is not None:
                streaming_input[name] = str(value)
        return self._turn(prepared, pieces=_aiter_pieces(pieces), streaming_input=streaming_input)

    async def _stream_sentences(
        self,
        pieces: AsyncIterable[str] | Iterable[str],
        *,
        voice: str,
        fmt: OutputFormat,
        language: str,
        options: MetadataOptions,
        deployment_id: str | None,
        max_chars: int,
        prosody: dict[str, str | None],
    ) -> AsyncGenerator[SynthesisEvent, None]:
        order: asyncio.Queue[tuple[int, asyncio.Queue[Any]] | None] = asyncio.Queue()
        slots = asyncio.Semaphore(2)  # the sentence being yielded + one synthesized ahead
        tasks: set[asyncio.Task[None]] = set()
        end = object()

        def build(sentence: str) -> PreparedSynthesis:
            text = sentence
            if any(prosody.values()):
                from .. import ssml

                content: ssml.Content = sentence
                if prosody["rate"] or prosody["pitch"] or prosody["volume"]:
                    content = ssml.prosody(
                        content,
                        rate=prosody["rate"],
                        pitch=prosody["pitch"],
                        volume=prosody["volume"],
                    )
                if prosody["style"]:
                    content = ssml.express_as(content, style=prosody["style"])
                text = ssml.Speak(lang=language).voice(voice).add(content).to_xml()
            return prepare(
                text,
                voice=voice,
                output_format=fmt,
                language=language,
                options=options,
                deployment_id=deployment_id,
            )

        async def synth(sentence: str, out: asyncio.Queue[Any]) -> None:
            try:
                async for event in self._turn(build(sentence)):
                    await out.put(event)
                await out.put(end)
            except BaseException as exc:  # handed to the consumer, which re-raises
                await out.put(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise

        async def produce() -> None:
            splitter = SentenceSplitter(max_chars)
            try:
                async for piece in _aiter_pieces(pieces):
                    if not isinstance(piece, str):
                        raise TypeError(f"text pieces must be str, not {type(piece).__name__}")
                    for start, sentence in splitter.feed(piece):
                        await start_one(start, sentence)
                for start, sentence in splitter.flush():
                    await start_one(start, sentence)
            except Exception as exc:
                failed: asyncio.Queue[Any] = asyncio.Queue()
                await failed.put(exc)
                await order.put((0, failed))
            finally:
                await order.put(None)

        async def start_one(start: int, sentence: str) -> None:
            await slots.acquire()
            out: asyncio.Queue[Any] = asyncio.Queue()
            task = asyncio.ensure_future(synth(sentence, out))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await order.put((start, out))

        producer = asyncio.ensure_future(produce())
        shift = 0
        pcm = fmt.request_format.pcm_format or fmt.pcm_format
        bps = pcm.bytes_per_second if pcm else None
        try:
            while True:
                item = await order.get()
                if item is None:
                    break
                chars, out = item
                audio_bytes = 0
                sentence_end: int | None = None
                try:
                    while True:
                        event = await out.get()
                        if event is end:
                            break
                        if isinstance(event, BaseException):
                            raise event
                        if isinstance(event, SessionEnd):
                            sentence_end = event.offset_ticks
                            continue
                        if isinstance(event, AudioChunk):
                            audio_bytes += len(event)
                        yield _shift(event, shift, chars)
                finally:
                    slots.release()
                if bps:
                    shift += bytes_to_ticks(audio_bytes, bps)
                elif sentence_end is not None:
                    shift += sentence_end
            await producer
            yield SessionEnd(shift)
        finally:
            producer.cancel()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(producer, *tasks, return_exceptions=True)

    # -- voices ------------------------------------------------------------------------

    async def list_voices(self, locale: str | None = None, *, refresh: bool = False) -> list[Voice]:
        """The voices the service offers (all, or those of *locale*); cached for an hour."""
        voices = None if refresh else self._voices.get()
        if voices is None:
            response = await self._client._http.send(voices_request(self._client._config.endpoints))
            voices = parse_voices(
                loads_json(response.content, limits=self._client._config.limits, what="voices list")
            )
            self._voices.put(voices)
        return filter_voices(voices, locale)

    async def get_voice(self, short_name: str) -> Voice:
        """The voice named *short_name* (``en-US-AvaMultilingualNeural``)."""
        for voice in await self.list_voices():
            if voice.short_name.lower() == short_name.lower():
                return voice
        raise InvalidRequestError(f"no voice named {short_name!r} in the voices list")

    async def aclose(self) -> None:
        """Close the pooled synthesis connections."""
        await self._pool.close()

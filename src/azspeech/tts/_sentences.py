"""Text arriving in pieces, synthesized sentence by sentence (``stream_text(mode="sentences")``).

:class:`SentenceSplitter` cuts the text as it arrives; :func:`stream_sentences`
synthesizes each sentence as soon as it is complete (the next one while the
current one is yielded) and joins the results into one stream of events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

from ..audio.formats import bytes_to_ticks
from ..models.tts import (
    AudioChunk,
    PunctuationBoundary,
    SentenceBoundary,
    SessionEnd,
    SynthesisEvent,
    WordBoundary,
)
from ._common import PreparedSynthesis, StreamTextPlan, clean_piece, prepare

__all__ = ["SentenceSplitter", "stream_sentences"]

_SENTENCE_END = re.compile(r"""[.!?。！？…]+["'”’)\]]*(?=\s)|\n\s*\n""")
# A full stop after these is not the end of a sentence ("Dr. Smith", "e.g. this").
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "e.g",
        "i.e",
        "fig",
        "approx",
        "dept",
        "inc",
        "ltd",
    ]
)


def _sentence_end(text: str, start: int = 0) -> int | None:
    """Where the first complete sentence of *text* (from *start*) ends, or None."""
    while True:
        match = _SENTENCE_END.search(text, start)
        if match is None:
            return None
        if text[match.start()] == ".":
            word = text[: match.start()].rsplit(None, 1)[-1:] or [""]
            token = word[0].lower().lstrip("(\"'“‘")
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                start = match.end()
                continue
        return match.end()


class SentenceSplitter:
    """Cuts text arriving in pieces into sentences as soon as each one is complete.

    A sentence ends at ``.``, ``!``, ``?`` (and CJK equivalents) followed by
    whitespace, or at a blank line, but not at the full stop of a common
    abbreviation or an initial ("Dr. Smith", "J. R. R. Tolkien"); a run longer
    than *max_chars* is cut at its last space, so synthesis never waits long
    for a missing full stop.
    """

    def __init__(self, max_chars: int = 300) -> None:
        self.max_chars = max_chars
        self._buf = ""
        self._consumed = 0  # characters of the whole text before _buf

    def feed(self, piece: str) -> list[tuple[int, str]]:
        """Add *piece*; return the completed sentences as (offset in the whole text, text)."""
        self._buf += piece
        out: list[tuple[int, str]] = []
        while True:
            cut = _sentence_end(self._buf)
            if cut is None and len(self._buf) > self.max_chars:
                space = self._buf.rfind(" ", 0, self.max_chars)
                cut = space + 1 if space > 0 else self.max_chars
            if cut is None:
                return out
            self._emit(cut, out)

    def _emit(self, cut: int, out: list[tuple[int, str]]) -> None:
        chunk, self._buf = self._buf[:cut], self._buf[cut:]
        start = self._consumed
        self._consumed += cut
        stripped = chunk.strip()
        if stripped:
            out.append((start + (len(chunk) - len(chunk.lstrip())), stripped))

    def flush(self) -> list[tuple[int, str]]:
        """The rest of the text, once no more pieces come."""
        out: list[tuple[int, str]] = []
        if self._buf:
            self._emit(len(self._buf), out)
        return out


def _shift(event: SynthesisEvent, ticks: int, chars: int) -> SynthesisEvent:
    if isinstance(event, AudioChunk):
        return AudioChunk(event, event.offset_ticks + ticks)
    if isinstance(event, (WordBoundary, PunctuationBoundary, SentenceBoundary)):
        pos = None if event.text_offset is None else event.text_offset + chars
        return dataclasses.replace(event, offset_ticks=event.offset_ticks + ticks, text_offset=pos)
    return dataclasses.replace(event, offset_ticks=event.offset_ticks + ticks)


def _sentence_request(plan: StreamTextPlan, sentence: str) -> PreparedSynthesis:
    text = sentence
    prosody = plan.prosody
    if any(prosody.values()):
        from .. import ssml

        content: ssml.Content = sentence
        if prosody.get("rate") or prosody.get("pitch") or prosody.get("volume"):
            content = ssml.prosody(
                content,
                rate=prosody.get("rate"),
                pitch=prosody.get("pitch"),
                volume=prosody.get("volume"),
            )
        style = prosody.get("style")
        if style:
            content = ssml.express_as(content, style=style)
        text = ssml.Speak(lang=plan.language).voice(plan.voice).add(content).to_xml()
    return prepare(
        text,
        voice=plan.voice,
        output_format=plan.output_format,
        language=plan.language,
        options=plan.options,
        deployment_id=plan.deployment_id,
    )


async def stream_sentences(
    plan: StreamTextPlan,
    pieces: AsyncIterator[str],
    turn: Callable[[PreparedSynthesis], AsyncIterator[SynthesisEvent]],
) -> AsyncGenerator[SynthesisEvent, None]:
    """Synthesize *pieces* sentence by sentence with *turn*; yield one continuous stream.

    Offsets run on across sentences and text offsets refer to the joined
    text. An error of the text source or of any sentence reaches the caller.
    """
    order: asyncio.Queue[tuple[int, asyncio.Queue[Any]] | None] = asyncio.Queue()
    slots = asyncio.Semaphore(2)  # the sentence being yielded + one synthesized ahead
    tasks: set[asyncio.Task[None]] = set()
    end = object()

    async def synth(sentence: str, out: asyncio.Queue[Any]) -> None:
        try:
            async for event in turn(_sentence_request(plan, sentence)):
                await out.put(event)
            await out.put(end)
        except BaseException as exc:  # handed to the consumer, which re-raises
            await out.put(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise

    async def start_one(start: int, sentence: str) -> None:
        await slots.acquire()
        out: asyncio.Queue[Any] = asyncio.Queue()
        task = asyncio.ensure_future(synth(sentence, out))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        await order.put((start, out))

    async def produce() -> None:
        splitter = SentenceSplitter(plan.max_sentence_chars)
        try:
            async for piece in pieces:
                for start, sentence in splitter.feed(clean_piece(piece)):
                    await start_one(start, sentence)
            for start, sentence in splitter.flush():
                await start_one(start, sentence)
        except Exception as exc:
            failed: asyncio.Queue[Any] = asyncio.Queue()
            await failed.put(exc)
            await order.put((0, failed))
        finally:
            await order.put(None)

    producer = asyncio.ensure_future(produce())
    shift = 0
    fmt = plan.output_format
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

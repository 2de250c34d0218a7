"""Audiobook: a text file with chapters read aloud, one audio file per chapter plus a chapter index.

    python examples/audiobook.py [BOOK.txt] [--out DIR] [--voice NAME]

A chapter starts at a line ``Chapter ...`` or ``# ...`` (the line is its
title); paragraphs are separated by blank lines. With no BOOK the script
reads a short built-in one.

Each chapter becomes an SSML document built with ``azspeech.ssml`` (every
piece of text escaped: ``&``, ``<`` and quotes are spoken, never parsed),
with a bookmark at the title and a pause between paragraphs; a chapter whose
SSML would pass the service's 64 KB limit is sent in several requests. The
audio is streamed with ``client.tts.stream``; its word boundaries and
bookmarks give the index.

Writes into ``--out`` (default ``./audiobook-output``):

* ``chapter-01.wav``, ``chapter-02.wav``, ... one file per chapter;
* ``book.wav``, the whole book, and ``chapters.vtt``, its chapter marks
  (a WebVTT chapters track, what players show as chapters);
* ``index.json``: per chapter its title, file, start in ``book.wav``,
  duration, word count and the time of every word.

Runs against the bundled emulator unless ``AZURE_SPEECH_KEY`` and
``AZURE_SPEECH_REGION`` are set, then against Azure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.emulator import azure_or_emulator
from azspeech.ssml import Speak
from azspeech.tts import AudioChunk, Bookmark, WordBoundary

FORMAT = "raw-24khz-16bit-mono-pcm"
RATE = 24000
MAX_SSML_BYTES = 48_000  # under the service's 64 KB, with room for the markup
SAMPLE_BOOK = """\
Chapter 1: The Lighthouse

The keeper climbed the stairs at dusk, as he had done for thirty years.

"Fish & chips again?" his wife called up. He laughed, and lit the lamp.

Chapter 2: The Storm

By midnight the wind had turned <violent>, and the sea rose over the rocks.

A small boat fought its way toward the light.

Chapter 3: Morning

At dawn the storm was gone. The boat lay safe in the harbour, and the keeper slept.
"""


@dataclass
class Chapter:
    """A title and its paragraphs; after reading, its audio and word times."""

    title: str
    paragraphs: list[str]
    pcm: bytearray = field(default_factory=bytearray)
    words: list[dict[str, object]] = field(default_factory=list)
    bookmark_at: float | None = None


def split_chapters(text: str) -> list[Chapter]:
    """Chapters at ``Chapter ...`` or ``# ...`` lines; text before the first is a prologue."""
    chapters: list[Chapter] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            if not chapters:
                chapters.append(Chapter("Prologue", []))
            chapters[-1].paragraphs.append(" ".join(paragraph))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"(chapter\b|#)", stripped, re.IGNORECASE):
            end_paragraph()
            chapters.append(Chapter(stripped.lstrip("#").strip(), []))
        elif not stripped:
            end_paragraph()
        else:
            paragraph.append(stripped)
    end_paragraph()
    return [c for c in chapters if c.paragraphs or c.title]


def ssml_parts(chapter: Chapter, voice: str) -> Iterator[str]:
    """The chapter as SSML documents under the size limit (title and bookmark in the first)."""
    pending = [chapter.title, *chapter.paragraphs]
    first = True
    while pending:
        doc = Speak(lang="en-US")
        body = doc.voice(voice)
        size = 0
        if first:
            body.bookmark("chapter-start").prosody(chapter.title, rate="-10%").break_(time="800ms")
            pending.pop(0)
            first = False
        while pending and (size == 0 or size + len(pending[0].encode()) < MAX_SSML_BYTES):
            paragraph = pending.pop(0)
            size += len(paragraph.encode())
            body.text(paragraph).break_(time="500ms")
        yield doc.to_xml()


def read_chapter(client: SpeechClient, chapter: Chapter, voice: str) -> None:
    """Stream the chapter's audio, keeping its word boundaries and bookmark."""
    for ssml in ssml_parts(chapter, voice):
        start = len(chapter.pcm) / (2 * RATE)  # this request's audio starts here
        for event in client.tts.stream(ssml, output_format=FORMAT, word_boundary=True):
            if isinstance(event, AudioChunk):
                chapter.pcm += event
            elif isinstance(event, WordBoundary):
                chapter.words.append(
                    {"at": round(start + event.offset.total_seconds(), 3), "word": event.text}
                )
            elif isinstance(event, Bookmark) and chapter.bookmark_at is None:
                chapter.bookmark_at = start + event.offset.total_seconds()


def stamp(seconds: float) -> str:
    """WebVTT time: ``00:01:02.345``."""
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, help="a UTF-8 text file (default: built in)")
    parser.add_argument("--out", type=Path, default=Path("audiobook-output"))
    parser.add_argument("--voice", default="en-US-AvaMultilingualNeural")
    args = parser.parse_args()
    text = args.book.read_text(encoding="utf-8") if args.book else SAMPLE_BOOK
    chapters = split_chapters(text)
    if not chapters:
        sys.exit("the book has no text")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    with azure_or_emulator() as client:
        for n, chapter in enumerate(chapters, 1):
            read_chapter(client, chapter, args.voice)
            print(f"chapter {n}: {chapter.title!r}, {len(chapter.words)} words")

    index = []
    book = bytearray()
    cues = ["WEBVTT", ""]
    for n, chapter in enumerate(chapters, 1):
        name = f"chapter-{n:02d}.wav"
        audio = Audio(bytes(chapter.pcm), FORMAT)
        audio.save(args.out / name)
        begin = len(book) / (2 * RATE)
        book += chapter.pcm
        end = len(book) / (2 * RATE)
        cues += [f"chapter-{n}", f"{stamp(begin)} --> {stamp(end)}", chapter.title, ""]
        index.append(
            {
                "chapter": n,
                "title": chapter.title,
                "file": name,
                "start_in_book": round(begin, 3),
                "duration": round(end - begin, 3),
                "bookmark_at": chapter.bookmark_at,
                "word_count": len(chapter.words),
                "words": chapter.words,
            }
        )
        print(f"  {stamp(begin)}  {name}  {end - begin:6.1f} s  {chapter.title}")
    Audio(bytes(book), FORMAT).save(args.out / "book.wav")
    (args.out / "chapters.vtt").write_text("\n".join(cues), encoding="utf-8")
    (args.out / "index.json").write_text(json.dumps(index, indent=2), encoding="utf-8")
    print(
        f"{len(chapters)} chapters, {len(book) / (2 * RATE):.1f} s of audio in "
        f"{time.perf_counter() - started:.1f} s; written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

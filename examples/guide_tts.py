"""Text to speech: formats, streaming with events, streaming text, SSML, voices, batch.

Runs against the bundled emulator (no account, no network):

    python examples/guide_tts.py [output-directory]    (default: a new temporary directory)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.audio import OutputFormat
from azspeech.emulator import Emulator
from azspeech.ssml import Speak, emphasis, escape_text, say_as
from azspeech.tts import (
    AudioChunk,
    Bookmark,
    SentenceBoundary,
    SessionEnd,
    Viseme,
    WordBoundary,
)


def whole_audio(client: SpeechClient, out: Path) -> None:
    # Plain text is escaped for you: "<", "&" and quotes are spoken, not parsed.
    audio = client.tts.synthesize("Fish & chips <today>.", voice="en-US-AvaMultilingualNeural")
    print(audio, audio.sample_rate, audio.mime_type)
    audio.save(out / "guide_hello.wav")

    # Another format: a string or an OutputFormat member; REST instead of the WebSocket.
    mp3 = client.tts.synthesize(
        "Compressed audio.",
        output_format=OutputFormat.AUDIO_24KHZ_48KBITRATE_MONO_MP3,
        transport="rest",
    )
    mp3.save(out / "guide_hello.mp3")
    print("mp3:", len(mp3.data), "bytes,", mp3.duration.total_seconds(), "s (decoded)")


def streaming(client: SpeechClient) -> None:
    ssml = (
        Speak(lang="en-US")
        .voice("en-US-AvaMultilingualNeural")
        .text("First sentence. ")
        .bookmark("middle")
        .text("Second ", emphasis("sentence", level="strong"), ".")
        .to_xml()
    )
    pcm = bytearray()
    for event in client.tts.stream(ssml, sentence_boundary=True, visemes=True):
        if isinstance(event, AudioChunk):
            pcm += event  # raw-24khz-16bit-mono-pcm by default: play or forward at once
        elif isinstance(event, WordBoundary):
            start = event.text_offset  # where the word is in the SSML you sent
            print(f"  word {event.text!r} at {event.offset.total_seconds():.2f} s (char {start})")
        elif isinstance(event, SentenceBoundary):
            print(f"  sentence {event.text!r}")
        elif isinstance(event, Bookmark):
            print(f"  bookmark {event.name!r} at {event.offset.total_seconds():.2f} s")
        elif isinstance(event, Viseme):
            pass  # event.viseme_id (0-21) at event.offset: drive an avatar's mouth
        elif isinstance(event, SessionEnd):
            print(f"  {len(pcm)} bytes, {event.duration.total_seconds():.2f} s")


def ssml_builder() -> None:
    doc = (
        Speak(lang="en-US")
        .voice("en-US-AvaMultilingualNeural")
        .prosody("Slow and low.", rate="-20%", pitch="-2st")
        .break_(time="300ms")
        .express_as("Great news!", style="cheerful")
        .say_as("2026-11-22", interpret_as="date", format="ymd")
        .voice("en-US-AndrewNeural")
        .text("Tom & Jerry: ", say_as("42", interpret_as="cardinal"))
    )
    print(doc.to_xml())
    print(escape_text('5 < 6 & "quotes"'))


async def llm_tokens() -> AsyncIterator[str]:
    """A stand-in for a language model streaming its answer token by token."""
    answer = "Sure. Speech starts before the answer is complete. Nice, right?"
    for token in answer.split(" "):
        await asyncio.sleep(0.005)
        yield token + " "


async def streaming_text(client: AsyncSpeechClient) -> None:
    for mode in ("service", "sentences"):
        total = 0
        words = []
        async for event in client.tts.stream_text(llm_tokens(), mode=mode):
            if isinstance(event, AudioChunk):
                total += len(event)
            elif isinstance(event, WordBoundary):
                words.append(event.text)
        print(f"stream_text mode={mode}: {total} bytes, words {words}")


def voices_and_batch(client: SpeechClient, out: Path) -> None:
    voices = client.tts.list_voices("en-US")  # cached for an hour
    print("voices:", [v.short_name for v in voices][:4])
    ava = client.tts.get_voice("en-US-AvaMultilingualNeural")
    print("ava:", ava.gender, ava.locale, ava.styles[:3])

    job = client.tts.batch.create(
        ["Chapter one. It was a dark night.", "Chapter two. Morning came."],
        voice="en-US-AvaMultilingualNeural",
        output_format="riff-24khz-16bit-mono-pcm",
    )
    job = client.tts.batch.wait(
        job, poll_interval=0.2, timeout=60, on_progress=lambda j: print("  batch:", j.status)
    )
    if job.succeeded:
        print("batch results:", client.tts.batch.download(job, out / "guide_batch.zip"))
    client.tts.batch.delete(job)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    with Emulator() as emulator:
        with emulator.client() as client:
            whole_audio(client, out)
            streaming(client)
            ssml_builder()
            voices_and_batch(client, out)

        async def run() -> None:
            async with emulator.async_client() as aclient:
                await streaming_text(aclient)

        asyncio.run(run())


if __name__ == "__main__":
    main()

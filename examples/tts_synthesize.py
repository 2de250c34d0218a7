"""Text to speech with azspeech: whole audio, streaming with events, text streaming, SSML.

Runs against Azure when AZURE_SPEECH_KEY and AZURE_SPEECH_REGION are set, and
otherwise against the bundled emulator (no account, no network):

    python examples/tts_synthesize.py [output-directory]
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.ssml import Speak
from azspeech.tts import AudioChunk, Bookmark, SessionEnd, WordBoundary


def blocking_examples(client: SpeechClient, out: Path) -> None:
    # 1. Plain text (escaped for you) to a WAV file.
    audio = client.tts.synthesize("Hello <world> & friends.", voice="en-US-AvaMultilingualNeural")
    print(f"synthesized {audio.duration.total_seconds():.2f} s at {audio.sample_rate} Hz")
    audio.save(out / "hello.wav")

    # 2. SSML built safely: two voices, prosody, a pause and a bookmark.
    ssml = (
        Speak(lang="en-US")
        .voice("en-US-AvaMultilingualNeural")
        .prosody("Welcome to the show.", rate="-10%")
        .break_(time="300ms")
        .bookmark("guest")
        .voice("en-US-AndrewNeural")
        .text("Thanks, glad to be here.")
        .to_xml()
    )
    client.tts.synthesize(ssml, output_format="audio-24khz-48kbitrate-mono-mp3").save(
        out / "show.mp3"
    )

    # 3. Streaming: audio as it arrives, with word boundaries and bookmarks.
    pcm = bytearray()
    for event in client.tts.stream(ssml, output_format="raw-24khz-16bit-mono-pcm"):
        if isinstance(event, AudioChunk):
            pcm += event  # play it, or send it on, right away
        elif isinstance(event, WordBoundary):
            print(f"  word {event.text!r} at {event.offset.total_seconds():.3f} s")
        elif isinstance(event, Bookmark):
            print(f"  bookmark {event.name!r} at {event.offset.total_seconds():.3f} s")
        elif isinstance(event, SessionEnd):
            print(f"  {len(pcm)} bytes, {event.duration.total_seconds():.2f} s of audio")

    # 4. Voices.
    voices = client.tts.list_voices("en-US")
    print("en-US voices:", ", ".join(v.short_name for v in voices[:5]), "...")


async def llm_tokens() -> AsyncIterator[str]:
    """Stand-in for a language model streaming its answer."""
    answer = "Sure. Streaming text means speech starts before the answer is complete."
    for token in answer.split():
        await asyncio.sleep(0.01)
        yield token + " "


async def async_example(client: AsyncSpeechClient) -> None:
    # 5. Text arriving piece by piece, spoken as it comes (sentence by sentence).
    first = None
    total = 0
    loop = asyncio.get_running_loop()
    start = loop.time()
    async for event in client.tts.stream_text(llm_tokens(), mode="sentences"):
        if isinstance(event, AudioChunk):
            first = first or loop.time() - start
            total += len(event)
    print(f"streamed text: first audio after {first:.3f} s, {total} bytes in all")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if os.environ.get("AZURE_SPEECH_KEY") and os.environ.get("AZURE_SPEECH_REGION"):
            client_kw: dict[str, str] = {}
        else:
            from azspeech.emulator import Emulator

            emulator = stack.enter_context(Emulator())
            client_kw = {"endpoint": emulator.url, "key": emulator.key}
            print(f"(using the emulator at {emulator.url})")
        with SpeechClient(**client_kw) as client:
            blocking_examples(client, out)

        async def run() -> None:
            async with AsyncSpeechClient(**client_kw) as aclient:
                await async_example(aclient)

        asyncio.run(run())


if __name__ == "__main__":
    main()

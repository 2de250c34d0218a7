"""Speech to text with asyncio: streaming sessions, events, callbacks, push streams.

Runs against the bundled emulator (no account, no network):

    python examples/guide_stt_async.py

To run it against Azure, build the client with ``AsyncSpeechClient()`` (key and
region from AZURE_SPEECH_KEY / AZURE_SPEECH_REGION) instead of ``emulator.async_client()``.
"""

from __future__ import annotations

import asyncio

from azspeech import AsyncSpeechClient
from azspeech.audio import AsyncPushStream, Audio, PcmFormat
from azspeech.captions import live_captions
from azspeech.emulator import Emulator
from azspeech.stt import (
    Canceled,
    NoMatch,
    Recognized,
    Recognizing,
    SessionStarted,
    SessionStopped,
)


async def events_from_a_file(client: AsyncSpeechClient, speech: Audio) -> None:
    # 1. A session: send audio in, iterate typed events out.
    async with client.stt.connect(language="en-US") as session:
        await session.send_file(speech)  # any audio input; ends the audio afterwards
        async for event in session:
            if isinstance(event, SessionStarted):
                print(f"session {event.session_id} started")
            elif isinstance(event, Recognizing):
                print(f"  partial: {event.text}")
            elif isinstance(event, Recognized):
                r = event.result
                print(
                    f"  final:   {r.text!r} at {r.offset.total_seconds():.2f} s "
                    f"for {r.duration.total_seconds():.2f} s"
                )
            elif isinstance(event, NoMatch):
                print(f"  no match ({event.reason.value})")
            elif isinstance(event, Canceled):
                print(f"  canceled: {event.code} {event.message}")
            elif isinstance(event, SessionStopped):
                print("session stopped")
    # Everything final, in order, is kept on the session:
    print("transcript:", session.transcript.text.replace("\n", " / "))


async def callbacks_and_options(client: AsyncSpeechClient, speech: Audio) -> None:
    # 2. Callbacks (plain functions or coroutines) instead of, or next to, iteration.
    finals: list[str] = []

    async def on_recognized(event: Recognized) -> None:
        finals.append(event.text)

    async with client.stt.connect(
        language="en-US",
        detailed=True,  # NBest alternatives with confidence
        word_timings=True,  # per-word offsets and durations
        phrases=["Contoso", "azspeech"],  # phrase list (biasing)
        profanity="masked",
        on_recognized=on_recognized,
    ) as session:
        session.on("canceled", lambda e: print("canceled:", e.message))
        await session.send_file(speech)
        await session.close()  # ends the audio and waits for the last result
    print("callback saw:", finals)
    best = session.transcript.results[0]
    print(
        "confidence:",
        best.confidence,
        "words:",
        [(w.word, round(w.offset.total_seconds(), 2)) for w in best.words],
    )


async def push_stream(client: AsyncSpeechClient, speech: Audio) -> None:
    # 3. Audio produced elsewhere (a socket, a telephony bridge...): an AsyncPushStream.
    pcm16k = Audio.from_samples(speech.samples, speech.sample_rate)  # float -> 16-bit PCM
    stream = AsyncPushStream(PcmFormat(sample_rate=pcm16k.sample_rate))  # 16-bit mono

    async def producer() -> None:
        data = pcm16k.pcm
        step = pcm16k.sample_rate * 2 // 10  # 100 ms of 16-bit mono
        for i in range(0, len(data), step):
            await stream.write(data[i : i + step])
        await stream.close()  # end of audio

    async with client.stt.connect() as session:
        task = asyncio.create_task(producer())
        await session.send_file(stream)  # resampled to the session's 16 kHz
        await task
        print("push stream:", [r.text async for r in session.results()])

    # Raw PCM you already have in the session's format (16 kHz 16-bit mono by default):
    async with client.stt.connect(sample_rate=24000) as session:
        await session.send(speech.pcm)  # bytes, 24 kHz 16-bit mono
        await session.close()
        print("raw send:", session.transcript.text.replace("\n", " / "))


async def live_caption_updates(client: AsyncSpeechClient, speech: Audio) -> None:
    # 4. Live captions: partial captions replaced by final ones.
    async with client.stt.connect() as session:
        await session.send_file(speech)
        async for caption in live_captions(session):
            kind = "final  " if caption.is_final else "partial"
            print(f"  [{kind}] {caption.text}")


async def main() -> None:
    async with Emulator() as emulator, emulator.async_client() as client:
        speech = await client.tts.synthesize("Good morning. Contoso ships azspeech today.")
        await events_from_a_file(client, speech)
        await callbacks_and_options(client, speech)
        await push_stream(client, speech)
        await live_caption_updates(client, speech)


if __name__ == "__main__":
    asyncio.run(main())

"""The azspeech side of docs/migration.md, run against the bundled emulator.

    python examples/guide_migration.py [output-directory]    (default: a new temporary directory)

Each function is one "azspeech" snippet of the migration guide.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient, CanceledError, SpeechClient
from azspeech.audio import OutputFormat, PcmFormat, PushStream
from azspeech.emulator import Emulator
from azspeech.ssml import Speak
from azspeech.stt import RecognitionStatus, Recognized, Recognizing
from azspeech.tts import AudioChunk, Bookmark, PunctuationBoundary, Viseme, WordBoundary


def one_utterance(client: SpeechClient, question: Path) -> None:
    try:
        result = client.stt.recognize_once(question, language="en-US")
        if result.status is RecognitionStatus.SUCCESS:
            print(result.text, result.offset.total_seconds())
    except CanceledError as exc:
        print(exc.message)


def continuous_with_callbacks(client: SpeechClient, call: Path) -> None:
    with client.stt.connect(
        language="en-US",
        on_recognizing=lambda e: print("…", e.text),
        on_recognized=lambda e: print("✓", e.text),
        on_canceled=lambda e: print("✗", e.code, e.message),
    ) as session:
        session.send_file(call)
        session.close()


async def continuous_async(client: AsyncSpeechClient, call: Path) -> None:
    async with client.stt.connect(language="en-US") as session:
        await session.send_file(call)
        async for event in session:
            if isinstance(event, Recognizing):
                print("…", event.text)
            elif isinstance(event, Recognized):
                print("✓", event.text, event.result.offset)


def options(client: SpeechClient, question: Path) -> None:
    result = client.stt.recognize_once(
        question,
        detailed=True,
        word_timings=True,
        profanity="masked",
        candidate_languages=["en-US", "de-DE"],
        phrases=["Contoso"],
    )
    print(result.language, result.confidence, [(w.word, w.offset) for w in result.words])


def diarization(client: SpeechClient, meeting: Path) -> None:
    with client.stt.connect(diarization=True) as session:
        session.send_file(meeting)
        for result in session.results():
            print(result.speaker_id, result.text)
    for phrase in client.stt.transcribe(meeting, diarization=True).phrases:
        print(phrase.speaker, phrase.text)


def push_stream(client: SpeechClient, pcm_8k: bytes) -> None:
    stream = PushStream(PcmFormat(sample_rate=8000, bits_per_sample=16, channels=1))
    with client.stt.connect() as session:
        for i in range(0, len(pcm_8k), 1600):
            stream.write(pcm_8k[i : i + 1600])
        stream.close()
        session.send_file(stream)
        print([r.text for r in session.results()])


def synthesis(client: SpeechClient, out: Path) -> str:
    audio = client.tts.synthesize(
        "Hello & welcome",
        voice="en-US-AvaMultilingualNeural",
        output_format=OutputFormat.AUDIO_24KHZ_48KBITRATE_MONO_MP3,
    )
    audio.save(out / "guide_migration_hello.mp3")
    ssml = (
        Speak(lang="en-US")
        .voice("en-US-AvaMultilingualNeural")
        .text("Welcome. ")
        .bookmark("here")
        .text("Goodbye.")
        .to_xml()
    )
    audio = client.tts.synthesize(ssml)
    print(audio.duration)
    return ssml


def synthesis_events(client: SpeechClient, ssml: str) -> None:
    played = 0
    for event in client.tts.stream(ssml, visemes=True):
        if isinstance(event, AudioChunk):
            played += len(event)
        elif isinstance(event, (WordBoundary, PunctuationBoundary)):
            print(type(event).__name__, event.text, event.offset)
        elif isinstance(event, Viseme):
            print(event.viseme_id, event.offset)
        elif isinstance(event, Bookmark):
            print(event.name)
    print(played, "bytes played")


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    with Emulator() as emulator:
        with emulator.client() as client:
            question = client.tts.synthesize("Where is Contoso?").save(out / "guide_q.wav")
            call = client.tts.synthesize("Hello. I am calling about my order.")
            call_path = call.save(out / "guide_call.wav")
            one_utterance(client, question)
            continuous_with_callbacks(client, call_path)
            options(client, question)
            diarization(client, call_path)
            pcm_8k = client.tts.synthesize(
                "Eight kilohertz.", output_format="raw-8khz-16bit-mono-pcm"
            ).pcm
            push_stream(client, pcm_8k)
            ssml = synthesis(client, out)
            synthesis_events(client, ssml)

        async def run() -> None:
            async with emulator.async_client() as aclient:
                await continuous_async(aclient, call_path)

        asyncio.run(run())


if __name__ == "__main__":
    main()

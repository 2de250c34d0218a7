"""A voice agent: a spoken conversation from WAV files, with a tool call.

    python examples/voice_agent.py [--out DIR] [QUESTION.wav ...]

Without configuration it starts the bundled emulator, whose agent transcribes
what it hears and answers "You said: ..." (calling your tool when you name
it). With ``AZURE_SPEECH_ENDPOINT=https://NAME.services.ai.azure.com`` (a
Foundry or custom-domain Speech resource) and ``AZURE_SPEECH_KEY`` set it
talks to Voice Live on Azure (``VOICE_LIVE_MODEL``, default ``gpt-realtime``).

Each question (the WAV files given, or questions the example synthesizes
into temporary WAV files) is streamed to the agent as one user turn; the
transcript is printed as it happens, and the agent's answers are saved as
``DIR/agent-N.wav`` (default ``./voice_agent_output``) with
``DIR/transcript.txt``. Temporary files, the session and the emulator are
cleaned up on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from azspeech import AsyncSpeechClient
from azspeech.audio import Audio
from azspeech.models import voice_live as events
from azspeech.voice_live import AsyncVoiceLiveSession, AzureSemanticVad, Tools

QUESTIONS = ["Good morning.", "Get weather for Paris."]
SILENCE = b"\0" * 48_000  # one second of 24 kHz 16-bit silence: the end of a spoken turn


def get_weather(city: str) -> dict[str, str]:
    """The current weather in a city."""
    return {"city": city, "sky": "sunny", "temperature": "21 C"}


@contextlib.asynccontextmanager
async def speech_service() -> AsyncIterator[AsyncSpeechClient]:
    """Azure when AZURE_SPEECH_ENDPOINT is set, otherwise the bundled emulator."""
    if os.environ.get("AZURE_SPEECH_ENDPOINT"):
        async with AsyncSpeechClient() as client:
            yield client
        return
    if os.environ.get("AZURE_SPEECH_KEY"):
        print("Voice Live needs AZURE_SPEECH_ENDPOINT (a Foundry or custom-domain resource);")
        print("without it this runs against the bundled emulator.")
    from azspeech.emulator import Emulator

    with Emulator() as emulator:
        async with emulator.async_client() as client:
            yield client


async def one_turn(conn: AsyncVoiceLiveSession, question: Path, said: list[str]) -> Audio | None:
    """Stream one question; print (and keep in *said*) the turn until the agent's answer is done."""

    def say(line: str) -> None:
        print(line)
        said.append(line)

    await conn.send_file(question)  # any audio file: converted to the session's 24 kHz PCM
    await conn.send_audio(SILENCE)
    sent = time.perf_counter()
    chunks: list[Audio] = []
    async for event in conn:
        if isinstance(event, events.TranscriptionCompleted):
            say(f"user: {event.transcript}")
        elif isinstance(event, events.FunctionCall):
            say(f"tool call: {event.name}({event.arguments})")
        elif isinstance(event, events.ToolCompleted):
            say(f"tool result: {event.output}")
        elif isinstance(event, events.ToolFailed):
            say(f"tool failed: {event.message}")
        elif isinstance(event, events.ResponseAudioDelta):
            if not chunks:
                waited = (time.perf_counter() - sent) * 1000
                print(f"  (first agent audio {waited:.0f} ms after the end of the question)")
            chunks.append(event.audio)
        elif isinstance(event, events.ResponseTranscriptDone):
            say(f"agent: {event.transcript}")
        elif isinstance(event, events.ErrorEvent):
            say(f"error: {event.error.message}")
        elif isinstance(event, events.ResponseDone):
            output = event.response.get("output") or []
            if not any(item.get("type") == "function_call" for item in output):
                break  # a response that called a tool is followed by the real answer
    if not chunks:
        return None
    return Audio.from_pcm(b"".join(c.pcm for c in chunks), chunks[0].pcm_format)


async def conversation(client: AsyncSpeechClient, questions: list[Path], out: Path) -> list[str]:
    """The whole conversation: one session, one turn per question; returns the transcript."""
    said: list[str] = []
    model = os.environ.get("VOICE_LIVE_MODEL", "gpt-realtime")
    # The API reference lists OpenAI transcribers for gpt-realtime models, azure-speech for others.
    transcriber = "whisper-1" if model.startswith("gpt-realtime") else "azure-speech"
    async with client.voice_live.connect(
        model,
        voice="en-US-AvaMultilingualNeural",
        instructions="You are a concise assistant. Use get_weather for the weather.",
        input_transcription=transcriber,
        turn_detection=AzureSemanticVad(silence_duration_ms=500),
        tools=Tools([get_weather]),
    ) as conn:
        for n, question in enumerate(questions, start=1):
            print(f"turn {n}: {question.name}")
            answer = await one_turn(conn, question, said)
            if answer is not None:
                print(f"saved {answer.save(out / f'agent-{n}.wav')}")
    return said


async def main(out: Path, given: list[Path]) -> None:
    async with speech_service() as client:
        with tempfile.TemporaryDirectory(prefix="voice-agent-") as tmp:
            questions = list(given)
            for n, text in enumerate([] if given else QUESTIONS, start=1):
                speech = await client.tts.synthesize(text)  # the question, spoken
                questions.append(speech.save(Path(tmp) / f"question-{n}.wav"))
            said = await conversation(client, questions, out)
    (out / "transcript.txt").write_text("\n".join(said) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("questions", nargs="*", type=Path, help="WAV files, one per user turn")
    parser.add_argument("--out", type=Path, default=Path("voice_agent_output"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.out, args.questions))

"""Voice Live from WAV files: a spoken conversation with a tool, and avatar videos.

python examples/guide_voice_live.py [OUTPUT_DIR]

Runs against the bundled emulator, whose agent transcribes what it hears and
answers "You said: ..." (and calls your tools when you name them). Point
``AsyncSpeechClient(endpoint="https://NAME.services.ai.azure.com", key=...)``
at a Foundry resource to talk to a real model. The agent's audio is saved as
WAV files. With the ``[video]`` extra two MP4 files too: the session's avatar
answering on video over the Voice Live WebSocket (``output_protocol=
"websocket"``, ``conn.avatar.save_video``: ``voice-live-avatar.mp4``), and a
batch avatar video (``client.avatar.create``: ``avatar.mp4`` with its
subtitles). The avatar over WebRTC is in ``examples/avatar_realtime.py``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient
from azspeech.audio import Audio
from azspeech.emulator import Emulator
from azspeech.models import voice_live as events
from azspeech.voice_live import AvatarConfig, AzureSemanticVad, Tools


def get_weather(city: str) -> dict[str, str]:
    """The current weather in a city."""
    return {"city": city, "sky": "sunny"}


async def conversation(client: AsyncSpeechClient, questions: list[Path], out: Path) -> None:
    tools = Tools([get_weather])
    async with client.voice_live.connect(
        "gpt-realtime",
        voice="en-US-AvaMultilingualNeural",
        instructions="You are a concise assistant.",
        input_transcription="azure-speech",
        turn_detection=AzureSemanticVad(silence_duration_ms=500),
        noise_suppression=True,
        tools=tools,
    ) as conn:
        for n, question in enumerate(questions, start=1):
            await conn.send_file(question)  # any audio input: converted to 24 kHz PCM
            await conn.send_audio(b"\0" * 48_000)  # a second of silence ends the turn
            agent_audio: list[Audio] = []
            answered = False
            async for event in conn:
                if isinstance(event, events.TranscriptionCompleted):
                    print(f"user: {event.transcript}")
                elif isinstance(event, events.FunctionCall):
                    print(f"tool call: {event.name}({event.arguments})")
                elif isinstance(event, events.ResponseAudioDelta):
                    agent_audio.append(event.audio)
                elif isinstance(event, events.ResponseTranscriptDone):
                    print(f"agent: {event.transcript}")
                    answered = True
                elif isinstance(event, events.ResponseDone) and answered:
                    break
            pcm = b"".join(a.pcm for a in agent_audio)
            path = Audio.from_pcm(pcm, agent_audio[0].pcm_format).save(out / f"agent-{n}.wav")
            print(f"saved {path.name}")


async def avatar_websocket_video(client: AsyncSpeechClient, question: Path, out: Path) -> None:
    # output_protocol="websocket": the avatar's video comes as response.video.delta events
    # (fragmented MP4) on the Voice Live socket itself, no WebRTC.
    avatar = AvatarConfig(character="lisa", style="casual-sitting", output_protocol="websocket")
    async with client.voice_live.connect("gpt-realtime", avatar=avatar) as conn:
        await conn.send_file(question)
        await conn.send_audio(b"\0" * 48_000)  # a second of silence ends the turn
        video = await conn.avatar.save_video(out / "voice-live-avatar.mp4")  # one response
    print(f"voice live avatar video: {video.name}, {video.stat().st_size} bytes")


async def avatar_video(client: AsyncSpeechClient, out: Path) -> None:
    job = await client.avatar.create(
        "Hello, I am your avatar.",
        character="lisa",
        style="casual-sitting",
        voice="en-US-AvaMultilingualNeural",
        background_color="#FFFFFFFF",
        subtitle_type="external_file",
    )
    job = await client.avatar.wait(job, poll_interval=0.2, timeout=600)
    if not job.succeeded:
        print("avatar video failed:", job.properties.error)
        return
    video = await client.avatar.download(job, out / "avatar.mp4")
    await client.avatar.download_subtitles(job, out / "avatar.vtt")
    print(f"avatar video: {video.name}, {video.stat().st_size} bytes")


async def main(out: Path) -> None:
    with Emulator() as emulator:
        async with emulator.async_client() as client:
            questions = []
            for n, text in enumerate(["Good morning.", "Get weather for Paris."], start=1):
                speech = await client.tts.synthesize(text)  # the emulator's tone speech
                questions.append(speech.save(out / f"question-{n}.wav"))
            await conversation(client, questions, out)
            try:
                import av  # noqa: F401
            except ImportError:
                print("avatar video skipped: pip install 'azspeech[video]'")
            else:
                await avatar_websocket_video(client, questions[0], out)
                await avatar_video(client, out)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))

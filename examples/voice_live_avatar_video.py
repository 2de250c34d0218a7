"""The avatar of a Voice Live session answering on video, saved as an MP4 file.

    python examples/voice_live_avatar_video.py [--out answer.mp4] [QUESTION.wav]

The session's avatar sends its video over the Voice Live WebSocket itself
(``output_protocol="websocket"``: ``response.video.delta`` events of
fragmented MP4, H.264 + AAC), so no WebRTC is involved. The example asks one
spoken question (the WAV file given, or a question it synthesizes), saves the
avatar's answer as ``answer.mp4`` and prints the transcript and the video's
length (read back with PyAV, the ``[video]`` extra).

Without configuration it starts the bundled emulator, whose avatar draws a
block that moves with the speech. With ``AZURE_SPEECH_ENDPOINT=
https://NAME.services.ai.azure.com`` and ``AZURE_SPEECH_KEY`` set it talks
to Voice Live on Azure (``VOICE_LIVE_MODEL``, default ``gpt-realtime``;
``VOICE_LIVE_AVATAR``, default ``lisa``, with ``VOICE_LIVE_AVATAR_STYLE``,
default ``casual-sitting``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient
from azspeech.models import voice_live as events
from azspeech.voice_live import AvatarConfig

QUESTION = "What can you show me?"
SILENCE = b"\0" * 48_000  # one second of 24 kHz 16-bit silence: the end of a spoken turn


def video_seconds(path: Path) -> tuple[float, list[str]]:
    """The file's duration and its stream kinds, as a player reads them (PyAV)."""
    import av

    with av.open(str(path)) as container:
        kinds = [f"{s.type} ({s.codec_context.name})" for s in container.streams]
        return (container.duration or 0) / 1_000_000, kinds


async def main(out: Path, question: Path | None) -> None:
    avatar = AvatarConfig(
        character=os.environ.get("VOICE_LIVE_AVATAR", "lisa"),
        style=os.environ.get("VOICE_LIVE_AVATAR_STYLE", "casual-sitting"),
        output_protocol="websocket",  # the video comes as response.video.delta events
    )
    async with contextlib.AsyncExitStack() as stack:
        if os.environ.get("AZURE_SPEECH_ENDPOINT"):  # Voice Live on Azure
            client = await stack.enter_async_context(AsyncSpeechClient())
        else:  # the bundled emulator, in this process
            from azspeech.emulator import Emulator

            emulator = stack.enter_context(Emulator())
            client = await stack.enter_async_context(emulator.async_client())
        conn = await stack.enter_async_context(
            client.voice_live.connect(
                os.environ.get("VOICE_LIVE_MODEL", "gpt-realtime"),
                voice="en-US-AvaMultilingualNeural",
                input_transcription="azure-speech",
                avatar=avatar,
            )
        )

        def on_text(event: events.ServerEvent) -> None:
            if isinstance(event, events.TranscriptionCompleted):
                print("user:", event.transcript)
            elif isinstance(event, events.ResponseTranscriptDone):
                print("agent:", event.transcript)

        conn.on("conversation.item.input_audio_transcription.completed", on_text)
        conn.on("response.audio_transcript.done", on_text)
        with tempfile.TemporaryDirectory() as scratch:
            if question is None:
                question = Path(scratch) / "question.wav"
                (await client.tts.synthesize(QUESTION)).save(question)
            await conn.send_file(question)
            await conn.send_audio(SILENCE)
        saved = await conn.avatar.save_video(out, timeout=120)
    seconds, kinds = video_seconds(saved)
    print(f"saved {saved} ({saved.stat().st_size} bytes): {', '.join(kinds)}, {seconds:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "question",
        nargs="?",
        type=Path,
        help="a WAV file with the question (default: one synthesized)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("answer.mp4"),
        help="the video to write (default: answer.mp4)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.out, args.question))

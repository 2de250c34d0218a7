"""Speech to text: one utterance, a continuous stream with live captions, fast transcription.

    python examples/stt_recognize.py [AUDIO_FILE]

With ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION`` set it talks to Azure and
recognizes AUDIO_FILE (any WAV/FLAC/MP3/Ogg file). Without them it starts the
bundled emulator and makes tone-coded audio that the emulator transcribes, so
the example runs offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.captions import live_captions


@contextlib.contextmanager
def service() -> Iterator[tuple[dict[str, str], Path]]:
    """Connection settings and an audio file: Azure if configured, else the emulator."""
    if os.environ.get("AZURE_SPEECH_KEY") and len(sys.argv) > 1:
        yield {}, Path(sys.argv[1])
        return
    from azspeech.audio import PcmFormat
    from azspeech.emulator import Emulator
    from azspeech.emulator.engines.tones import encode

    text = "Welcome to the demo. Speech becomes text. Captions follow along."
    enc = encode(text, 16000, lead_ms=300, tail_ms=600)
    pcm = enc.pcm16()
    with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.wav"
        path.write_bytes(PcmFormat(16000, 16, 1).wav_header(len(pcm)) + pcm)
        print(f"(no AZURE_SPEECH_KEY: using the emulator at {emu.url})\n")
        yield {"endpoint": emu.url, "key": emu.key}, path


def blocking(settings: dict[str, str], audio: Path) -> None:
    with SpeechClient(**settings) as client:
        # One utterance over the WebSocket.
        result = client.stt.recognize_once(audio, language="en-US")
        print(f"recognize_once: {result.text!r} at {result.offset} ({result.status.value})")

        # Fast transcription (REST): the file is streamed from disk.
        transcript = client.stt.transcribe(audio, locales=["en-US"])
        for phrase in transcript.phrases:
            print(f"  {phrase.offset} +{phrase.duration}  {phrase.text}")
        print("\nSubRip captions:\n" + transcript.to_srt())


async def streaming(settings: dict[str, str], audio: Path) -> None:
    async with AsyncSpeechClient(**settings) as client:
        async with client.stt.connect(language="en-US", word_timings=True) as session:
            sender = asyncio.create_task(session.send_file(audio, realtime=False))
            async for caption in live_captions(session):
                mark = "final  " if caption.is_final else "partial"
                print(f"[{mark}] {caption.text}")
            await sender
        print("\nWebVTT of the session:\n" + session.transcript.to_webvtt())


def main() -> None:
    with service() as (settings, audio):
        blocking(settings, audio)
        asyncio.run(streaming(settings, audio))


if __name__ == "__main__":
    main()

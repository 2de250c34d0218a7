"""A spoken conversation through the microphone and the speaker (needs the [mic] extra).

AZURE_SPEECH_ENDPOINT=https://NAME.services.ai.azure.com AZURE_SPEECH_KEY=... \\
    python examples/voice_live_microphone.py

Speak; the agent answers through the speaker. Talk over it and it stops
(barge-in: the player below tells the session how much was heard). Ctrl+C ends.
Without the extra, an audio device or the settings it says so in one line.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from types import ModuleType
from typing import Any

import numpy as np

from azspeech import AsyncSpeechClient
from azspeech.audio import microphone
from azspeech.errors import AudioError, SpeechError
from azspeech.models import voice_live as events
from azspeech.voice_live import AzureSemanticVad


def load_sounddevice() -> ModuleType:
    """The [mic] extra's sounddevice, or one clear AudioError."""
    try:
        import sounddevice
    except ImportError:
        raise AudioError("needs the [mic] extra: pip install 'azspeech[mic]'") from None
    except OSError as exc:  # sounddevice is there but the PortAudio library is not
        raise AudioError(f"PortAudio could not be loaded: {exc}") from None
    return sounddevice


class Speaker:
    """Plays 24 kHz float chunks as they come; ``stop()`` drops the rest (barge-in)."""

    rate = 24000

    def __init__(self) -> None:
        sd = load_sounddevice()
        self._queue: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._played = 0  # samples of the current answer played
        try:
            self._stream = sd.OutputStream(
                self.rate, channels=1, dtype="float32", callback=self._fill
            )
            self._stream.start()
        except Exception as exc:  # sounddevice.PortAudioError: no (usable) output device
            raise AudioError(f"cannot open the speaker: {exc}") from None

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()

    def _fill(self, out: np.ndarray, frames: int, *_: Any) -> None:
        out.fill(0)
        filled = 0
        with self._lock:
            while self._queue and filled < frames:
                chunk = self._queue[0]
                take = min(frames - filled, len(chunk))
                out[filled : filled + take, 0] = chunk[:take]
                filled += take
                self._played += take
                if take == len(chunk):
                    self._queue.pop(0)
                else:
                    self._queue[0] = chunk[take:]

    def play(self, samples: np.ndarray) -> None:
        with self._lock:
            self._queue.append(samples)

    def new_answer(self) -> None:
        with self._lock:
            self._played = 0

    def stop(self) -> float:
        with self._lock:
            self._queue.clear()
            return self._played * 1000 / self.rate


async def main() -> None:
    speaker = Speaker()  # devices first: a missing extra or device is said before anything else
    try:
        mic = microphone(24000)
    except AudioError:
        speaker.close()
        raise
    try:
        await converse(speaker, mic)
    finally:
        mic.close()
        speaker.close()


async def converse(speaker: Speaker, mic: Any) -> None:
    async with (
        AsyncSpeechClient() as client,
        client.voice_live.connect(
            "gpt-realtime",
            voice="en-US-AvaMultilingualNeural",
            instructions="You are a friendly, concise assistant.",
            input_transcription="whisper-1",  # the API reference's transcribers for gpt-realtime
            turn_detection=AzureSemanticVad(),
            noise_suppression=True,
            echo_cancellation=True,
            player=speaker,
        ) as conn,
    ):
        sending = asyncio.create_task(conn.send_file(mic, realtime=True))
        try:
            async for event in conn:
                if isinstance(event, events.TranscriptionCompleted):
                    print("you:", event.transcript)
                elif isinstance(event, events.ResponseCreated):
                    speaker.new_answer()
                elif isinstance(event, events.ResponseAudioDelta):
                    speaker.play(event.samples)
                elif isinstance(event, events.ResponseTranscriptDone):
                    print("agent:", event.transcript)
                elif isinstance(event, events.ErrorEvent):
                    print("error:", event.error.message)
        finally:
            sending.cancel()


def run() -> int:
    """Run until Ctrl+C; a missing extra, device or setting is one line on stderr."""
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    except (AudioError, SpeechError) as exc:
        print(f"voice_live_microphone: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run())

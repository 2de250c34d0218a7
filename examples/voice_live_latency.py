"""How long the agent takes to start answering: end of the user's audio to first agent audio.

    python examples/voice_live_latency.py [TURNS]

Against the bundled emulator (or Voice Live on Azure with
``AZURE_SPEECH_ENDPOINT`` and ``AZURE_SPEECH_KEY`` set), one session holds
TURNS spoken turns (default 20). Each turn streams a question followed by
exactly the silence that ends the turn under server VAD (300 ms), and the
clock runs from the last byte sent to the first ``response.audio.delta``.
Prints the median, the 90th percentile and the extremes in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator

from azspeech import AsyncSpeechClient
from azspeech.models import voice_live as events
from azspeech.voice_live import ServerVad

SILENCE_MS = 300


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


async def measure(turns: int) -> list[float]:
    """The latency of each turn, in milliseconds."""
    latencies: list[float] = []
    async with speech_service() as client:
        question = await client.tts.synthesize("Hello, how are you?")
        async with client.voice_live.connect(
            os.environ.get("VOICE_LIVE_MODEL", "gpt-realtime"),
            turn_detection=ServerVad(silence_duration_ms=SILENCE_MS),
        ) as conn:
            silence = b"\0" * (conn.input_format.sample_rate * 2 * SILENCE_MS // 1000)
            for _ in range(turns):
                await conn.send_file(question)
                await conn.send_audio(silence)
                sent = time.perf_counter()
                first: float | None = None
                async for event in conn:
                    if isinstance(event, events.ResponseAudioDelta) and first is None:
                        first = (time.perf_counter() - sent) * 1000
                    elif isinstance(event, events.ResponseDone):
                        break
                if first is not None:
                    latencies.append(first)
    return latencies


def main() -> int:
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    latencies = sorted(asyncio.run(measure(turns)))
    if not latencies:
        print("no agent audio came back", file=sys.stderr)
        return 1
    p90 = latencies[max(0, round(0.9 * len(latencies)) - 1)]
    print(
        f"end of user audio -> first agent audio over {len(latencies)} turns: "
        f"median {statistics.median(latencies):.1f} ms, p90 {p90:.1f} ms, "
        f"min {latencies[0]:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Real-time avatar over aiortc against the emulator: connect time and speak() latencies.

For each run: ``speak()`` is called and the clock stops at (a) the first
audio frame carrying speech and (b) the first video frame showing it (the
emulator's drawn mouth opens with the audio level). Frames buffered before
``speak()`` are dropped first; audio and video are timed in alternate
runs. Loopback only, so this measures the client, the emulator and aiortc's
media path (encode, RTP, jitter buffer, decode), not the service.

    .venv/bin/python benchmarks/bench_avatar.py [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import numpy as np

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator


def _mouth_open(frame: Any) -> bool:
    img = frame.to_ndarray(format="rgb24")
    column = img[70:165, 160].astype(int)
    red = (column[:, 0] > 140) & (column[:, 1] < 110) & (column[:, 2] < 110)
    return int(red.sum()) > 9  # the closed mouth is 5 rows high


def _loud(frame: Any) -> bool:
    return bool(np.abs(frame.to_ndarray()).max() > 1000)


async def _first(source: Any, test: Any, started: float, limit: int = 500) -> float:
    for _ in range(limit):
        if test(await source()):
            return 1000 * (time.monotonic() - started)
    return float("nan")


async def main(runs: int) -> None:
    with Emulator() as emulator:
        async with AsyncSpeechClient(endpoint=emulator.url, key=emulator.key) as client:
            started = time.monotonic()
            async with client.avatar.connect("lisa", style="casual-sitting") as avatar:
                await avatar.next_video_frame()
                print(f"connect to first video frame: {1000 * (time.monotonic() - started):.0f} ms")
                audio_ms: list[float] = []
                video_ms: list[float] = []
                for n in range(2 * runs):  # audio and video timed in separate runs
                    avatar.drop_frames()
                    await asyncio.sleep(0.3)  # idle frames, then a fresh start
                    avatar.drop_frames()
                    started = time.monotonic()
                    speaking = asyncio.ensure_future(avatar.speak("Hello there, how are you?"))
                    if n % 2 == 0:
                        audio_ms.append(await _first(avatar.next_audio_frame, _loud, started))
                    else:
                        video_ms.append(await _first(avatar.next_video_frame, _mouth_open, started))
                    await speaking
    for name, values in (("first speech audio", audio_ms), ("first speaking video", video_ms)):
        print(
            f"speak() -> {name}: median {statistics.median(values):.0f} ms, "
            f"min {min(values):.0f}, max {max(values):.0f} ({runs} runs)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    asyncio.run(main(parser.parse_args().runs))

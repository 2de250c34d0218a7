"""Text to speech: the blocking client's time to first audio against the async client's.

The emulator runs in a subprocess. A :class:`~azspeech.SpeechClient` and an
:class:`~azspeech.AsyncSpeechClient` make the same warm request (the pooled
connection is reused), alternating, so both see the same machine load; the
clock stops at the first :class:`~azspeech.tts.AudioChunk`. The blocking
overhead is the median of the paired differences.

    .venv/bin/python benchmarks/bench_tts_blocking.py [--runs 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tts import FORMAT, KEY, free_port, ssml, start_emulator


def _blocking_once(client: Any) -> float:
    from azspeech.tts import AudioChunk

    t0 = time.perf_counter()
    first: float | None = None
    for event in client.tts.stream(ssml(), output_format=FORMAT):
        if first is None and isinstance(event, AudioChunk):
            first = time.perf_counter() - t0
    assert first is not None
    return first


async def _async_once(client: Any) -> float:
    from azspeech.tts import AudioChunk

    t0 = time.perf_counter()
    first: float | None = None
    async for event in client.tts.stream(ssml(), output_format=FORMAT):
        if first is None and isinstance(event, AudioChunk):
            first = time.perf_counter() - t0
    assert first is not None
    return first


def measure(port: int, runs: int) -> dict[str, float]:
    from azspeech import AsyncSpeechClient, SpeechClient

    url = f"http://127.0.0.1:{port}"
    loop = asyncio.new_event_loop()
    aclient = AsyncSpeechClient(endpoint=url, key=KEY)
    blocking: list[float] = []
    nonblocking: list[float] = []
    try:
        with SpeechClient(endpoint=url, key=KEY) as client:
            for i in range(runs + 5):
                b = _blocking_once(client)
                a = loop.run_until_complete(_async_once(aclient))
                if i >= 5:  # the first requests open the connections
                    blocking.append(b)
                    nonblocking.append(a)
    finally:
        loop.run_until_complete(aclient.close())
        loop.close()
    diffs = [b - a for b, a in zip(blocking, nonblocking, strict=True)]
    return {
        "async_median_ms": statistics.median(nonblocking) * 1000,
        "blocking_median_ms": statistics.median(blocking) * 1000,
        "overhead_paired_median_ms": statistics.median(diffs) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="requests per client")
    args = parser.parse_args()
    port = free_port()
    emulator = start_emulator(port)
    try:
        r = measure(port, args.runs)
    finally:
        emulator.terminate()
        emulator.wait(10)
    print(f"time to first audio against the emulator, warm, {args.runs} runs each (ms)")
    print(
        f"  async {r['async_median_ms']:.2f}   blocking {r['blocking_median_ms']:.2f}   "
        f"blocking overhead (paired median) {r['overhead_paired_median_ms']:+.2f}"
    )


if __name__ == "__main__":
    main()

"""Peak memory of streaming a 1 GB WAV file from disk through open_pcm_stream.

Writes a WAV of --size-mb megabytes (default 1024) to /tmp, then, in a fresh
child process, reads it through ``open_pcm_stream`` (to 16 kHz 16-bit mono,
100 ms chunks) and reports the peak Python heap (tracemalloc) and the peak
resident set (ru_maxrss) against a child that only imports the same modules.
The file is deleted afterwards.

    .venv/bin/python benchmarks/bench_audio.py [--size-mb 1024] [--rate 48000 --channels 2]

The default input (48 kHz stereo) exercises downmixing and resampling;
``--rate 16000 --channels 1`` measures the pass-through path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def write_wav(path: str, size: int, rate: int, channels: int) -> None:
    from azspeech.audio import PcmFormat

    fmt = PcmFormat(rate, 16, channels)
    size -= size % fmt.block_align
    rng = np.random.default_rng(0)
    frames = 1 << 18
    t = np.arange(frames) / rate
    base = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    block = np.repeat(base[:, None], channels, axis=1)
    block = (block + rng.integers(-200, 200, block.shape)).astype("<i2").tobytes()
    with open(path, "wb") as f:
        f.write(fmt.wav_header(size))
        left = size
        while left:
            piece = block[: min(len(block), left)]
            f.write(piece)
            left -= len(piece)


def child(path: str, measure: bool) -> None:
    import tracemalloc

    import soundfile  # noqa: F401 - the baseline pays for the same imports
    import soxr  # noqa: F401

    from azspeech.audio import open_pcm_stream

    result: dict[str, float] = {}
    if measure:
        tracemalloc.start()
        wall, cpu = time.perf_counter(), time.process_time()
        chunks = total = 0
        with open_pcm_stream(path) as stream:
            for chunk in stream:
                chunks += 1
                total += len(chunk)
        result.update(
            chunks=chunks,
            out_bytes=total,
            wall_s=time.perf_counter() - wall,
            cpu_s=time.process_time() - cpu,
            tracemalloc_peak_mb=tracemalloc.get_traced_memory()[1] / 2**20,
        )
        tracemalloc.stop()
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(path: str, measure: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", path] + ([] if measure else ["--baseline"])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1024)
    parser.add_argument("--rate", type=int, default=48000)
    parser.add_argument("--channels", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, measure=not args.baseline)
        return
    size = int(args.size_mb * 2**20)
    fd, path = tempfile.mkstemp(suffix=".wav", dir="/tmp")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        write_wav(path, size, args.rate, args.channels)
        print(
            f"wrote {os.path.getsize(path) / 2**20:.0f} MiB WAV ({args.rate} Hz, "
            f"{args.channels} ch, 16-bit) in {time.perf_counter() - t0:.1f} s: {path}"
        )
        base = run_child(path, measure=False)
        res = run_child(path, measure=True)
        audio_s = res["out_bytes"] / 32000
        print(
            f"streamed to 16 kHz mono: {res['chunks']:.0f} chunks, {audio_s / 3600:.2f} h of "
            f"audio, {res['wall_s']:.1f} s wall, {res['cpu_s']:.1f} CPU-s "
            f"({audio_s / res['cpu_s']:.0f}x real time)"
        )
        print(f"peak Python heap (tracemalloc): {res['tracemalloc_peak_mb']:.2f} MiB")
        print(
            f"peak RSS: {res['maxrss_mb']:.1f} MiB; baseline after imports "
            f"{base['maxrss_mb']:.1f} MiB; "
            f"difference {res['maxrss_mb'] - base['maxrss_mb']:.1f} MiB"
        )
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()

"""Many local files end to end: batch transcription over Azurite, and ``transcribe_many``.

1. **batch** (default 200 files): ``client.batch.transcribe_files`` uploads
   the files to Azurite (``azurite-blob``, installed from
   ``tests/blob/azurite`` with npm), submits them to the emulator's batch
   transcription service, waits and parses every result. Reported: wall time
   of the call, and the client process's peak memory (``ru_maxrss``, and its
   growth over the baseline taken after imports and file generation).
2. **fast** (default 1,000 files): ``client.stt.transcribe_many`` over fast
   transcription, results written to a folder with a manifest. Reported:
   wall time and files per second.

The emulator runs in a subprocess (its CPU and memory are not the
client's); Azurite is its own node process.

    .venv/bin/python benchmarks/bench_many_files.py [--batch-files 200] [--fast-files 1000]
        [--seconds 5] [--concurrency 8] [--files-per-job 100] [--skip-batch] [--skip-fast]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.blob._files import make_wavs  # noqa: E402
from tests.blob.azurite import ACCOUNT_KEY, Azurite  # noqa: E402

from azspeech import AsyncSpeechClient  # noqa: E402

KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmulatorProcess:
    """``python -m azspeech.emulator`` on a free port, in a subprocess."""

    def __enter__(self) -> EmulatorProcess:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "azspeech.emulator", "--port", str(self.port),
             "--key", KEY, "--log-level", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the emulator did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench_batch(
    emu: EmulatorProcess, azurite: Azurite, args: Any, work: Path
) -> dict[str, Any]:
    paths = make_wavs(work / "batch", args.batch_files, samples=int(16000 * args.seconds))
    baseline = maxrss_mib()
    async with AsyncSpeechClient(key=KEY, endpoint=emu.url) as client:
        t0 = time.perf_counter()
        run = await client.batch.transcribe_files(
            paths, container=azurite.container_url("bench"), locale="en-US",
            storage_account_key=ACCOUNT_KEY, output_dir=work / "batch-out",
            concurrency=args.concurrency, files_per_job=args.files_per_job, poll_interval=0.5,
            delete_blobs=True, delete_transcriptions=True,
        )  # fmt: skip
        wall = time.perf_counter() - t0
    assert run.ok and len(run.files) == len(paths)
    size = sum(p.stat().st_size for p in paths)
    return {
        "files": len(paths),
        "audio_seconds_each": args.seconds,
        "mib_uploaded": round(size / 2**20, 1),
        "jobs": len(run.job_ids),
        "wall_s": round(wall, 2),
        "peak_rss_mib": round(maxrss_mib(), 1),
        "rss_growth_mib": round(maxrss_mib() - baseline, 1),
    }


async def bench_fast(emu: EmulatorProcess, args: Any, work: Path) -> dict[str, Any]:
    paths = make_wavs(work / "fast", args.fast_files, samples=int(16000 * args.fast_seconds))
    async with AsyncSpeechClient(key=KEY, endpoint=emu.url) as client:
        t0 = time.perf_counter()
        out = await client.stt.transcribe_many(
            paths, concurrency=args.concurrency, output_dir=work / "fast-out",
            manifest=work / "fast.jsonl", locales=["en-US"],
        )  # fmt: skip
        wall = time.perf_counter() - t0
    assert all(r.ok for r in out)
    return {
        "files": len(paths),
        "audio_seconds_each": args.fast_seconds,
        "concurrency": args.concurrency,
        "wall_s": round(wall, 2),
        "files_per_s": round(len(paths) / wall, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch-files", type=int, default=200)
    p.add_argument("--fast-files", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=5.0, help="audio per batch file")
    p.add_argument("--fast-seconds", type=float, default=2.0, help="audio per fast file")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--files-per-job", type=int, default=100)
    p.add_argument("--skip-batch", action="store_true")
    p.add_argument("--skip-fast", action="store_true")
    args = p.parse_args()
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess() as emu:
        work = Path(tmp)
        if not args.skip_batch:
            with Azurite() as azurite:
                report["batch_transcribe_files"] = asyncio.run(
                    bench_batch(emu, azurite, args, work)
                )
        if not args.skip_fast:
            report["fast_transcribe_many"] = asyncio.run(bench_fast(emu, args, work))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

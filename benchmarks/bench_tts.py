"""Text to speech: time to first audio against the emulator.

The emulator runs in a subprocess. The same request (same SSML, same
``synthesis.context``: ``raw-24khz-16bit-mono-pcm``, word and punctuation
boundaries, bookmarks, session end) is made, alternating, by:

* **azspeech**: ``AsyncSpeechClient.tts.stream(...)``, clock stopped at the
  first :class:`AudioChunk`;
* **bare**: a plain ``websockets`` client that writes the three USP frames by
  hand and stops at the first binary frame whose ``Path`` is ``audio``;
* **official** (if it loads): Microsoft's ``azure-cognitiveservices-speech``
  in a child process, ``start_speaking_ssml_async`` → first ``synthesizing``
  event (its own connection reuse, its own threads).

Two situations: *warm* (the connection from the previous request is reused;
what a voice app sees after its first sentence) and *cold* (a new connection
per request: TCP + WebSocket upgrade + ``speech.config``). Our overhead is the
median difference to the bare client in the same situation.

    .venv/bin/python benchmarks/bench_tts.py [--runs 200] [--cold-runs 50] [--skip-official]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"
VOICE = "en-US-AvaMultilingualNeural"
TEXT = "Time to first audio is what a live voice application feels."
FORMAT = "raw-24khz-16bit-mono-pcm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", str(port), "--key", KEY,
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("emulator did not start")


def ssml() -> str:
    return (
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
        "xmlns:mstts='http://www.w3.org/2001/mstts' "
        "xmlns:emo='http://www.w3.org/2009/10/emotionml' "
        f"xml:lang='en-US'><voice name='{VOICE}'>{TEXT}</voice></speak>"
    )


# -- the bare websockets client ----------------------------------------------------------------


def _ts() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _frame(path: str, rid: str, ctype: str, body: str) -> str:
    return (
        f"Path:{path}\r\nX-RequestId:{rid}\r\nX-Timestamp:{_ts()}\r\nContent-Type:{ctype}\r\n\r\n"
        + body
    )


CONTEXT = json.dumps(
    {
        "synthesis": {
            "audio": {
                "metadataOptions": {
                    "bookmarkEnabled": True,
                    "punctuationBoundaryEnabled": True,
                    "sentenceBoundaryEnabled": False,
                    "sessionEndEnabled": True,
                    "visemeEnabled": False,
                    "wordBoundaryEnabled": True,
                },
                "outputFormat": FORMAT,
            },
            "language": {"autoDetection": False},
        }
    },
    separators=(",", ":"),
)
SPEECH_CONFIG = json.dumps({"context": {"system": {"name": "bare", "version": "0"}}})


class Bare:
    """The same exchange with nothing but ``websockets``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: Any = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        cid = uuid.uuid4().hex
        self.ws = await connect(
            self.url,
            additional_headers={"Ocp-Apim-Subscription-Key": KEY, "X-ConnectionId": cid},
            compression=None,
            max_size=16 * 1024 * 1024,
        )
        self.configured = False

    async def first_audio(self, reuse: bool) -> float:
        if not reuse and self.ws is not None:
            await self.ws.close()
            self.ws = None
        t0 = time.perf_counter()
        if self.ws is None:
            await self.connect()
        rid = uuid.uuid4().hex
        if not self.configured:
            await self.ws.send(_frame("speech.config", rid, "application/json", SPEECH_CONFIG))
            self.configured = True
        await self.ws.send(_frame("synthesis.context", rid, "application/json", CONTEXT))
        await self.ws.send(_frame("ssml", rid, "application/ssml+xml", ssml()))
        first: float | None = None
        while True:
            data = await self.ws.recv()
            if isinstance(data, bytes):
                n = int.from_bytes(data[:2], "big")
                head = data[2 : 2 + n]
                if first is None and b"Path:audio" in head and len(data) > 2 + n:
                    first = time.perf_counter() - t0
            elif data.startswith("Path:turn.end") or "\r\nPath:turn.end" in data[:200]:
                break
        assert first is not None
        return first


# -- azspeech ----------------------------------------------------------------------------------


async def ours_first_audio(client: Any, reuse: bool) -> float:
    from azspeech.tts import AudioChunk

    if not reuse:
        await client.tts.aclose()
    t0 = time.perf_counter()
    first: float | None = None
    async for event in client.tts.stream(ssml(), output_format=FORMAT):
        if first is None and isinstance(event, AudioChunk):
            first = time.perf_counter() - t0
    assert first is not None
    return first


def sync_first_audio(port: int, runs: int) -> dict[str, float]:
    """The blocking client (the same async code driven through its portal thread), warm."""
    from azspeech import SpeechClient
    from azspeech.tts import AudioChunk

    times: list[float] = []
    with SpeechClient(endpoint=f"http://127.0.0.1:{port}", key=KEY) as client:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            first: float | None = None
            for event in client.tts.stream(ssml(), output_format=FORMAT):
                if first is None and isinstance(event, AudioChunk):
                    first = time.perf_counter() - t0
            if i and first is not None:
                times.append(first)
    return _ms(times)


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(values) * 1000,
        "p10": ordered[len(ordered) // 10] * 1000,
        "p90": ordered[len(ordered) * 9 // 10] * 1000,
    }


async def compare(port: int, runs: int, cold_runs: int) -> dict[str, Any]:
    from azspeech import AsyncSpeechClient

    url = f"ws://127.0.0.1:{port}/cognitiveservices/websocket/v1"
    results: dict[str, Any] = {}
    async with AsyncSpeechClient(endpoint=f"http://127.0.0.1:{port}", key=KEY) as client:
        bare = Bare(url)
        for reuse, n in ((True, runs), (False, cold_runs)):
            ours: list[float] = []
            theirs: list[float] = []
            cpu = {"ours": 0.0, "bare": 0.0}
            # warm-up (imports, first connection)
            await ours_first_audio(client, reuse)
            await bare.first_audio(reuse)
            for i in range(n):
                for who in ("ours", "bare") if i % 2 else ("bare", "ours"):
                    c0 = time.process_time()
                    if who == "ours":
                        ours.append(await ours_first_audio(client, reuse))
                    else:
                        theirs.append(await bare.first_audio(reuse))
                    cpu[who] += time.process_time() - c0
            diffs = [a - b for a, b in zip(ours, theirs, strict=True)]
            key = "warm" if reuse else "cold"
            results[key] = {
                "azspeech": _ms(ours),
                "bare": _ms(theirs),
                "overhead_median_ms": (statistics.median(ours) - statistics.median(theirs)) * 1000,
                "paired_diff_median_ms": statistics.median(diffs) * 1000,
                "cpu_per_request_ms": {k: v / n * 1000 for k, v in cpu.items()},
            }
        if bare.ws is not None:
            await bare.ws.close()
        await client.tts.aclose()
    return results


# -- the official SDK --------------------------------------------------------------------------

OFFICIAL = textwrap.dedent(
    """
    import json, sys, threading, time
    import azure.cognitiveservices.speech as speechsdk

    port, key, runs, ssml = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    cfg = speechsdk.SpeechConfig(host=f"ws://127.0.0.1:{port}", subscription=key)
    cfg.set_speech_synthesis_output_format(
        speechsdk.SpeechSynthesisOutputFormat.Raw24Khz16BitMonoPcm)
    synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
    # (result id, time) of every audio event: a late event of the previous run
    # must not count as this run's first audio, so runs are told apart by id.
    seen = []
    done = threading.Event()

    def on_audio(evt):
        if evt.result.audio_data:
            seen.append((evt.result.result_id, time.perf_counter()))

    synth.synthesizing.connect(on_audio)
    synth.synthesis_word_boundary.connect(lambda evt: None)
    synth.bookmark_reached.connect(lambda evt: None)
    times, started = [], []
    try:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            result = synth.start_speaking_ssml_async(ssml).get()
            stream = speechsdk.AudioDataStream(result)
            buf = bytes(32000)
            t1 = None
            while stream.read_data(buf) > 0:
                if t1 is None:
                    t1 = time.perf_counter()
            if i > 0 and t1 is not None:
                started.append(t1 - t0)
                mine = [t for rid, t in list(seen) if rid == result.result_id]
                if mine:
                    times.append(min(mine) - t0)
            seen.clear()
    finally:
        synth.synthesizing.disconnect_all()
        synth.synthesis_word_boundary.disconnect_all()
        synth.bookmark_reached.disconnect_all()
    print(json.dumps({"times": times, "started": started}))
    """
)


def official(port: int, runs: int) -> dict[str, dict[str, float]] | str:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", OFFICIAL, str(port), KEY, str(runs), ssml()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return "timed out"
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        return f"failed: {tail[0]}"
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError, KeyError):
        return "no result"
    if not out["started"]:
        return "no result"
    result = {"started": _ms(out["started"])}
    if out["times"]:
        result["first_event"] = _ms(out["times"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="warm requests per client")
    parser.add_argument("--cold-runs", type=int, default=50, help="cold requests per client")
    parser.add_argument("--official-runs", type=int, default=50)
    parser.add_argument("--skip-official", action="store_true")
    args = parser.parse_args()

    port = free_port()
    emulator = start_emulator(port)
    try:
        results = asyncio.run(compare(port, args.runs, args.cold_runs))
        print(f"time to first audio against the emulator (ms; {TEXT!r}, {FORMAT})")
        for situation in ("warm", "cold"):
            r = results[situation]
            a, b = r["azspeech"], r["bare"]
            print(
                f"  {situation:4s}  azspeech median {a['median']:.2f} (p10 {a['p10']:.2f}, "
                f"p90 {a['p90']:.2f})   bare websockets median {b['median']:.2f} "
                f"(p10 {b['p10']:.2f}, p90 {b['p90']:.2f})   overhead "
                f"{r['overhead_median_ms']:+.2f} (paired {r['paired_diff_median_ms']:+.2f})"
            )
            c = r["cpu_per_request_ms"]
            print(
                f"        client CPU per whole request: azspeech {c['ours']:.2f} ms, "
                f"bare {c['bare']:.2f} ms"
            )
        sync = sync_first_audio(port, args.runs // 2)
        print(
            f"  warm  blocking SpeechClient median {sync['median']:.2f} "
            f"(p10 {sync['p10']:.2f}, p90 {sync['p90']:.2f})"
        )
        if not args.skip_official:
            off = official(port, args.official_runs)
            if isinstance(off, dict):
                for what, label in (
                    ("started", "first bytes from AudioDataStream.read_data"),
                    ("first_event", "first synthesizing event"),
                ):
                    if what in off:
                        o = off[what]
                        print(
                            f"  official SDK, reused connection, {label}: median "
                            f"{o['median']:.2f} (p10 {o['p10']:.2f}, p90 {o['p90']:.2f})"
                        )
            else:
                print(f"  official SDK: {off}")
    finally:
        emulator.terminate()
        try:
            emulator.wait(10)
        except subprocess.TimeoutExpired:
            emulator.kill()


if __name__ == "__main__":
    main()

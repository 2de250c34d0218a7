"""Speech to text benchmarks: client CPU per audio-hour, and concurrent real-time streams.

1. **CPU per audio-hour.** The emulator runs in a *subprocess* (its CPU is not
   counted). The same tone-coded WAV file (default one hour, phrases with
   pauses) is recognized continuously, interim results on, as fast as the
   connection takes it, several times alternating (medians reported):

   * by azspeech in this process: ``time.process_time()`` around the session;
   * by a bare ``websockets`` client doing the least the protocol needs (a
     floor for comparison: no replay buffer, no reconnects, no typed results);
   * by Microsoft's official SDK (``azure-cognitiveservices-speech``) in a
     child process, with its self-pacing lifted (the three
     ``SPEECH-...`` properties); its CPU is measured with
     ``resource.getrusage(RUSAGE_SELF)`` inside the child around the
     recognition, and ``RUSAGE_CHILDREN`` in the parent for the whole child.

2. **Concurrent real-time streams.** N sessions in this one process, each
   sending 100 ms chunks paced at real time, N ramped up (default 100, 250,
   500, 1000; connections ramped at ``--connect-rate`` per second). A level is
   *sustained* when every session connected, got all its final results, its
   chunks were handed over less than ``--max-lag`` (0.5 s) behind their
   real-time schedule (p99), and the last result came within 4x that after
   the last chunk (p99). The server is a light USP sink
   in a subprocess (``--server sink``, default: it acknowledges audio with a
   phrase every 2 s and costs little) or the emulator (``--server emulator``,
   which decodes every stream and saturates first on a small machine).

    .venv/bin/python benchmarks/bench_stt.py [--minutes 60] [--levels 100,250,500,1000]
                                             [--stream-seconds 20] [--skip-official]
                                             [--skip-concurrency] [--skip-cpu] [--profile N]

On a shared machine, compare CPU figures only between runs alternated in the
same invocation (``--repeat``): the load inflates CPU time too. For a figure
immune to the load, count the client's instructions with
``valgrind --tool=cachegrind --cache-sim=no`` over two audio lengths and take
the difference (the emulator, a child process, is not traced).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key"
RATE = 16000


# -- helpers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


def start_emulator() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", str(port), "--key", KEY,
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_port(port)
    return proc, port


def make_audio(minutes: float, path: Path) -> tuple[int, float]:
    """Tone-coded phrases with pauses; returns (number of phrases, seconds)."""
    import random

    from azspeech.audio import PcmFormat
    from azspeech.emulator.engines.tones import encode

    words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
        "golf", "hotel", "india", "juliet", "kilo", "lima",
    ]  # fmt: skip
    rng = random.Random(1)
    pieces = []
    total = 0
    n = 0
    while total < minutes * 60 * RATE:
        text = " ".join(rng.choice(words) for _ in range(5)).capitalize() + f" {n}."
        samples = encode(text, RATE).samples
        gap = np.zeros(RATE * rng.randint(600, 1600) // 1000, dtype=np.float32)
        pieces += [samples, gap]
        total += len(samples) + len(gap)
        n += 1
    pcm = (np.clip(np.concatenate(pieces), -1, 1) * 32767).astype("<i2").tobytes()
    path.write_bytes(PcmFormat(RATE, 16, 1).wav_header(len(pcm)) + pcm)
    return n, len(pcm) / (2 * RATE)


# -- 1. CPU per audio-hour -------------------------------------------------------------------------


async def run_ours(port: int, path: Path) -> dict[str, Any]:
    from azspeech import AsyncSpeechClient
    from azspeech.models.stt import Recognized, Recognizing
    from azspeech.stt import AsyncSpeechToText  # noqa: F401  (import cost is not measured)

    counts = {"recognized": 0, "recognizing": 0}
    async with AsyncSpeechClient(endpoint=f"http://127.0.0.1:{port}", key=KEY) as client:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        async with client.stt.connect(language="en-US") as session:
            # Events are taken as they come while the file goes out (as the official SDK's
            # callbacks get them): memory stays flat in the length of the audio. (Sending the
            # whole file first would queue every event of the hour until the iteration.)
            feeder = asyncio.create_task(session.send_file(path))
            async for ev in session:
                if isinstance(ev, Recognized):
                    counts["recognized"] += 1
                elif isinstance(ev, Recognizing):
                    counts["recognizing"] += 1
            await feeder
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu_s": cpu,
        "user_s": ru1.ru_utime - ru0.ru_utime,
        "system_s": ru1.ru_stime - ru0.ru_stime,
        "wall_s": wall,
        **counts,
    }


async def run_floor(port: int, data: bytes) -> dict[str, Any]:
    """A floor for comparison: a bare ``websockets`` client doing the least USP recognition.

    One ``speech.config``, the file in 8192-byte audio messages as fast as the
    connection takes them, every text message's headers split and JSON body
    decoded, until ``turn.end``: no replay buffer, no reconnects, no typed results.
    """
    import uuid

    import websockets

    rid = uuid.uuid4().hex

    def audio(payload: bytes) -> bytes:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        head = f"Path:audio\r\nX-RequestId:{rid}\r\nX-Timestamp:{stamp}\r\n".encode()
        return len(head).to_bytes(2, "big") + head + payload

    url = (
        f"ws://127.0.0.1:{port}/speech/recognition/conversation/cognitiveservices/v1"
        "?language=en-US&format=detailed"
    )
    headers = {"Ocp-Apim-Subscription-Key": KEY, "X-ConnectionId": uuid.uuid4().hex}
    counts = {"recognized": 0, "recognizing": 0}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with websockets.connect(url, additional_headers=headers, max_size=2**20) as ws:
        config = {"context": {"system": {"version": "1"}}}
        await ws.send(f"Path:speech.config\r\nX-RequestId:{rid}\r\n\r\n" + json.dumps(config))

        async def send() -> None:
            for i in range(44, len(data), 8192):
                await ws.send(audio(data[i : i + 8192]))
            await ws.send(audio(b""))

        sender = asyncio.create_task(send())
        await ws.send(audio(data[:44]))
        async for message in ws:
            head, _, body = str(message).partition("\r\n\r\n")
            fields = dict(line.partition(":")[::2] for line in head.split("\r\n"))
            if body:
                json.loads(body)
            path_ = fields.get("Path", "").strip().lower()
            if path_ == "speech.phrase":
                counts["recognized"] += 1
            elif path_ == "speech.hypothesis":
                counts["recognizing"] += 1
            elif path_ == "turn.end":
                break
        await sender
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_s": cpu, "wall_s": wall, **counts}


def run_floor_child(port: int, path: Path) -> dict[str, Any]:
    """:func:`run_floor` in a child process, so that this process's peak RSS stays ours."""
    out = subprocess.run(
        [sys.executable, __file__, "--floor-child", str(port), str(path)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return result


OFFICIAL_CHILD = textwrap.dedent(
    """
    import json, resource, sys, threading, time
    import azure.cognitiveservices.speech as speechsdk

    port, key, path = sys.argv[1], sys.argv[2], sys.argv[3]
    cfg = speechsdk.SpeechConfig(host=f"ws://127.0.0.1:{port}", subscription=key)
    # Lift the SDK's own pacing (first ~5 s at once, then 2x real time) and its
    # 70 s unacknowledged-audio limit, so that it sends as fast as we do.
    cfg.set_property_by_name("SPEECH-AudioThrottleAsPercentageOfRealTime", "100000")
    cfg.set_property_by_name("SPEECH-TransmitLengthBeforeThrottleMs", "100000000")
    cfg.set_property_by_name("SPEECH-MaxBufferSizeMs", "100000000")
    audio = speechsdk.audio.AudioConfig(filename=path)
    reco = speechsdk.SpeechRecognizer(cfg, audio_config=audio)
    done = threading.Event()
    counts = {"recognized": 0, "recognizing": 0, "canceled": None}
    def on_recognized(e): counts["recognized"] += 1
    def on_recognizing(e): counts["recognizing"] += 1
    def on_canceled(e): counts["canceled"] = str(e.cancellation_details.error_details)
    def on_stopped(e): done.set()
    signals = [(reco.recognized, on_recognized), (reco.recognizing, on_recognizing),
               (reco.canceled, on_canceled), (reco.session_stopped, on_stopped)]
    for sig, fn in signals:
        sig.connect(fn)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    reco.start_continuous_recognition_async().get()
    finished = done.wait(float(sys.argv[4]))
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    reco.stop_continuous_recognition_async().get()
    for sig, _ in signals:
        sig.disconnect_all()
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    print(json.dumps({"cpu_s": cpu, "wall_s": wall, "finished": finished, **counts}))
    sys.stdout.flush()
    """
)


def run_official(port: int, path: Path, timeout: float) -> dict[str, Any] | None:
    try:
        import azure.cognitiveservices.speech  # noqa: F401
    except ImportError:
        return None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, "-c", OFFICIAL_CHILD, str(port), KEY, str(path), str(timeout)],
        capture_output=True, text=True, timeout=timeout + 60,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout)[-500:]}
    data: dict[str, Any] = json.loads(lines[-1])
    data["child_total_cpu_s"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return data


def _cpus(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['cpu_s']:.2f}" for r in runs)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda r: float(r["cpu_s"]))[len(runs) // 2]


def bench_cpu(args: argparse.Namespace) -> None:
    proc, port = start_emulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.wav"
            # Made in a child process, so that this process's peak RSS is the client's.
            made = subprocess.run(
                [sys.executable, __file__, "--make-audio", str(path), "--minutes",
                 str(args.minutes)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            phrases, seconds = json.loads(made.stdout.splitlines()[-1])
            hours = seconds / 3600
            size = path.stat().st_size / 1e6
            print(f"audio: {seconds / 60:.1f} min, {phrases} phrases, {size:.1f} MB")
            # Warm up (lazy imports, pydantic schemas, first connection) on 3 s of audio:
            # the official SDK's figure likewise excludes its import and start-up.
            warm = Path(tmp) / "warm.wav"
            make_audio(0.05, warm)
            cold = asyncio.run(run_ours(port, warm))
            print(f"azspeech warm-up (first session, 3 s of audio): {cold['cpu_s']:.2f} CPU-s")
            ours_runs: list[dict[str, Any]] = []
            floor_runs: list[dict[str, Any]] = []
            official_runs: list[dict[str, Any]] = []
            for _ in range(args.repeat):  # alternate, so that both see the same machine load
                ours_runs.append(asyncio.run(run_ours(port, path)))
                if not args.skip_floor:
                    floor_runs.append(run_floor_child(port, path))
                if not args.skip_official:
                    off = run_official(port, path, timeout=max(120.0, seconds))
                    if off is None or "error" in off:
                        print("official SDK: " + ("not installed" if off is None else
                                                   f"failed: {off['error']}"))  # fmt: skip
                        args.skip_official = True
                    else:
                        official_runs.append(off)
            if args.profile:  # one more run of ours, under cProfile (its CPU is not counted)
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(asyncio.run, run_ours(port, path))
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
            ours = _median(ours_runs)
            print(
                f"azspeech:     {ours['cpu_s']:.2f} CPU-s for the file = "
                f"{ours['cpu_s'] / hours:.2f} CPU-s per audio-hour (median of {len(ours_runs)}: "
                f"{_cpus(ours_runs)}; user {ours['user_s']:.2f} s, "
                f"system {ours['system_s']:.2f} s; "
                f"wall {ours['wall_s']:.1f} s, "
                f"{ours['recognized']} finals, {ours['recognizing']} partials); peak RSS of "
                f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
            )
            if floor_runs:
                floor = _median(floor_runs)
                print(
                    f"bare websockets: {floor['cpu_s'] / hours:.2f} CPU-s per audio-hour "
                    f"(median of {len(floor_runs)}: {_cpus(floor_runs)} for the file; a minimal "
                    "client of the same recognition, no replay, no typed results, for comparison)"
                )
            if not official_runs:
                return
            official = _median(official_runs)
            print(
                f"official SDK: {official['cpu_s']:.2f} CPU-s for the file = "
                f"{official['cpu_s'] / hours:.2f} CPU-s per audio-hour (median of "
                f"{len(official_runs)}: {_cpus(official_runs)}; "
                f"wall {official['wall_s']:.1f} s, {official['recognized']} finals, "
                f"{official['recognizing']} partials, finished={official['finished']}, "
                f"whole child incl. startup {official['child_total_cpu_s']:.2f} CPU-s"
                + (f", canceled: {official['canceled']}" if official["canceled"] else "")
                + ")"
            )
            ratio = ours["cpu_s"] / official["cpu_s"] if official["cpu_s"] else float("inf")
            print(
                f"ratio azspeech/official = {ratio:.3f} (target <= 0.10: "
                f"{'OK' if ratio <= 0.1 else 'MISSED'}); load average now "
                f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
            )
    finally:
        proc.terminate()
        proc.wait(10)


# -- 2. concurrent real-time streams -------------------------------------------------------------

SINK = textwrap.dedent(
    '''
    """A light USP sink on a bare asyncio WebSocket server (so that it is not the bottleneck).

    It answers each turn with turn.start, a speech.phrase per 2 s of audio, and at the
    empty audio frame a last phrase and turn.end. It parses only what it must: frame
    boundaries, the USP header length of binary frames, and text frames.
    """
    import asyncio, base64, hashlib, json, sys

    GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    PHRASE_TICKS = 20_000_000
    TICKS_PER_BYTE = 10_000_000 / 32000

    def frame(opcode, payload):
        n = len(payload)
        if n < 126:
            head = bytes([0x80 | opcode, n])
        elif n < 65536:
            head = bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big")
        else:
            head = bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big")
        return head + payload

    def usp_text(path, rid, body):
        text = body if isinstance(body, str) else json.dumps(body)
        head = f"Path:{path}\\r\\nX-RequestId:{rid}\\r\\nContent-Type:application/json\\r\\n\\r\\n"
        return frame(1, (head + text).encode())

    def unmask(data, mask):
        n = len(data)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        return (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")

    class Sink(asyncio.Protocol):
        def connection_made(self, transport):
            self.t = transport
            self.buf = bytearray()
            self.open = False
            self.rid = ""
            self.audio = 0
            self.acked = 0
            self.header = False

        def data_received(self, data):
            self.buf += data
            if not self.open:
                end = self.buf.find(b"\\r\\n\\r\\n")
                if end < 0:
                    return
                key = b""
                for line in bytes(self.buf[:end]).split(b"\\r\\n"):
                    if line.lower().startswith(b"sec-websocket-key:"):
                        key = line.split(b":", 1)[1].strip()
                accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
                self.t.write(b"HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\n"
                             b"Connection: Upgrade\\r\\nSec-WebSocket-Accept: "
                             + accept + b"\\r\\n\\r\\n")
                del self.buf[: end + 4]
                self.open = True
            buf = self.buf
            pos = 0
            while True:
                if len(buf) - pos < 2:
                    break
                b0, b1 = buf[pos], buf[pos + 1]
                n = b1 & 0x7F
                i = pos + 2
                if n == 126:
                    if len(buf) - i < 2:
                        break
                    n = int.from_bytes(buf[i : i + 2], "big"); i += 2
                elif n == 127:
                    if len(buf) - i < 8:
                        break
                    n = int.from_bytes(buf[i : i + 8], "big"); i += 8
                if len(buf) - i < 4 + n:
                    break
                mask = bytes(buf[i : i + 4]); i += 4
                self.on_frame(b0 & 0x0F, buf, i, n, mask)
                pos = i + n
            del buf[:pos]

        def on_frame(self, op, buf, i, n, mask):
            if op == 2:
                hl = ((buf[i] ^ mask[0]) << 8) | (buf[i + 1] ^ mask[1])
                payload = n - 2 - hl
                if self.header:
                    self.header = False
                    self.t.write(usp_text("turn.start", self.rid, {"context": {"serviceTag": "x"}}))
                    return
                if payload == 0:
                    ticks = int(self.audio * TICKS_PER_BYTE)
                    if ticks > self.acked:
                        self.phrase(ticks)
                    self.t.write(usp_text("turn.end", self.rid, ""))
                    return
                self.audio += payload
                ticks = int(self.audio * TICKS_PER_BYTE)
                if ticks - self.acked >= PHRASE_TICKS:
                    self.phrase(ticks)
            elif op == 1:
                text = unmask(bytes(buf[i : i + n]), mask).decode()
                head = text.split("\\r\\n\\r\\n", 1)[0].lower()
                if "path:speech.context" in head.replace(" ", ""):
                    for line in head.split("\\r\\n"):
                        if line.startswith("x-requestid:"):
                            self.rid = line.split(":", 1)[1].strip()
                    self.audio, self.acked, self.header = 0, 0, True
            elif op == 9:
                self.t.write(frame(10, unmask(bytes(buf[i : i + n]), mask)))
            elif op == 8:
                self.t.write(frame(8, b"\\x03\\xe8"))
                self.t.close()

        def phrase(self, ticks):
            body = {"RecognitionStatus": "Success", "DisplayText": "phrase.",
                    "Offset": self.acked, "Duration": ticks - self.acked}
            self.t.write(usp_text("speech.phrase", self.rid, body))
            self.acked = ticks

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Sink, "127.0.0.1", int(sys.argv[1]), backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
    '''
)


def start_sink() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SINK, str(port)], cwd=ROOT)
    wait_port(port)
    return proc, port


async def one_stream(
    client: Any,
    pcm: bytes,
    chunk: int,
    start_at: float,
    lags: list[float],
    tails: list[float],
    results: list[int],
) -> None:
    loop = asyncio.get_running_loop()
    async with client.stt.connect(interim_results=False, max_connection_age=None) as session:
        t0 = max(start_at, loop.time())
        due = t0
        for i, pos in enumerate(range(0, len(pcm), chunk)):
            due = t0 + i * 0.1
            now = loop.time()
            if due > now:
                await asyncio.sleep(due - now)
            await session.send(pcm[pos : pos + chunk])
            lags.append(max(0.0, loop.time() - due))  # how late this chunk was handed over
        n = 0
        await session.end_audio()
        async for ev in session:
            if ev.type == "recognized":
                n += 1
        tails.append(loop.time() - due)  # last chunk due -> last result received
        results.append(n)


async def run_level(port: int, n: int, seconds: float, connect_rate: float) -> dict[str, Any]:
    from azspeech import AsyncSpeechClient

    pcm = bytes(int(seconds * RATE) * 2)
    chunk = 3200
    lags: list[float] = []
    tails: list[float] = []
    results: list[int] = []
    async with AsyncSpeechClient(endpoint=f"http://127.0.0.1:{port}", key=KEY, timeout=60) as c:
        loop = asyncio.get_running_loop()
        # Warm up (lazy imports, first connection) before the clock starts.
        await one_stream(c, bytes(6400), chunk, loop.time(), [], [], [])
        begin = loop.time()
        cpu0 = time.process_time()
        tasks = []
        for i in range(n):  # ramp the connections up, as the service asks
            start_at = begin + i / connect_rate
            delay = start_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(
                asyncio.create_task(one_stream(c, pcm, chunk, start_at, lags, tails, results))
            )
        outcome = await asyncio.gather(*tasks, return_exceptions=True)
        wall = loop.time() - begin
        cpu = time.process_time() - cpu0
    errors = [o for o in outcome if isinstance(o, BaseException)]
    lag_sorted = sorted(lags) or [0.0]
    p99 = lag_sorted[min(len(lag_sorted) - 1, int(len(lag_sorted) * 0.99))]
    expected = int(seconds // 2) + (1 if seconds % 2 else 0)
    tails_sorted = sorted(tails) or [0.0]
    return {
        "p99_tail_ms": tails_sorted[min(len(tails_sorted) - 1, int(len(tails_sorted) * 0.99))]
        * 1000,
        "streams": n,
        "errors": len(errors),
        "first_error": repr(errors[0])[:200] if errors else None,
        "complete": sum(1 for r in results if r >= expected),
        "p99_lag_ms": p99 * 1000,
        "max_lag_ms": lag_sorted[-1] * 1000,
        "cpu_s": cpu,
        "wall_s": wall,
    }


def bench_concurrency(args: argparse.Namespace) -> None:
    # One process, many sockets: make sure the descriptor limit allows it.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * max(args.levels) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    proc, port = start_emulator() if args.server == "emulator" else start_sink()
    print(f"{os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
    best = 0
    try:
        for n in args.levels:
            r = asyncio.run(run_level(port, n, args.stream_seconds, args.connect_rate))
            ok = r["errors"] == 0 and r["complete"] == n and r["p99_lag_ms"] <= args.max_lag * 1000
            print(
                f"{n:5d} real-time streams: {'sustained' if ok else 'NOT sustained'}; "
                f"complete {r['complete']}/{n}, errors {r['errors']}, p99 send lag "
                f"{r['p99_lag_ms']:.0f} ms (max {r['max_lag_ms']:.0f}), p99 last-chunk-to-"
                f"last-result {r['p99_tail_ms']:.0f} ms, client CPU "
                f"{r['cpu_s']:.1f} s over {r['wall_s']:.1f} s wall "
                f"({100 * r['cpu_s'] / r['wall_s']:.0f}% of one core)"
                + (f"; first error: {r['first_error']}" if r["first_error"] else "")
            )
            if not ok:
                break
            best = n
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"concurrent real-time streams sustained by one process: {best} (target 1000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="audio for the CPU benchmark")
    parser.add_argument("--skip-cpu", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per client (median)")
    parser.add_argument("--skip-official", action="store_true")
    parser.add_argument(
        "--skip-floor", action="store_true", help="skip the bare websockets client's runs"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="after the CPU runs, profile one more azspeech run and print its top N functions",
    )  # fmt: skip
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument(
        "--levels", type=lambda s: [int(x) for x in s.split(",")], default=[100, 250, 500, 1000]
    )
    parser.add_argument("--stream-seconds", type=float, default=20.0)
    parser.add_argument("--connect-rate", type=float, default=100.0, help="new connections/s")
    parser.add_argument("--max-lag", type=float, default=0.5, help="seconds (p99)")
    parser.add_argument("--server", choices=["sink", "emulator"], default="sink")
    parser.add_argument("--make-audio", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", nargs=2, metavar=("PORT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT / "src"))
    if args.floor_child:  # internal: the bare websockets client, in a child process
        port, path = args.floor_child
        print(json.dumps(asyncio.run(run_floor(int(port), Path(path).read_bytes()))))
        return
    if args.make_audio:  # internal: the CPU benchmark's audio, made in a child process
        print(json.dumps(make_audio(args.minutes, Path(args.make_audio))))
        return
    if not args.skip_cpu:
        bench_cpu(args)
    if not args.skip_concurrency:
        bench_concurrency(args)


if __name__ == "__main__":
    main()

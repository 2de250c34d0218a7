"""How many concurrent real-time-paced STT sessions the emulator sustains on this machine.

The emulator runs in its own process (``python -m azspeech.emulator``); this
process opens WebSocket recognition sessions in conversation mode, each
streaming tone-coded speech in 100 ms chunks at real time, and adds sessions
step by step. For every ``speech.phrase`` it measures the *lag*: arrival time
minus the moment the audio that completes the phrase (its end plus the
segmentation silence) had been sent. A step is sustained while the 95th
percentile lag stays under ``--max-lag`` and the load generator itself keeps
its 100 ms pacing (else the figure would measure the client).

    python benchmarks/bench_emulator.py                # ramp 50, 100, 150 ...
    python benchmarks/bench_emulator.py --step 100 --max-sessions 1500
    python benchmarks/bench_emulator.py --fixed 300    # hold 300 sessions, report CPU
    python benchmarks/bench_emulator.py --in-process 50 --seconds 20   # no sockets

Prints one line per step and, last, the number of sessions sustained. Every
line also gives the emulator's CPU per session-second over the window (from
``/proc``; user + system time of the emulator process divided by sessions ×
seconds): a figure less sensitive to other load on the machine than the lag
criterion, and the one to compare when the machine is shared.
With ``--fixed N`` the ramp is a single step of N sessions.

``--in-process N`` measures the emulator's application alone: N sessions are
driven straight through its ASGI app in this process (no sockets, no WebSocket
protocol, no load generator), one 100 ms audio message per session per round,
and the CPU time per audio message is printed. Run under
``valgrind --tool=cachegrind --cache-sim=no`` with two values of ``--seconds``,
the difference of the instruction counts gives instructions per audio message:
a figure that does not move with other load on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import websockets

from azspeech._protocol.framing import decode_frame, encode_binary, encode_text
from azspeech.emulator.engines import tones

KEY = "bench-key"
CHUNK_MS = 100
RATE = 16000
CHUNK = RATE * 2 * CHUNK_MS // 1000
SEG_SILENCE_S = 0.5
TEXT = "The quick brown fox jumps. Over the lazy dog again! Pack my box with five jugs."


def _wav_header() -> bytes:
    return (
        b"RIFF" + bytes(4) + b"WAVEfmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little")
        + (1).to_bytes(2, "little") + RATE.to_bytes(4, "little") + (RATE * 2).to_bytes(4, "little")
        + (2).to_bytes(2, "little") + (16).to_bytes(2, "little") + b"data" + bytes(4)
    )  # fmt: skip


AUDIO = tones.encode(TEXT, RATE, lead_ms=200, tail_ms=800).pcm16()


@dataclass
class Stats:
    lags: list[tuple[float, float]] = field(default_factory=list)  # (time, phrase lag)
    send_lags: list[tuple[float, float]] = field(default_factory=list)
    phrases: int = 0
    errors: int = 0
    wrong_text: int = 0


async def session(url: str, stats: Stats, stop: asyncio.Event) -> None:
    headers = {"Ocp-Apim-Subscription-Key": KEY, "X-ConnectionId": uuid.uuid4().hex}
    expected = {w for w in TEXT.replace("!", ".").split(". ")}
    try:
        async with websockets.connect(
            url, additional_headers=headers, max_size=None, compression=None
        ) as ws:
            rid = uuid.uuid4().hex
            await ws.send(encode_text("speech.config", {"context": {}}))
            await ws.send(encode_text("speech.context", {}, request_id=rid))
            await ws.send(
                encode_binary("audio", _wav_header(), request_id=rid, content_type="audio/x-wav")
            )
            # Frames are built once per session: the same audio, looped.
            frames = [
                encode_binary("audio", AUDIO[i : i + CHUNK], request_id=rid)
                for i in range(0, len(AUDIO), CHUNK)
            ]
            t0 = time.perf_counter()

            async def reader() -> None:
                async for raw in ws:
                    # Only phrases are measured: skip the rest without parsing it (the
                    # load generator shares the machine's two cores with the emulator).
                    if not isinstance(raw, str) or "Path:speech.phrase\r\n" not in raw[:300]:
                        continue
                    msg = decode_frame(raw)
                    if msg.path != "speech.phrase":
                        continue
                    body = json.loads(msg.body)
                    if body.get("RecognitionStatus") != "Success":
                        continue
                    now = time.perf_counter()
                    done_at = t0 + (body["Offset"] + body["Duration"]) / 1e7 + SEG_SILENCE_S
                    stats.lags.append((now, now - done_at))
                    stats.phrases += 1
                    text = body["DisplayText"].rstrip(".!")
                    if not any(text == e.rstrip(".!") for e in expected):
                        stats.wrong_text += 1

            task = asyncio.create_task(reader())
            n = 0
            while not stop.is_set():
                due = t0 + n * CHUNK_MS / 1000
                now = time.perf_counter()
                if due > now:
                    await asyncio.sleep(due - now)
                else:
                    stats.send_lags.append((now, now - due))
                await ws.send(frames[n % len(frames)])
                n += 1
            task.cancel()
    except (OSError, websockets.exceptions.WebSocketException):
        stats.errors += 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


async def ramp(args: argparse.Namespace, url: str, pid: int) -> int:
    stats = Stats()
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    sustained = 0
    started = time.perf_counter()
    n = 0
    while n < args.max_sessions and time.perf_counter() - started < args.max_seconds:
        target = args.fixed or min(args.max_sessions, n + args.step)
        for _ in range(target - n):
            tasks.append(asyncio.create_task(session(url, stats, stop)))
            await asyncio.sleep(0.002)  # spread connection setup
        n = target
        step_start = time.perf_counter()
        await asyncio.sleep(args.settle)
        window_start = time.perf_counter()
        cpu0, own0 = cpu_seconds(pid), time.process_time()
        await asyncio.sleep(args.window)
        elapsed = time.perf_counter() - window_start
        cpu = (cpu_seconds(pid) - cpu0) / (n * elapsed)
        own = (time.process_time() - own0) / elapsed
        lags = [lag for t, lag in stats.lags if t >= window_start]
        send = [lag for t, lag in stats.send_lags if t >= window_start]
        lag95 = p95(lags)
        send95 = p95(send)
        ok = lags and lag95 <= args.max_lag and send95 <= args.max_send_lag and stats.errors == 0
        print(
            f"sessions {n:5d}: phrases {len(lags):5d}  p95 lag {lag95 * 1000:7.1f} ms  "
            f"median {statistics.median(lags) * 1000 if lags else 0:7.1f} ms  "
            f"client pacing p95 {send95 * 1000:6.1f} ms  errors {stats.errors}  "
            f"wrong text {stats.wrong_text}  emulator CPU {cpu * 1e3:.3f} ms/session-s  "
            f"load generator {own * 100:.0f}% CPU  ({time.perf_counter() - step_start:.0f} s)"
            + ("" if ok else "  <- not sustained"),
            flush=True,
        )
        if not ok:
            break
        sustained = n
        if args.fixed:
            break
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return sustained


# -- in-process mode: the emulator's own per-frame cost, without sockets --------------------


async def _asgi_cost(sessions: int, seconds: int) -> tuple[float, int]:
    """CPU seconds the emulator's ASGI app spends on *sessions* × *seconds* of audio.

    Each session is driven straight through the app (no sockets, no WebSocket
    protocol): its receive queue gets the frames the load generator would send,
    100 ms of audio per round, every session once per round. Returns the CPU
    time (this thread) and the number of messages the app sent.
    """
    from azspeech.emulator import Emulator
    from azspeech.emulator.app import create_app

    emu = Emulator(key=KEY, max_log=200)
    app = create_app(emu.state)
    path = "/speech/recognition/conversation/cognitiveservices/v1"
    sent = 0
    queues: list[asyncio.Queue[dict[str, object]]] = []

    async def send(message: dict[str, object]) -> None:
        nonlocal sent
        sent += 1

    tasks: list[asyncio.Task[None]] = []
    for _ in range(sessions):
        q: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        queues.append(q)
        scope = {
            "type": "websocket", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "scheme": "ws", "server": ("127.0.0.1", 1),
            "client": ("127.0.0.1", 2), "subprotocols": ["USP"], "asgi": {"version": "3.0"},
            "headers": [(b"host", b"127.0.0.1"), (b"ocp-apim-subscription-key", KEY.encode()),
                        (b"x-connectionid", uuid.uuid4().hex.encode())],
        }  # fmt: skip
        q.put_nowait({"type": "websocket.connect"})
        tasks.append(asyncio.create_task(app(scope, q.get, send)))
    frames = []  # per session: its audio messages, built before the clock starts
    for q in queues:
        rid = uuid.uuid4().hex
        head = [
            encode_text("speech.config", {"context": {}}),
            encode_text("speech.context", {}, request_id=rid),
            encode_binary("audio", _wav_header(), request_id=rid, content_type="audio/x-wav"),
        ]
        for frame in head:
            key = "text" if isinstance(frame, str) else "bytes"
            q.put_nowait({"type": "websocket.receive", key: frame})
        frames.append(
            [
                {
                    "type": "websocket.receive",
                    "bytes": encode_binary("audio", AUDIO[i : i + CHUNK], request_id=rid),
                }
                for i in range(0, len(AUDIO), CHUNK)
            ]
        )
    for _ in range(3):
        await asyncio.sleep(0)
    cpu0 = time.thread_time()
    for n in range(seconds * 1000 // CHUNK_MS):
        for q, own in zip(queues, frames, strict=True):
            q.put_nowait(own[n % len(own)])
        for _ in range(2):
            await asyncio.sleep(0)
    cpu = time.thread_time() - cpu0
    for q in queues:
        q.put_nowait({"type": "websocket.disconnect", "code": 1000})
    await asyncio.gather(*tasks, return_exceptions=True)
    return cpu, sent


def in_process(sessions: int, seconds: int, repeats: int) -> None:
    """Print the app's CPU per 100 ms audio frame (best of *repeats*)."""
    from azspeech.emulator.server import new_loop

    best = None
    for _ in range(repeats):
        loop = new_loop()
        try:
            cpu, sent = loop.run_until_complete(_asgi_cost(sessions, seconds))
        finally:
            loop.close()
        frames = sessions * seconds * 1000 // CHUNK_MS
        print(
            f"in-process: {sessions} sessions x {seconds} s: {cpu:.3f} CPU-s, "
            f"{cpu / frames * 1e6:.1f} us per audio frame, {cpu / (sessions * seconds) * 1e3:.3f} "
            f"ms per session-second, {sent} messages sent",
            flush=True,
        )
        best = cpu if best is None else min(best, cpu)
    assert best is not None
    frames = sessions * seconds * 1000 // CHUNK_MS
    print(f"RESULT: best {best / frames * 1e6:.1f} us of emulator CPU per 100 ms audio frame")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--step", type=int, default=50, help="sessions added per step")
    p.add_argument("--max-sessions", type=int, default=2000)
    p.add_argument("--fixed", type=int, default=0, help="hold this many sessions (one step)")
    p.add_argument("--max-seconds", type=float, default=300.0, help="bound on the whole ramp")
    p.add_argument("--settle", type=float, default=3.0, help="seconds before measuring a step")
    p.add_argument("--window", type=float, default=6.0, help="seconds measured per step")
    p.add_argument("--max-lag", type=float, default=0.5, help="p95 phrase lag limit (s)")
    p.add_argument("--max-send-lag", type=float, default=0.1, help="client pacing limit (s)")
    p.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="no sockets: drive N sessions through the app in this process, report CPU per frame",
    )
    p.add_argument("--seconds", type=int, default=20, help="audio seconds per --in-process run")
    p.add_argument("--repeats", type=int, default=3, help="--in-process runs (the best counts)")
    args = p.parse_args()
    if args.in_process:
        in_process(args.in_process, args.seconds, args.repeats)
        return 0

    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", "0", "--key", KEY,
         "--log-level", "warning"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        base = line.split(" on ", 1)[1].split(" ", 1)[0]
        url = "ws" + base[4:] + "/speech/recognition/conversation/cognitiveservices/v1"
        print(f"emulator: {base} (pid {proc.pid}); cpus: {os.cpu_count()}", flush=True)
        # The load generator runs on uvloop too when installed: it shares the two cores
        # with the emulator, and every microsecond it spends is one the emulator lacks.
        from azspeech.emulator.server import new_loop

        loop = new_loop()
        try:
            sustained = loop.run_until_complete(ramp(args, url, proc.pid))
        finally:
            loop.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"RESULT: the emulator sustained {sustained} concurrent real-time STT sessions "
        f"(p95 phrase lag <= {args.max_lag * 1000:.0f} ms) on this machine"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

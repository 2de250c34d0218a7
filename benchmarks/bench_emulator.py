"""How many concurrent real-time-paced STT sessions the emulator sustains on this machine.

The emulator runs in its own process (``python -m azspeech.emulator``); this
process opens WebSocket recognition sessions in conversation mode, each
streaming tone-coded speech in 100 ms chunks at real time, and adds sessions
step by step. For every ``speech.phrase`` it measures the *lag*: arrival time
minus the moment the frame carrying the audio that completes the phrase (its
end plus the segmentation silence) was written to the socket; every frame
carries exactly 100 ms, so the audio never drifts from the pacing clock however
long a session runs. A step is sustained while the 95th percentile lag stays
under ``--max-lag`` and the load generator itself keeps its 100 ms pacing (else
the figure would measure the client).

The load generator is cheap on purpose (it shares the cores with the
emulator): raw asyncio sockets, every frame built and masked once before the
clock starts (all sessions send the same bytes: request ids are per
connection), one pacing task that wakes every 10 ms for a tenth of the
sessions, and only ``speech.phrase`` messages are parsed.

    python benchmarks/bench_emulator.py                # ramp 50, 100, 150 ...
    python benchmarks/bench_emulator.py --step 100 --max-sessions 1500
    python benchmarks/bench_emulator.py --fixed 300    # hold 300 sessions, report CPU
    python benchmarks/bench_emulator.py --emulator-arg=--workers=2   # one emulator per core
    python benchmarks/bench_emulator.py --in-process 50 --seconds 20   # no sockets
    python benchmarks/bench_emulator.py --protocol fast --messages 3000  # WebSocket layer only

Prints one line per step and, last, the number of sessions sustained. Every
line also gives the emulator's CPU per session-second over the window (from
``/proc``; user + system time of the emulator process and its workers divided
by sessions × seconds), the load generator's own CPU and the load average: the
CPU figure is less sensitive to other load on the machine than the lag
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
import base64
import json
import math
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from azspeech._protocol.framing import encode_binary, encode_text
from azspeech.emulator.engines import tones

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets without its C extension

    def apply_mask(data: bytes, mask: bytes) -> bytes:
        n = len(data)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
        return (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")


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
# Whole 100 ms chunks only: the pacer sends one frame per 100 ms, so a short last frame would
# let the audio fall behind the clock on every loop (40 ms per 5.6 s loop with a 60 ms last
# chunk) and the measured lag would grow with each session's age, not with the load.
AUDIO += bytes(-len(AUDIO) % CHUNK)


@dataclass
class Stats:
    lags: list[tuple[float, float]] = field(default_factory=list)  # (time, phrase lag)
    send_lags: list[tuple[float, float]] = field(default_factory=list)
    phrases: int = 0
    errors: int = 0
    wrong_text: int = 0


# -- the load generator: raw sockets, frames built once, one pacing task ------------------------

#: Client frames must be masked (RFC 6455); the server cannot tell a fixed mask from a fresh one,
#: so every frame is masked once, up front, and all sessions send the same bytes.
MASK = b"\x5a\xc3\x1e\x97"


def _client_frame(data: str | bytes) -> bytes:
    """One masked, unfragmented client frame carrying *data* (text for str, binary for bytes)."""
    opcode = 1 if isinstance(data, str) else 2
    payload = data.encode() if isinstance(data, str) else data
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + MASK + apply_mask(payload, MASK)


_RID = uuid.uuid4().hex  # one request id serves every session (ids are per connection)
HEAD = b"".join(
    _client_frame(f)
    for f in (
        encode_text("speech.config", {"context": {}}),
        encode_text("speech.context", {}, request_id=_RID),
        encode_binary("audio", _wav_header(), request_id=_RID, content_type="audio/x-wav"),
    )
)
FRAMES = [
    _client_frame(encode_binary("audio", AUDIO[i : i + CHUNK], request_id=_RID))
    for i in range(0, len(AUDIO), CHUNK)
]
CLOSE = bytes((0x88, 0x82)) + MASK + apply_mask((1000).to_bytes(2, "big"), MASK)
EXPECTED = {w.rstrip(".!") for w in TEXT.replace("!", ".").split(". ")}
PHRASE_PATH = b"Path:speech.phrase\r\n"
SLOTS = CHUNK_MS // 10  # sessions are spread over 10 ms slots of the 100 ms audio period
RING = 256  # send times kept per session (25.6 s of audio: longer than any phrase)


class _Client(asyncio.Protocol):
    """One recognition session on a raw socket: the handshake, then frames in, phrases out."""

    def __init__(self, stats: Stats, request: bytes) -> None:
        self.stats = stats
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self.stopping = False
        self.n = 0  # audio frames sent
        self.sent_at = [0.0] * RING  # frame k was written at sent_at[k % RING]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stopping and not self.closed:
            self.stats.errors += 1
        self.closed = True
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(bytes(buf[:60]).decode("latin-1")))
                self.closed = True
                return
            self.upgraded = True
            del buf[: end + 4]
            self.opened.set_result(None)
        i, size = 0, len(buf)
        while size - i >= 2:
            b0, n = buf[i], buf[i + 1] & 0x7F  # server frames are not masked
            head = 2
            if n == 126:
                if size - i < 4:
                    break
                n, head = int.from_bytes(buf[i + 2 : i + 4], "big"), 4
            elif n == 127:
                if size - i < 10:
                    break
                n, head = int.from_bytes(buf[i + 2 : i + 10], "big"), 10
            if size - i < head + n:
                break
            opcode = b0 & 0x0F
            if opcode == 1 and buf.find(PHRASE_PATH, i + head, i + head + 300) >= 0:
                self._phrase(bytes(buf[i + head : i + head + n]))
            elif opcode == 8:
                if not self.stopping:
                    self.stats.errors += 1
                self.closed = True
            i += head + n
        del buf[:i]

    def _phrase(self, frame: bytes) -> None:
        # Only phrases are parsed (the generator shares the two cores with the emulator).
        body = json.loads(frame.partition(b"\r\n\r\n")[2])
        if body.get("RecognitionStatus") != "Success":
            return
        now = time.perf_counter()
        sent = self.completed_at(body["Offset"], body["Duration"])
        if sent is None:
            self.stats.errors += 1  # a phrase about audio not sent yet or sent long ago
            return
        self.stats.lags.append((now, now - sent))
        self.stats.phrases += 1
        if body["DisplayText"].rstrip(".!") not in EXPECTED:
            self.stats.wrong_text += 1

    def completed_at(self, offset: int, duration: int) -> float | None:
        """When the frame completing a phrase (its end plus the segmentation silence) was written.

        *offset* and *duration* are the phrase's, in 100 ns ticks from the start of the
        audio; None when that frame was not sent yet or is no longer remembered.
        """
        end_ms = (offset + duration) / 1e4 + SEG_SILENCE_S * 1000
        k = max(0, math.ceil(round(end_ms / CHUNK_MS, 6)) - 1)  # the frame with its last sample
        if k >= self.n or self.n - k > RING:
            return None
        return self.sent_at[k % RING]


async def open_session(url: str, stats: Stats) -> _Client:
    """Connect, upgrade and start a turn; the pacer sends its audio."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: USP\r\n"
        f"Ocp-Apim-Subscription-Key: {KEY}\r\nX-ConnectionId: {uuid.uuid4().hex}\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: _Client(stats, request), host, port)
    await client.opened
    assert client.transport is not None
    client.transport.write(HEAD)
    return client


async def pace(slots: list[list[_Client]], stats: Stats, stop: asyncio.Event) -> None:
    """Send every session's next 100 ms frame on time: one task, one 10 ms slot per wake-up."""
    base = time.perf_counter()
    k = 0
    while not stop.is_set():
        due = base + k * CHUNK_MS / 1000 / SLOTS
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
            now = time.perf_counter()
        else:
            stats.send_lags.append((now, now - due))
        sent_at = now
        for client in slots[k % SLOTS]:
            if client.closed or client.transport is None:
                continue
            client.sent_at[client.n % RING] = sent_at
            client.transport.write(FRAMES[client.n % len(FRAMES)])
            client.n += 1
        k += 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process *pid* (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of processes *pids* and of their children (an emulator's workers)."""
    total = 0.0
    for pid in pids:
        total += cpu_seconds(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                children = [int(c) for c in f.read().split()]
        except OSError:
            children = []
        total += tree_cpu_seconds(children)
    return total


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


async def ramp(args: argparse.Namespace, url: str, pids: list[int]) -> int:
    stats = Stats()
    stop = asyncio.Event()
    slots: list[list[_Client]] = [[] for _ in range(SLOTS)]
    clients: list[_Client] = []
    pacer = asyncio.create_task(pace(slots, stats, stop))
    sustained = 0
    started = time.perf_counter()
    n = 0
    try:
        while n < args.max_sessions and time.perf_counter() - started < args.max_seconds:
            target = args.fixed or min(args.max_sessions, n + args.step)
            for first in range(n, target, 20):  # 20 handshakes at a time, then a pause
                opened = await asyncio.gather(
                    *(open_session(url, stats) for _ in range(min(20, target - first))),
                    return_exceptions=True,
                )
                for client in opened:
                    if isinstance(client, BaseException):
                        stats.errors += 1
                        continue
                    clients.append(client)
                    slots[len(clients) % SLOTS].append(client)
                await asyncio.sleep(0.02)  # spread connection setup
            n = target
            step_start = time.perf_counter()
            await asyncio.sleep(args.settle)
            window_start = time.perf_counter()
            cpu0, own0 = tree_cpu_seconds(pids), time.process_time()
            load0 = os.getloadavg()[0]
            await asyncio.sleep(args.window)
            elapsed = time.perf_counter() - window_start
            cpu = (tree_cpu_seconds(pids) - cpu0) / (n * elapsed)
            own = (time.process_time() - own0) / elapsed
            lags = [lag for t, lag in stats.lags if t >= window_start]
            send = [lag for t, lag in stats.send_lags if t >= window_start]
            lag95 = p95(lags)
            send95 = p95(send)
            ok = lags and lag95 <= args.max_lag and send95 <= args.max_send_lag and not stats.errors
            print(
                f"sessions {n:5d}: phrases {len(lags):5d}  p95 lag {lag95 * 1000:7.1f} ms  "
                f"median {statistics.median(lags) * 1000 if lags else 0:7.1f} ms  "
                f"client pacing p95 {send95 * 1000:6.1f} ms  errors {stats.errors}  "
                f"wrong text {stats.wrong_text}  emulator CPU {cpu * 1e3:.3f} ms/session-s  "
                f"load generator {own * 100:.0f}% CPU  load average {load0:.1f}-"
                f"{os.getloadavg()[0]:.1f}  ({time.perf_counter() - step_start:.0f} s)"
                + ("" if ok else "  <- not sustained"),
                flush=True,
            )
            if not ok:
                break
            sustained = n
            if args.fixed:
                break
    finally:
        stop.set()
        for client in clients:
            client.stopping = True
            if client.transport is not None and not client.closed:
                client.transport.write(CLOSE)
                client.transport.close()
        await pacer
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


# -- protocol mode: the WebSocket layer's own per-frame cost -----------------------------------


class _NullTransport:
    """Enough of an asyncio transport for a protocol object driven without a socket."""

    def __init__(self) -> None:
        self.written = 0
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written += len(data)

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": ("127.0.0.1", 2), "sockname": ("127.0.0.1", 1)}.get(name, default)

    def is_closing(self) -> bool:
        return self.closing

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        self.closing = True

    def set_protocol(self, protocol: object) -> None:
        pass


def protocol_cost(kind: str, messages: int) -> None:
    """Feed *messages* audio frames through a WebSocket protocol object, no sockets.

    *kind* ``uvicorn`` is uvicorn's sans-I/O protocol, ``fast`` the emulator's
    (:mod:`azspeech.emulator.fast_ws`); a bare ASGI app reads every message and
    answers every third with a 600-byte text message, as recognition does. Run
    under cachegrind with two values of ``--messages``: the difference of the
    instruction counts per message is the protocol layer's cost (plus the event
    loop's, the same for both).
    """
    import uvicorn
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from uvicorn.server import ServerState

    from azspeech.emulator.fast_ws import FAST_WS_EXTENSION, FastWebSocketProtocol

    cls = FastWebSocketProtocol if kind == "fast" else WebSocketsSansIOProtocol
    result = "Path:speech.hypothesis\r\n\r\n" + "x" * 570

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept", "subprotocol": "USP"})
        direct = scope.get("extensions", {}).get(FAST_WS_EXTENSION)
        for k in range(messages):
            await receive()
            if k % 3 == 0:
                if direct is not None:
                    direct["send_data"](result)
                else:
                    await send({"type": "websocket.send", "text": result})

    async def drive() -> int:
        config = uvicorn.Config(app, lifespan="off", log_level="warning", ws_ping_interval=None)
        config.load()
        proto = cls(config=config, server_state=ServerState(), app_state={})
        transport = _NullTransport()
        proto.connection_made(transport)  # type: ignore[arg-type]
        key = base64.b64encode(os.urandom(16)).decode()
        proto.data_received(
            f"GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: USP\r\n\r\n".encode()
        )
        for _ in range(5):
            await asyncio.sleep(0)
        for k in range(messages):
            proto.data_received(FRAMES[k % len(FRAMES)])
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        return transport.written

    cpu0 = time.thread_time()
    written = asyncio.run(drive())
    cpu = time.thread_time() - cpu0
    print(f"protocol {kind}: {messages} messages, {written} bytes written, {cpu:.3f} CPU-s")


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
    p.add_argument(
        "--emulator-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="pass ARG to the emulator's command line (repeatable): --emulator-arg=--workers=2",
    )
    p.add_argument(
        "--protocol",
        choices=["uvicorn", "fast"],
        default=None,
        help="no sockets: feed --messages frames through this WebSocket protocol object",
    )
    p.add_argument("--messages", type=int, default=2000, help="frames per --protocol run")
    args = p.parse_args()
    if args.protocol:
        protocol_cost(args.protocol, args.messages)
        return 0
    if args.in_process:
        in_process(args.in_process, args.seconds, args.repeats)
        return 0

    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", "0", "--key", KEY,
         "--log-level", "warning", *args.emulator_arg],
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
            sustained = loop.run_until_complete(ramp(args, url, [proc.pid]))
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

"""Tiny misbehaving synthesis peers on 127.0.0.1, each in its own thread."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from azspeech._protocol.framing import decode_frame
from azspeech.emulator.tts_frames import audio_frame, turn_end_frame, turn_start_frame

Behaviour = Callable[[ServerConnection, str], Awaitable[None]]


async def trickle_audio(ws: ServerConnection, rid: str) -> None:
    """A turn whose audio trickles in (far slower than real time) and never ends."""
    await ws.send(turn_start_frame(rid, "tag"))
    while True:
        await ws.send(audio_frame(rid, "s", b"\x00\x00"))
        await asyncio.sleep(0.05)


async def chatter(ws: ServerConnection, rid: str) -> None:
    """A peer that keeps sending messages a client has no use for."""
    await ws.send(turn_start_frame(rid, "tag"))
    while True:
        await ws.send(f"Path:telemetry.noise\r\nX-RequestId:{rid}\r\n\r\n{{}}")
        await asyncio.sleep(0.02)


async def no_audio(ws: ServerConnection, rid: str) -> None:
    """A turn that ends without a byte of audio."""
    await ws.send(turn_start_frame(rid, "tag"))
    await ws.send(turn_end_frame(rid))


@contextlib.contextmanager
def tts_peer(behaviour: Behaviour) -> Iterator[str]:
    """Serve *behaviour* for every synthesis request; yield the endpoint URL."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Future[None]] = []

    async def handler(ws: ServerConnection) -> None:
        with contextlib.suppress(Exception):
            async for frame in ws:
                msg = decode_frame(frame)
                if msg.path in ("ssml", "text.end") and msg.request_id:
                    await behaviour(ws, msg.request_id)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0) as server:
            port.append(server.sockets[0].getsockname()[1])
            stop.append(loop.create_future())
            ready.set()
            await stop[0]

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port[0]}"
    finally:
        loop.call_soon_threadsafe(stop[0].set_result, None)
        thread.join(10)
        loop.close()


@contextlib.contextmanager
def http_peer(status: int, body: bytes, headers: dict[str, str]) -> Iterator[str]:
    """Answer every request with *status*, *headers* and *body*; yield the endpoint URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 204:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 204:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)

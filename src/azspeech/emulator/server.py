"""Running the emulator app under uvicorn, in the foreground or on a background thread.

The HTTP and WebSocket protocol classes are uvicorn's, subclassed to remember
each connection's transport, so that a ``drop`` fault can abort the TCP
connection the way a network failure does (no close frame, no response); the
WebSocket one handles open connections' data frames itself
(:mod:`azspeech.emulator.fast_ws`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Mapping
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .fast_ws import FastWebSocketProtocol

__all__ = ["ServerThread", "abort_connection", "make_config"]

logger = logging.getLogger("azspeech.emulator")

_TRANSPORTS: dict[tuple[str, int], asyncio.BaseTransport] = {}

#: Bind with ``SO_REUSEPORT`` (set by :mod:`azspeech.emulator.workers` in the processes it
#: starts: each serves the same port, and the kernel spreads new connections over them).
REUSE_PORT = False


def _peer(transport: asyncio.BaseTransport) -> tuple[str, int] | None:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return str(peer[0]), int(peer[1])
    return None


class _HttpProtocol(H11Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        peer = _peer(transport)
        if peer is not None:
            _TRANSPORTS[peer] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        peer = _peer(self.transport)
        if peer is not None and _TRANSPORTS.get(peer) is self.transport:
            del _TRANSPORTS[peer]
        super().connection_lost(exc)


class _WsProtocol(FastWebSocketProtocol):
    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            self.handshake_complete = True  # a denial response completes the handshake too

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = _peer(transport)
        if peer is not None:
            _TRANSPORTS[peer] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        peer = _peer(self.transport)
        if peer is not None and _TRANSPORTS.get(peer) is self.transport:
            del _TRANSPORTS[peer]
        super().connection_lost(exc)


def abort_connection(scope: Mapping[str, Any]) -> bool:
    """Abort the TCP connection of an ASGI *scope* at once (no close frame, no FIN handshake).

    Returns False when the transport is unknown (e.g. another ASGI server).
    """
    client = scope.get("client")
    if not client:
        return False
    transport = _TRANSPORTS.get((str(client[0]), int(client[1])))
    if transport is None:
        return False
    abort = getattr(transport, "abort", None)
    if abort is None:  # pragma: no cover
        transport.close()
    else:
        abort()
    return True


def new_loop() -> asyncio.AbstractEventLoop:
    """An event loop for the server: uvloop's when installed (faster), else asyncio's."""
    try:
        import uvloop  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def make_config(app: Any, host: str, port: int, **kw: Any) -> uvicorn.Config:
    """A uvicorn config for the emulator (our protocol classes, no lifespan, quiet)."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": _HttpProtocol,
        "ws": _WsProtocol,
        "lifespan": "off",
        "log_level": "warning",
        "ws_max_size": 64 * 1024 * 1024,
        "ws_ping_interval": None,
        "timeout_graceful_shutdown": 2,
        "backlog": 4096,
        "access_log": False,
    }
    options.update(kw)
    return uvicorn.Config(app, **options)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # older uvicorn; newer checks the thread itself
        pass


class ServerThread:
    """uvicorn serving *app* on a background thread, on an already bound socket."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if REUSE_PORT:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.sock.bind((host, port))
        self.sock.listen(4096)
        self.host = host
        self.port: int = self.sock.getsockname()[1]
        self.config = make_config(app, host, self.port)
        self.server = _Server(self.config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="azspeech-emulator", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        loop = new_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.serve(sockets=[self.sock]))
        except BaseException as exc:  # pragma: no cover - reported by start()
            self._error = exc
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def start(self, timeout: float = 10.0) -> None:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = threading.Event()
        waited = 0.0
        while not self.server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"emulator failed to start: {self._error!r}")
            deadline.wait(0.01)
            waited += 0.01
            if waited > timeout:
                raise RuntimeError("emulator did not start in time")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread."""
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():  # pragma: no cover - stuck connections
                self.server.force_exit = True
                self._thread.join(timeout)
        with contextlib.suppress(OSError):
            self.sock.close()

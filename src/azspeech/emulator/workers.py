"""``--workers N``: the command-line emulator served by N processes on one port.

One Python process runs on one core; a load test of thousands of concurrent
sessions wants all of them. The parent reserves the port (``SO_REUSEPORT``,
bound but not listening), forks N - 1 workers, and then every process, the
parent included, serves its own emulator on a socket bound to that port with
``SO_REUSEPORT``: the kernel spreads new connections over them. Each process
has its own log, script and fault table (a per-connection fault asked for with
``X-Emulator-Fault`` works in any of them); STS tokens are signed with a key
shared before the fork, so a token issued by one worker opens the others.
POSIX only (``os.fork``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import server, state

if TYPE_CHECKING:
    from . import Emulator

__all__ = ["serve_workers"]


def serve_workers(
    args: argparse.Namespace,
    build: Callable[[argparse.Namespace, int], Emulator],
    serve: Callable[..., int],
) -> int:
    """Serve ``args.workers`` emulators (``build(args, port)``) on one port until stopped.

    *serve* is ``serve(emulator, args, banner=...)``: it starts the emulator and
    blocks until SIGINT/SIGTERM. The parent prints the banner and stops its
    workers when it stops.
    """
    if not hasattr(os, "fork") or not hasattr(socket, "SO_REUSEPORT"):
        print("--workers needs os.fork and SO_REUSEPORT; serving with one process", file=sys.stderr)
        return serve(build(args, args.port), args)
    server.REUSE_PORT = True
    state.SHARED_TOKEN_KEY = secrets.token_bytes(32)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    hold = socket.socket(family, socket.SOCK_STREAM)
    hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    hold.bind((args.host, args.port))
    port: int = hold.getsockname()[1]
    children: list[int] = []
    try:
        for _ in range(args.workers - 1):
            pid = os.fork()  # before any thread or event loop exists in this process
            if pid == 0:  # pragma: no cover - runs in the worker (measured by the CLI test)
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
                    code = serve(build(args, port), args, banner=None)
                finally:
                    os._exit(code)
            children.append(pid)
        return serve(build(args, port), args, banner=f"; {args.workers} worker processes")
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        hold.close()

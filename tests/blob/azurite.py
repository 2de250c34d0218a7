"""Azurite (the Azure Storage emulator, npm package ``azurite``) for the blob tests and benchmarks.

The version is pinned in ``tests/blob/azurite/package.json`` (and its lock
file); ``.ci/run`` installs it with ``npm ci``, and :func:`ensure_installed`
does the same on first use when it is missing. :class:`Azurite` starts
``azurite-blob`` on 127.0.0.1, a free port and a temporary folder, and stops
it on exit. :class:`RecordingProxy` is a storage host on another address
(127.0.0.2) that forwards to Azurite and records every request's headers.
"""

from __future__ import annotations

import fcntl
import http.client
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

HERE = Path(__file__).resolve().parent / "azurite"
BINARY = HERE / "node_modules" / ".bin" / "azurite-blob"
ACCOUNT = "devstoreaccount1"
# Azurite's fixed, publicly documented development account key.
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


class AzuriteUnavailable(RuntimeError):
    """Azurite could not be installed or started (the reason says why)."""


def ensure_installed() -> Path:
    """The ``azurite-blob`` executable, installed with ``npm ci`` if missing."""
    if BINARY.exists():
        return BINARY
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise AzuriteUnavailable("node and npm are needed to install Azurite (npm ci)")
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time (pytest-xdist, CI)
        if not BINARY.exists():
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0 or not BINARY.exists():
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise AzuriteUnavailable(f"npm ci of azurite failed: {' | '.join(tail)}")
    return BINARY


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _wait_listening(host: str, port: int, proc: subprocess.Popen[bytes] | None) -> None:
    for _ in range(300):  # up to 30 s (a slow shared machine)
        if proc is not None and proc.poll() is not None:
            raise AzuriteUnavailable(f"azurite-blob exited with {proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AzuriteUnavailable(f"azurite-blob did not listen on {host}:{port} within 30 s")


class Azurite:
    """``azurite-blob`` on 127.0.0.1 (a free port, a temporary folder) while in ``with``."""

    def __init__(
        self, host: str = "127.0.0.1", *, tls: tuple[Path, Path] | None = None, oauth: bool = False
    ) -> None:
        self.host = host
        self.tls = tls  # (certificate, key) PEM files: HTTPS, needed by OAuth
        self.oauth = oauth
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def account_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}/{ACCOUNT}"

    def container_url(self, name: str) -> str:
        return f"{self.account_url}/{name}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.account_url};"
        )

    def start(self) -> Azurite:
        binary = ensure_installed()
        self._dir = tempfile.TemporaryDirectory(prefix="azurite-")
        self.port = free_port(self.host)
        extra = ["--cert", str(self.tls[0]), "--key", str(self.tls[1])] if self.tls else []
        extra += ["--oauth", "basic"] if self.oauth else []
        self._proc = subprocess.Popen(
            [str(binary), "--blobHost", self.host, "--blobPort", str(self.port),
             "--location", self._dir.name, "--silent", "--skipApiVersionCheck", "--loose",
             "--disableTelemetry", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_listening(self.host, self.port, self._proc)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            self._proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0  # the upstream's answer (0: none, e.g. the client went away)


@dataclass
class RecordingProxy:
    """A storage host on *host* (127.0.0.2) that forwards to Azurite and records headers."""

    upstream: tuple[str, int]
    host: str = "127.0.0.2"
    requests: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def account_url(self) -> str:
        return f"http://{self.host}:{self.port}/{ACCOUNT}"

    def container_url(self, name: str) -> str:
        return f"{self.account_url}/{name}"

    def count(self, method: str, blob_part: str = "", *, succeeded: bool = False) -> int:
        """Requests with *method* whose path contains *blob_part* (not container calls);
        with *succeeded*, only those the upstream answered with 2xx."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if r.method == method
                and blob_part in r.path
                and "restype=container" not in r.path
                and (not succeeded or 200 <= r.status < 300)
            )

    def start(self) -> RecordingProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                record = Recorded(self.command, self.path, dict(self.headers))
                with proxy._lock:
                    proxy.requests.append(record)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if body is not None and len(body) < length:
                    self.close_connection = True  # the client went away mid-body
                    return
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = f"{proxy.upstream[0]}:{proxy.upstream[1]}"
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                record.status = resp.status
                self.send_response_only(resp.status, resp.reason)
                skip = {"transfer-encoding", "connection"}
                if self.command != "HEAD":  # a HEAD answer keeps the blob's length
                    skip.add("content-length")
                    self.send_header("Content-Length", str(len(data)))
                for k, v in resp.getheaders():
                    if k.lower() not in skip:
                        self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _forward

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

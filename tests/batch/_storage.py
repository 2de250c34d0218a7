"""A storage host on 127.0.0.2 for batch transcription tests, and a client twin runner.

:func:`storage_host` serves audio blobs (``/container/<name>``, and the Blob
Storage list call on ``/container?restype=container&comp=list``), forwards
``/emulator/batchtranscription/results/...`` to the emulator (so result links
can point at this host), and receives web hook callbacks on ``/hook``
(answering challenges with their token). Every request's headers are
recorded, so a test can check that no Speech key or token arrived.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from azspeech import AsyncSpeechClient, SpeechClient

STORAGE_HOST = "127.0.0.2"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Storage:
    url: str
    emulator_url: str
    blobs: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    hook_status: int = 200
    answer_challenges: bool = True

    def blob_url(self, name: str) -> str:
        return f"{self.url}/container/{urllib.parse.quote(name)}?sv=2023-11-03&sp=r&sig=test"

    def container_url(self) -> str:
        return f"{self.url}/container?sv=2023-11-03&sp=rl&sig=test"

    def credentials_seen(self) -> list[Seen]:
        return [
            s
            for s in self.seen
            if "authorization" in s.headers or "ocp-apim-subscription-key" in s.headers
        ]

    def callbacks(self, event: str | None = None) -> list[Seen]:
        return [
            s
            for s in self.seen
            if s.path.startswith("/hook")
            and (event is None or s.headers.get("x-microsoftspeechservices-event") == event)
        ]


def _handler(storage: Storage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str = "application/octet-stream") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self) -> Seen:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            storage.seen.append(seen)
            return seen

        def do_GET(self) -> None:
            self._record()
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            if parts.path.startswith("/emulator/"):
                req = urllib.request.Request(storage.emulator_url + self.path)
                for name in ("Authorization", "Ocp-Apim-Subscription-Key"):
                    if self.headers.get(name):
                        req.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        self._send(resp.status, resp.read(), "application/json")
                except urllib.error.HTTPError as exc:
                    self._send(exc.code, exc.read(), "application/xml")
                return
            if parts.path == "/container" and query.get("comp") == ["list"]:
                names = "".join(f"<Blob><Name>{n}</Name></Blob>" for n in storage.blobs)
                xml = (
                    f"<EnumerationResults><Blobs>{names}</Blobs><NextMarker/></EnumerationResults>"
                )
                self._send(200, xml.encode(), "application/xml")
                return
            name = urllib.parse.unquote(parts.path.removeprefix("/container/"))
            if parts.path.startswith("/container/") and name in storage.blobs:
                self._send(200, storage.blobs[name], "audio/wav")
                return
            self._send(404, b"<Error><Code>BlobNotFound</Code></Error>", "application/xml")

        def do_POST(self) -> None:
            self._record()
            parts = urllib.parse.urlsplit(self.path)
            token = urllib.parse.parse_qs(parts.query).get("validationToken")
            if token and storage.answer_challenges:
                self._send(200, token[0].encode(), "text/plain")
            else:
                self._send(storage.hook_status, b"", "text/plain")

    return Handler


@contextmanager
def storage_host(emulator_url: str) -> Iterator[Storage]:
    """A storage host on 127.0.0.2 (an ephemeral port) until the block ends."""
    server = ThreadingHTTPServer((STORAGE_HOST, 0), BaseHTTPRequestHandler)
    storage = Storage(f"http://{STORAGE_HOST}:{server.server_address[1]}", emulator_url)
    server.RequestHandlerClass = _handler(storage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield storage
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Twin:
    """The same calls on a blocking or an async client (``mode``): results as plain values."""

    def __init__(self, mode: str, client: SpeechClient, aclient: AsyncSpeechClient | None) -> None:
        self.mode = mode
        self._client = client
        self._aclient = aclient
        self._loop = asyncio.new_event_loop() if mode == "async" else None

    def close(self) -> None:
        if self._loop is not None:
            if self._aclient is not None:
                self._loop.run_until_complete(self._aclient.close())
            self._loop.close()

    def _target(self, path: str) -> Any:
        obj: Any = self._aclient if self.mode == "async" else self._client
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    def __call__(self, path: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``client.<path>(*args, **kwargs)``; pages are collected into a list."""
        out = self._target(path)(*args, **kwargs)
        if self._loop is None:
            return list(out) if hasattr(out, "by_page") else out
        if hasattr(out, "by_page"):

            async def collect() -> list[Any]:
                return [item async for item in out]

            return self._loop.run_until_complete(collect())
        return self._loop.run_until_complete(out)

    def pages(self, path: str, *args: Any, **kwargs: Any) -> list[list[Any]]:
        """The pages of a listing, as lists of items."""
        out = self._target(path)(*args, **kwargs)
        if self._loop is None:
            return [page.items for page in out.by_page()]

        async def collect() -> list[list[Any]]:
            return [page.items async for page in out.by_page()]

        return self._loop.run_until_complete(collect())

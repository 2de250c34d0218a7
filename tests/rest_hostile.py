"""A tiny HTTP/1.1 server on 127.0.0.1 that answers however a test tells it to.

Each connection is handled in a thread by ``handler(request, sock)``: the
request is parsed (headers, and a Content-Length or chunked body), the
handler writes raw bytes. Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""
    complete: bool = True  # the whole body arrived
    unread: bytearray = field(default_factory=bytearray)  # received, not yet parsed


@dataclass
class Server:
    handler: Callable[[Request, socket.socket], None]
    sock: socket.socket = field(default_factory=socket.socket)
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"


def _read_until(conn: socket.socket, buf: bytearray, marker: bytes) -> int:
    while (i := buf.find(marker)) < 0:
        data = conn.recv(65536)
        if not data:
            raise ConnectionError("peer closed")
        buf += data
    return i


def _read_exact(conn: socket.socket, buf: bytearray, n: int) -> bytes:
    while len(buf) < n:
        data = conn.recv(65536)
        if not data:
            raise ConnectionError("peer closed")
        buf += data
    out = bytes(buf[:n])
    del buf[:n]
    return out


def read_request(conn: socket.socket, buf: bytearray, body_limit: int | None = None) -> Request:
    """One request from *conn*; with *body_limit*, stop reading the body after that many bytes."""
    end = _read_until(conn, buf, b"\r\n\r\n")
    head = bytes(buf[:end]).decode("latin-1")
    del buf[: end + 4]
    line, *rest = head.split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = {}
    for h in rest:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = bytearray()
    if "content-length" in headers:
        n = int(headers["content-length"])
        if body_limit is not None and n > body_limit:
            return Request(method, target, headers, _read_exact(conn, buf, body_limit), False, buf)
        body += _read_exact(conn, buf, n)
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            i = _read_until(conn, buf, b"\r\n")
            size = int(bytes(buf[:i]).split(b";")[0], 16)
            del buf[: i + 2]
            if size == 0:
                _read_until(conn, buf, b"\r\n")
                del buf[:2]
                break
            body += _read_exact(conn, buf, size)
            _read_exact(conn, buf, 2)
            if body_limit is not None and len(body) >= body_limit:
                return Request(method, target, headers, bytes(body), False, buf)
    return Request(method, target, headers, bytes(body))


def respond(
    conn: socket.socket,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    reason: str = "X",
) -> None:
    head = f"HTTP/1.1 {status} {reason}\r\n"
    all_headers = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    head += "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
    conn.sendall(head.encode("latin-1") + body)


@contextmanager
def hostile(
    handler: Callable[[Request, socket.socket], None], *, body_limit: int | None = None
) -> Iterator[Server]:
    """Serve *handler* on 127.0.0.1 until the block ends (one thread per connection).

    The handler is given the parsed request; it may read more itself (it has
    the socket) and must write the whole answer. With *body_limit*, only that
    much of each body is read before the handler runs (``request.complete``
    says whether that was all of it).
    """
    server = Server(handler)
    server.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.sock.bind(("127.0.0.1", 0))
    server.sock.listen(32)
    server.sock.settimeout(0.2)
    threads: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                buf = bytearray()
                request = read_request(conn, buf, body_limit)
                server.requests.append(request)
                handler(request, conn)
            except OSError:
                pass

    def accept() -> None:
        while not server.stop.is_set():
            try:
                conn, _ = server.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=serve, args=(conn,), daemon=True)
            threads.append(t)
            t.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        server.stop.set()
        acceptor.join(5)
        server.sock.close()
        for t in threads:
            t.join(15)


def read_request_rest(conn: socket.socket, partial: Request) -> Request:
    """*partial* (read with a body limit) completed by reading the rest of its chunked body."""
    if partial.complete:
        return partial
    assert partial.headers.get("transfer-encoding", "").lower() == "chunked"
    # read_request stopped at a chunk boundary: go on chunk by chunk.
    buf = partial.unread
    body = bytearray(partial.body)
    while True:
        i = _read_until(conn, buf, b"\r\n")
        size = int(bytes(buf[:i]).split(b";")[0], 16)
        del buf[: i + 2]
        if size == 0:
            _read_until(conn, buf, b"\r\n")
            break
        body += _read_exact(conn, buf, size)
        _read_exact(conn, buf, 2)
    return Request(partial.method, partial.target, partial.headers, bytes(body))

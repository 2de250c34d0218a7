"""A total deadline per HTTP attempt, on top of httpx's per-operation timeouts.

httpx's ``timeout`` bounds each socket operation: a server that sends one
byte of headers or body every few seconds never trips it and keeps a call
alive for as long as it likes. :class:`Deadline` is the bound on the whole
answer: it starts when the request has been written (each write of the
request restarts it, so a long upload is bounded by the write timeout per
write, not by the deadline) and covers connecting, the response headers and
the body.

It is enforced at the socket: :func:`install` wraps the network backend of an
httpx client's connection pools so that every read, write and connect waits at
most until the deadline of the request in progress (a context variable, so
concurrent requests and the client's other users are unaffected). Clients
whose transports are not httpcore pools (mock transports, custom ones) get the
deadline checked between body chunks only (:meth:`Deadline.check`).
"""

from __future__ import annotations

import contextlib
import contextvars
import ssl
import time
import typing
from collections.abc import Iterable, Iterator

import httpcore
import httpx

__all__ = ["Deadline", "active", "current", "install"]

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "azspeech_http_deadline", default=None
)


class Deadline:
    """When the answer to the request in progress must be complete (monotonic clock)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self._reading = False

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise ``httpx.ReadTimeout`` once the deadline has passed."""
        if self.expired:
            raise httpx.ReadTimeout(f"no complete answer within {self.seconds:g} s")

    def lift(self) -> None:
        """No deadline any more for the rest of this attempt."""
        self.at = float("inf")

    def _clip(self, timeout: float | None, reading: bool) -> float:
        if reading:
            self._reading = True
        left = self.remaining()
        if left <= 0:
            raise httpcore.ReadTimeout(f"no complete answer within {self.seconds:g} s")
        return left if timeout is None else min(timeout, left)

    def _written(self) -> None:
        # The request is still going out: the answer's deadline starts after it.
        if not self._reading:
            self.at = time.monotonic() + self.seconds


@contextlib.contextmanager
def active(deadline: Deadline | None) -> Iterator[None]:
    """Make *deadline* the one of the requests sent in this context."""
    token = _current.set(deadline)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Deadline | None:
    """The deadline of the request in progress in this context, if any."""
    return _current.get()


def _clip(timeout: float | None, reading: bool = True) -> float | None:
    deadline = _current.get()
    return timeout if deadline is None else deadline._clip(timeout, reading)


def _written() -> None:
    deadline = _current.get()
    if deadline is not None:
        deadline._written()


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, reading=False))
        _written()

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _clip(timeout, False)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _clip(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _clip(timeout, reading=False))
        _written()

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.start_tls(ssl_context, server_hostname, _clip(timeout, False))
        return _AsyncStream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _clip(timeout, False), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _clip(timeout, False), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(
            host, port, _clip(timeout, False), local_address, socket_options
        )
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        inner = await self._inner.connect_unix_socket(path, _clip(timeout, False), socket_options)
        return _AsyncStream(inner)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(client: httpx.Client | httpx.AsyncClient) -> bool:
    """Enforce deadlines at the sockets of *client*'s httpcore pools; True if any was found.

    Idempotent, and harmless to the client's other users: outside an azspeech
    request no deadline is set and the wrappers pass every call through.
    """
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    found = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, (_Backend, _AsyncBackend)):
            found = True
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
            found = True
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            pool._network_backend = _AsyncBackend(backend)  # type: ignore[union-attr]
            found = True
    return found

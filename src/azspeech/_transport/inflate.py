"""Read a response body bounded after decompression.

httpx inflates each compressed chunk in one go, so 64 KiB of gzip can become
64 MiB before anyone looks at the size. Here the raw bytes are inflated with
``max_length``, a little at a time, and reading stops as soon as the decoded
body passes its limit: a gzip bomb costs the limit in memory, not its
expansion. ``gzip``, ``deflate`` and identity are decoded here (the client
asks for nothing else); any other encoding goes through httpx's decoder with
the limit checked per chunk.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Iterator

import httpx

from ..errors import ProtocolError

__all__ = ["ACCEPT_ENCODING", "read_body", "read_body_async"]

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 256 * 1024


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        wbits = zlib.MAX_WBITS | (0 if self._deflate else 16)
        self._z = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        """Inflate *data* in small pieces, until past *room* bytes in all."""
        while True:
            cap = min(max(room, 0), _STEP) + 1  # small pieces: no 16 MiB temporaries
            try:
                out = self._z.decompress(data, cap)
            except zlib.error as exc:
                if self._deflate and self._first:  # some servers send raw deflate
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise httpx.DecodingError(f"{exc}") from exc
            self._first = False
            data = self._z.unconsumed_tail
            yield out
            room -= len(out)
            # A full piece may leave output pending inside zlib: ask again.
            if room < 0 or (not data and len(out) < cap):
                return


def _decoder(response: httpx.Response) -> _Inflater | bool | None:
    """An inflater, None for identity, False when httpx must decode."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater("deflate" if encoding == "deflate" else "gzip")
    return False


def _too_big(what: str, limit: int) -> ProtocolError:
    return ProtocolError(f"{what}: response body exceeds the limit of {limit} bytes")


def _sink(limit: int, what: str) -> tuple[bytearray, Callable[[bytes], None]]:
    body = bytearray()

    def add(piece: bytes) -> None:
        body.extend(piece)
        if len(body) > limit:
            raise _too_big(what, limit)

    return body, add


def _check_declared(response: httpx.Response, limit: int, what: str) -> None:
    declared = response.headers.get("content-length", "")
    encoded = "content-encoding" in response.headers
    if declared.isdigit() and not encoded and int(declared) > limit:
        raise _too_big(what, limit)


def read_body(
    response: httpx.Response, limit: int, what: str, tick: Callable[[], None] = lambda: None
) -> bytes:
    """The decoded body of *response*, at most *limit* bytes (else ProtocolError).

    *tick* runs between chunks (the deadline check of clients without sockets).
    """
    _check_declared(response, limit, what)
    body, add = _sink(limit, what)
    decoder = _decoder(response)
    if decoder is False:
        for chunk in response.iter_bytes():
            tick()
            add(chunk)
    else:
        for raw in response.iter_raw(_STEP):
            tick()
            if decoder is None:
                add(raw)
                continue
            assert isinstance(decoder, _Inflater)
            for piece in decoder.feed(raw, limit - len(body)):
                add(piece)
    return bytes(body)


async def read_body_async(
    response: httpx.Response, limit: int, what: str, tick: Callable[[], None] = lambda: None
) -> bytes:
    """:func:`read_body` for an async response."""
    _check_declared(response, limit, what)
    body, add = _sink(limit, what)
    decoder = _decoder(response)
    chunks: AsyncIterator[bytes] = (
        response.aiter_bytes() if decoder is False else response.aiter_raw(_STEP)
    )
    async for raw in chunks:
        tick()
        if not isinstance(decoder, _Inflater):
            add(raw)
            continue
        for piece in decoder.feed(raw, limit - len(body)):
            add(piece)
    return bytes(body)

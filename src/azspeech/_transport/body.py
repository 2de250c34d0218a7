"""Request bodies that a retry can send again, byte for byte.

A request's ``files`` factory is called once per attempt. For a path it opens
the file afresh, for bytes it hands out the same bytes: both replay exactly.
A pipe, a socket file or any reader that cannot seek is different: a second
call gets the *same* reader, already drained by the first attempt, and a retry
would send only the rest of the stream (or nothing) and may well succeed with
audio missing its start.

:class:`AttemptBodies` makes every attempt send the same bytes:

* a seekable reader is put back where the first attempt started;
* an unseekable reader is wrapped in a :class:`Rewindable` that keeps what the
  first attempt read in a spool (memory, then a temporary file) so that the
  next attempt reads it again before going on with the source. The spool is
  bounded (:data:`MAX_SPOOL_BYTES`): beyond it the request is no longer
  replayable and is not retried.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Mapping
from typing import IO, Any

__all__ = ["MAX_SPOOL_BYTES", "AttemptBodies", "Rewindable"]

MAX_SPOOL_BYTES = 1024 * 1024 * 1024
_MEMORY_BYTES = 8 * 1024 * 1024


class Rewindable(io.RawIOBase):
    """A reader over an unseekable source that can start again from its beginning."""

    def __init__(self, source: Any, max_bytes: int = MAX_SPOOL_BYTES) -> None:
        self._source = source
        self._max = max_bytes
        self._spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_MEMORY_BYTES)  # noqa: SIM115
        self._spooled = 0  # bytes of the source kept in the spool
        self._pos = 0  # where this attempt is
        self.overflowed = False  # the spool hit its bound: no replay possible

    def readable(self) -> bool:
        return True

    def rewind(self) -> bool:
        """Start again from the first byte; False if that is impossible."""
        if self.overflowed:
            return False
        self._pos = 0
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = 1 << 20
        if self._pos < self._spooled:
            self._spool.seek(self._pos)
            data = self._spool.read(min(size, self._spooled - self._pos))
            self._pos += len(data)
            return data
        data = self._source.read(size)
        if not data:
            return b""
        if isinstance(data, str):  # a text-mode file: httpx would refuse it anyway
            data = data.encode("utf-8")
        if not self.overflowed:
            if self._spooled + len(data) > self._max:
                self.overflowed = True
                self._spool.close()
            else:
                self._spool.seek(self._spooled)
                self._spool.write(data)
                self._spooled += len(data)
        self._pos += len(data)
        return bytes(data)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        # The caller's source stays open: it is theirs.
        self._spool.close()
        super().close()


def _seekable(obj: Any) -> bool:
    try:
        return bool(obj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _reader(value: Any) -> tuple[Any, int] | None:
    """The reader inside a ``files`` value (a reader or a tuple holding one) and its index."""
    if isinstance(value, tuple):
        if len(value) >= 2 and hasattr(value[1], "read"):
            return value[1], 1
        return None
    if hasattr(value, "read"):
        return value, -1
    return None


def _replace(value: Any, index: int, reader: Any) -> Any:
    if index < 0:
        return reader
    return (*value[:index], reader, *value[index + 1 :])


class AttemptBodies:
    """The ``files`` of each attempt of one request, the same bytes every time."""

    def __init__(self, max_spool_bytes: int | None = None) -> None:
        self._max = MAX_SPOOL_BYTES if max_spool_bytes is None else max_spool_bytes
        self._rewindable: dict[str, Rewindable] = {}
        self._starts: dict[str, tuple[Any, int]] = {}
        self._attempts = 0

    def files(self, fresh: Mapping[str, Any]) -> dict[str, Any]:
        """*fresh* (what the factory gave for this attempt) made to replay the first attempt."""
        first = self._attempts == 0
        self._attempts += 1
        out = dict(fresh)
        for name, value in fresh.items():
            found = _reader(value)
            if found is None:
                continue
            reader, index = found
            if first:
                if _seekable(reader):
                    self._starts[name] = (reader, reader.tell())
                else:
                    wrapped = Rewindable(reader, self._max)
                    self._rewindable[name] = wrapped
                    out[name] = _replace(value, index, wrapped)
            elif name in self._rewindable:
                wrapped = self._rewindable[name]
                wrapped.rewind()
                out[name] = _replace(value, index, wrapped)
            elif name in self._starts:
                old, start = self._starts[name]
                if reader is old:
                    reader.seek(start)
        return out

    @property
    def replayable(self) -> bool:
        """Whether another attempt can send exactly the bytes of the first."""
        return not any(r.overflowed for r in self._rewindable.values())

    def close(self) -> None:
        """Drop the spools."""
        for wrapped in self._rewindable.values():
            wrapped.close()
        self._rewindable.clear()

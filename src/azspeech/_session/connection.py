"""What a USP session needs of its connection, and the clock of its ``X-Timestamp`` headers.

The sans-I/O state takes timestamps as parameters; this is where the clock is read.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from .._protocol.framing import Message
from .._protocol.framing import timestamp as _format_timestamp

__all__ = ["UspClock", "UspConnection"]


class UspConnection(Protocol):
    """What the session needs of a connection: frames out, decoded messages in, close."""

    async def send(self, frame: str | bytes) -> None:
        """Send one text (``str``) or binary (``bytes``) frame."""

    async def send_many(self, frames: Sequence[bytes]) -> None:
        """Send binary frames in order (a batch of audio messages, written at once)."""

    async def recv(self) -> Message:
        """The next decoded message; a close raises a typed connection error."""

    async def close(self) -> None:
        """Close the connection (idempotent)."""


class UspClock:
    """``X-Timestamp`` values, formatted once per millisecond (the header's resolution)."""

    def __init__(self) -> None:
        self._ms = -1
        self._value = ""

    def __call__(self) -> str:
        now = int(time.time() * 1000)
        if now != self._ms:
            self._ms = now
            self._value = _format_timestamp()
        return self._value

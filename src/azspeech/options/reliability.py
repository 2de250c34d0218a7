"""How a streaming session survives drops, stalls and the service's limits."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidRequestError
from ._base import seconds as _seconds

__all__ = ["Reliability"]


@dataclass(frozen=True, kw_only=True)
class Reliability:
    """How a streaming session survives drops, stalls and the service's limits.

    Attributes:
        chunk_ms: audio per WebSocket message for live audio, in milliseconds
            (10 to 1000; no message carries more than the protocol's 8192 bytes, and
            audio already queued, such as a file, goes out in full 8192-byte messages).
        max_reconnects: consecutive failed reconnects before the session fails
            (a final result resets the count).
        replay_buffer_seconds: at most this much audio is in flight without a
            final result, so that a reconnect can resend all of it.
        window_wait: how long the sender waits for a final result when the
            replay window is full, before it sends on and evicts the oldest audio.
        end_timeout: how long a connection may stay silent while audio goes out
            or after its end before it counts as stalled and is treated as a drop
            (reconnect and replay; ``None``: no limit). Keep it above the
            service's normal quiet gaps in a live stream.
        max_connection_age: renew the connection right after a final result once
            it is this old (the service ends connections after about 10 minutes).
    """

    chunk_ms: int = 100
    max_reconnects: int = 4
    replay_buffer_seconds: float = 120.0
    window_wait: float = 5.0
    end_timeout: float | None = 60.0
    max_connection_age: float | None = 540.0

    def __post_init__(self) -> None:
        if isinstance(self.chunk_ms, bool) or not isinstance(self.chunk_ms, int):
            raise InvalidRequestError(f"chunk_ms must be an int, got {self.chunk_ms!r}")
        if not 10 <= self.chunk_ms <= 1000:
            raise InvalidRequestError(f"chunk_ms must be 10 to 1000, got {self.chunk_ms}")
        if (
            isinstance(self.max_reconnects, bool)
            or not isinstance(self.max_reconnects, int)
            or self.max_reconnects < 0
        ):
            raise InvalidRequestError(
                f"max_reconnects must be an int of 0 or more, got {self.max_reconnects!r}"
            )
        _seconds(
            "replay_buffer_seconds", self.replay_buffer_seconds, allow_none=False, allow_zero=False
        )
        _seconds("window_wait", self.window_wait, allow_none=False, allow_zero=True)
        _seconds("end_timeout", self.end_timeout, allow_none=True, allow_zero=False)
        _seconds("max_connection_age", self.max_connection_age, allow_none=True, allow_zero=True)

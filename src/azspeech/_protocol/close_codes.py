"""What a WebSocket close code from the service means, and whether to reconnect."""

from __future__ import annotations

from ..errors import (
    CanceledError,
    ConnectionClosedError,
    InvalidRequestError,
    ProtocolError,
    SpeechError,
)

__all__ = ["TRANSIENT_CLOSE_CODES", "ConnectionClosedError", "close_error", "is_transient"]

# Closes after which a client reconnects and resumes (service lifetime limit,
# network drop, transient server error, a normal close in the middle of a stream).
TRANSIENT_CLOSE_CODES = frozenset({1000, 1001, 1006, 1011, 1012, 1013, 1014})


def is_transient(code: int) -> bool:
    """Whether a close with *code* is worth a reconnect."""
    return code in TRANSIENT_CLOSE_CODES


def close_error(code: int, reason: str = "") -> SpeechError:
    """The typed error for a close with *code* and *reason* (the service's diagnostic text)."""
    detail = f"WebSocket closed with code {code}" + (f": {reason}" if reason else "")
    if code in (1002, 1003):
        return ProtocolError(detail, code=str(code))
    if code == 1007:
        return CanceledError(detail, reason="Error", code="BadRequestParameters")
    if code in (1008, 1009):
        return InvalidRequestError(detail, code=str(code))
    if code == 4000 or 4001 <= code <= 4999:
        return CanceledError(detail, reason="Error", code=f"ServiceError:{code}")
    return ConnectionClosedError(detail, close_code=code, close_reason=reason)

"""WebSocket connections to the service, over the ``websockets`` asyncio client.

:func:`connect` opens a connection with auth headers, a fresh
``X-ConnectionId``, keepalive pings, an optional proxy and retries on the
transient upgrade failures; :class:`WebSocket` sends frame payloads and
receives decoded :class:`~azspeech._protocol.framing.Message` objects, turning
close codes into typed errors. The blocking client reaches the same code
through :mod:`azspeech._transport.portal`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .._protocol.close_codes import close_error
from .._protocol.framing import DEFAULT_LIMITS, Limits, Message, decode_frame, new_request_id
from ..auth import Auth
from ..errors import (
    ConnectionError,
    SpeechError,
    TimeoutError,
    error_from_response,
    parse_retry_after,
    redact,
)
from .http import USER_AGENT
from .retry import RetryPolicy

__all__ = ["WebSocket", "connect"]

logger = logging.getLogger("azspeech")


class WebSocket:
    """An open service connection: frames out, decoded messages in."""

    def __init__(self, conn: ClientConnection, connection_id: str, limits: Limits) -> None:
        self._conn = conn
        self.connection_id = connection_id
        self.limits = limits

    async def send(self, frame: str | bytes) -> None:
        """Send one text (``str``) or binary (``bytes``) frame."""
        try:
            await self._conn.send(frame)
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc

    async def recv(self) -> Message:
        """Receive and decode the next message; a close raises a typed error."""
        try:
            frame = await self._conn.recv()
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc
        return decode_frame(frame, self.limits)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent)."""
        try:
            await asyncio.wait_for(self._conn.close(code, reason), timeout=5)
        except (asyncio.TimeoutError, OSError, ConnectionClosed):  # pragma: no cover - best effort
            pass

    @property
    def closed(self) -> bool:
        """Whether the connection is closed or closing."""
        return self._conn.state.name in ("CLOSING", "CLOSED")

    @property
    def close_code(self) -> int | None:
        """The close code received from the peer, once closed."""
        return self._conn.close_code


def _closed_error(exc: ConnectionClosed) -> SpeechError:
    rcvd = exc.rcvd
    code = rcvd.code if rcvd is not None else 1006
    reason = rcvd.reason if rcvd is not None else ""
    return close_error(code, reason)


async def connect(
    url: str,
    *,
    auth: Auth | None,
    headers: Mapping[str, str] | None = None,
    open_timeout: float = 10.0,
    proxy: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    policy: RetryPolicy | None = None,
    ping_interval: float | None = 20.0,
) -> WebSocket:
    """Open a WebSocket to the service, retrying transient upgrade failures."""
    policy = policy or RetryPolicy()
    attempt = 0
    reauthed = False
    while True:
        connection_id = new_request_id()
        all_headers: dict[str, str] = {"X-ConnectionId": connection_id, **(headers or {})}
        if auth is not None:
            all_headers.update(await auth.aheaders())
        logger.debug("WebSocket connect %s (attempt %d)", redact(url), attempt + 1)
        kwargs: dict[str, Any] = {
            "additional_headers": all_headers,
            "user_agent_header": USER_AGENT,
            "open_timeout": open_timeout,
            "max_size": limits.max_frame_bytes,
            "ping_interval": ping_interval,
            "ping_timeout": ping_interval,
            "compression": None,
            "proxy": proxy if proxy is not None else True,
        }
        try:
            conn = await ws_connect(url, **kwargs)
            return WebSocket(conn, connection_id, limits)
        except InvalidStatus as exc:
            response = exc.response
            status = response.status_code
            body = response.body.decode("utf-8", "replace") if response.body else ""
            hdrs = {k: v for k, v in response.headers.raw_items()}
            if status == 401 and auth is not None and auth.refreshable and not reauthed:
                auth.invalidate()
                reauthed = True
                continue
            if policy.should_retry_status(status, attempt):
                delay = policy.delay(attempt, parse_retry_after(hdrs))
            else:
                raise error_from_response(status, hdrs, body, what="WebSocket connection") from exc
        except (OSError, asyncio.TimeoutError, InvalidHandshake) as exc:
            if attempt >= policy.max_retries:
                if isinstance(exc, asyncio.TimeoutError):
                    raise TimeoutError(f"WebSocket connection to {redact(url)} timed out") from exc
                raise ConnectionError(f"cannot connect to {redact(url)}: {exc}") from exc
            delay = policy.delay(attempt)
        logger.info("retrying WebSocket connection in %.2fs", delay)
        await asyncio.sleep(delay)
        attempt += 1


# Keep a reference so ruff does not drop the import used only for its version.
WEBSOCKETS_VERSION = websockets.__version__

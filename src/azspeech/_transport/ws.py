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
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._protocol.close_codes import close_error
from .._protocol.framing import DEFAULT_LIMITS, Limits, Message, decode_frame, new_request_id
from ..auth import Auth
from ..errors import (
    ConfigurationError,
    ConnectionError,
    ProtocolError,
    SpeechError,
    TimeoutError,
    error_from_response,
    install_log_redaction,
    parse_retry_after,
    redact,
)

if TYPE_CHECKING:  # websockets is imported on first connect, keeping `import azspeech` light
    from websockets.asyncio.client import ClientConnection
    from websockets.exceptions import ConnectionClosed
from .http import USER_AGENT
from .retry import RetryPolicy

__all__ = ["WebSocket", "connect"]

logger = install_log_redaction(logging.getLogger("azspeech"))
# The websockets library logs handshake headers (the key among them) at DEBUG:
# route its connection logs through a logger of ours that redacts them.
ws_logger = install_log_redaction(logging.getLogger("azspeech.websockets"))


class WebSocket:
    """An open service connection: frames out, decoded messages in."""

    def __init__(self, conn: ClientConnection, connection_id: str, limits: Limits) -> None:
        self._conn = conn
        self.connection_id = connection_id
        self.limits = limits

    async def send(self, frame: str | bytes) -> None:
        """Send one text (``str``) or binary (``bytes``) frame."""
        from websockets.exceptions import ConnectionClosed

        try:
            await self._conn.send(frame)
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc

    async def recv(self) -> Message:
        """Receive and decode the next message; a close raises a typed error."""
        from websockets.exceptions import ConnectionClosed

        try:
            frame = await self._conn.recv()
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc
        return decode_frame(frame, self.limits)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent)."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(asyncio.TimeoutError, OSError, ConnectionClosed):
            await asyncio.wait_for(self._conn.close(code, reason), timeout=5)

    async def __aenter__(self) -> WebSocket:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        """Whether the connection is closed or closing."""
        return self._conn.state.name in ("CLOSING", "CLOSED")

    @property
    def close_code(self) -> int | None:
        """The close code received from the peer, once closed."""
        return self._conn.close_code


def _closed_error(exc: ConnectionClosed) -> SpeechError:
    rcvd, sent = exc.rcvd, exc.sent
    if rcvd is None and sent is not None and sent.code in (1002, 1007, 1009):
        # We closed because the peer broke the protocol (e.g. an oversized frame):
        # not a network drop worth reconnecting for.
        why = sent.reason or "protocol error"
        return ProtocolError(
            f"WebSocket closed by azspeech with code {sent.code}: {why}", code=str(sent.code)
        )
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
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> WebSocket:
    """Open a WebSocket to the service, retrying transient upgrade failures.

    Sends the credential's headers, a fresh ``X-ConnectionId`` (32 hex digits)
    and a ``User-Agent`` naming azspeech. An upgrade answered with 408, 429 or
    5xx, or a connection that fails, is retried with the policy's backoff
    (honouring ``Retry-After``); a 401 with a refreshable credential is retried
    once with a new token. Other answers raise the matching :class:`SpeechError`.
    """
    from websockets.asyncio.client import connect as ws_connect
    from websockets.exceptions import InvalidHandshake, InvalidProxy, InvalidStatus, InvalidURI

    policy = policy or RetryPolicy()
    attempt = 0
    reauthed = False
    where = redact(url)
    while True:
        connection_id = new_request_id()
        all_headers: dict[str, str] = {"X-ConnectionId": connection_id, **(headers or {})}
        if auth is not None:
            all_headers.update(await auth.aheaders())
        logger.debug("WebSocket connect %s (attempt %d)", where, attempt + 1)
        kwargs: dict[str, Any] = {
            "additional_headers": all_headers,
            "user_agent_header": USER_AGENT,
            "open_timeout": open_timeout,
            "max_size": limits.max_frame_bytes,
            "ping_interval": ping_interval,
            "ping_timeout": ping_interval,
            "compression": None,
            "proxy": proxy if proxy is not None else True,
            "logger": ws_logger,
        }
        if ssl_context is not None and url.startswith("wss:"):
            kwargs["ssl"] = ssl_context
        try:
            conn = await ws_connect(url, **kwargs)
        except InvalidURI as exc:
            raise ConfigurationError(f"not a WebSocket URL: {where}") from exc
        except InvalidProxy as exc:
            raise ConfigurationError(
                f"proxy is not a usable proxy URL: {redact(str(exc))}"
            ) from exc
        except InvalidStatus as exc:
            response = exc.response
            status = response.status_code
            body = response.body.decode("utf-8", "replace") if response.body else ""
            hdrs = dict(response.headers.raw_items())
            logger.debug("WebSocket connect %s: HTTP %d", where, status)
            if status == 401 and auth is not None and auth.refreshable and not reauthed:
                auth.invalidate(all_headers)
                reauthed = True
                continue
            retry_after = parse_retry_after(hdrs)
            if policy.should_retry_status(status, attempt) and policy.honours(retry_after):
                delay = policy.delay(attempt, retry_after)
            else:
                raise error_from_response(
                    status, hdrs, body, what=f"WebSocket connection to {where}"
                ) from exc
        except (OSError, asyncio.TimeoutError, InvalidHandshake, EOFError) as exc:
            logger.debug("WebSocket connect %s: %s", where, type(exc).__name__)
            if attempt >= policy.max_retries:
                if isinstance(exc, asyncio.TimeoutError):
                    raise TimeoutError(
                        f"WebSocket connection to {where} timed out after {open_timeout:g}s"
                    ) from exc
                detail = redact(str(exc)) or type(exc).__name__
                raise ConnectionError(f"cannot connect to {where}: {detail}") from exc
            delay = policy.delay(attempt)
        else:
            return WebSocket(conn, connection_id, limits)
        logger.info("retrying WebSocket connection in %.2fs (attempt %d)", delay, attempt + 2)
        await sleep(delay)
        attempt += 1

"""WebSocket connections to the service, over the ``websockets`` asyncio client.

Two layers:

* :func:`connect_raw` opens a :class:`RawWebSocket`: auth headers (the key
  header chosen per feature), a fresh ``X-ConnectionId``, keepalive pings, an
  optional proxy, retries on transient upgrade failures, redirects followed
  only where the credential may go. It moves frames as they are (``str`` for
  text, ``bytes`` for binary) and turns close codes into typed errors. Voice
  Live decodes its JSON events on top of it.
* :func:`connect` wraps that in a :class:`UspSocket`, whose ``recv()`` decodes
  the Speech service's framing ("USP") within :class:`Limits`: speech to text,
  translation and text to speech use it.

Closes are bounded: a peer that never answers the close handshake (or never
drops the TCP connection after breaking the protocol) is cut off after
:data:`CLOSE_TIMEOUT` seconds. The blocking client reaches this code through
:mod:`azspeech._transport.portal`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import functools
import logging
import os
import ssl
import struct
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._protocol.close_codes import close_error
from .._protocol.framing import DEFAULT_LIMITS, Limits, Message, decode_frame, new_request_id
from .._protocol.usp import x_timestamp
from ..auth import Auth
from ..errors import (
    ConfigurationError,
    ConnectionError,
    InvalidRequestError,
    ProtocolError,
    ServiceError,
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

__all__ = [
    "CLOSE_TIMEOUT",
    "RawWebSocket",
    "UspSocket",
    "WebSocket",
    "connect",
    "connect_raw",
    "now_timestamp",
]

logger = install_log_redaction(logging.getLogger("azspeech"))
# The websockets library logs handshake headers (the key among them) at DEBUG:
# route its connection logs through a logger of ours that redacts them.
ws_logger = install_log_redaction(logging.getLogger("azspeech.websockets"))

#: Seconds a close waits for the peer's half of the handshake before dropping the connection.
CLOSE_TIMEOUT = 2.0

#: Header names whose value is a credential: a redirect to another origin is refused
#: while any of them would be sent (websockets itself strips only Authorization and Cookie).
SECRET_HEADERS = frozenset(
    {"ocp-apim-subscription-key", "api-key", "authorization", "proxy-authorization", "cookie"}
)

_FAILED_BY_US = (1002, 1003, 1007, 1009)  # close codes we send when the peer broke the protocol


_HEAD16 = struct.Struct("!BBH")  # WebSocket frame heads with a 16- and a 64-bit length
_HEAD64 = struct.Struct("!BBQ")

_clock = time.time  # the wall clock X-Timestamp reads (tests replace it)
_last_stamp: tuple[int, str] = (-1, "")


def now_timestamp() -> str:
    """The current time as an ``X-Timestamp`` value (the I/O layer's clock for USP frames).

    Formatted once per millisecond (the value's resolution), however many
    frames are sent in it.
    """
    global _last_stamp
    ms = int(_clock() * 1000)
    last_ms, text = _last_stamp
    if ms != last_ms:
        seconds, millis = divmod(ms, 1000)  # exact: a float division may land on .x99999
        when = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).replace(
            microsecond=millis * 1000
        )
        text = x_timestamp(when)
        _last_stamp = (ms, text)
    return text


class RawWebSocket:
    """An open WebSocket: frames out, frames in (``str`` text, ``bytes`` binary).

    A close by the peer raises the typed error of its close code
    (:func:`~azspeech._protocol.close_codes.close_error`); an oversized frame
    is a :class:`~azspeech.errors.ProtocolError`.
    """

    def __init__(self, conn: ClientConnection, connection_id: str) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.protocol import State

        try:
            from websockets.speedups import apply_mask
        except ImportError:  # pragma: no cover (websockets built without its C extension)
            from websockets.utils import apply_mask

        self._conn = conn
        self.connection_id = connection_id
        # Looked up once: an import statement per frame costs websockets' lazy __getattr__.
        self._open_state = State.OPEN
        # BoundedConnection's (see ws_connection.py); any other connection queues nothing.
        self._queued_message: Callable[[], str | bytes | None] = getattr(
            conn, "queued_message", _nothing_queued
        )
        self._connection_closed = ConnectionClosed
        self._apply_mask = apply_mask
        self._masks = b""
        self._mask_pos = 0

    async def send(self, frame: str | bytes) -> None:
        """Send one text (``str``) or binary (``bytes``) frame.

        Raises:
            InvalidRequestError: a text frame that cannot be UTF-8 (a lone
                surrogate); the connection stays open.
        """
        conn = self._conn
        protocol = conn.protocol
        if (
            type(frame) is bytes
            and protocol.state is self._open_state
            and conn.send_in_progress is None
            and not protocol.writes  # nothing of the protocol's own waits to go out first
            and not protocol.extensions
            and not protocol.expect_continuation_frame
        ):
            # The hot path (audio): what websockets' send() does for a binary frame on an
            # open connection, without its async context manager and frame object per frame.
            try:
                conn.transport.write(self._binary_frame(frame))
            except Exception as exc:  # as websockets does: the connection is unusable
                await self._lost(exc)
            if conn.paused or conn.transport.is_closing():
                await conn.drain()  # flow control: the socket's buffer is full
            return
        await self._send_slow(frame)

    async def send_many(self, frames: Sequence[bytes]) -> None:
        """Send binary frames in order, written to the socket at once (one system call).

        What :meth:`send` does per frame, for a batch of audio messages: on an
        open connection the frames are masked and written together; otherwise
        they go one by one through :meth:`send`.
        """
        conn = self._conn
        protocol = conn.protocol
        if not (
            protocol.state is self._open_state
            and conn.send_in_progress is None
            and not protocol.writes
            and not protocol.extensions
            and not protocol.expect_continuation_frame
        ):
            for frame in frames:
                await self.send(frame)
            return
        parts: list[bytes] = []
        add = parts.append
        apply_mask = self._apply_mask
        masks, pos = self._masks, self._mask_pos
        for payload in frames:
            n = len(payload)
            if n < 126:
                add(bytes((0x82, 0x80 | n)))
            elif n < 0x10000:
                add(_HEAD16.pack(0x82, 0xFE, n))
            else:
                add(_HEAD64.pack(0x82, 0xFF, n))
            if pos >= len(masks):
                masks, pos = os.urandom(4096), 0
            mask = masks[pos : pos + 4]
            pos += 4
            add(mask)
            add(apply_mask(payload, mask))
        self._masks, self._mask_pos = masks, pos
        try:
            conn.transport.write(b"".join(parts))
        except Exception as exc:  # as websockets does: the connection is unusable
            await self._lost(exc)
        if conn.paused or conn.transport.is_closing():
            await conn.drain()  # flow control: the socket's buffer is full

    def _binary_frame(self, payload: bytes) -> bytes:
        """A final, masked binary frame (RFC 6455 5.2) carrying *payload*."""
        n = len(payload)
        if n < 126:
            head = bytes((0x82, 0x80 | n))
        elif n < 0x10000:
            head = _HEAD16.pack(0x82, 0xFE, n)
        else:
            head = _HEAD64.pack(0x82, 0xFF, n)
        # Masks from the OS's random source like websockets' own, drawn 1024 at a time
        # rather than one system call per frame.
        pos = self._mask_pos
        if pos >= len(self._masks):
            self._masks, pos = os.urandom(4096), 0
        mask = self._masks[pos : pos + 4]
        self._mask_pos = pos + 4
        return b"".join((head, mask, self._apply_mask(payload, mask)))

    async def _lost(self, exc: Exception) -> None:
        from websockets.exceptions import ConnectionClosed

        conn = self._conn
        conn.set_connection_exc(exc)
        conn.transport.abort()
        await asyncio.shield(conn.connection_lost_waiter)
        close_exc = conn.close_exc
        assert isinstance(close_exc, ConnectionClosed)
        raise _closed_error(close_exc) from exc

    async def _send_slow(self, frame: str | bytes) -> None:
        from websockets.exceptions import ConnectionClosed

        text = isinstance(frame, str)
        try:
            # Encoded here, not in websockets: there a lone surrogate kills the
            # connection, which then looks like a network drop (1006).
            data = frame.encode("utf-8") if isinstance(frame, str) else frame
        except UnicodeEncodeError:
            raise InvalidRequestError(
                "text to send contains a lone surrogate, which is not valid Unicode (clean it "
                "with text.encode('utf-8', 'replace').decode())"
            ) from None
        try:
            await self._conn.send(data, text=text)
        except ConnectionClosed as exc:
            raise _closed_error(exc) from exc

    async def recv(self) -> str | bytes:
        """The next frame; a close raises a typed error."""
        message = self._queued_message()  # often one is waiting: no coroutine to await then
        if message is not None:
            return message
        try:
            return await self._conn.recv()
        except self._connection_closed as exc:
            raise _closed_error(exc) from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent), waiting at most :data:`CLOSE_TIMEOUT` for the peer."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(asyncio.TimeoutError, OSError, ConnectionClosed):
            await asyncio.wait_for(self._conn.close(code, reason), timeout=CLOSE_TIMEOUT + 1)
        if not self._conn.connection_lost_waiter.done():
            self._conn.transport.abort()

    def abort(self) -> None:
        """Drop the TCP connection at once, without a close handshake.

        For a connection whose event loop has finished: nothing can run the
        handshake any more, so the socket itself is closed.
        """
        transport = self._conn.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                getattr(sock, "_sock", sock).close()

    def fail(self, code: int = 1002, reason: str = "") -> None:
        """Fail the connection after a protocol error: send a close frame and hang up at once.

        Nothing the peer sends afterwards is read, so there is no handshake to wait for.
        """
        conn = self._conn
        with contextlib.suppress(Exception):
            conn.protocol.fail(code, reason[:120])
            conn.send_data()
        _hang_up(conn)

    async def __aenter__(self) -> RawWebSocket:
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


class UspSocket:
    """The Speech service's framing ("USP") over a :class:`RawWebSocket`.

    ``send`` takes encoded frames (see :mod:`azspeech._protocol.framing`);
    ``recv`` returns decoded :class:`~azspeech._protocol.framing.Message`
    objects, within *limits*. A frame that does not decode fails the
    connection (close 1002) before the :class:`ProtocolError` is raised.
    """

    def __init__(self, ws: RawWebSocket, limits: Limits = DEFAULT_LIMITS) -> None:
        self.raw = ws
        self.limits = limits

    @property
    def connection_id(self) -> str:
        """The ``X-ConnectionId`` sent with the upgrade."""
        return self.raw.connection_id

    async def send(self, frame: str | bytes) -> None:
        """Send one encoded frame."""
        await self.raw.send(frame)

    async def send_many(self, frames: Sequence[bytes]) -> None:
        """Send encoded binary frames in order, in one write where the connection allows."""
        await self.raw.send_many(frames)

    async def recv(self) -> Message:
        """Receive and decode the next message; a close raises a typed error."""
        frame = await self.raw.recv()
        try:
            return decode_frame(frame, self.limits)
        except ProtocolError as exc:
            self.raw.fail(1002, str(exc))
            raise

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (idempotent, bounded)."""
        await self.raw.close(code, reason)

    def abort(self) -> None:
        """Drop the TCP connection at once, without a close handshake (see the raw socket's)."""
        self.raw.abort()

    async def __aenter__(self) -> UspSocket:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        """Whether the connection is closed or closing."""
        return self.raw.closed

    @property
    def close_code(self) -> int | None:
        """The close code received from the peer, once closed."""
        return self.raw.close_code


WebSocket = UspSocket
"""The name the speech features annotate their connection with (a :class:`UspSocket`)."""


def _nothing_queued() -> None:
    return None


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


def _hang_up(conn: ClientConnection) -> None:
    """Close the TCP connection now (after flushing a close frame), abort if that stalls."""
    if conn.connection_lost_waiter.done():
        return
    conn.transport.close()
    conn.loop.call_later(CLOSE_TIMEOUT, _abort_if_open, conn)


def _abort_if_open(conn: ClientConnection) -> None:
    if not conn.connection_lost_waiter.done():
        conn.transport.abort()


class _RefusedRedirect(Exception):
    """A redirect to another origin that would have carried a credential."""

    def __init__(self, status: int, location: str) -> None:
        super().__init__(f"redirect to {location}")
        self.status = status
        self.location = location


def _origin(url: str) -> tuple[bool, str, int]:
    parts = urlsplit(url)
    secure = parts.scheme in ("wss", "https")
    return secure, (parts.hostname or "").lower(), parts.port or (443 if secure else 80)


@functools.cache
def _websockets_classes() -> tuple[type[Any], type[Any]]:
    """websockets' ``connect`` and ``ClientConnection``, with our two changes (built lazily)."""
    from websockets.asyncio.client import connect

    from .ws_connection import BoundedConnection

    class Connect(connect):
        """Follows redirects only where the credential may go (the same origin)."""

        carries_secrets = False

        def process_redirect(self, exc: Exception) -> Exception | str:
            old = self.uri
            result: Exception | str = super().process_redirect(exc)
            crossing = isinstance(result, str) and _origin(result) != _origin(old)
            if crossing and self.carries_secrets:
                status = int(getattr(getattr(exc, "response", None), "status_code", 0))
                return _RefusedRedirect(status, str(result))
            return result

    return Connect, BoundedConnection


async def connect_raw(
    url: str,
    *,
    auth: Auth | None,
    headers: Mapping[str, str] | None = None,
    key_header: str | None = None,
    open_timeout: float = 10.0,
    proxy: str | None = None,
    max_frame_bytes: int = DEFAULT_LIMITS.max_frame_bytes,
    policy: RetryPolicy | None = None,
    ping_interval: float | None = 20.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> RawWebSocket:
    """Open a WebSocket, retrying transient upgrade failures; frames are not decoded.

    Sends the credential's headers (a key in *key_header*, by default
    ``Ocp-Apim-Subscription-Key``; Voice Live takes ``api-key``), a fresh
    ``X-ConnectionId`` (32 hex digits) and a ``User-Agent`` naming azspeech.
    An upgrade answered with 408, 429 or 5xx, or a connection that fails, is
    retried with the policy's backoff (honouring ``Retry-After``); a 401 with a
    refreshable credential is retried once with a new token. A redirect is
    followed within the same origin; to another origin only when no credential
    is sent (else :class:`~azspeech.errors.ServiceError`). Other answers raise
    the matching :class:`SpeechError`. Frames larger than *max_frame_bytes*
    close the connection with 1009 (a :class:`ProtocolError`).
    """
    from websockets.exceptions import InvalidHandshake, InvalidProxy, InvalidStatus, InvalidURI

    connector, connection_class = _websockets_classes()
    policy = policy or RetryPolicy()
    attempt = 0
    reauthed = False
    where = redact(url)
    while True:
        connection_id = new_request_id()
        all_headers: dict[str, str] = {"X-ConnectionId": connection_id, **(headers or {})}
        if auth is not None:
            if key_header is None:
                all_headers.update(await auth.aheaders())
            else:
                all_headers.update(await auth.aheaders(key_header=key_header))
        logger.debug("WebSocket connect %s (attempt %d)", where, attempt + 1)
        kwargs: dict[str, Any] = {
            "additional_headers": all_headers,
            "user_agent_header": USER_AGENT,
            "open_timeout": open_timeout,
            "max_size": max_frame_bytes,
            "ping_interval": ping_interval,
            "ping_timeout": ping_interval,
            "close_timeout": CLOSE_TIMEOUT,
            "compression": None,
            "proxy": proxy if proxy is not None else True,
            "logger": ws_logger,
            "create_connection": connection_class,
        }
        if ssl_context is not None and url.startswith("wss:"):
            kwargs["ssl"] = ssl_context
        try:
            opener = connector(url, **kwargs)
            opener.carries_secrets = auth is not None or any(
                name.lower() in SECRET_HEADERS for name in all_headers
            )
            conn = await opener
        except _RefusedRedirect as exc:
            raise ServiceError(
                f"WebSocket connection to {where} was redirected (HTTP {exc.status}) to another "
                f"origin, {redact(exc.location)}; not followed, since the credential would be "
                "sent there (pass that URL as the endpoint if you trust it)",
                status_code=exc.status or None,
            ) from None
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
            return RawWebSocket(conn, connection_id)
        logger.info("retrying WebSocket connection in %.2fs (attempt %d)", delay, attempt + 2)
        await sleep(delay)
        attempt += 1


async def connect(
    url: str,
    *,
    auth: Auth | None,
    headers: Mapping[str, str] | None = None,
    key_header: str | None = None,
    open_timeout: float = 10.0,
    proxy: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    policy: RetryPolicy | None = None,
    ping_interval: float | None = 20.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> UspSocket:
    """Open a USP WebSocket to the service (:func:`connect_raw` plus :class:`UspSocket`).

    Same behaviour as :func:`connect_raw`; *limits* bound what ``recv()``
    decodes (its ``max_frame_bytes`` also bounds the frames the socket takes).
    """
    ws = await connect_raw(
        url,
        auth=auth,
        headers=headers,
        key_header=key_header,
        open_timeout=open_timeout,
        proxy=proxy,
        max_frame_bytes=limits.max_frame_bytes,
        policy=policy,
        ping_interval=ping_interval,
        sleep=sleep,
        ssl_context=ssl_context,
    )
    return UspSocket(ws, limits)

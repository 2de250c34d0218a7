"""WebSocket connect() against a tiny local websockets server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from azspeech import (
    AuthenticationError,
    CanceledError,
    ConnectionClosedError,
    ConnectionError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechClient,
)
from azspeech._transport.retry import RetryPolicy
from azspeech._transport.ws import connect
from azspeech.auth import KeyAuth, StsTokenAuth

from .conftest import KEY

Handler = Callable[[ServerConnection], Awaitable[None]]
Reject = Callable[[ServerConnection, Request], Response | None]


class Server:
    def __init__(self) -> None:
        self.requests: list[Headers] = []
        self.paths: list[str] = []
        self.url = ""


async def _echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


@asynccontextmanager
async def server(handler: Handler = _echo, reject: Reject | None = None) -> AsyncIterator[Server]:
    state = Server()

    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        state.requests.append(request.headers)
        state.paths.append(request.path)
        return reject(conn, request) if reject else None

    async with serve(
        handler,
        "127.0.0.1",
        0,
        process_request=process_request,
        logger=logging.getLogger("test.server"),  # the fake service's own logs
    ) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        state.url = f"ws://127.0.0.1:{port}"
        yield state


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def policy(n: int = 2) -> RetryPolicy:
    return RetryPolicy(max_retries=n, initial_backoff=0.01, max_backoff=0.02)


async def test_handshake_headers() -> None:
    async with server() as srv:
        ws = await connect(
            srv.url + "/speech/universal/v2?language=en-US",
            auth=KeyAuth(KEY),
            headers={"X-Extra": "1"},
            policy=policy(),
        )
        async with ws:
            await ws.send("hello")
            echoed = await ws.raw.recv()  # the raw frame under the USP layer
            assert echoed == "hello"
    h = srv.requests[0]
    assert re.fullmatch(r"[0-9a-f]{32}", h["X-ConnectionId"])
    assert h["X-ConnectionId"] == ws.connection_id
    assert h["Ocp-Apim-Subscription-Key"] == KEY
    assert h["User-Agent"].startswith("azspeech/")
    assert h["X-Extra"] == "1"
    assert srv.paths[0] == "/speech/universal/v2?language=en-US"
    assert ws.closed


async def test_each_attempt_gets_a_new_connection_id() -> None:
    calls = 0

    def flaky(conn: ServerConnection, request: Request) -> Response | None:
        nonlocal calls
        calls += 1
        return conn.respond(503, "busy\n") if calls == 1 else None

    async with server(reject=flaky) as srv:
        ws = await connect(srv.url, auth=None, policy=policy(), sleep=Sleeps())
        await ws.close()
    ids = [h["X-ConnectionId"] for h in srv.requests]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert ws.connection_id == ids[1]


async def test_recv_decodes_messages() -> None:
    async def speak(ws: ServerConnection) -> None:
        await ws.send("Path: turn.start\r\nX-RequestId: " + "a" * 32 + "\r\n\r\n{}")
        await ws.wait_closed()

    async with server(speak) as srv:
        ws = await connect(srv.url, auth=None, policy=policy())
        message = await ws.recv()
        await ws.close()
    assert message.path == "turn.start"
    assert message.request_id == "a" * 32


async def test_401_is_authentication_error() -> None:
    def deny(conn: ServerConnection, request: Request) -> Response:
        r = conn.respond(401, '{"error":{"code":"401","message":"Access denied"}}')
        r.headers["apim-request-id"] = "ws-req-1"
        return r

    async with server(reject=deny) as srv:
        with pytest.raises(AuthenticationError) as info:
            await connect(srv.url, auth=KeyAuth(KEY), policy=policy(), sleep=Sleeps())
    assert len(srv.requests) == 1  # a key cannot get better by retrying
    assert info.value.status_code == 401
    assert info.value.request_id == "ws-req-1"
    assert "Access denied" in str(info.value)


async def test_401_with_token_refetches_once() -> None:
    tokens = iter(["token-one-123", "token-two-456", "token-three-789"])
    auth = StsTokenAuth(KEY, lambda k: next(tokens), None)  # type: ignore[arg-type]

    async def afetch(k: str) -> str:
        return next(tokens)

    auth._afetch_fn = afetch  # type: ignore[method-assign]

    def deny_first(conn: ServerConnection, request: Request) -> Response | None:
        if request.headers["Authorization"] == "Bearer token-one-123":
            return conn.respond(401, "expired\n")
        return None

    async with server(reject=deny_first) as srv:
        ws = await connect(srv.url, auth=auth, policy=policy(0))
        await ws.close()
    assert [h["Authorization"] for h in srv.requests] == [
        "Bearer token-one-123",
        "Bearer token-two-456",
    ]


async def test_429_with_retry_after_is_retried() -> None:
    calls = 0

    def throttle(conn: ServerConnection, request: Request) -> Response | None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            r = conn.respond(429, "slow down\n")
            r.headers["Retry-After"] = "0.5"
            return r
        return None

    sleeps = Sleeps()
    async with server(reject=throttle) as srv:
        ws = await connect(srv.url, auth=None, policy=policy(3), sleep=sleeps)
        await ws.close()
    assert calls == 3
    assert sleeps == [0.5, 0.5]


async def test_429_exhausted_is_rate_limit_error() -> None:
    def throttle(conn: ServerConnection, request: Request) -> Response:
        r = conn.respond(429, "slow down\n")
        r.headers["Retry-After"] = "1"
        return r

    async with server(reject=throttle) as srv:
        with pytest.raises(RateLimitError) as info:
            await connect(srv.url, auth=None, policy=policy(1), sleep=Sleeps())
    assert info.value.retry_after == 1.0
    assert len(srv.requests) == 2


async def test_503_retried_then_service_error() -> None:
    sleeps = Sleeps()
    async with server(reject=lambda c, r: c.respond(503, "unavailable\n")) as srv:
        with pytest.raises(ServiceError) as info:
            await connect(srv.url, auth=None, policy=policy(2), sleep=sleeps)
    assert len(srv.requests) == 3
    assert len(sleeps) == 2
    assert all(0.005 <= s <= 0.02 for s in sleeps)
    assert info.value.status_code == 503


async def test_400_is_not_retried() -> None:
    async with server(reject=lambda c, r: c.respond(400, "bad\n")) as srv:
        with pytest.raises(Exception) as info:
            await connect(srv.url, auth=None, policy=policy(2), sleep=Sleeps())
    assert len(srv.requests) == 1
    assert getattr(info.value, "status_code", None) == 400


async def test_nothing_listening_is_connection_error() -> None:
    async with server() as srv:
        url = srv.url
    # The server is gone: the port refuses connections.
    sleeps = Sleeps()
    with pytest.raises(ConnectionError, match="cannot connect"):
        await connect(url, auth=None, policy=policy(1), sleep=sleeps)
    assert len(sleeps) == 1


async def test_bad_url_is_a_configuration_error() -> None:
    from azspeech import ConfigurationError

    with pytest.raises(ConfigurationError):
        await connect("http://127.0.0.1:1/x", auth=None, policy=policy(0))


@pytest.mark.parametrize(
    ("code", "error", "transient"),
    [
        (1000, ConnectionClosedError, True),
        (1001, ConnectionClosedError, True),
        (1011, ConnectionClosedError, True),
        (1007, CanceledError, None),
        (1002, ProtocolError, None),
    ],
)
async def test_close_codes_are_mapped(code: int, error: type, transient: bool | None) -> None:
    async def close_with(ws: ServerConnection) -> None:
        await ws.close(code, "service said so")

    async with server(close_with) as srv:
        ws = await connect(srv.url, auth=None, policy=policy())
        with pytest.raises(error) as info:
            await ws.recv()
        with pytest.raises(error):
            await ws.send("more")
        await ws.close()
    if transient is not None:
        assert info.value.close_code == code
        assert info.value.transient is transient
        assert info.value.close_reason == "service said so"
    assert "service said so" in str(info.value)
    assert ws.close_code == code


async def test_abnormal_drop_is_1006_transient() -> None:
    async def drop(ws: ServerConnection) -> None:
        ws.transport.abort()

    async with server(drop) as srv:
        ws = await connect(srv.url, auth=None, policy=policy())
        with pytest.raises(ConnectionClosedError) as info:
            await ws.recv()
        await ws.close()
    assert info.value.close_code == 1006
    assert info.value.transient


async def test_oversized_frame_is_a_protocol_error_not_a_reconnect() -> None:
    from azspeech._protocol.framing import Limits

    async def big(ws: ServerConnection) -> None:
        await ws.send(b"x" * 4096)
        await ws.wait_closed()

    async with server(big) as srv:
        ws = await connect(srv.url, auth=None, policy=policy(), limits=Limits(max_frame_bytes=1024))
        with pytest.raises(ProtocolError):
            await ws.recv()
        await ws.close()


async def test_handshake_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with server() as srv:
        ws = await connect(srv.url, auth=KeyAuth(KEY), policy=policy())
        await ws.close()
    ours = [r for r in caplog.records if not r.name.startswith("test.")]
    text = "\n".join(r.getMessage() for r in ours)
    assert "Ocp-Apim-Subscription-Key: ***" in text  # the handshake was logged ...
    assert KEY not in text  # ... without the key


def test_blocking_client_runs_a_session_through_the_portal() -> None:
    async def main() -> None:
        async with server() as srv:

            def use_client() -> Any:
                with SpeechClient(endpoint=srv.url, key=KEY, _environ={}) as client:

                    async def session(aclient: Any) -> Any:
                        ws = await aclient._ws_connect(
                            aclient.endpoints.stt("/echo", websocket=True)
                        )
                        async with ws:
                            await ws.send("ping")
                            return await ws.raw.recv()

                    return client._run(session)

            assert await asyncio.to_thread(use_client) == "ping"
        assert srv.paths == ["/echo"]
        assert srv.requests[0]["Ocp-Apim-Subscription-Key"] == KEY

    asyncio.run(main())


async def test_silent_server_is_a_timeout_error() -> None:
    from azspeech import TimeoutError

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # take the upgrade request, never answer
        await asyncio.sleep(5)

    srv = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(TimeoutError, match="timed out"):
            await connect(f"ws://127.0.0.1:{port}", auth=None, open_timeout=0.2, policy=policy(0))
    finally:
        srv.close()


async def test_garbage_answer_is_a_connection_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectionError, match="cannot connect"):
            await connect(f"ws://127.0.0.1:{port}", auth=None, policy=policy(0))
    finally:
        srv.close()


async def test_client_ws_connect_per_call_max_retries() -> None:
    from azspeech import AsyncSpeechClient

    async with (
        server(reject=lambda c, r: c.respond(502, "bad gateway\n")) as srv,
        AsyncSpeechClient(endpoint=srv.url, max_retries=0, _environ={}) as client,
    ):
        with pytest.raises(ServiceError):
            await client._ws_connect(srv.url + "/a")
        assert len(srv.requests) == 1
        with pytest.raises(ServiceError):
            await client._ws_connect(srv.url + "/b", max_retries=1)
        assert len(srv.requests) == 3


async def test_bad_proxy_is_a_configuration_error() -> None:
    from azspeech import ConfigurationError

    with pytest.raises(ConfigurationError, match="proxy"):
        await connect("ws://127.0.0.1:1/x", auth=None, proxy="gopher://p:70", policy=policy(0))

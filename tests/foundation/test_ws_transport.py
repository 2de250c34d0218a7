"""The raw WebSocket transport: redirects never carry credentials to another origin,
closes are bounded when the peer never answers, and the USP adapter sits on top."""

from __future__ import annotations

import asyncio
import io
import logging
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from azspeech import (
    AsyncSpeechClient,
    ConnectionClosedError,
    InvalidRequestError,
    ProtocolError,
    SpeechError,
)
from azspeech._protocol.framing import Limits, encode_text
from azspeech._transport.retry import RetryPolicy
from azspeech._transport.ws import RawWebSocket, UspSocket, connect, connect_raw
from azspeech.auth import KeyAuth

from ._hostile_ws import hostile_server, ignore_everything, sends_then_ignores
from .conftest import KEY

# A bound well under the 10-15 s the unbounded close took, well over the fixed one.
HANG_BOUND = 8.0


class Recorder:
    """A websockets server that records every upgrade request's headers."""

    def __init__(self) -> None:
        self.requests: list[Headers] = []
        self.paths: list[str] = []
        self.url = ""


async def _echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


@asynccontextmanager
async def recorder(location: str | None = None, status: int = 307) -> AsyncIterator[Recorder]:
    """A server that answers *status* with ``Location: location`` to requests for ``/go``."""
    rec = Recorder()

    def process_request(conn: ServerConnection, request: Request) -> Response | None:
        rec.requests.append(request.headers)
        rec.paths.append(request.path)
        if location is not None and request.path.startswith("/go"):
            response = conn.respond(status, "moved\n")
            response.headers["Location"] = location
            return response
        return None

    async with serve(
        _echo, "127.0.0.1", 0, process_request=process_request, logger=logging.getLogger("test.srv")
    ) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        rec.url = f"ws://127.0.0.1:{port}"
        yield rec


def _policy() -> RetryPolicy:
    return RetryPolicy(max_retries=0)


def _secrets_seen(rec: Recorder) -> list[str]:
    return [
        value
        for headers in rec.requests
        for name, value in headers.raw_items()
        if name.lower() in ("ocp-apim-subscription-key", "api-key", "authorization")
    ]


# -- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_cross_origin_redirect_never_carries_the_key(status: int) -> None:
    async with recorder() as elsewhere:  # another port: another origin
        async with recorder(location=elsewhere.url + "/stolen", status=status) as service:
            with pytest.raises(SpeechError, match="another origin") as info:
                await connect(service.url + "/go", auth=KeyAuth(KEY), policy=_policy())
        assert _secrets_seen(elsewhere) == []
        assert elsewhere.requests == []  # not followed at all
    assert info.value.status_code == status
    assert KEY not in str(info.value)


async def test_cross_origin_redirect_with_the_voice_live_key_header() -> None:
    async with recorder() as elsewhere, recorder(location=elsewhere.url + "/x") as service:
        with pytest.raises(SpeechError, match="another origin"):
            await connect_raw(
                service.url + "/go", auth=KeyAuth(KEY), key_header="api-key", policy=_policy()
            )
        assert service.requests[0]["api-key"] == KEY
        assert elsewhere.requests == []


async def test_cross_origin_redirect_with_a_secret_in_extra_headers() -> None:
    async with recorder() as elsewhere, recorder(location=elsewhere.url + "/x") as service:
        with pytest.raises(SpeechError, match="another origin"):
            await connect_raw(
                service.url + "/go",
                auth=None,
                headers={"Ocp-Apim-Subscription-Key": KEY},
                policy=_policy(),
            )
        assert elsewhere.requests == []


async def test_same_origin_redirect_is_followed_with_the_key() -> None:
    async with recorder() as service:
        async with recorder(location="/moved/here") as redirector:
            ws = await connect(redirector.url + "/go", auth=KeyAuth(KEY), policy=_policy())
            await ws.close()
        assert redirector.paths == ["/go", "/moved/here"]
        assert [h["Ocp-Apim-Subscription-Key"] for h in redirector.requests] == [KEY, KEY]
        assert service.requests == []


async def test_cross_origin_redirect_without_credentials_is_followed() -> None:
    async with recorder() as elsewhere, recorder(location=elsewhere.url + "/there") as service:
        ws = await connect_raw(service.url + "/go", auth=None, policy=_policy())
        await ws.send("ping")
        assert await ws.recv() == "ping"
        await ws.close()
    assert elsewhere.paths == ["/there"]


async def test_client_refuses_a_redirect_to_another_origin() -> None:
    async with recorder() as elsewhere, recorder(location=elsewhere.url + "/x") as service:
        async with AsyncSpeechClient(endpoint=service.url, key=KEY, _environ={}) as client:
            with pytest.raises(SpeechError, match="another origin"):
                await client._ws_connect(service.url + "/go")
        assert elsewhere.requests == []


# -- closes that the peer never answers ---------------------------------------------------------


async def test_usp_protocol_error_with_a_silent_peer_is_prompt() -> None:
    no_path = "X-RequestId:" + "a" * 32 + "\r\n\r\n{}"  # a text frame without a Path header
    async with hostile_server(sends_then_ignores(no_path)) as url:
        ws = await connect(url, auth=None, policy=_policy())
        with pytest.raises(ProtocolError):
            await ws.recv()
        await asyncio.wait_for(ws.close(), HANG_BOUND)
        assert ws.closed


async def test_oversized_frame_from_a_silent_peer_is_prompt() -> None:
    async with hostile_server(sends_then_ignores(b"x" * 4096)) as url:
        ws = await connect(url, auth=None, policy=_policy(), limits=Limits(max_frame_bytes=1024))
        with pytest.raises(ProtocolError):
            await asyncio.wait_for(ws.recv(), HANG_BOUND)
        await asyncio.wait_for(ws.close(), HANG_BOUND)


async def test_close_frame_from_a_peer_that_keeps_the_tcp_connection_is_prompt() -> None:
    async def close_then_linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(bytes([0x88, 2]) + (1011).to_bytes(2, "big"))  # close 1011, then nothing
        await writer.drain()
        await ignore_everything(reader, writer)

    async with hostile_server(close_then_linger) as url:
        ws = await connect_raw(url, auth=None, policy=_policy())
        with pytest.raises(ConnectionClosedError) as info:
            await asyncio.wait_for(ws.recv(), HANG_BOUND)  # took 20 s (the keepalive)
        assert info.value.close_code == 1011 and info.value.transient
        await asyncio.wait_for(ws.close(), HANG_BOUND)


def _wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\0\0" * int(seconds * rate))
    return buf.getvalue()


async def test_stt_protocol_error_with_a_silent_peer_is_prompt() -> None:
    turn_start = encode_text("turn.start", {"context": {"serviceTag": "t"}}, request_id="a" * 32)
    broken = "X-RequestId:" + "a" * 32 + "\r\n\r\n{}"
    async with (
        hostile_server(sends_then_ignores(turn_start, broken)) as url,
        AsyncSpeechClient(endpoint="http" + url[2:], key=KEY, max_retries=0, _environ={}) as client,
    ):
        with pytest.raises(ProtocolError):
            await asyncio.wait_for(client.stt.recognize_once(_wav()), HANG_BOUND)


# -- the layers ----------------------------------------------------------------------------------


async def test_raw_socket_moves_frames_and_the_usp_adapter_decodes_them() -> None:
    async with recorder() as srv:
        raw = await connect_raw(srv.url, auth=KeyAuth(KEY), policy=_policy())
        assert isinstance(raw, RawWebSocket)
        await raw.send('{"type":"session.update"}')
        assert await raw.recv() == '{"type":"session.update"}'  # JSON frames pass untouched
        await raw.send(b"\x00\x01")
        assert await raw.recv() == b"\x00\x01"
        usp = UspSocket(raw, Limits())
        await usp.send(encode_text("turn.start", {}, request_id="b" * 32))
        message = await usp.recv()
        assert message.path == "turn.start" and message.request_id == "b" * 32
        assert usp.raw is raw and usp.connection_id == raw.connection_id
        await usp.close()
        assert raw.closed and usp.closed and usp.close_code == raw.close_code
    assert srv.requests[0]["Ocp-Apim-Subscription-Key"] == KEY


async def test_text_that_is_not_utf8_is_refused_and_the_connection_lives_on() -> None:
    async with recorder() as srv:
        ws = await connect_raw(srv.url, auth=None, policy=_policy())
        with pytest.raises(InvalidRequestError, match="surrogate"):
            await ws.send("lone \ud800 surrogate")  # was a 1006 'network drop'
        await ws.send("still open")
        assert await ws.recv() == "still open"
        await ws.close()


async def test_key_header_is_chosen_per_feature() -> None:
    async with recorder() as srv:
        for header in ("api-key", None):
            ws = await connect_raw(srv.url, auth=KeyAuth(KEY), key_header=header, policy=_policy())
            await ws.close()
    assert srv.requests[0]["api-key"] == KEY and "Ocp-Apim-Subscription-Key" not in srv.requests[0]
    assert srv.requests[1]["Ocp-Apim-Subscription-Key"] == KEY and "api-key" not in srv.requests[1]

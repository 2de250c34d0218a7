"""Tiny speech services on 127.0.0.1 that misbehave on purpose (hostile peers for the sessions)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient
from azspeech._protocol.framing import Message, decode_frame, encode_text

Behaviour = Callable[["Peer"], Awaitable[None]]


class Peer:
    """The service's end of one connection: decoded messages in, USP text frames out."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.request_id = ""
        self.audio_bytes = 0

    async def recv(self) -> Message:
        """The next client message (``speech.context`` updates :attr:`request_id`)."""
        msg = decode_frame(await self.ws.recv())
        if msg.path == "speech.context" and msg.request_id:
            self.request_id = msg.request_id
        if msg.path == "audio":
            self.audio_bytes += len(msg.body)
        return msg

    async def send(self, path: str, body: object = "") -> None:
        """Send a text message of the current turn."""
        await self.ws.send(encode_text(path, body, request_id=self.request_id or None))

    async def until_audio_end(self) -> None:
        """Read until the empty audio frame that ends the audio (answering ``turn.start``)."""
        while True:
            msg = await self.recv()
            if msg.path == "speech.context":
                await self.send("turn.start", {"context": {"serviceTag": "fake"}})
            if msg.path == "audio" and not msg.body:
                return


@contextlib.asynccontextmanager
async def fake_service(behaviour: Behaviour) -> AsyncIterator[str]:
    """Serve *behaviour* per connection; yield the endpoint URL for a client."""

    async def handler(ws: ServerConnection) -> None:
        try:
            await behaviour(Peer(ws))
        except Exception as exc:  # the client went away: the fake service's business ends
            logging.getLogger("test.fake_service").debug("behaviour ended: %r", exc)

    async with serve(
        handler, "127.0.0.1", 0, logger=logging.getLogger("test.fake_service")
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}"


async def chatter_forever(peer: Peer) -> None:
    """Answer the turn, then after the audio send only messages no client understands."""
    await peer.until_audio_end()
    while True:
        await peer.send("telemetry.unknown", {"Noise": True})
        await asyncio.sleep(0.05)


async def silent_after_audio(peer: Peer) -> None:
    """Answer the turn, then say nothing at all after the audio (but keep reading)."""
    await peer.until_audio_end()
    while True:
        await peer.recv()


@contextlib.asynccontextmanager
async def fake_client(behaviour: Behaviour, **kw: Any) -> AsyncIterator[AsyncSpeechClient]:
    """An async client (no retries) for a fake service running *behaviour*."""
    kw = {"key": "fake-key", "max_retries": 0, **kw}
    async with fake_service(behaviour) as url, AsyncSpeechClient(endpoint=url, **kw) as client:
        yield client


async def quiet_until_the_end(peer: Peer) -> None:
    """Say nothing while audio flows (a long silence); answer a no-match at its end."""
    await peer.until_audio_end()
    await peer.send("speech.phrase", {"RecognitionStatus": "NoMatch", "Offset": 0, "Duration": 0})
    await peer.send("turn.end")
    while True:
        await peer.recv()

"""The session core carries other features with no copied machinery.

* a USP feature = a codec + a thin :class:`AsyncUspSession` subclass (here a
  toy "translation-like" codec with its own result paths and a binary path),
  getting reconnect, replay and one timeline for free;
* a plain-JSON duplex protocol (Voice Live's shape: no USP, no replay) = an
  :class:`AsyncSession` subclass with ``_open``/``_serve``/``_release``,
  getting the lifecycle, events, callbacks, iteration and the blocking face.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech._protocol.framing import Message, encode_binary
from azspeech._protocol.recognition import Failure, Final, Partial, ResultCodec
from azspeech._session.base import AsyncSession
from azspeech._session.blocking import BlockingSession
from azspeech._session.usp import AsyncUspSession
from azspeech.audio.formats import PcmFormat
from azspeech.options import Reliability

from ._fake_service import Peer, fake_service

TICKS_PER_SECOND = 10_000_000
BPS = 32000  # 16 kHz, 16-bit mono
HANG = 30.0


@dataclass(frozen=True)
class ToyEvent:
    """An event of the toy feature."""

    type: str
    session_id: str = ""
    text: str = ""
    offset_ticks: int = 0
    audio: bytes = b""
    error: BaseException | None = None


class ToyCodec(ResultCodec[ToyEvent]):
    """``toy.hypothesis`` partials, ``toy.phrase`` finals, ``toy.synthesis`` audio."""

    partial_paths = frozenset({"toy.hypothesis"})
    final_paths = frozenset({"toy.phrase"})

    def config(self, fmt: PcmFormat) -> Mapping[str, Any]:
        return {"toy": {"rate": fmt.sample_rate}}

    def context(self, *, audio_offset_ms: int, audio_session_id: str) -> Mapping[str, Any]:
        return {"toy": {"offsetMs": audio_offset_ms}}

    def partial(self, path: str, body: Any, base_ticks: int, session_id: str) -> Partial[ToyEvent]:
        off = body["Offset"] + base_ticks
        event = ToyEvent("partial", session_id, body["Text"], off)
        return Partial(off + body["Duration"], body["Duration"], [event])

    def final(
        self, path: str, body: Any, base_ticks: int, session_id: str
    ) -> Final[ToyEvent] | Failure[ToyEvent] | None:
        if body.get("Status") == "Broken":
            error = RuntimeError("the toy service broke")
            return Failure(error, [ToyEvent("canceled", session_id, error=error)])
        off = body["Offset"] + base_ticks
        event = ToyEvent("final", session_id, body["Text"], off)
        return Final(off + body["Duration"], body["Duration"], [event], recognized=True)

    def detected(self, start: bool, offset_ticks: int, session_id: str) -> ToyEvent:
        return ToyEvent("speech_start" if start else "speech_end", session_id, "", offset_ticks)

    def other(self, msg: Message, base_ticks: int, session_id: str) -> Sequence[ToyEvent] | None:
        if msg.path.lower() == "toy.synthesis":
            return [ToyEvent("audio", session_id, audio=msg.body)]
        return None


class ToySession(AsyncUspSession[ToyEvent]):
    """The whole feature-specific session: URL, codec, event names, session events."""

    event_types = frozenset(
        {"started", "stopped", "canceled", "partial", "final", "audio", "speech_start"}
    )

    def __init__(self, client: AsyncSpeechClient, url: str) -> None:
        super().__init__(
            client,
            url,
            ToyCodec(),
            audio_format=PcmFormat(16000),
            reliability=Reliability(end_timeout=5.0, max_connection_age=None),
        )

    def _started_event(self) -> ToyEvent:
        return ToyEvent("started", self.session_id)

    def _stopped_event(self) -> ToyEvent:
        return ToyEvent("stopped", self.session_id)

    def _canceled_event(self, error: BaseException) -> ToyEvent:
        return ToyEvent("canceled", self.session_id, error=error)


def toy_service() -> Any:
    """One ``toy.phrase`` (and its synthesis) per second of audio; the first connection drops."""
    connections = 0

    async def behaviour(peer: Peer) -> None:
        nonlocal connections
        connections += 1
        first = connections == 1
        received, phrases = 0, 0
        while True:
            msg = await peer.recv()
            if msg.path == "speech.context":
                await peer.send("turn.start", {})
            if msg.path != "audio" or msg.header("Content-Type") == "audio/x-wav":
                continue
            if not msg.body:
                await peer.send("turn.end")
                continue
            received += len(msg.body)
            while received >= (phrases + 1) * BPS:
                start = phrases * TICKS_PER_SECOND
                await peer.send("toy.hypothesis", {"Text": "…", "Offset": start, "Duration": 1})
                await peer.send(
                    "toy.phrase", {"Text": "s", "Offset": start, "Duration": TICKS_PER_SECOND}
                )
                await peer.ws.send(
                    encode_binary("toy.synthesis", b"\1\2", request_id=peer.request_id)
                )
                phrases += 1
                if first and phrases == 2:
                    closing = asyncio.ensure_future(peer.ws.close(1011, "restarting"))
                    with contextlib.suppress(Exception):
                        while True:  # read on: the client's close frame is behind its audio
                            await peer.ws.recv()
                    await closing
                    return

    return behaviour


async def test_a_usp_feature_is_a_codec_and_a_thin_session() -> None:
    async with (
        fake_service(toy_service()) as url,
        AsyncSpeechClient(endpoint=url, key="k", max_retries=0) as client,
    ):
        session = ToySession(client, url.replace("http", "ws", 1) + "/toy")
        finals: list[ToyEvent] = []
        session.on("final", finals.append)
        async with session:
            await session.send(bytes(BPS * 5))
            await session.end_audio()
            kinds = await asyncio.wait_for(_kinds(session), HANG)
    # One timeline across the drop: every second once, at its absolute offset.
    assert [f.offset_ticks for f in finals] == [i * TICKS_PER_SECOND for i in range(5)]
    assert session.reconnects == 1 and session.error is None
    assert kinds[0] == "started" and kinds[-1] == "stopped"
    assert kinds.count("audio") >= 5 and kinds.count("final") == 5


async def test_a_codec_failure_is_canceled_then_raised() -> None:
    async def broken(peer: Peer) -> None:
        await peer.until_audio_end()
        await peer.send("toy.phrase", {"Status": "Broken"})
        while True:
            await peer.recv()

    async with (
        fake_service(broken) as url,
        AsyncSpeechClient(endpoint=url, key="k", max_retries=0) as client,
    ):
        session = ToySession(client, url.replace("http", "ws", 1) + "/toy")
        seen: list[str] = []
        with pytest.raises(RuntimeError, match="toy service broke"):
            async with session:
                await session.send(bytes(BPS))
                await session.end_audio()
                async for event in session:
                    seen.append(event.type)
    assert seen.count("canceled") == 1 and seen[-1] == "stopped"


# -- a plain JSON duplex protocol on the base lifecycle ------------------------------------------


@dataclass(frozen=True)
class JsonEvent:
    """A server event of the JSON protocol: its ``type`` and the rest of its fields."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)


class JsonSession(AsyncSession[JsonEvent]):
    """A Voice-Live-shaped session: JSON events both ways, no USP, no replay."""

    event_types = frozenset({"response.text", "session.ended", "session.started"})

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._ws: ClientConnection | None = None
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send(self, event: dict[str, Any]) -> None:
        self._outbox.put_nowait(event)

    def _end_input(self) -> None:
        self._outbox.put_nowait({"type": "input.end"})

    async def _open(self) -> None:
        self._ws = await connect(self._url)

    async def _serve(self) -> None:
        assert self._ws is not None
        ws = self._ws
        writer = asyncio.ensure_future(self._write(ws))
        try:
            async for raw in ws:
                data = json.loads(raw)
                event = JsonEvent(data.pop("type"), data)
                await self._emit(event)
                if event.type == "session.ended":
                    return
        finally:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)

    async def _write(self, ws: ClientConnection) -> None:
        while True:
            await ws.send(json.dumps(await self._outbox.get()))

    async def _release(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def _started_event(self) -> JsonEvent:
        return JsonEvent("session.started")


@contextlib.asynccontextmanager
async def json_service() -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        async for raw in ws:
            event = json.loads(raw)
            if event["type"] == "input.end":
                await ws.send(json.dumps({"type": "session.ended"}))
                await ws.close()
                return
            await ws.send(json.dumps({"type": "response.text", "text": event["text"].upper()}))

    async with serve(handler, "127.0.0.1", 0, logger=logging.getLogger("test.json")) as server:
        yield f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


async def test_a_json_protocol_reuses_the_lifecycle() -> None:
    async with json_service() as url:
        session = JsonSession(url)
        texts: list[str] = []
        session.on("response.text", lambda event: texts.append(event.data["text"]))
        async with session:
            await session.send({"type": "say", "text": "hello"})
            await session.send({"type": "say", "text": "again"})
            kinds: list[str] = []
            async for event in session:
                kinds.append(event.type)
                if event.type == "response.text" and len(texts) == 2:
                    await session.close()
    assert texts == ["HELLO", "AGAIN"]
    assert kinds == ["session.started", "response.text", "response.text", "session.ended"]


def test_the_blocking_face_of_a_json_session_can_abort_from_its_callback() -> None:
    async def run_service(ready: asyncio.Future[str], stop: asyncio.Event) -> None:
        async with json_service() as url:
            ready.set_result(url)
            await stop.wait()

    with SpeechClient(endpoint="http://127.0.0.1:9", key="k") as client:
        stop = client.portal.call(_event)
        ready: asyncio.Future[str] = client.portal.call(_future)
        client.portal.submit(run_service, ready, stop)
        url = client.portal.call(_wait, ready)
        blocking = BlockingSession(client, lambda aclient: JsonSession(url))
        with blocking:
            blocking.on("response.text", lambda event: blocking.abort())
            client.portal.call(blocking.session.send, {"type": "say", "text": "one"})  # type: ignore[attr-defined]
            kinds = [event.type for event in blocking]
        client.portal.call(_set, stop)
    assert kinds == ["session.started", "response.text"]
    assert blocking.session.done and blocking.error is None


async def _kinds(session: AsyncSession[Any]) -> list[str]:
    return [event.type async for event in session]


async def _event() -> asyncio.Event:
    return asyncio.Event()


async def _future() -> asyncio.Future[str]:
    return asyncio.get_running_loop().create_future()


async def _wait(future: asyncio.Future[str]) -> str:
    return await future


async def _set(event: asyncio.Event) -> None:
    event.set()

"""``response.video.delta`` from small misbehaving servers on 127.0.0.1: bad base64, an oversize
frame, an unknown codec, a drop in the middle of a response, more video than anyone reads."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient
from azspeech.errors import ProtocolError, SpeechError
from azspeech.models import voice_live as m
from azspeech.voice_live import AvatarConfig, video

Behaviour = Callable[[ServerConnection], Awaitable[None]]
STREAMED = AvatarConfig(character="lisa", output_protocol="websocket")


def _video(data: bytes, codec: str = "h264") -> str:
    delta = base64.b64encode(data).decode()
    return json.dumps(
        {"type": "response.video.delta", "output_index": 0, "codec": codec, "delta": delta}
    )


def _response(kind: str, n: int) -> str:
    return json.dumps({"type": kind, "response": {"id": f"resp_{n}", "status": "completed"}})


async def _session(
    behaviour: Behaviour, use: Callable[[Any], Awaitable[Any]]
) -> tuple[list[m.ServerEvent], Any, BaseException | None]:
    """Run *use(conn)* against the server; the events, what *use* returned or raised."""

    async def handler(ws: ServerConnection) -> None:
        assert json.loads(await ws.recv())["type"] == "session.update"  # the avatar configured
        await behaviour(ws)

    async with serve(handler, "127.0.0.1", 0) as server:
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        events: list[m.ServerEvent] = []
        result: Any = None
        error: BaseException | None = None
        async with AsyncSpeechClient(key="k", endpoint=url, max_retries=0) as client:
            conn = client.voice_live.connect("gpt-realtime", avatar=STREAMED)
            conn.on("*", events.append)
            try:
                async with conn:
                    result = await use(conn)
            except SpeechError as exc:
                error = exc
    return events, result, error


async def _drain(conn: Any) -> None:
    async for _ in conn:
        pass


async def test_video_that_is_not_base64_is_a_protocol_error_naming_the_event() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "response.video.delta", "codec": "h264", "delta": "%%"}))
        await ws.wait_closed()

    events, _, error = await _session(behaviour, _drain)
    assert isinstance(error, ProtocolError) and "response.video.delta" in str(error)
    assert [e.type for e in events] == ["canceled", "closed"]


async def test_a_reader_of_the_video_gets_the_error_of_bad_base64(tmp_path: Path) -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(_response("response.created", 1))
        await ws.send(_video(b"\0\0\0\x08ftyp"))
        await ws.send(json.dumps({"type": "response.video.delta", "codec": "h264", "delta": "!"}))
        await ws.wait_closed()

    async def save(conn: Any) -> Any:
        return await conn.avatar.save_video(tmp_path / "broken.mp4", timeout=10)

    _, _, error = await _session(behaviour, save)
    assert isinstance(error, ProtocolError) and "response.video.delta" in str(error)
    assert not (tmp_path / "broken.mp4").exists()  # nothing half-written


async def test_an_oversize_video_delta_ends_the_session_like_any_oversize_frame() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(_video(b"\0" * (13 * 1024 * 1024)))  # > 16 MiB of base64 in one frame
        await ws.wait_closed()

    async def read(conn: Any) -> Any:
        return [chunk async for chunk in conn.avatar.video(timeout=30)]

    events, _, error = await _session(behaviour, read)
    assert isinstance(error, ProtocolError)
    assert "1009" in str(error) or "too big" in str(error).lower(), str(error)
    assert not any(e.type == "response.video.delta" for e in events)


async def test_an_unknown_codec_and_extra_fields_are_passed_through() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(_response("response.created", 1))
        frame = json.loads(_video(b"\x01\x02\x03", codec="av1"))
        await ws.send(json.dumps({**frame, "output_index": 2, "sequence": 7}))
        await ws.send(_response("response.done", 1))
        await ws.wait_closed()

    async def read(conn: Any) -> Any:
        return [chunk async for chunk in conn.avatar.video(timeout=10)]

    events, chunks, _ = await _session(behaviour, read)
    assert chunks == [b"\x01\x02\x03"]
    delta = next(e for e in events if isinstance(e, m.ResponseVideoDelta))
    assert (delta.codec, delta.output_index, delta.data) == ("av1", 2, b"\x01\x02\x03")
    assert delta.raw["sequence"] == 7 and delta.model_extra == {"sequence": 7}


async def test_a_drop_mid_response_raises_from_the_reader_with_the_sessions_error() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(_response("response.created", 1))
        await ws.send(_video(b"first"))
        await ws.close(1011, "boom")

    got: list[bytes] = []
    raised: list[BaseException] = []

    async def read(conn: Any) -> Any:
        try:
            async for chunk in conn.avatar.video(timeout=10):
                got.append(chunk)
        except SpeechError as exc:
            raised.append(exc)
            raise

    _, _, error = await _session(behaviour, read)
    assert got == [b"first"] and error is not None and "boom" in str(error)
    assert raised == [error]  # the reader learns of it, not a silently short video


async def test_responses_without_video_are_skipped_and_unread_video_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(video, "MAX_UNREAD_BYTES", 1000)

    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(_response("response.created", 1))  # a tool call: no video
        await ws.send(_response("response.done", 1))
        for n, fill in ((2, b"a"), (3, b"b")):
            await ws.send(_response("response.created", n))
            await ws.send(_video(fill * 600))
            await ws.send(_response("response.done", n))
        await ws.send(json.dumps({"type": "marker"}))
        await ws.wait_closed()

    async def read(conn: Any) -> Any:
        async for event in conn:
            if event.type == "marker":  # both takes arrived: 1200 unread bytes > 1000
                break
        return [chunk async for chunk in conn.avatar.video(timeout=10)]

    _, chunks, _ = await _session(behaviour, read)
    assert chunks == [b"b" * 600]  # the oldest unread take was dropped

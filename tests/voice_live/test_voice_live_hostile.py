"""Voice Live against small misbehaving peers on 127.0.0.1: drops, garbage, unknown events."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient
from azspeech.errors import ConnectionClosedError, ProtocolError, SpeechError
from azspeech.models import voice_live as m

Behaviour = Callable[[ServerConnection], Awaitable[None]]


async def _run(behaviour: Behaviour) -> tuple[list[m.ServerEvent], BaseException | None, int]:
    connections = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        await behaviour(ws)

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        events: list[m.ServerEvent] = []
        error: BaseException | None = None
        async with AsyncSpeechClient(key="k", endpoint=url, max_retries=0) as client:
            conn = client.voice_live.connect("gpt-realtime")
            try:
                async with conn:
                    async for event in conn:
                        events.append(event)
                        assert len(events) < 100
            except SpeechError as exc:
                error = exc
    return events, error, connections


async def test_a_drop_ends_the_session_with_its_error_and_nothing_is_replayed() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "session.created", "session": {"id": "sess_1"}}))
        await ws.send(json.dumps({"type": "response.brand_new", "x": 1}))
        await ws.close(1011, "boom")

    events, error, connections = await _run(behaviour)
    assert [e.type for e in events] == [
        "session.created",
        "response.brand_new",
        "canceled",
        "closed",
    ]
    assert type(events[1]) is m.ServerEvent and events[1].raw == {
        "type": "response.brand_new",
        "x": 1,
    }
    canceled = events[2]
    assert isinstance(canceled, m.Canceled) and canceled.exception is error
    assert error is not None and "boom" in str(error)
    assert connections == 1  # no reconnect: the conversation lives on the service


async def test_a_frame_that_is_not_json_is_a_protocol_error() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send("this is not json")
        await ws.wait_closed()

    events, error, _ = await _run(behaviour)
    assert isinstance(error, ProtocolError)
    assert [e.type for e in events] == ["canceled", "closed"]


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "response.audio.delta", "delta": "%%%"},
        {"no_type": True},
    ],
)
async def test_malformed_events_fail_clearly(frame: dict[str, Any]) -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(json.dumps(frame))
        await ws.wait_closed()

    _, error, _ = await _run(behaviour)
    assert isinstance(error, ProtocolError)


async def test_known_types_with_odd_fields_still_arrive() -> None:
    async def behaviour(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "error", "error": "a string, not an object"}))
        await ws.close()

    events, error, _ = await _run(behaviour)
    assert events[0].type == "error" and events[0].raw["error"] == "a string, not an object"
    # The conversation has no natural end: any close by the service is reported.
    assert isinstance(error, ConnectionClosedError) and error.code == "1000"

"""Registered tools run beside the session: events keep flowing while a tool works.

A scripted Voice Live peer on 127.0.0.1 asks for tool calls, then sends more
events (speech started, a transcription) *while* the tool runs; the tool only
finishes once the caller has seen them. The waits are bounds for a failure,
never measures of speed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.models import voice_live as m

BOUND = 10.0  # seconds a starved tool waits before giving up (the failure's bound)


def _frame(event_type: str, **fields: Any) -> str:
    return json.dumps({"type": event_type, **fields})


class Peer:
    """A Voice Live service that asks for *calls* in one response, then talks on."""

    def __init__(self, calls: list[tuple[str, str, str]], status: str = "completed") -> None:
        self.calls = calls  # (call_id, name, arguments)
        self.status = status  # of the response that asks for the calls
        self.received: list[dict[str, Any]] = []
        self.url = ""

    async def __call__(self, ws: ServerConnection) -> None:
        await ws.send(_frame("session.created", session={"id": "sess_1"}))
        await ws.send(_frame("response.created", response={"id": "resp_1"}))
        for call_id, name, arguments in self.calls:
            item = {"type": "function_call", "call_id": call_id, "name": name, "id": "i_" + call_id}
            await ws.send(_frame("response.output_item.added", response_id="resp_1", item=item))
            await ws.send(
                _frame(
                    "response.function_call_arguments.done",
                    response_id="resp_1",
                    item_id="i_" + call_id,
                    call_id=call_id,
                    arguments=arguments,
                )
            )
        await ws.send(_frame("response.done", response={"id": "resp_1", "status": self.status}))
        # What the service says while the client's tools are still running:
        await ws.send(_frame("input_audio_buffer.speech_started", audio_start_ms=10, item_id="u1"))
        await ws.send(
            _frame(
                "conversation.item.input_audio_transcription.completed",
                item_id="u1",
                transcript="meanwhile",
            )
        )
        async for message in ws:
            event = json.loads(message)
            self.received.append(event)
            if event["type"] == "response.create":
                await ws.send(_frame("response.created", response={"id": "resp_2"}))
                await ws.send(
                    _frame("response.done", response={"id": "resp_2", "status": "completed"})
                )


@asynccontextmanager
async def _peer(
    calls: list[tuple[str, str, str]], status: str = "completed"
) -> AsyncIterator[Peer]:
    peer = Peer(calls, status)
    async with serve(peer, "127.0.0.1", 0) as server:
        peer.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        yield peer


@asynccontextmanager
async def _client(
    calls: list[tuple[str, str, str]], status: str = "completed"
) -> AsyncIterator[tuple[Peer, Any]]:
    async with (
        _peer(calls, status) as peer,
        AsyncSpeechClient(key="k", endpoint=peer.url, max_retries=0) as client,
    ):
        yield peer, client


async def _until_second_response(conn: Any, on_event: Any = None) -> list[m.ServerEvent]:
    seen: list[m.ServerEvent] = []
    async for event in conn:
        seen.append(event)
        if on_event is not None:
            on_event(event)
        if isinstance(event, m.ResponseDone) and event.response_id == "resp_2":
            return seen
        assert len(seen) < 200
    raise AssertionError(f"the session ended early: {[e.type for e in seen]}")


def _sent(peer: Peer, event_type: str) -> list[dict[str, Any]]:
    return [e for e in peer.received if e["type"] == event_type]


async def test_events_reach_the_caller_while_an_async_tool_runs() -> None:
    released = asyncio.Event()

    async def lookup(city: str) -> str:
        """Slow: answers once the caller has seen what the user said meanwhile."""
        await asyncio.wait_for(released.wait(), BOUND)
        return f"sunny in {city}"

    def watch(event: m.ServerEvent) -> None:
        if isinstance(event, m.TranscriptionCompleted):
            released.set()

    async with (
        _client([("call_1", "lookup", '{"city": "Paris"}')]) as (peer, client),
        client.voice_live.connect("gpt-realtime", tools=[lookup]) as conn,
    ):
        seen = await _until_second_response(conn, watch)
    outputs = _sent(peer, "conversation.item.create")
    assert [o["item"] for o in outputs] == [
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny in Paris"}
    ]
    assert len(_sent(peer, "response.create")) == 1
    kinds = [e.type for e in seen]
    assert kinds.index("conversation.item.input_audio_transcription.completed") < kinds.index(
        "tool_completed"
    )
    done = next(e for e in seen if isinstance(e, m.ToolCompleted))
    assert (done.call_id, done.name, done.output) == ("call_1", "lookup", "sunny in Paris")


def test_events_reach_the_blocking_caller_while_a_sync_tool_runs() -> None:
    released = threading.Event()
    threads: list[str] = []

    def lookup(city: str) -> dict[str, str]:
        """Slow and blocking: waits for the caller's thread to see the transcription."""
        threads.append(threading.current_thread().name)
        if not released.wait(BOUND):
            raise TimeoutError("the caller never saw the events sent while the tool ran")
        return {"sky": "sunny", "city": city}

    async def serve_peer(ready: Any, stop: asyncio.Event, box: list[Peer]) -> None:
        async with _peer([("call_1", "lookup", '{"city": "Oslo"}')]) as peer:
            box.append(peer)
            ready.set()
            await stop.wait()

    box: list[Peer] = []
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    server = threading.Thread(
        target=loop.run_until_complete, args=(serve_peer(ready, stop, box),), daemon=True
    )
    server.start()
    try:
        assert ready.wait(BOUND)
        peer = box[0]
        seen: list[m.ServerEvent] = []
        with (
            SpeechClient(key="k", endpoint=peer.url, max_retries=0) as client,
            client.voice_live.connect("gpt-realtime", tools=[lookup]) as conn,
        ):
            for event in conn:
                seen.append(event)
                if isinstance(event, m.TranscriptionCompleted):
                    released.set()
                if isinstance(event, m.ResponseDone) and event.response_id == "resp_2":
                    break
                assert len(seen) < 200
    finally:
        loop.call_soon_threadsafe(stop.set)
        server.join(BOUND)
    outputs = _sent(peer, "conversation.item.create")
    assert json.loads(outputs[0]["item"]["output"]) == {"sky": "sunny", "city": "Oslo"}
    assert threads and threads[0] != "azspeech-portal"  # a sync tool runs in a worker thread
    kinds = [e.type for e in seen]
    assert kinds.index("input_audio_buffer.speech_started") < kinds.index("tool_completed")


async def test_a_failing_tool_sends_an_error_output_and_a_typed_event() -> None:
    async def explode() -> str:
        """Always fails."""
        raise ValueError("the weather station is down")

    async def fine() -> str:
        """Always works."""
        return "ok"

    calls = [("call_1", "explode", "{}"), ("call_2", "fine", "{}"), ("call_3", "fine", "not json")]
    async with (
        _client(calls) as (peer, client),
        client.voice_live.connect("gpt-realtime", tools=[explode, fine]) as conn,
    ):
        seen = await _until_second_response(conn)
    outputs = {
        o["item"]["call_id"]: o["item"]["output"] for o in _sent(peer, "conversation.item.create")
    }
    assert json.loads(outputs["call_1"]) == {"error": "ValueError: the weather station is down"}
    assert outputs["call_2"] == "ok"
    assert "error" in json.loads(outputs["call_3"])  # arguments that are not JSON
    # One follow-up response, after every call of the response was answered.
    kinds = [e["type"] for e in peer.received]
    assert kinds.count("response.create") == 1 and kinds[-1] == "response.create"
    failed = {e.call_id: e for e in seen if isinstance(e, m.ToolFailed)}
    assert set(failed) == {"call_1", "call_3"}
    assert isinstance(failed["call_1"].exception, ValueError)
    assert failed["call_1"].name == "explode" and "station is down" in failed["call_1"].message
    assert [e.call_id for e in seen if isinstance(e, m.ToolCompleted)] == ["call_2"]


async def test_closing_the_session_cancels_a_running_tool() -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    async def forever() -> str:
        """Never answers on its own."""
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return "late"

    async with _client([("call_1", "forever", "{}")]) as (peer, client):
        conn = client.voice_live.connect("gpt-realtime", tools=[forever])
        await conn.start()
        await asyncio.wait_for(started.wait(), BOUND)
        await asyncio.wait_for(conn.close(), BOUND)
        events = [e async for e in conn]
    assert outcome == ["cancelled"]
    assert isinstance(events[-1], m.Closed)
    assert not _sent(peer, "conversation.item.create")  # nothing is sent for a cancelled call


async def test_a_cancelled_response_gets_its_outputs_but_no_follow_up() -> None:
    async def lookup() -> str:
        """Fast."""
        return "done"

    async with (
        _client([("call_1", "lookup", "{}")], status="cancelled") as (peer, client),
        client.voice_live.connect("gpt-realtime", tools=[lookup]) as conn,
    ):
        async for event in conn:
            if isinstance(event, m.ToolCompleted):
                break
        await conn.send_event("input_audio_buffer.clear")  # a marker after the output
        for _ in range(200):  # bounded: until the marker reached the peer
            if _sent(peer, "input_audio_buffer.clear"):
                break
            await asyncio.sleep(0.02)
    kinds = [e["type"] for e in peer.received if e["type"] != "session.update"]
    assert kinds == ["conversation.item.create", "input_audio_buffer.clear"]

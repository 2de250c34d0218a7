"""Microsoft's azure-ai-voicelive as a referee for the emulator's tool calls and truncation.

The official SDK configures a function tool, speaks a question that names it,
answers the call with ``function_call_output`` + ``response.create``, then
truncates and retrieves the agent's answer: every event it receives must
parse into its own typed models, with the fields this library relies on.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator

voicelive = pytest.importorskip("azure.ai.voicelive.aio", reason="azure-ai-voicelive[aiohttp]")
pytest.importorskip("aiohttp", reason="azure-ai-voicelive needs aiohttp")


async def _until(conn: Any, event_type: str, seen: list[Any]) -> Any:
    for _ in range(3000):
        event = await conn.recv()
        seen.append(event)
        if event.type == event_type:
            return event
    raise AssertionError(f"no {event_type}: {[str(e.type) for e in seen]}")


async def test_official_sdk_answers_a_tool_call_and_truncates_the_answer(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    from azure.ai.voicelive.models import FunctionCallOutputItem
    from azure.core.credentials import AzureKeyCredential

    speech = await aclient.tts.synthesize("Get weather for Oslo.")
    seen: list[Any] = []
    async with voicelive.connect(
        endpoint=emulator.url, credential=AzureKeyCredential(emulator.key), model="gpt-realtime"
    ) as conn:
        await conn.session.update(
            session={
                "modalities": ["text", "audio"],
                "tools": [
                    {
                        "type": "function",
                        "name": "get_weather",
                        "description": "The weather in a city.",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    }
                ],
            }
        )
        await conn.input_audio_buffer.append(audio=base64.b64encode(speech.pcm).decode())
        await conn.input_audio_buffer.append(audio=base64.b64encode(b"\0" * 48_000).decode())
        call = await _until(conn, "response.function_call_arguments.done", seen)
        assert json.loads(call.arguments) == {"city": "Get weather for Oslo."}
        await _until(conn, "response.done", seen)
        await conn.conversation.item.create(
            item=FunctionCallOutputItem(call_id=call.call_id, output='"snow"')
        )
        await conn.response.create()
        done = await _until(conn, "response.audio_transcript.done", seen)
        assert done.transcript == 'The result is "snow".'
        await _until(conn, "response.done", seen)
        await conn.conversation.item.truncate(
            item_id=done.item_id, audio_end_ms=200, content_index=0
        )
        truncated = await _until(conn, "conversation.item.truncated", seen)
        assert truncated.item_id == done.item_id and truncated.audio_end_ms == 200
        await conn.conversation.item.retrieve(item_id=done.item_id)
        retrieved = await _until(conn, "conversation.item.retrieved", seen)
    heard = retrieved.item["content"][0]["transcript"]
    assert heard and 'The result is "snow".'.startswith(heard) and len(heard) < 21
    added = [e for e in seen if e.type == "response.output_item.added"]
    assert added[0].item["type"] == "function_call" and added[0].item["name"] == "get_weather"

"""The client events without a test elsewhere, over real sockets against the emulator:
clearing the input buffer, deleting items, and transcription deltas that add up."""

from __future__ import annotations

from typing import Any

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.models import voice_live as m


async def _until(conn: Any, event_type: str) -> list[m.ServerEvent]:
    seen: list[m.ServerEvent] = []
    async for event in conn:
        seen.append(event)
        if event.type == event_type:
            return seen
        assert len(seen) < 2000
    raise AssertionError(f"no {event_type}: {[e.type for e in seen]}")


async def test_clear_drops_the_audio_so_a_commit_has_nothing(aclient: AsyncSpeechClient) -> None:
    speech = await aclient.tts.synthesize("Forget this.")
    async with aclient.voice_live.connect("gpt-realtime", manual_turns=True) as conn:
        await conn.send_file(speech)
        await conn.clear()
        await _until(conn, "input_audio_buffer.cleared")
        await conn.commit()
        refused = await _until(conn, "error")
    error = refused[-1]
    assert isinstance(error, m.ErrorEvent)
    assert error.error.code == "input_audio_buffer_commit_empty"


def test_items_are_created_and_deleted_blocking(client: SpeechClient) -> None:
    with client.voice_live.connect("gpt-realtime") as conn:
        conn.send_text("Remember me.", respond=False)
        created = next(e for e in conn if isinstance(e, m.ConversationItemCreated))
        item_id = created.item["id"]
        assert created.item["content"] == [{"type": "input_text", "text": "Remember me."}]
        conn.send_event("conversation.item.delete", item_id=item_id)
        deleted = next(e for e in conn if e.type == "conversation.item.deleted")
        conn.send_event("conversation.item.retrieve", item_id=item_id)
        gone = next(e for e in conn if isinstance(e, m.ErrorEvent))
    assert deleted.raw["item_id"] == item_id
    assert gone.error.code == "item_not_found"


async def test_transcription_deltas_add_up_to_the_completed_transcript(
    aclient: AsyncSpeechClient,
) -> None:
    speech = await aclient.tts.synthesize("Several words arrive one by one.")
    deltas: list[str] = []

    async def on_delta(event: m.ServerEvent) -> None:  # a coroutine callback
        assert isinstance(event, m.TranscriptionDelta)
        deltas.append(event.delta)

    async with aclient.voice_live.connect(
        "gpt-realtime", input_transcription="azure-speech", manual_turns=True
    ) as conn:
        conn.on("conversation.item.input_audio_transcription.delta", on_delta)
        await conn.send_file(speech)
        await conn.commit()
        done = await _until(conn, "conversation.item.input_audio_transcription.completed")
    completed = done[-1]
    assert isinstance(completed, m.TranscriptionCompleted)
    assert len(deltas) > 1 and "".join(deltas) == completed.transcript
    assert completed.transcript == "Several words arrive one by one."

"""Barge-in and turn detection, end to end against the emulator's agent.

The session stops playback and truncates the agent's item where the user
stopped hearing it; the emulator cuts the item there (its transcript keeps
the words begun before that point), and honours ``create_response`` and
``interrupt_response``. Ordering, not timing, is asserted: the agent's audio
is paced (``voice_live_chunk_delay``) only so that the user can speak over it.
"""

from __future__ import annotations

from typing import Any

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.models import voice_live as m
from azspeech.voice_live import ServerVad

SILENCE = b"\0" * 48_000
LONG = "Tell me a long story about the sea and the ships and the wind."


async def _until(conn: Any, kind: type[m.ServerEvent] | str) -> list[m.ServerEvent]:
    seen: list[m.ServerEvent] = []
    async for event in conn:
        seen.append(event)
        if (isinstance(kind, str) and event.type == kind) or (
            isinstance(kind, type) and isinstance(event, kind)
        ):
            return seen
        assert len(seen) < 3000
    raise AssertionError(f"no {kind}: {[e.type for e in seen]}")


def _received(emulator: Emulator, event_type: str) -> list[dict[str, Any]]:
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    return [message.json() for message in log.received(event_type)]


@pytest.fixture
def paced(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setitem(emulator.state.extra, "voice_live_chunk_delay", 0.1)
    return emulator


async def test_without_a_player_the_item_is_truncated_at_the_audio_received(
    aclient: AsyncSpeechClient, paced: Emulator
) -> None:
    first = await aclient.tts.synthesize(LONG)
    second = await aclient.tts.synthesize("Stop.")
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        await conn.send_file(first)
        await conn.send_audio(SILENCE)
        before = await _until(conn, m.ResponseAudioDelta)
        await conn.send_file(second)
        await conn.send_audio(SILENCE)
        during = await _until(conn, "conversation.item.truncated")
        chunks = [e for e in before + during if isinstance(e, m.ResponseAudioDelta)]
        item_id = chunks[0].item_id
        assert item_id is not None
        await conn.send_event("conversation.item.retrieve", item_id=item_id)
        retrieved = await _until(conn, "conversation.item.retrieved")
    kinds = [e.type for e in during]
    assert kinds.index("input_audio_buffer.speech_started") < kinds.index(
        "conversation.item.truncated"
    )
    cancelled = next(e for e in during if isinstance(e, m.ResponseDone))
    assert cancelled.status == "cancelled"
    events = before + during
    barge_in = len(before) + next(i for i, e in enumerate(during) if isinstance(e, m.SpeechStarted))
    heard = [e for e in events[:barge_in] if isinstance(e, m.ResponseAudioDelta)]
    heard_ms = sum(round(c.audio.duration.total_seconds() * 1000) for c in heard)
    sent = _received(paced, "conversation.item.truncate")
    assert [(t["item_id"], t["audio_end_ms"]) for t in sent] == [(item_id, heard_ms)]
    item = retrieved[-1].raw["item"]
    said = item["content"][0]["transcript"]
    full = f"You said: {LONG}"
    assert said and full.startswith(said) and len(said) < len(full)
    assert item["status"] == "incomplete"


async def test_the_emulator_refuses_truncating_what_it_never_said(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        await conn.send_text("Hi.")
        answer = await _until(conn, m.ResponseDone)
        item_id = next(e for e in answer if isinstance(e, m.ResponseAudioDelta)).item_id
        assert item_id is not None
        await conn.truncate("item_nobody", 10)
        unknown = await _until(conn, m.ErrorEvent)
        await conn.truncate(item_id, 3_600_000)
        too_late = await _until(conn, m.ErrorEvent)
        await conn.truncate(item_id, 100)
        cut = await _until(conn, "conversation.item.truncated")
    assert unknown[-1].error.code == "item_not_found"  # type: ignore[attr-defined]
    assert too_late[-1].error.code == "invalid_value"  # type: ignore[attr-defined]
    assert cut[-1].raw["audio_end_ms"] == 100


async def test_create_response_false_leaves_the_answer_to_the_client(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    speech = await aclient.tts.synthesize("Wait for me.")
    async with aclient.voice_live.connect(
        "gpt-realtime", turn_detection=ServerVad(create_response=False)
    ) as conn:
        await conn.send_file(speech)
        await conn.send_audio(SILENCE)
        turn = await _until(conn, m.ConversationItemCreated)
        assert not any(isinstance(e, m.ResponseCreated) for e in turn)
        await conn.send_text("Now answer.", respond=False)
        await _until(conn, m.ConversationItemCreated)
        await conn.respond()
        answer = await _until(conn, m.ResponseTranscriptDone)
    assert answer[-1].transcript == "You said: Now answer."  # type: ignore[attr-defined]
    assert len(_received(emulator, "response.create")) == 1


def test_interrupt_response_false_lets_the_agent_finish_blocking(
    client: SpeechClient, paced: Emulator
) -> None:
    first = client.tts.synthesize("Say something long about mountains and rivers.")
    second = client.tts.synthesize("Hmm.")
    with client.voice_live.connect(
        "gpt-realtime", turn_detection=ServerVad(interrupt_response=False)
    ) as conn:
        conn.send_file(first)
        conn.send_audio(SILENCE)
        seen: list[m.ServerEvent] = []
        for event in conn:
            seen.append(event)
            if isinstance(event, m.ResponseAudioDelta):
                conn.send_file(second)  # speak over the agent (from the callback-free loop)
                conn.send_audio(SILENCE)
                break
        for event in conn:
            seen.append(event)
            if isinstance(event, m.ResponseDone):
                break
            assert len(seen) < 3000
    kinds = [e.type for e in seen]
    assert "input_audio_buffer.speech_started" in kinds
    done = next(e for e in seen if isinstance(e, m.ResponseDone))
    assert done.status == "completed"
    transcript = next(e for e in seen if isinstance(e, m.ResponseTranscriptDone))
    assert transcript.transcript == "You said: Say something long about mountains and rivers."


async def test_a_player_that_raises_on_stop_does_not_end_the_session(
    aclient: AsyncSpeechClient, paced: Emulator
) -> None:
    class BrokenPlayer:
        def stop(self) -> float:
            raise RuntimeError("the audio device went away")

    first = await aclient.tts.synthesize(LONG)
    second = await aclient.tts.synthesize("Stop.")
    async with aclient.voice_live.connect("gpt-realtime", player=BrokenPlayer()) as conn:
        await conn.send_file(first)
        await conn.send_audio(SILENCE)
        await _until(conn, m.ResponseAudioDelta)
        await conn.send_file(second)
        await conn.send_audio(SILENCE)
        during = await _until(conn, "conversation.item.truncated")
        stop = await _until(conn, m.ResponseTranscriptDone)  # the answer to "Stop."
        await _until(conn, m.ResponseDone)
        await conn.send_text("Still there?")
        answer = await _until(conn, m.ResponseTranscriptDone)
    assert any(isinstance(e, m.SpeechStarted) for e in during)
    assert stop[-1].transcript == "You said: Stop."  # type: ignore[attr-defined]
    assert answer[-1].transcript == "You said: Still there?"  # type: ignore[attr-defined]
    assert _received(paced, "conversation.item.truncate")  # at the audio received instead

"""Microsoft's azure-ai-voicelive SDK as a referee: it talks to the emulator's Voice Live."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator

voicelive = pytest.importorskip("azure.ai.voicelive.aio", reason="azure-ai-voicelive[aiohttp]")
pytest.importorskip("aiohttp", reason="azure-ai-voicelive needs aiohttp")


async def test_official_sdk_holds_a_spoken_turn_with_the_emulator(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    from azure.core.credentials import AzureKeyCredential

    speech = await aclient.tts.synthesize("Is it raining?")
    pcm = speech.pcm  # 24 kHz 16-bit mono: the session's default input
    events: list[Any] = []
    async with voicelive.connect(
        endpoint=emulator.url, credential=AzureKeyCredential(emulator.key), model="gpt-realtime"
    ) as conn:
        await conn.session.update(
            session={
                "modalities": ["text", "audio"],
                "voice": {"type": "azure-standard", "name": "en-US-AvaMultilingualNeural"},
                "input_audio_transcription": {"model": "azure-speech"},
            }
        )
        for start in range(0, len(pcm), 9600):
            await conn.input_audio_buffer.append(
                audio=base64.b64encode(pcm[start : start + 9600]).decode()
            )
        await conn.input_audio_buffer.append(audio=base64.b64encode(b"\0" * 48_000).decode())
        for _ in range(2000):
            event = await conn.recv()
            events.append(event)
            if event.type == "response.done":
                break
    kinds = [str(e.type) for e in events]
    assert kinds[0] == "session.created" and "session.updated" in kinds
    said = next(e for e in events if e.type.endswith("input_audio_transcription.completed"))
    assert said.transcript == "Is it raining?"
    done = next(e for e in events if e.type == "response.audio_transcript.done")
    assert done.transcript == "You said: Is it raining?"
    audio = [e for e in events if e.type == "response.audio.delta"]
    assert audio and all(len(e.delta) > 0 for e in audio)
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    assert log.headers["api-key"] == emulator.key
    assert log.query["model"] == "gpt-realtime"

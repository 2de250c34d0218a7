"""Against real Azure: skipped unless AZURE_SPEECH_KEY and AZURE_SPEECH_REGION are set.

These check the SDK (and, indirectly, the emulator's fidelity) against the service
itself. Nothing here runs in CI, which has no Azure access.
"""

from __future__ import annotations

import os

import pytest

from azspeech import AsyncSpeechClient, AuthenticationError, SpeechClient

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not (os.environ.get("AZURE_SPEECH_KEY") and os.environ.get("AZURE_SPEECH_REGION")),
        reason="needs AZURE_SPEECH_KEY and AZURE_SPEECH_REGION",
    ),
]

SENTENCE = "The weather is nice today."


@pytest.fixture
def client() -> SpeechClient:
    return SpeechClient()


def test_token_and_voices(client: SpeechClient) -> None:
    assert client.issue_token().count(".") == 2  # a JWT
    voices = client.tts.list_voices(locale="en-US")
    assert any(v.short_name == "en-US-AvaMultilingualNeural" for v in voices)


def test_synthesize_then_recognize(client: SpeechClient) -> None:
    audio = client.tts.synthesize(SENTENCE, voice="en-US-AvaMultilingualNeural")
    assert audio.duration.total_seconds() > 0.5
    result = client.stt.recognize_once(audio.data, language="en-US")
    assert "weather" in result.text.lower()


def test_fast_transcription(client: SpeechClient) -> None:
    audio = client.tts.synthesize(SENTENCE, voice="en-US-AvaMultilingualNeural")
    result = client.stt.transcribe(audio.data, locales=["en-US"])
    assert "weather" in " ".join(p.text for p in result.phrases).lower()


async def test_streaming_synthesis_has_word_boundaries() -> None:
    async with AsyncSpeechClient() as client:
        kinds = [type(item).__name__ async for item in client.tts.stream(SENTENCE)]
    assert "WordBoundary" in kinds
    assert "AudioChunk" in kinds


def test_wrong_key_is_an_authentication_error() -> None:
    with SpeechClient(key="0" * 32) as bad, pytest.raises(AuthenticationError):
        bad.tts.list_voices()

"""recognize_once picks its mode: interactive, or conversation when diarization asks for it."""

from __future__ import annotations

from azspeech import SpeechClient
from azspeech.emulator import Emulator


def test_diarization_switches_recognize_once_to_conversation(
    emulator: Emulator, client: SpeechClient
) -> None:
    audio = client.tts.synthesize("Hello there.")
    result = client.stt.recognize_once(audio.data, diarization=True)
    assert result.text == "Hello there."
    assert result.speaker_id == "Guest-1"
    assert "/speech/recognition/conversation/" in emulator.last_session.path


def test_default_mode_is_interactive(emulator: Emulator, client: SpeechClient) -> None:
    audio = client.tts.synthesize("Hello there.")
    assert client.stt.recognize_once(audio.data).text == "Hello there."
    assert "/speech/recognition/interactive/" in emulator.last_session.path

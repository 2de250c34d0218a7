"""A path the OS cannot take (a NUL byte) is an AudioError naming it, on every entry point."""

from __future__ import annotations

import pytest

from azspeech import AudioError, SpeechClient


@pytest.mark.parametrize("method", ["recognize_once", "recognize_short", "transcribe"])
def test_a_path_with_a_nul_byte_is_an_audio_error(speech_client: SpeechClient, method: str) -> None:
    with pytest.raises(AudioError, match="NUL"):
        getattr(speech_client.stt, method)("meeting\x00.wav")


def test_a_session_send_file_with_a_nul_byte_is_an_audio_error(
    speech_client: SpeechClient,
) -> None:
    with pytest.raises(AudioError, match="NUL"), speech_client.stt.connect() as session:
        session.send_file("a\x00b.wav")

"""``on_progress=`` of LLM speech: the upload reports its bytes as they go out, as in fast STT."""

from __future__ import annotations

from pathlib import Path

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.errors import InvalidRequestError
from azspeech.stt import UploadProgress
from tests.stt._audio import phrase_audio, wav


@pytest.fixture(scope="module")
def speech() -> bytes:
    """Two spoken phrases with long silences: well over one 64 KiB piece."""
    pcm, _ = phrase_audio(["Good morning.", "Hello world."], gap_ms=(3000, 3000), seed=5)
    return wav(pcm)


def _check(seen: list[UploadProgress], size: int, name: str) -> None:
    assert len(seen) >= 2
    sent = [p.sent for p in seen]
    assert sent == sorted(sent)
    assert sent[-1] == size and seen[-1].total == size and seen[-1].fraction == 1.0
    assert {p.name for p in seen} == {name}


def test_blocking_transcribe_reports_each_piece_of_a_file(
    client: SpeechClient, speech: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "morning.wav"
    path.write_bytes(speech)
    seen: list[UploadProgress] = []
    result = client.llm.transcribe(path, prompt="Greetings.", on_progress=seen.append)
    assert "morning" in result.text.lower()
    _check(seen, len(speech), "morning.wav")


def test_blocking_translate_reports_the_upload_of_bytes(
    client: SpeechClient, speech: bytes
) -> None:
    seen: list[UploadProgress] = []
    result = client.llm.translate(speech, target_language="de", on_progress=seen.append)
    assert result.phrases
    _check(seen, len(speech), "audio.wav")


async def test_async_transcribe_and_translate_report_too(
    aclient: AsyncSpeechClient, speech: bytes
) -> None:
    seen: list[UploadProgress] = []
    result = await aclient.llm.transcribe(speech, on_progress=seen.append)
    assert "morning" in result.text.lower()
    _check(seen, len(speech), "audio.wav")
    seen.clear()
    await aclient.llm.translate(speech, target_language="fr", on_progress=seen.append)
    _check(seen, len(speech), "audio.wav")


def test_no_callback_sends_the_same_request_and_a_bad_one_is_refused(
    client: SpeechClient, speech: bytes
) -> None:
    assert "morning" in client.llm.transcribe(speech).text.lower()
    with pytest.raises(InvalidRequestError, match="on_progress"):
        client.llm.transcribe(speech, on_progress="yes")  # type: ignore[arg-type]

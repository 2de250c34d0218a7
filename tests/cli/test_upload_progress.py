"""``on_progress=`` of fast transcription: the upload reports its bytes as they go out."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.errors import InvalidRequestError
from azspeech.stt import UploadProgress


def _wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(bytes(int(32000 * seconds)))
    return path


def _check(seen: list[UploadProgress], size: int, name: str) -> None:
    assert len(seen) >= 2  # a 300 KB file goes out in 64 KiB pieces
    sent = [p.sent for p in seen]
    assert sent == sorted(sent)
    assert sent[-1] == size and seen[-1].total == size and seen[-1].fraction == 1.0
    assert {p.name for p in seen} == {name}


def test_blocking_upload_reports_each_piece_up_to_the_size(
    client: SpeechClient, tmp_path: Path
) -> None:
    wav = _wav(tmp_path / "quiet.wav", 10.0)
    seen: list[UploadProgress] = []
    result = client.stt.transcribe(wav, on_progress=seen.append)
    assert result.duration_ms > 0
    _check(seen, wav.stat().st_size, "quiet.wav")


async def test_async_upload_of_bytes_and_of_a_file_object_report_too(
    aclient: AsyncSpeechClient, tmp_path: Path
) -> None:
    data = _wav(tmp_path / "quiet.wav", 10.0).read_bytes()
    seen: list[UploadProgress] = []
    await aclient.stt.transcribe(data, on_progress=seen.append)
    _check(seen, len(data), "audio.wav")
    seen.clear()
    buffer = io.BytesIO(b"junk" + data)
    buffer.seek(4)  # the caller's position is where the audio starts
    await aclient.stt.transcribe(buffer, on_progress=seen.append)
    _check(seen, len(data), "audio")
    assert not buffer.closed


def test_a_progress_callback_that_is_not_callable_is_refused(
    client: SpeechClient, tmp_path: Path
) -> None:
    wav = _wav(tmp_path / "quiet.wav", 0.5)
    with pytest.raises(InvalidRequestError, match="on_progress"):
        client.stt.transcribe(wav, on_progress=42)  # type: ignore[arg-type]

"""Testing your own code against the emulator: a complete pytest module.

    pytest -q examples/guide_testing.py

Copy the fixtures into your ``conftest.py``. Everything runs on 127.0.0.1;
no Azure account is involved. Async tests need pytest-asyncio (``asyncio_mode = "auto"``
or the ``@pytest.mark.asyncio`` marker used below).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, AuthenticationError, SpeechClient
from azspeech.emulator import Emulator

# -- the application code under test (normally imported from your package) ------------------


def transcribe_voicemail(client: SpeechClient, path: Path) -> str:
    """Your code: every phrase of a recording, one per line."""
    with client.stt.connect(language="en-US", phrases=["Contoso"]) as session:
        session.send_file(path)
        return "\n".join(result.text for result in session.results())


async def greeting_audio(client: AsyncSpeechClient, name: str) -> bytes:
    """Your code: a WAV greeting (the name is user input: it gets escaped)."""
    audio = await client.tts.synthesize(f"Hello {name}, thanks for calling.")
    return audio.data


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """One emulator for the whole test run (starting one takes a fraction of a second)."""
    with Emulator(key="test-key") as emu:
        yield emu


@pytest.fixture
def speech_emulator(emulator: Emulator) -> Iterator[Emulator]:
    """The shared emulator, with faults, script and log cleared after each test."""
    yield emulator
    emulator.reset()


@pytest.fixture
def client(speech_emulator: Emulator) -> Iterator[SpeechClient]:
    with speech_emulator.client() as c:
        yield c


@pytest.fixture
def voicemail(client: SpeechClient, tmp_path: Path) -> Path:
    """Test audio made in code: the emulator's own speech, which it decodes exactly."""
    audio = client.tts.synthesize("Hi, this is Contoso. Please call me back.")
    return audio.save(tmp_path / "voicemail.wav")


# -- tests -----------------------------------------------------------------------------------


def test_transcribes_every_phrase(client: SpeechClient, voicemail: Path) -> None:
    assert transcribe_voicemail(client, voicemail) == "Hi, this is Contoso.\nPlease call me back."


def test_sends_the_phrase_list(
    client: SpeechClient, voicemail: Path, speech_emulator: Emulator
) -> None:
    transcribe_voicemail(client, voicemail)
    context = speech_emulator.last_session.received("speech.context")[0].json()
    assert context["dgi"]["groups"][0]["items"] == [{"text": "Contoso"}]


def test_real_recordings_with_scripted_text(
    client: SpeechClient, speech_emulator: Emulator, tmp_path: Path
) -> None:
    # Audio that is not the emulator's own speech is reported as the scripted text.
    speech_emulator.script("I'd like to cancel my order.")
    noise = np.random.default_rng(0).uniform(-0.3, 0.3, 16000).astype(np.float32)
    path = tmp_path / "call.wav"
    from azspeech.audio import Audio

    Audio.from_samples(np.concatenate([noise, np.zeros(16000, np.float32)]), 16000).save(path)
    assert transcribe_voicemail(client, path) == "I'd like to cancel my order."


def test_survives_a_dropped_connection(
    client: SpeechClient, voicemail: Path, speech_emulator: Emulator
) -> None:
    speech_emulator.faults.drop(after_audio_ms=1500, path="/speech/recognition")
    assert transcribe_voicemail(client, voicemail) == "Hi, this is Contoso.\nPlease call me back."


def test_retries_when_throttled(client: SpeechClient, speech_emulator: Emulator) -> None:
    fault = speech_emulator.faults.reject(429, retry_after=0, times=1)
    assert client.tts.list_voices("en-US")
    assert fault.used == 1


def test_wrong_key_is_an_authentication_error(speech_emulator: Emulator) -> None:
    with speech_emulator.client(key="not-the-key") as bad, pytest.raises(AuthenticationError):
        bad.tts.list_voices()


@pytest.mark.asyncio
async def test_greeting_escapes_the_name(speech_emulator: Emulator) -> None:
    async with speech_emulator.async_client() as client:
        wav = await greeting_audio(client, "<Bob & Alice>")
        assert wav[:4] == b"RIFF"
        heard = await client.stt.recognize_once(wav)
    assert heard.text == "Hello <Bob & Alice>, thanks for calling."
    synthesis = next(s for s in speech_emulator.log if s.received("ssml"))
    ssml = synthesis.received("ssml")[0].text
    assert "&lt;Bob &amp; Alice&gt;" in ssml

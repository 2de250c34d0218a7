"""Issue 12's "Bad input" for Voice Live, over real sockets against the emulator.

Configurations the service would refuse are refused before anything is sent
(async and blocking); audio in another format is converted to the session's
(PCM at another rate, G.711 sessions) or refused with a clear error.
"""

from __future__ import annotations

from typing import Any

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.errors import InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AzureRealtimeNativeVoice, InputTranscription, SessionConfig

SILENCE_24K = b"\0" * 48_000


def _vl_sessions(emulator: Emulator) -> list[Any]:
    return [s for s in emulator.log if s.kind == "voice_live"]


async def _until(conn: Any, kind: type[m.ServerEvent]) -> list[m.ServerEvent]:
    seen: list[m.ServerEvent] = []
    async for event in conn:
        seen.append(event)
        if isinstance(event, kind):
            return seen
        assert len(seen) < 2000
    raise AssertionError(f"no {kind.__name__}: {[e.type for e in seen]}")


REFUSED = [
    ({"voice": {"type": "robot", "name": "x"}}, "unknown voice type"),
    ({"voice": AzureRealtimeNativeVoice(name="ava")}, "azure-realtime model"),
    ({"temperature": 0.2}, "between 0.6 and 1.2"),
    ({"voice": {"type": "azure-standard", "name": "v", "temperature": 1.5}}, "less than or equal"),
    ({"input_audio_format": "mp3"}, "input_audio_format"),
    ({"input_audio_format": "pcm16", "input_audio_sampling_rate": 44100}, "16000 or 24000"),
    ({"input_audio_format": "g711_alaw", "input_audio_sampling_rate": 16000}, "8000"),
    ({"output_audio_format": "opus"}, "output_audio_format"),
    ({"noise_suppression": "near_field"}, "needs a gpt-realtime model"),
    ({"noise_suppression": "studio"}, "noise_reduction type"),
    (
        {"input_transcription": InputTranscription(model="mai-transcribe", phrase_list=["x"])},
        "phrase_list",
    ),
]


@pytest.mark.parametrize(("kwargs", "message"), REFUSED)
async def test_a_configuration_the_service_would_refuse_is_refused_before_sending(
    aclient: AsyncSpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        aclient.voice_live.connect("gpt-4.1", **kwargs)
    assert not _vl_sessions(emulator)


@pytest.mark.parametrize(("kwargs", "message"), REFUSED[:4])
def test_the_blocking_client_refuses_the_same(
    client: SpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        client.voice_live.connect("gpt-4.1", **kwargs)
    assert not _vl_sessions(emulator)


def test_a_session_config_checks_itself_when_built() -> None:
    with pytest.raises(ValueError, match="echo_cancellation"):
        SessionConfig(input_audio_echo_cancellation={"type": "magic"})
    with pytest.raises(ValueError, match="azure-realtime model"):
        SessionConfig(model="gpt-realtime", voice=AzureRealtimeNativeVoice(name="ava"))
    near = SessionConfig(model="gpt-realtime", input_audio_noise_reduction={"type": "far_field"})
    assert near.to_wire()["input_audio_noise_reduction"] == {"type": "far_field"}


async def test_what_only_the_service_knows_comes_back_as_a_typed_error(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.voice_live.connect(
        "azure-realtime", voice=AzureRealtimeNativeVoice(name="ava")
    ) as conn:
        accepted = await _until(conn, m.SessionUpdated)
        assert accepted[-1].session["voice"] == {"type": "azure-realtime-native", "name": "ava"}
        await conn.update(SessionConfig(voice=m.AzureVoice(name="en-US-NobodyNeural")))
        refused = await _until(conn, m.ErrorEvent)
    error = refused[-1]
    assert isinstance(error, m.ErrorEvent) and "NobodyNeural" in error.error.message


@pytest.mark.parametrize("g711", ["g711_ulaw", "g711_alaw"])
async def test_a_g711_session_gets_its_audio_encoded_as_g711(
    aclient: AsyncSpeechClient, emulator: Emulator, g711: str
) -> None:
    speech = await aclient.tts.synthesize("Eight kilohertz.")
    async with aclient.voice_live.connect(
        "gpt-realtime", input_audio_format=g711, input_transcription="azure-speech"
    ) as conn:
        assert conn.input_format.sample_rate == 8000 and conn.input_format.bits_per_sample == 8
        await conn.send_file(speech)  # 24 kHz PCM in, G.711 at 8 kHz out
        await conn.send_audio(b"\xff" * 8000 if g711 == "g711_ulaw" else b"\xd5" * 8000)
        said = await _until(conn, m.TranscriptionCompleted)
    assert said[-1].transcript == "Eight kilohertz."  # type: ignore[attr-defined]
    log = _vl_sessions(emulator)[-1]
    assert log.audio_bytes < len(speech.pcm)  # one byte per sample at 8 kHz, not 16-bit


async def test_audio_that_is_not_whole_samples_is_refused(aclient: AsyncSpeechClient) -> None:
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        with pytest.raises(InvalidRequestError, match="whole 2-byte samples"):
            await conn.send_audio(b"\0" * 4801)
        with pytest.raises(InvalidRequestError, match="raw PCM bytes"):
            await conn.send_audio("not audio")  # type: ignore[arg-type]
        await conn.send_audio(SILENCE_24K)  # the session is still usable


@pytest.mark.parametrize(
    ("model", "session", "message"),
    [
        ("gpt-4.1", {"input_audio_noise_reduction": {"type": "near_field"}}, "gpt-realtime"),
        ("gpt-realtime", {"input_audio_noise_reduction": {"type": "studio"}}, "noise_reduction"),
        ("gpt-realtime", {"input_audio_echo_cancellation": {"type": "x"}}, "echo_cancellation"),
        ("gpt-realtime", {"temperature": 3}, "temperature"),
        ("gpt-realtime", {"voice": {"type": "robot", "name": "x"}}, "voice type"),
    ],
)
async def test_the_emulator_refuses_what_the_service_would_from_unchecked_clients(
    aclient: AsyncSpeechClient, model: str, session: dict[str, Any], message: str
) -> None:
    async with aclient.voice_live.connect(model) as conn:
        await conn.send_event("session.update", session=session)  # past the client's checks
        refused = await _until(conn, m.ErrorEvent)
        await conn.send_event("session.update", session={"instructions": "Be brief."})
        accepted = await _until(conn, m.SessionUpdated)
    assert message in refused[-1].error.message  # type: ignore[attr-defined]
    assert accepted[-1].session["instructions"] == "Be brief."  # type: ignore[attr-defined]

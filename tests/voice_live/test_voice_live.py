"""Voice Live over real sockets against the emulator: conversations, tools, barge-in, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.audio import Audio
from azspeech.emulator import Emulator
from azspeech.errors import AuthenticationError, ConfigurationError, InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AzureSemanticVad, SemanticVad, ServerVad, SessionConfig, Tools

SILENCE = b"\0" * 48_000  # one second of 24 kHz 16-bit silence: ends the user's turn


async def _speech(aclient: AsyncSpeechClient, text: str) -> Audio:
    return await aclient.tts.synthesize(text)


def _vl_log(emulator: Emulator) -> Any:
    return [s for s in emulator.log if s.kind == "voice_live"][-1]


async def _until(conn: Any, kind: type[m.ServerEvent], limit: int = 2000) -> list[m.ServerEvent]:
    seen: list[m.ServerEvent] = []
    async for event in conn:
        seen.append(event)
        if isinstance(event, kind):
            return seen
        assert len(seen) < limit, "no such event"
    raise AssertionError(f"the session ended before {kind.__name__}: {[e.type for e in seen]}")


async def test_a_spoken_turn_gets_a_transcript_and_decodable_agent_audio(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    speech = await _speech(aclient, "What is the weather in Paris?")
    async with aclient.voice_live.connect(
        "gpt-realtime",
        voice="en-US-AvaMultilingualNeural",
        instructions="Be brief.",
        input_transcription="azure-speech",
        turn_detection=AzureSemanticVad(silence_duration_ms=400),
    ) as conn:
        await conn.send_file(speech)
        await conn.send_audio(SILENCE)
        events = await _until(conn, m.ResponseDone)
    kinds = [type(e) for e in events]
    assert kinds.index(m.SpeechStarted) < kinds.index(m.SpeechStopped) < kinds.index(m.ResponseDone)
    said = next(e for e in events if isinstance(e, m.TranscriptionCompleted))
    assert said.transcript == "What is the weather in Paris?"
    chunks = [e for e in events if isinstance(e, m.ResponseAudioDelta)]
    assert chunks and all(isinstance(c.audio, Audio) for c in chunks)
    assert chunks[0].samples.dtype == np.float32
    transcript = next(e for e in events if isinstance(e, m.ResponseTranscriptDone)).transcript
    assert transcript == "You said: What is the weather in Paris?"
    agent = Audio.from_pcm(b"".join(c.audio.pcm for c in chunks), chunks[0].audio.pcm_format)
    heard = await aclient.stt.recognize_once(agent)
    assert heard.text == transcript
    sent = _vl_log(emulator).received("session.update")[0].json()["session"]
    assert sent["voice"] == {"type": "azure-standard", "name": "en-US-AvaMultilingualNeural"}
    assert sent["turn_detection"]["type"] == "azure_semantic_vad"
    headers = _vl_log(emulator).headers
    assert headers["api-key"] == emulator.key and "ocp-apim-subscription-key" not in headers
    assert _vl_log(emulator).query["api-version"] == "2026-07-15"
    assert _vl_log(emulator).query["model"] == "gpt-realtime"


def test_blocking_session_runs_the_same_conversation(client: SpeechClient) -> None:
    speech = client.tts.synthesize("Good morning.")
    transcripts: list[str] = []
    with client.voice_live.connect("gpt-realtime", voice="alloy") as conn:
        conn.on("response.audio_transcript.done", lambda e: transcripts.append(e.transcript))
        conn.send_file(speech)
        conn.send_audio(SILENCE)
        for event in conn:
            if isinstance(event, m.ResponseDone):
                break
        assert conn.remote_session["voice"] == {"type": "openai", "name": "alloy"}
    assert transcripts == ["You said: Good morning."]


async def test_manual_turns_commit_then_respond_in_text(aclient: AsyncSpeechClient) -> None:
    speech = await _speech(aclient, "Hello there.")
    async with aclient.voice_live.connect(
        "gpt-4.1", manual_turns=True, modalities=["text"], input_transcription="azure-speech"
    ) as conn:
        await conn.send_file(speech)
        await conn.commit()
        await _until(conn, m.TranscriptionCompleted)
        await conn.respond()
        events = await _until(conn, m.ResponseDone)
    assert not any(isinstance(e, m.ResponseAudioDelta) for e in events)
    text = "".join(e.delta for e in events if isinstance(e, m.ResponseTextDelta))
    assert text == "You said: Hello there."


async def test_registered_tools_are_called_and_answered(aclient: AsyncSpeechClient) -> None:
    calls: list[str] = []

    def get_weather(city: str) -> dict[str, Any]:
        """The weather in a city."""
        calls.append(city)
        return {"sky": "sunny"}

    async def get_time(zone: str = "UTC") -> str:
        """The time of day."""
        return "noon"

    tools = Tools([get_weather])
    tools.register(get_time)
    speech = await _speech(aclient, "Get weather for Paris.")
    async with aclient.voice_live.connect("gpt-realtime", tools=tools) as conn:
        await conn.send_file(speech)
        await conn.send_audio(SILENCE)
        first = await _until(conn, m.ResponseDone)
        second = await _until(conn, m.ResponseDone)
    call = next(e for e in first if isinstance(e, m.FunctionCall))
    assert call.name == "get_weather"
    assert call.parsed_arguments() == {"city": "Get weather for Paris."}
    assert calls == ["Get weather for Paris."]
    answer = next(e for e in second if isinstance(e, m.ResponseTranscriptDone))
    assert answer.transcript == 'The result is {"sky": "sunny"}.'
    specs = {t.name: t for t in tools.specs}
    assert specs["get_weather"].parameters["required"] == ["city"]
    assert specs["get_time"].parameters["properties"]["zone"] == {"type": "string"}


async def test_barge_in_stops_the_player_and_truncates_at_the_played_time(
    aclient: AsyncSpeechClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(emulator.state.extra, "voice_live_chunk_delay", 0.05)

    class Player:
        stopped = 0

        def stop(self) -> float:
            self.stopped += 1
            return 150.0

    player = Player()
    first = await _speech(aclient, "Tell me a long story about the sea.")
    second = await _speech(aclient, "Stop.")
    async with aclient.voice_live.connect("gpt-realtime", player=player) as conn:
        await conn.send_file(first)
        await conn.send_audio(SILENCE)
        events: list[m.ServerEvent] = []
        async for event in conn:
            events.append(event)
            if sum(isinstance(e, m.ResponseAudioDelta) for e in events) == 3:
                break
        await conn.send_file(second)
        await conn.send_audio(SILENCE)
        rest = await _until(conn, m.ResponseDone)
        truncated = await _until(conn, m.ServerEvent)
        while truncated[-1].type != "conversation.item.truncated":
            truncated = await _until(conn, m.ServerEvent)
    assert player.stopped >= 1
    assert any(isinstance(e, m.SpeechStarted) for e in rest)
    cancelled = [e for e in rest if isinstance(e, m.ResponseDone)]
    assert cancelled[0].status == "cancelled"
    sent = _vl_log(emulator).received("conversation.item.truncate")
    assert sent and sent[0].json()["audio_end_ms"] == 150
    item_id = next(e for e in events if isinstance(e, m.ResponseAudioDelta)).item_id
    assert sent[0].json()["item_id"] == item_id


async def test_cancel_ends_the_response_as_cancelled(
    aclient: AsyncSpeechClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(emulator.state.extra, "voice_live_chunk_delay", 0.05)
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        await conn.send_text("Talk for a while about clouds and rain.")
        await _until(conn, m.ResponseAudioDelta)
        await conn.cancel()
        done = await _until(conn, m.ResponseDone)
    assert isinstance(done[-1], m.ResponseDone) and done[-1].status == "cancelled"


async def test_service_errors_arrive_typed_and_the_session_goes_on(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.voice_live.connect("gpt-realtime", voice="en-US-NobodyNeural") as conn:
        refused = await _until(conn, m.ErrorEvent)
        assert "NobodyNeural" in refused[-1].error.message
        await conn.send_event("no.such.event", detail=1)
        unknown = await _until(conn, m.ErrorEvent)
        assert unknown[-1].error.code == "unknown_event"
        await conn.send_text("Still there?")
        answer = await _until(conn, m.ResponseTranscriptDone)
    assert answer[-1].transcript == "You said: Still there?"


async def test_callbacks_see_every_event_including_generic_ones(aclient: AsyncSpeechClient) -> None:
    generic: list[m.ServerEvent] = []
    rate_limits: list[m.RateLimitsUpdated] = []
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        conn.on("response.output_item.added", generic.append)
        conn.on("rate_limits.updated", rate_limits.append)  # type: ignore[arg-type]
        await conn.send_text("Hi.")
        await _until(conn, m.RateLimitsUpdated)
    assert generic and type(generic[0]) is m.ServerEvent
    assert generic[0].raw["item"]["role"] == "assistant"
    assert rate_limits[0].rate_limits[0].remaining == 999


async def test_agent_mode_puts_the_agent_in_the_url(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    async with aclient.voice_live.connect(
        agent_name="helper", agent_project="proj", api_version="2025-10-01"
    ) as conn:
        created = await _until(conn, m.SessionCreated)
    assert created[-1].session["model"] == "agent:helper"
    query = _vl_log(emulator).query
    assert query["agent-name"] == "helper" and query["agent-project-name"] == "proj"
    assert query["api-version"] == "2025-10-01" and "model" not in query


async def test_a_wrong_key_fails_at_connect(emulator: Emulator) -> None:
    async with AsyncSpeechClient(key="wrong", endpoint=emulator.url, max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            async with client.voice_live.connect("gpt-realtime"):
                pass


async def test_client_close_ends_a_live_session(emulator: Emulator) -> None:
    client = emulator.async_client(max_retries=0)
    conn = client.voice_live.connect("gpt-realtime")
    await conn.start()
    await client.close()
    events = [e async for e in conn]
    assert isinstance(events[-1], m.Closed)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 2.0}, "temperature"),
        ({"max_tokens": 5000}, "max_response_output_tokens"),
        ({"modalities": ["audio"]}, "audio only"),
        ({"input_audio_format": "g711_ulaw", "input_audio_sampling_rate": 24000}, "8000"),
        ({"output_audio_format": "mp3"}, "output_audio_format"),
        ({"voice": {"type": "robot", "name": "x"}}, "unknown voice type"),
        ({"turn_detection": SemanticVad()}, "semantic_vad"),
        ({"input_transcription": "whisper-1"}, "gpt-realtime"),
    ],
)
def test_bad_configurations_fail_before_connecting(
    client: SpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        client.voice_live.connect("gpt-4.1", **kwargs)
    assert not [s for s in emulator.log if s.kind == "voice_live"]


def test_urls_and_entra_scope_per_resource_kind() -> None:
    class Credential:
        def get_token(self, *scopes: str, **kw: Any) -> Any:
            raise AssertionError("no token is fetched when only building the session")

    foundry = AsyncSpeechClient(
        credential=Credential(), endpoint="https://res.services.ai.azure.com"
    )
    conn = foundry.voice_live.connect(
        "gpt-realtime", session=SessionConfig(turn_detection=ServerVad())
    )
    assert conn._url == (
        "wss://res.services.ai.azure.com/voice-live/realtime?api-version=2026-07-15&model=gpt-realtime"
    )
    assert conn._auth is not None and conn._auth.scope == "https://ai.azure.com/.default"
    domain = AsyncSpeechClient(
        credential=Credential(), endpoint="https://res.cognitiveservices.azure.com"
    )
    assert domain.voice_live.connect("gpt-realtime")._auth is None  # the client's own scope
    with pytest.raises(ConfigurationError, match="resource's endpoint"):
        AsyncSpeechClient(key="k", region="westeurope").voice_live.connect("gpt-realtime")
    with pytest.raises(InvalidRequestError, match="agent_project"):
        foundry.voice_live.connect(agent_name="a")


async def test_latency_from_end_of_user_audio_to_first_agent_audio(
    aclient: AsyncSpeechClient,
) -> None:
    """Measured for the report (printed), asserted only to be finite: no timed assertions."""
    loop = asyncio.get_running_loop()
    speech = await _speech(aclient, "Hello.")
    async with aclient.voice_live.connect(
        "gpt-realtime", turn_detection=ServerVad(silence_duration_ms=300)
    ) as conn:
        await conn.send_file(speech)
        await conn.send_audio(b"\0" * 14_400)  # 300 ms: exactly the silence that ends the turn
        sent = loop.time()
        await _until(conn, m.ResponseAudioDelta)
        latency = loop.time() - sent
    print(f"voice live latency, end of user audio to first agent audio: {latency * 1000:.1f} ms")
    assert latency >= 0


def test_a_session_config_and_keywords_combine() -> None:
    from azspeech.voice_live.resource import build_config

    session = SessionConfig(
        manual_turns=True, instructions="Be brief.", voice=m.OpenAIVoice(name="ash")
    )
    config = build_config(session, model=None, tools=None, fields={"temperature": 0.7})
    assert config is not None
    wire = config.to_wire()
    assert wire["turn_detection"] is None and wire["temperature"] == 0.7
    assert wire["voice"] == {"type": "openai", "name": "ash"} and "model" not in wire
    semantic = SessionConfig(model="gpt-realtime", turn_detection=SemanticVad(eagerness="low"))
    with pytest.raises(InvalidRequestError, match="semantic_vad"):
        build_config(semantic, model="gpt-4.1", tools=None, fields={})


async def test_the_emulator_answers_a_binary_frame_with_an_error(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        await _until(conn, m.SessionUpdated if conn.config else m.SessionCreated)
        assert conn._ws is not None
        await conn._ws.send(b"\x00\x01")
        refused = await _until(conn, m.ErrorEvent)
    assert "binary" in refused[-1].error.message


async def test_audio_in_other_formats_is_converted_and_bad_input_refused(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    speech = await aclient.tts.synthesize("Convert me.", output_format="riff-16khz-16bit-mono-pcm")
    assert speech.sample_rate == 16000
    async with aclient.voice_live.connect(
        "gpt-realtime", input_transcription="azure-speech"
    ) as conn:
        with pytest.raises(InvalidRequestError, match="raw PCM bytes"):
            await conn.send_audio(speech.samples)  # type: ignore[arg-type]
        await conn.send_file((speech.samples, 16000))  # a numpy array at 16 kHz: resampled
        await conn.send_audio(SILENCE)
        said = await _until(conn, m.TranscriptionCompleted)
    assert said[-1].transcript == "Convert me."  # type: ignore[attr-defined]

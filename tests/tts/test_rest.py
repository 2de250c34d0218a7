"""REST requests of text to speech (respx): synthesis, voices, batch synthesis, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.audio import OutputFormat
from azspeech.errors import (
    ConfigurationError,
    InvalidRequestError,
    NotFoundError,
    ProtocolError,
    TimeoutError,
)

KEY = "0123456789abcdef0123456789abcdef"
TTS = "https://westeurope.tts.speech.microsoft.com"
VOICE_HOST = "https://westeurope.voice.speech.microsoft.com"
API = "https://westeurope.api.cognitive.microsoft.com"
BATCH = API + "/texttospeech/batchsyntheses"

VOICES = [
    {
        "Name": "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)",
        "DisplayName": "Jenny",
        "LocalName": "Jenny",
        "ShortName": "en-US-JennyNeural",
        "Gender": "Female",
        "Locale": "en-US",
        "LocaleName": "English (United States)",
        "StyleList": ["chat", "cheerful"],
        "SampleRateHertz": "24000",
        "VoiceType": "Neural",
        "Status": "GA",
        "WordsPerMinute": "152",
        "RolePlayList": ["Narrator"],
    },
    {
        "Name": "Microsoft Server Speech Text to Speech Voice (de-DE, KatjaNeural)",
        "ShortName": "de-DE-KatjaNeural",
        "Gender": "Female",
        "Locale": "de-DE",
        "SampleRateHertz": "48000",
        "VoiceType": "Neural",
        "Status": "Preview",
        "SecondaryLocaleList": ["en-US"],
        "NewField": 1,
    },
]


@pytest.fixture
def client() -> SpeechClient:
    return SpeechClient(key=KEY, region="westeurope", max_retries=0, _environ={})


def _pcm_wav(n: int = 4800) -> bytes:
    fmt = OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM.pcm_format
    assert fmt is not None
    return fmt.wav_header(n) + b"\x00\x01" * (n // 2)


@respx.mock
def test_rest_synthesis_request(client: SpeechClient) -> None:
    route = respx.post(TTS + "/cognitiveservices/v1").mock(
        return_value=httpx.Response(200, content=_pcm_wav())
    )
    audio = client.tts.synthesize('Tom & "Jerry" <3', voice="en-US-JennyNeural", transport="rest")
    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/ssml+xml"
    assert request.headers["X-Microsoft-OutputFormat"] == "riff-24khz-16bit-mono-pcm"
    assert request.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert request.headers["User-Agent"].startswith("azspeech/")
    body = request.content.decode()
    assert '<voice name="en-US-JennyNeural">Tom &amp; &quot;Jerry&quot; &lt;3</voice>' in body
    assert audio.sample_rate == 24000 and audio.duration.total_seconds() == 0.1
    assert audio.data[:4] == b"RIFF"


@respx.mock
def test_rest_custom_voice_and_compressed(client: SpeechClient) -> None:
    route = respx.post(VOICE_HOST + "/cognitiveservices/v1").mock(
        return_value=httpx.Response(200, content=b"ID3fake")
    )
    audio = client.tts.synthesize(
        "Hi",
        voice="MyVoice",
        output_format="audio-24khz-48kbitrate-mono-mp3",
        transport="rest",
        deployment_id="5f6c9a2e-0000-4000-8000-000000000000",
    )
    req = route.calls.last.request
    assert req.url.params["deploymentId"] == "5f6c9a2e-0000-4000-8000-000000000000"
    assert req.headers["X-Microsoft-OutputFormat"] == "audio-24khz-48kbitrate-mono-mp3"
    assert audio.data == b"ID3fake"


@respx.mock
def test_rest_unknown_voice_error(client: SpeechClient) -> None:
    respx.post(TTS + "/cognitiveservices/v1").mock(
        return_value=httpx.Response(
            400, json={"error": {"code": "BadRequest", "message": "Unsupported voice xx-XX-Nope."}}
        )
    )
    with pytest.raises(InvalidRequestError, match="Unsupported voice xx-XX-Nope") as info:
        client.tts.synthesize("Hi", voice="xx-XX-Nope", transport="rest")
    assert info.value.status_code == 400


@respx.mock
async def test_async_rest_synthesis() -> None:
    respx.post(TTS + "/cognitiveservices/v1").mock(
        return_value=httpx.Response(200, content=b"\x00\x00" * 100)
    )
    async with AsyncSpeechClient(key=KEY, region="westeurope", _environ={}) as ac:
        audio = await ac.tts.synthesize(
            "Hi", output_format="raw-16khz-16bit-mono-pcm", transport="rest"
        )
    assert len(audio.pcm) == 200 and audio.sample_rate == 16000


def test_bad_input(client: SpeechClient) -> None:
    with pytest.raises(InvalidRequestError, match="empty"):
        client.tts.synthesize("", transport="rest")
    with pytest.raises(InvalidRequestError, match="empty"):
        client.tts.synthesize("   \n", transport="rest")
    with pytest.raises(InvalidRequestError, match="characters XML cannot carry"):
        client.tts.synthesize("\x00\x01", transport="rest")
    with pytest.raises(InvalidRequestError, match="characters XML cannot carry"):
        client.tts.synthesize("\ud800\x1b ", transport="rest")
    with pytest.raises(ConfigurationError, match="riff-24khz-16bit-mono-pcm"):
        client.tts.synthesize("hi", output_format="riff-24khz-16bit-stereo", transport="rest")
    with pytest.raises(InvalidRequestError, match=r"line 1, column \d+"):
        client.tts.synthesize("<speak><voice>hi</speak>", transport="rest")
    with pytest.raises(InvalidRequestError, match="65536 bytes"):
        client.tts.synthesize("a" * 70_000, transport="rest")
    with pytest.raises(InvalidRequestError, match="65536 bytes"):
        client.tts.synthesize("<speak>" + "a" * 70_000 + "</speak>")
    with pytest.raises(ConfigurationError, match="transport"):
        client.tts.synthesize("hi", transport="carrier-pigeon")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="deployment_id"):
        client.tts.synthesize("hi", deployment_id="no spaces allowed", transport="rest")
    with pytest.raises(TypeError):
        client.tts.synthesize(b"bytes", transport="rest")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="empty"):
        client.tts.stream("")


@respx.mock
def test_voices_typed_and_cached(client: SpeechClient) -> None:
    route = respx.get(TTS + "/cognitiveservices/voices/list").mock(
        return_value=httpx.Response(200, json=VOICES)
    )
    voices = client.tts.list_voices()
    assert [v.short_name for v in voices] == ["en-US-JennyNeural", "de-DE-KatjaNeural"]
    jenny, katja = voices
    assert jenny.sample_rate == 24000 and jenny.words_per_minute == 152
    assert jenny.styles == ["chat", "cheerful"] and jenny.roles == ["Narrator"]
    assert katja.secondary_locales == ["en-US"] and katja.styles == [] and katja.status == "Preview"
    assert katja.words_per_minute is None
    assert [v.short_name for v in client.tts.list_voices("DE-de")] == ["de-DE-KatjaNeural"]
    assert client.tts.get_voice("en-us-jennyneural").display_name == "Jenny"
    assert route.call_count == 1  # cached
    client.tts.list_voices(refresh=True)
    assert route.call_count == 2
    with pytest.raises(InvalidRequestError):
        client.tts.get_voice("nobody")


@respx.mock
def test_voices_bad_body(client: SpeechClient) -> None:
    respx.get(TTS + "/cognitiveservices/voices/list").mock(
        return_value=httpx.Response(200, json={"not": "a list"})
    )
    with pytest.raises(ProtocolError):
        client.tts.list_voices()


@respx.mock
def test_answers_that_are_not_json_are_protocol_errors(client: SpeechClient) -> None:
    respx.get(TTS + "/cognitiveservices/voices/list").mock(
        return_value=httpx.Response(200, text="<html>proxy error</html>")
    )
    respx.get(BATCH + "/job-1").mock(return_value=httpx.Response(200, text="{oops"))
    respx.get(BATCH).mock(return_value=httpx.Response(200, text=""))
    with pytest.raises(ProtocolError, match="voices list: body is not valid JSON"):
        client.tts.list_voices()
    with pytest.raises(ProtocolError, match="batch synthesis: body is not valid JSON"):
        client.tts.batch.get("job-1")
    with pytest.raises(ProtocolError, match="batch synthesis list: body is not valid JSON"):
        list(client.tts.batch.list())


def _job(job_id: str, status: str, result: str | None = None) -> dict[str, object]:
    job: dict[str, object] = {
        "id": job_id,
        "status": status,
        "inputKind": "PlainText",
        "createdDateTime": "2026-01-02T03:04:05.000Z",
        "properties": {"outputFormat": "riff-24khz-16bit-mono-pcm", "durationInMilliseconds": 1500},
    }
    if result:
        job["outputs"] = {"result": result}
    return job


@respx.mock
def test_batch_create(client: SpeechClient) -> None:
    route = respx.put(BATCH + "/job-1").mock(
        return_value=httpx.Response(201, json=_job("job-1", "NotStarted"))
    )
    job = client.tts.batch.create(
        ["Hello.", "World."],
        id="job-1",
        voice="MyVoice",
        custom_voices={"MyVoice": "0f1e2d3c-0000-4000-8000-000000000000"},
        output_format="audio-24khz-48kbitrate-mono-mp3",
        word_boundary=True,
        rate="+10%",
        operation_id="op-1",
    )
    req = route.calls.last.request
    assert req.url.params["api-version"] == "2024-04-01"
    assert req.headers["Operation-Id"] == "op-1"
    body = json.loads(req.content)
    assert body == {
        "inputKind": "PlainText",
        "inputs": [{"content": "Hello."}, {"content": "World."}],
        "synthesisConfig": {"voice": "MyVoice", "rate": "+10%"},
        "customVoices": {"MyVoice": "0f1e2d3c-0000-4000-8000-000000000000"},
        "properties": {
            "outputFormat": "audio-24khz-48kbitrate-mono-mp3",
            "wordBoundaryEnabled": True,
        },
    }
    assert job.id == "job-1" and job.status == "NotStarted" and not job.done
    assert job.properties.duration is not None and job.properties.duration.total_seconds() == 1.5


def test_batch_bad_input(client: SpeechClient) -> None:
    with pytest.raises(InvalidRequestError, match="id"):
        client.tts.batch.create("hi", id="-bad-", voice="v")
    with pytest.raises(InvalidRequestError, match="voice"):
        client.tts.batch.create("hi")
    with pytest.raises(InvalidRequestError, match="mix"):
        client.tts.batch.create(["hi", "<speak>x</speak>"], voice="v")
    with pytest.raises(InvalidRequestError, match="at least one"):
        client.tts.batch.create([], voice="v")
    with pytest.raises(InvalidRequestError, match="into the SSML"):
        client.tts.batch.create("<speak>x</speak>", voice="v")
    with pytest.raises(InvalidRequestError, match="deployment id"):
        client.tts.batch.create("hi", voice="v", custom_voices={"v": "bad id"})


@respx.mock
def test_batch_list_follows_next_link(client: SpeechClient) -> None:
    page2 = BATCH + "?skip=2&maxpagesize=2&api-version=2024-04-01"
    route = respx.get(BATCH).mock(
        side_effect=[
            httpx.Response(
                200,
                json={"value": [_job("a1", "Succeeded"), _job("a2", "Running")], "nextLink": page2},
            ),
            httpx.Response(200, json={"value": [_job("a3", "Failed")]}),
        ]
    )
    ids = [j.id for j in client.tts.batch.list(max_page_size=2)]
    assert ids == ["a1", "a2", "a3"]
    first, second = route.calls[0].request, route.calls[1].request
    assert first.url.params["maxpagesize"] == "2"
    assert str(second.url) == page2


@respx.mock
def test_batch_list_refuses_foreign_next_link(client: SpeechClient) -> None:
    respx.get(BATCH).mock(
        return_value=httpx.Response(200, json={"value": [], "nextLink": "https://evil.example/x"})
    )
    with pytest.raises(ProtocolError, match="another host"):
        list(client.tts.batch.list())


@respx.mock
def test_batch_wait_download_delete(client: SpeechClient, tmp_path: Path) -> None:
    sas = "https://store.blob.core.windows.net/c/job-2.zip?sv=2023&sig=abc"
    respx.get(BATCH + "/job-2").mock(
        side_effect=[
            httpx.Response(200, json=_job("job-2", "NotStarted")),
            httpx.Response(200, json=_job("job-2", "Running")),
            httpx.Response(200, json=_job("job-2", "Succeeded", sas)),
        ]
    )
    download = respx.get(sas).mock(return_value=httpx.Response(200, content=b"PK\x03\x04zip"))
    delete = respx.delete(BATCH + "/job-2").mock(return_value=httpx.Response(204))
    seen: list[str] = []
    job = client.tts.batch.wait(
        "job-2", poll_interval=0.001, on_progress=lambda j: seen.append(str(j.status))
    )
    assert seen == ["NotStarted", "Running", "Succeeded"] and job.succeeded
    path = client.tts.batch.download(job, tmp_path / "out.zip")
    assert path.read_bytes() == b"PK\x03\x04zip"
    headers = download.calls.last.request.headers
    assert "Ocp-Apim-Subscription-Key" not in headers and "Authorization" not in headers
    client.tts.batch.delete(job)
    assert delete.called


@respx.mock
def test_batch_wait_timeout_and_not_found(client: SpeechClient) -> None:
    respx.get(BATCH + "/slow").mock(return_value=httpx.Response(200, json=_job("slow", "Running")))
    with pytest.raises(TimeoutError, match="still Running"):
        client.tts.batch.wait("slow", poll_interval=0.01, timeout=0.02)
    respx.get(BATCH + "/gone").mock(
        return_value=httpx.Response(404, json={"error": {"code": "NotFound", "message": "nope"}})
    )
    with pytest.raises(NotFoundError):
        client.tts.batch.get("gone")
    with pytest.raises(InvalidRequestError, match="only a succeeded job"):
        client.tts.batch.download(_job_model("x1", "Failed"), "unused.zip")


def _job_model(job_id: str, status: str):  # type: ignore[no-untyped-def]
    from azspeech.models.tts import BatchSynthesis

    return BatchSynthesis.model_validate(_job(job_id, status, "https://x/y"))


@respx.mock
async def test_async_batch(tmp_path: Path) -> None:
    sas = "https://store.blob.core.windows.net/c/j.zip?sig=1"
    respx.put(BATCH + "/j-1").mock(return_value=httpx.Response(201, json=_job("j-1", "NotStarted")))
    respx.get(BATCH + "/j-1").mock(
        return_value=httpx.Response(200, json=_job("j-1", "Succeeded", sas))
    )
    respx.get(BATCH).mock(
        return_value=httpx.Response(200, json={"value": [_job("j-1", "Succeeded")]})
    )
    dl = respx.get(sas).mock(return_value=httpx.Response(200, content=b"zip"))
    respx.delete(BATCH + "/j-1").mock(return_value=httpx.Response(204))
    async with AsyncSpeechClient(key=KEY, region="westeurope", _environ={}) as ac:
        job = await ac.tts.batch.create("<speak>x</speak>", id="j-1")
        assert job.input_kind == "PlainText"  # what the mock said
        progress = []

        async def on_progress(j: object) -> None:
            progress.append(j)

        done = await ac.tts.batch.wait(job, poll_interval=0.001, on_progress=on_progress)
        assert done.succeeded and len(progress) == 1
        assert [j.id async for j in ac.tts.batch.list()] == ["j-1"]
        await ac.tts.batch.download("j-1", tmp_path / "r.zip")
        await ac.tts.batch.delete("j-1")
    assert (tmp_path / "r.zip").read_bytes() == b"zip"
    assert "Ocp-Apim-Subscription-Key" not in dl.calls.last.request.headers

"""Short-audio REST and fast transcription: request shapes (respx) and the emulator round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np
import pytest
import respx

from azspeech import (
    AsyncSpeechClient,
    AudioError,
    InvalidRequestError,
    ProtocolError,
    SpeechClient,
)
from azspeech.models.stt import RecognitionStatus

from ._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech.emulator import Emulator

REGION = "westeurope"
STT = f"https://{REGION}.stt.speech.microsoft.com/speech/recognition/conversation/cognitiveservices/v1"
FAST = f"https://{REGION}.api.cognitive.microsoft.com/speechtotext/transcriptions:transcribe"

FAST_BODY = {
    "durationMilliseconds": 4000,
    "combinedPhrases": [{"text": "Hello there. Hi."}],
    "phrases": [
        {"speaker": 1, "offsetMilliseconds": 80, "durationMilliseconds": 1200,
         "text": "Hello there.",
         "words": [{"text": "Hello", "offsetMilliseconds": 80, "durationMilliseconds": 500},
                   {"text": "there.", "offsetMilliseconds": 640, "durationMilliseconds": 640}],
         "locale": "en-US", "confidence": 0.93, "newField": "kept"},
        {"speaker": 2, "offsetMilliseconds": 2000, "durationMilliseconds": 400, "text": "Hi.",
         "locale": "en-US", "confidence": 0.8},
    ],
}  # fmt: skip


def _client() -> SpeechClient:
    return SpeechClient(region=REGION, key="k" * 32, max_retries=1)


def _short_wav(seconds: float = 1.0) -> bytes:
    return wav(b"\x01\x00" * int(16000 * seconds))


# -- short audio (respx) --------------------------------------------------------------------------


@respx.mock
def test_short_audio_request_shape() -> None:
    route = respx.post(STT).mock(
        return_value=httpx.Response(
            200,
            json={
                "RecognitionStatus": "Success",
                "DisplayText": "Hi.",
                "Offset": "100",
                "Duration": 2000,
                "Extra": 1,
            },
        )
    )
    with _client() as c:
        r = c.stt.recognize_short(_short_wav(), language="de-DE", profanity="raw")
    assert r.text == "Hi." and r.offset_ticks == 100 and r.raw["Extra"] == 1
    req = route.calls.last.request
    assert req.url.params["language"] == "de-DE" and req.url.params["profanity"] == "raw"
    assert req.url.params["format"] == "simple"
    assert req.headers["content-type"] == "audio/wav; codecs=audio/pcm; samplerate=16000"
    assert req.headers["transfer-encoding"] == "chunked"
    assert req.headers["ocp-apim-subscription-key"] == "k" * 32
    body = req.content
    assert body[:4] == b"RIFF" and len(body) == 44 + 32000


@respx.mock
async def test_short_audio_async_detailed() -> None:
    route = respx.post(STT).mock(
        return_value=httpx.Response(
            200,
            json={
                "RecognitionStatus": "Success",
                "Offset": 0,
                "Duration": 10,
                "NBest": [
                    {
                        "Confidence": 0.5,
                        "Lexical": "hi",
                        "ITN": "hi",
                        "MaskedITN": "hi",
                        "Display": "Hi.",
                    }
                ],
            },
        )
    )
    async with AsyncSpeechClient(region=REGION, key="k" * 32) as c:
        r = await c.stt.recognize_short(_short_wav(), format="detailed")
    assert r.text == "Hi." and r.confidence == 0.5
    assert route.calls.last.request.url.params["format"] == "detailed"


@respx.mock
def test_short_audio_over_the_limit_is_refused_before_sending() -> None:
    route = respx.post(STT).mock(return_value=httpx.Response(200, json={}))
    with _client() as c, pytest.raises(AudioError, match="60 s"):
        c.stt.recognize_short(_short_wav(61))
    assert not route.called


@respx.mock
def test_short_audio_errors() -> None:
    respx.post(STT).mock(return_value=httpx.Response(400, text="Unsupported language"))
    with _client() as c:
        with pytest.raises(InvalidRequestError, match="Unsupported language"):
            c.stt.recognize_short(_short_wav())
        with pytest.raises(InvalidRequestError, match="locale"):
            c.stt.recognize_short(_short_wav(), language="english")
        with pytest.raises(InvalidRequestError, match="format"):
            c.stt.recognize_short(_short_wav(), format="verbose")


@respx.mock
def test_short_audio_missing_status_is_protocol_error() -> None:
    respx.post(STT).mock(return_value=httpx.Response(200, json={"DisplayText": "x"}))
    with _client() as c, pytest.raises(ProtocolError, match="RecognitionStatus"):
        c.stt.recognize_short(_short_wav())


# -- fast transcription (respx) -------------------------------------------------------------------


def _multipart(req: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    ctype = req.headers["content-type"]
    boundary = ctype.split("boundary=")[1].encode()
    parts = {}
    for chunk in req.content.split(b"--" + boundary):
        if b"Content-Disposition" not in chunk:
            continue
        head, _, body = chunk.partition(b"\r\n\r\n")
        text = head.decode()
        name = text.split('name="')[1].split('"')[0]
        filename = text.split('filename="')[1].split('"')[0] if "filename=" in text else None
        parts[name] = (filename, body[:-2] if body.endswith(b"\r\n") else body)
    return parts


@respx.mock
def test_fast_transcription_request_and_result(tmp_path: Path) -> None:
    path = tmp_path / "meeting.wav"
    path.write_bytes(_short_wav(2))
    route = respx.post(FAST).mock(return_value=httpx.Response(200, json=FAST_BODY))
    with _client() as c:
        t = c.stt.transcribe(
            path, locales=["en-US", "de-DE"], diarization=3, profanity="tags",
            phrases=["Contoso"], phrase_weight=1.2,
        )  # fmt: skip
    req = route.calls.last.request
    assert req.url.params["api-version"] == "2025-10-15"
    parts = _multipart(req)
    assert parts["audio"][0] == "meeting.wav" and parts["audio"][1] == path.read_bytes()
    definition = json.loads(parts["definition"][1])
    assert definition == {
        "locales": ["en-US", "de-DE"], "diarization": {"enabled": True, "maxSpeakers": 3},
        "profanityFilterMode": "Tags", "phraseList": {"phrases": ["Contoso"], "biasingWeight": 1.2},
    }  # fmt: skip
    assert t.duration_ms == 4000 and t.duration.total_seconds() == 4.0
    assert t.combined_phrases[0].text == "Hello there. Hi."
    p = t.phrases[0]
    assert (p.text, p.speaker, p.offset_ms, p.locale, p.confidence) == (
        "Hello there.", 1, 80, "en-US", 0.93)  # fmt: skip
    assert p.offset.total_seconds() == 0.08 and p.words[1].offset_ms == 640
    assert p.model_extra == {"newField": "kept"}
    assert "Speaker 2: Hi." in t.to_srt()


@respx.mock
async def test_fast_transcription_retry_reopens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(_short_wav(1))
    route = respx.post(FAST).mock(
        side_effect=[httpx.Response(503, text="busy"), httpx.Response(200, json=FAST_BODY)]
    )
    async with AsyncSpeechClient(region=REGION, key="k" * 32, max_retries=1) as c:
        c._http.policy = type(c._http.policy)(max_retries=1, initial_backoff=0.0)
        t = await c.stt.transcribe(path)
    assert len(t.phrases) == 2 and route.call_count == 2
    for call in route.calls:
        assert _multipart(call.request)["audio"][1] == path.read_bytes()
        assert json.loads(_multipart(call.request)["definition"][1]) == {}


@respx.mock
def test_fast_transcription_audio_url_has_no_audio_part() -> None:
    route = respx.post(FAST).mock(return_value=httpx.Response(200, json=FAST_BODY))
    with _client() as c:
        c.stt.transcribe(audio_url="https://example.blob.core.windows.net/a.wav", channels=[0, 1])
    parts = _multipart(route.calls.last.request)
    assert set(parts) == {"definition"}
    assert json.loads(parts["definition"][1])["audioUrl"].endswith("a.wav")


@respx.mock
def test_fast_transcription_file_over_the_limit_is_refused_before_upload(tmp_path: Path) -> None:
    big = tmp_path / "big.wav"
    with open(big, "wb") as f:  # sparse: 300 MB that take no disk
        f.truncate(300 * 1024 * 1024)
    route = respx.post(FAST).mock(return_value=httpx.Response(200, json=FAST_BODY))
    with _client() as c:
        with pytest.raises(
            AudioError, match=r"300\.0 MB, over the fast-transcription upload limit of 250 MB"
        ):
            c.stt.transcribe(big)
        with pytest.raises(AudioError, match="upload limit"):
            c.stt.transcribe(_short_wav(1), max_upload_bytes=1000)
    assert not route.called


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"locales": ["english"]}, "locale"), ({"diarization": 1}, "diarization"),
     ({"diarization": 40}, "diarization"), ({"channels": [0, 2]}, "channels"),
     ({"channels": [0, 1], "diarization": True}, "diarization"),
     ({"profanity": "bleep"}, "profanity"),
     ({"phrases": ["ok", ""]}, "phrase list entry 1"), ({"audio_url": "ftp://x"}, "audio_url")],
)  # fmt: skip
def test_fast_transcription_bad_input(kwargs: dict[str, Any], match: str) -> None:
    with _client() as c, pytest.raises(InvalidRequestError, match=match):
        c.stt.transcribe(_short_wav(1), **kwargs)


def test_fast_transcription_needs_audio() -> None:
    with _client() as c, pytest.raises(InvalidRequestError):
        c.stt.transcribe()


@respx.mock
def test_fast_transcription_missing_field_is_protocol_error() -> None:
    respx.post(FAST).mock(return_value=httpx.Response(200, json={"phrases": []}))
    with _client() as c, pytest.raises(ProtocolError, match="durationMilliseconds"):
        c.stt.transcribe(_short_wav(1))


# -- against the emulator -------------------------------------------------------------------------


def test_short_audio_emulator_sync(client: SpeechClient, emulator: Emulator) -> None:
    pcm, _ = phrase_audio(["Short and sweet."])
    r = client.stt.recognize_short(wav(pcm), format="detailed")
    assert r.status is RecognitionStatus.SUCCESS and r.text == "Short and sweet."
    assert r.best is not None and r.best.lexical == "short and sweet"
    assert emulator.requests[-1].path.endswith("/conversation/cognitiveservices/v1")


async def test_short_audio_emulator_async(aclient: AsyncSpeechClient) -> None:
    pcm, _ = phrase_audio(["Async short audio."])
    r = await aclient.stt.recognize_short(wav(pcm))
    assert r.text == "Async short audio."


def test_fast_transcription_emulator_from_disk(
    client: SpeechClient, emulator: Emulator, tmp_path: Path
) -> None:
    pcm, phrases = phrase_audio(["First phrase.", "Second phrase."], seed=4)
    path = tmp_path / "two.wav"
    path.write_bytes(wav(pcm))
    t = client.stt.transcribe(path, locales=["en-US"])
    assert [p.text for p in t.phrases] == ["First phrase.", "Second phrase."]
    assert abs(t.phrases[1].offset_ms - phrases[1].start / 16) <= 25
    assert t.combined_phrases[0].text == "First phrase. Second phrase."
    assert t.duration_ms == round(len(pcm) / 32)
    assert t.to_webvtt().count("-->") == 2


async def test_fast_transcription_emulator_channels_and_diarization(
    aclient: AsyncSpeechClient, tmp_path: Path
) -> None:
    from azspeech.emulator.engines.tones import encode

    left = encode("Left side.", 16000, tail_ms=500).samples
    right = encode("Right side speaking.", 16000, tail_ms=500).samples
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), dtype=np.float32)
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    import soundfile as sf

    path = tmp_path / "stereo.wav"
    sf.write(path, stereo, 16000, subtype="PCM_16")
    t = await aclient.stt.transcribe(path, channels=[0, 1])
    assert {(c.channel, c.text) for c in t.combined_phrases} == {
        (0, "Left side."), (1, "Right side speaking.")}  # fmt: skip
    assert {p.channel for p in t.phrases} == {0, 1}

    parts = [encode(x, 16000, gain=g, tail_ms=800).samples
             for x, g in [("Good morning.", 1.0), ("Hi there.", 0.25)]]  # fmt: skip
    mono = np.concatenate(parts)
    t2 = await aclient.stt.transcribe(wav((mono * 32767).astype("<i2").tobytes()), diarization=True)
    assert [p.speaker for p in t2.phrases] == [1, 2]
    assert "Speaker 1: Good morning." in t2.to_srt()


@respx.mock
def test_fast_transcription_from_a_file_object_leaves_it_open() -> None:
    import io

    data = _short_wav(1)
    f = io.BytesIO(b"junk" + data)
    f.seek(4)  # sent from the current position
    route = respx.post(FAST).mock(return_value=httpx.Response(200, json=FAST_BODY))
    with _client() as c:
        c.stt.transcribe(f)
    assert _multipart(route.calls.last.request)["audio"][1] == data
    assert not f.closed

"""Short-audio REST and fast transcription against the emulator, over real sockets."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf

from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones

from .usp import tone_pcm, wav_header

SHORT = "/speech/recognition/conversation/cognitiveservices/v1"
FAST = "/speechtotext/transcriptions:transcribe?api-version=2024-11-15"


def wav_bytes(samples: np.ndarray[Any, Any], rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def tone_wav(text: str, rate: int = 16000, gain: float = 1.0) -> bytes:
    return wav_bytes(tones.encode(text, rate, lead_ms=200, tail_ms=600, gain=gain).samples, rate)


def _headers(emulator: Emulator) -> dict[str, str]:
    return {"Ocp-Apim-Subscription-Key": emulator.key}


def test_short_audio_simple_and_detailed(emulator: Emulator) -> None:
    body = tone_wav("Remind me to buy five pencils.")
    with httpx.Client(base_url=emulator.url) as http:
        r = http.post(SHORT, params={"language": "en-US"}, headers=_headers(emulator), content=body)
        assert r.status_code == 200
        j = r.json()
        assert j == {
            "RecognitionStatus": "Success",
            "Offset": j["Offset"],
            "Duration": j["Duration"],
            "DisplayText": "Remind me to buy five pencils.",
        }
        assert abs(j["Offset"] - 2_000_000) <= 100_000
        r = http.post(
            SHORT,
            params={"language": "en-US", "format": "detailed"},
            headers=_headers(emulator),
            content=body,
        )
        best = r.json()["NBest"][0]
        assert best["Lexical"] == "remind me to buy five pencils"
        assert best["Display"] == "Remind me to buy five pencils."


def test_short_audio_chunked_upload(emulator: Emulator) -> None:
    pcm = tone_pcm("Chunked upload works.")

    def chunks() -> Any:
        yield wav_header()
        for i in range(0, len(pcm), 4096):
            yield pcm[i : i + 4096]

    with httpx.Client(base_url=emulator.url) as http:
        r = http.post(
            SHORT + "?language=en-US",
            headers={
                **_headers(emulator),
                "Content-Type": "audio/wav; codecs=audio/pcm; samplerate=16000",
            },
            content=chunks(),
        )
    assert r.json()["DisplayText"] == "Chunked upload works."


def test_short_audio_ogg_opus(emulator: Emulator) -> None:
    samples = tones.encode("Opus.", 16000, lead_ms=200, tail_ms=600).samples
    buf = io.BytesIO()
    try:
        sf.write(buf, samples, 16000, format="OGG", subtype="OPUS")
    except Exception as exc:  # pragma: no cover - libsndfile without opus
        pytest.skip(f"no opus in libsndfile: {exc}")
    r = httpx.post(
        emulator.url + SHORT + "?language=en-US",
        headers={**_headers(emulator), "Content-Type": "audio/ogg; codecs=opus"},
        content=buf.getvalue(),
    )
    assert r.status_code == 200
    assert r.json()["RecognitionStatus"] == "Success"


def test_short_audio_errors(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.url, headers=_headers(emulator)) as http:
        assert http.post(SHORT, content=tone_wav("x")).status_code == 400  # no language
        long = wav_bytes(np.zeros(16000 * 61, np.float32))
        r = http.post(SHORT + "?language=en-US", content=long)
        assert r.status_code == 400
        assert "60 seconds" in r.json()["error"]["message"]
        assert http.post(SHORT + "?language=en-US", content=b"garbage!").status_code == 400
        silent = http.post(
            SHORT + "?language=en-US", content=wav_bytes(np.zeros(16000, np.float32))
        )
        assert silent.json()["RecognitionStatus"] == "InitialSilenceTimeout"


def _fast(
    emulator: Emulator, audio: bytes | None, definition: dict[str, Any], version: str = "2025-10-15"
) -> httpx.Response:
    files: dict[str, Any] = {"definition": (None, json.dumps(definition), "application/json")}
    if audio is not None:
        files["audio"] = ("a.wav", audio, "audio/wav")
    return httpx.post(
        emulator.url + f"/speechtotext/transcriptions:transcribe?api-version={version}",
        headers=_headers(emulator),
        files=files,
        timeout=30,
    )


def test_fast_transcription_basic(emulator: Emulator) -> None:
    r = _fast(emulator, tone_wav("First one. Second one."), {"locales": ["en-US"]}, "2024-11-15")
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["combinedPhrases"] == [{"text": "First one. Second one."}]
    assert [p["text"] for p in j["phrases"]] == ["First one.", "Second one."]
    p0 = j["phrases"][0]
    assert abs(p0["offsetMilliseconds"] - 200) <= 10
    assert p0["locale"] == "en-US"
    assert 0 < p0["confidence"] <= 1
    assert [w["text"] for w in p0["words"]] == ["First", "one."]
    assert "speaker" not in p0 and "channel" not in p0
    assert j["durationMilliseconds"] == round(
        len(tones.encode("First one. Second one.", 16000, lead_ms=200, tail_ms=600).samples) / 16
    )


def test_fast_diarization_by_loudness(emulator: Emulator) -> None:
    a = tones.encode("Hello Bob.", 16000, lead_ms=200, tail_ms=800).samples
    b = tones.encode("Hi Alice.", 16000, tail_ms=800, gain=0.25).samples
    audio = wav_bytes(np.concatenate([a, b, a]))
    r = _fast(emulator, audio, {"diarization": {"enabled": True, "maxSpeakers": 2}})
    speakers = [(p["text"], p["speaker"]) for p in r.json()["phrases"]]
    assert speakers == [("Hello Bob.", 1), ("Hi Alice.", 2), ("Hello Bob.", 1)]


def test_fast_channels(emulator: Emulator) -> None:
    left = tones.encode("Left side.", 16000, lead_ms=200, tail_ms=600).samples
    right = tones.encode("Right.", 16000, lead_ms=900, tail_ms=600).samples
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), np.float32)
    stereo[: len(left), 0] = left
    stereo[: len(right), 1] = right
    r = _fast(emulator, wav_bytes(stereo), {"channels": [0, 1]})
    j = r.json()
    assert j["combinedPhrases"] == [
        {"channel": 0, "text": "Left side."},
        {"channel": 1, "text": "Right."},
    ]
    assert [(p["channel"], p["text"]) for p in j["phrases"]] == [(0, "Left side."), (1, "Right.")]


def test_fast_profanity_phrase_list_and_languages(emulator: Emulator) -> None:
    audio = tone_wav("damn contoso is great. Grüße aus Berlin.")
    masked = _fast(
        emulator, audio, {"phraseList": {"phrases": ["Contoso"], "biasingWeight": 1.5}}
    ).json()
    assert masked["phrases"][0]["text"] == "**** Contoso is great."
    raw = _fast(
        emulator, audio, {"profanityFilterMode": "None", "locales": ["en-US", "de-DE"]}
    ).json()
    assert raw["phrases"][0]["text"] == "damn contoso is great."
    assert [p["locale"] for p in raw["phrases"]] == ["en-US", "de-DE"]
    removed = _fast(emulator, audio, {"profanityFilterMode": "Removed"}).json()
    assert removed["phrases"][0]["text"] == "contoso is great."
    tags = _fast(emulator, audio, {"profanityFilterMode": "Tags"}).json()
    assert tags["phrases"][0]["text"].startswith("<profanity>damn</profanity>")


def test_fast_audio_url(emulator: Emulator) -> None:
    data = "data:audio/wav;base64," + base64.b64encode(tone_wav("From a URL.")).decode()
    r = _fast(emulator, None, {"audioUrl": data})
    assert r.json()["combinedPhrases"][0]["text"] == "From a URL."
    r = _fast(emulator, None, {"audioUrl": "https://example.com/a.wav"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidUri"
    assert r.headers["x-ms-error-code"] == "InvalidUri"


@pytest.mark.parametrize(
    ("definition", "status"),
    [
        ({"diarization": {"maxSpeakers": 99}}, 400),
        ({"channels": [0, 1, 2]}, 400),
        ({"profanityFilterMode": "Loud"}, 400),
        ({"phraseList": {"phrases": [""]}}, 400),
        ({"locales": "en-US"}, 400),
        ({}, 200),
    ],
)
def test_fast_definition_validation(
    emulator: Emulator, definition: dict[str, Any], status: int
) -> None:
    assert _fast(emulator, tone_wav("x"), definition).status_code == status


def test_fast_errors(emulator: Emulator) -> None:
    assert _fast(emulator, tone_wav("x"), {}, version="2099-01-01").status_code == 400
    r = httpx.post(
        emulator.url + "/speechtotext/transcriptions:transcribe?api-version=2025-10-15",
        headers=_headers(emulator),
        files={"definition": (None, "{not json")},
    )
    assert r.status_code == 400
    assert _fast(emulator, None, {}).status_code == 400  # no audio at all
    assert _fast(emulator, b"not audio", {}).status_code == 422
    r = httpx.get(
        emulator.url + "/speechtotext/transcriptions/locales?api-version=2025-10-15",
        headers=_headers(emulator),
    )
    assert "en-US" in r.json()["Transcribe"]


def test_fast_without_locales_detects_language(emulator: Emulator) -> None:
    j = _fast(emulator, tone_wav("Hello there. Schöne Grüße."), {}).json()
    assert [p["locale"] for p in j["phrases"]] == ["en-US", "de-DE"]


def test_short_audio_interactive_returns_the_first_utterance(emulator: Emulator) -> None:
    body = tone_wav("First utterance. Second utterance.")
    with httpx.Client(base_url=emulator.url, headers=_headers(emulator)) as http:
        one = http.post(
            "/speech/recognition/interactive/cognitiveservices/v1?language=en-US", content=body
        ).json()
        both = http.post(SHORT + "?language=en-US", content=body).json()
    assert one["DisplayText"] == "First utterance."
    assert both["DisplayText"] == "First utterance. Second utterance."

"""Pronunciation assessment on the WebSocket (nested scores) and REST (flattened scores)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
import soundfile as sf

from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones
from azspeech.emulator.pronunciation import assess

from .usp import connect, phrases, send_turn, stt_url, tone_pcm, until_turn_end


def _ctx(reference: str, **extra: Any) -> dict[str, Any]:
    pa = {"referenceText": reference, "gradingSystem": "HundredMark", "granularity": "Phoneme",
          "dimension": "Comprehensive", **extra}  # fmt: skip
    return {
        "phraseDetection": {"enrichment": {"pronunciationAssessment": pa}, "mode": "Interactive"},
        "phraseOutput": {
            "detailed": {"options": ["WordTimings", "PronunciationAssessment", "SNR"]},
            "format": "Detailed",
        },
    }


async def test_websocket_scores(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(
            ws,
            tone_pcm("Good morning."),
            context=_ctx("Good morning.", enableProsodyAssessment=True),
        )
        (p,) = phrases(await until_turn_end(ws))
    best = p["NBest"][0]
    scores = best["PronunciationAssessment"]
    assert scores["CompletenessScore"] == 100.0
    assert scores["FluencyScore"] == 100.0
    assert 90 <= scores["AccuracyScore"] <= 100
    assert "ProsodyScore" in scores and "PronScore" in scores
    words = best["Words"]
    assert [w["Word"] for w in words] == ["good", "morning"]
    assert all(w["PronunciationAssessment"]["ErrorType"] == "None" for w in words)
    assert [ph["Phoneme"] for ph in words[0]["Phonemes"]] == list("good")


async def test_websocket_miscues(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(
            ws, tone_pcm("Good evening friend."),
            context=_ctx("Good morning.", enableMiscue=True, gradingSystem="FivePoint"),
        )  # fmt: skip
        (p,) = phrases(await until_turn_end(ws))
    best = p["NBest"][0]
    kinds = [(w["Word"], w["PronunciationAssessment"]["ErrorType"]) for w in best["Words"]]
    assert kinds == [("good", "None"), ("evening", "Mispronunciation"), ("friend", "Insertion")]
    assert best["PronunciationAssessment"]["CompletenessScore"] == 2.5  # 50 % on five points


def test_rest_flattened_scores(emulator: Emulator) -> None:
    enc = tones.encode("Hello world.", 16000, lead_ms=200, tail_ms=600)
    buf = io.BytesIO()
    sf.write(buf, enc.samples, 16000, format="WAV", subtype="PCM_16")
    header = base64.b64encode(
        json.dumps({"ReferenceText": "Hello world.", "GradingSystem": "HundredMark",
                    "Granularity": "Word", "EnableMiscue": "True"}).encode()
    ).decode()  # fmt: skip
    r = httpx.post(
        emulator.url + "/speech/recognition/conversation/cognitiveservices/v1?language=en-US",
        headers={"Ocp-Apim-Subscription-Key": emulator.key, "Pronunciation-Assessment": header},
        content=buf.getvalue(),
    )
    best = r.json()["NBest"][0]
    assert best["CompletenessScore"] == 100.0 and "PronScore" in best
    assert [(w["Word"], w["ErrorType"]) for w in best["Words"]] == [
        ("hello", "None"),
        ("world", "None"),
    ]
    assert "Phonemes" not in best["Words"][0]
    bad = httpx.post(
        emulator.url + "/speech/recognition/conversation/cognitiveservices/v1?language=en-US",
        headers={"Ocp-Apim-Subscription-Key": emulator.key, "Pronunciation-Assessment": "!!"},
        content=buf.getvalue(),
    )
    assert bad.status_code == 400


def test_omissions_and_fluency() -> None:
    words = [
        {"Word": "one", "Offset": 0, "Duration": 1_000_000},
        {"Word": "three", "Offset": 9_000_000, "Duration": 1_000_000},
    ]
    graded = assess(words, {"referenceText": "One two three.", "enableMiscue": True,
                            "gradingSystem": "HundredMark", "granularity": "Word"})  # fmt: skip
    assert [(w["Word"], w["ErrorType"]) for w in graded["words"]] == [
        ("one", "None"),
        ("two", "Omission"),
        ("three", "None"),
    ]
    assert graded["scores"]["FluencyScore"] == 90.0
    assert round(graded["scores"]["CompletenessScore"]) == 67

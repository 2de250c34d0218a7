"""Language identification and pronunciation assessment: the official SDK as referee.

Microsoft's Python SDK and azspeech recognize the same audio against the
emulator; they must send the same configuration and read the same answers
(language per phrase with offsets; pronunciation scores with prosody, word
by word).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azspeech.options import PronunciationAssessment

from .conftest import KEY
from .harness import run_sdk, tone_wav


def _sessions(emulator: Any) -> list[Any]:
    return [s for s in emulator.log if "/speech/" in s.path]


def _lid(session: Any) -> dict[str, Any]:
    ctx = session.received("speech.context")[0].json()["languageId"]
    # The native SDK spells "Priority" with a capital (the JS SDK and we: "priority").
    return {k[0].lower() + k[1:]: v for k, v in ctx.items()}


def test_at_start_language_id_agrees_with_the_official_sdk(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", [("Schöne Grüße aus München.", 1.0), ("Hello.", 1.0)])
    out = run_sdk(
        "recognize_once", emulator.url, KEY, wav=str(audio.path), languages=["en-US", "de-DE"]
    )
    assert out["reason"] == "RecognizedSpeech" and out["language"] == "de-DE", out
    (theirs,) = _sessions(emulator)
    emulator.reset()
    with emulator.client() as client:
        found = client.language_id.identify(
            audio.path, candidate_languages=["en-US", "de-DE"], mode="at_start"
        )
    # at start: the first phrase decides, and the language holds for the rest
    assert [s.language for s in found.segments] == ["de-DE", "de-DE"]
    assert found.segments[0].text == out["text"]
    assert round(found.segments[0].offset.total_seconds() * 10**7) == out["offset"]
    (ours,) = _sessions(emulator)
    assert _lid(ours) == _lid(theirs)


def test_continuous_language_id_agrees_with_the_official_sdk(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "c.wav", [("Good morning.", 1.0), ("Schöne Grüße.", 1.0)])
    out = run_sdk(
        "continuous", emulator.url, KEY, wav=str(audio.path), languages=["en-US", "de-DE"],
        properties={"SpeechServiceConnection_LanguageIdMode": "Continuous"},
    )  # fmt: skip
    assert not out["timed_out"], out
    finals = [e for e in out["events"] if e["event"] == "recognized" and e.get("text")]
    assert [(e["text"], e.get("language")) for e in finals] == [
        ("Good morning.", "en-US"), ("Schöne Grüße.", "de-DE"),
    ], out  # fmt: skip
    (theirs,) = _sessions(emulator)
    emulator.reset()
    with emulator.client() as client:
        found = client.language_id.identify(audio.path, candidate_languages=["en-US", "de-DE"])
    assert [(s.text, s.language) for s in found.segments] == [
        (e["text"], e["language"]) for e in finals
    ]
    assert [round(s.offset.total_seconds() * 10**7) for s in found.segments] == [
        e["offset"] for e in finals
    ]
    (ours,) = _sessions(emulator)
    # The docs and the JS SDK put continuous identification on the universal v2
    # endpoint; the native SDK given a host keeps the v1 conversation path. The
    # emulator serves both alike.
    assert ours.path == "/speech/universal/v2"
    assert theirs.path in (ours.path, "/speech/recognition/conversation/cognitiveservices/v1")
    assert _lid(ours) == _lid(theirs)


def test_pronunciation_with_prosody_agrees_with_the_official_sdk(
    emulator: Any, tmp_path: Path
) -> None:
    audio = tone_wav(tmp_path / "p.wav", "Hello, big world.")
    reference = "Hello, big wide world."
    out = run_sdk(
        "recognize_once", emulator.url, KEY, wav=str(audio.path),
        pronunciation={"reference_text": reference, "miscue": True, "prosody": True},
    )  # fmt: skip
    assert out["reason"] == "RecognizedSpeech", out
    theirs = out["pronunciation"]
    assert theirs["prosody"] is not None, out
    (sdk_session,) = _sessions(emulator)
    emulator.reset()
    pa = PronunciationAssessment(
        reference_text=reference, grading_system="hundred_mark", miscue=True, prosody=True
    )
    with emulator.client() as client:
        result = client.stt.recognize_once(audio.path, pronunciation=pa)
    ours = result.pronunciation
    assert ours is not None
    assert (
        ours.accuracy_score, ours.fluency_score, ours.completeness_score,
        ours.pronunciation_score, ours.prosody_score,
    ) == (
        theirs["accuracy"], theirs["fluency"], theirs["completeness"], theirs["pron"],
        theirs["prosody"],
    )  # fmt: skip
    assert [(w.word, w.accuracy_score, w.error_type.value) for w in ours.words] == [
        (w["word"], w["accuracy"], w["error_type"]) for w in theirs["words"]
    ]
    assert ("wide", "Omission") in [(w.word, w.error_type.value) for w in ours.words]
    assert "MissingBreak" in [w.error_type.value for w in ours.words]
    (our_session,) = _sessions(emulator)
    key = ("phraseDetection", "enrichment", "pronunciationAssessment")
    sections = []
    for session in (sdk_session, our_session):
        body = session.received("speech.context")[0].json()
        for k in key:
            body = body[k]
        sections.append(body)
    assert sections[0] == sections[1]

"""Our option values put on the wire what Microsoft's official SDK puts there.

The official SDK and azspeech each recognize the same audio with the same
settings against the emulator; the emulator's log holds both ``speech.context``
bodies, and the sections the options own must agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azspeech.options import LanguageIdentification, PronunciationAssessment

from .conftest import KEY
from .harness import run_sdk, tone_wav


def _context(emulator: Any) -> dict[str, Any]:
    return dict(emulator.last_session.received("speech.context")[0].json())


def test_pronunciation_assessment_section_matches_the_official_sdk(
    emulator: Any, tmp_path: Path
) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Hello world.")
    out = run_sdk(
        "recognize_once", emulator.url, KEY, wav=str(audio.path),
        pronunciation={"reference_text": "Hello big world.", "miscue": True},
    )  # fmt: skip
    assert out["reason"] == "RecognizedSpeech", out
    theirs = _context(emulator)
    emulator.reset()
    pa = PronunciationAssessment(
        reference_text="Hello big world.", grading_system="hundred_mark", miscue=True
    )
    with emulator.client() as client:
        result = client.stt.recognize_once(audio.path, pronunciation=pa)
    assert result.text == "Hello world."
    ours = _context(emulator)
    section = ("phraseDetection", "enrichment", "pronunciationAssessment")
    assert _at(ours, section) == _at(theirs, section)
    assert ours["phraseOutput"]["format"] == theirs["phraseOutput"]["format"] == "Detailed"
    assert set(ours["phraseOutput"]["detailed"]["options"]) == set(
        theirs["phraseOutput"]["detailed"]["options"]
    )


def test_language_identification_section_matches_the_official_sdk(
    emulator: Any, tmp_path: Path
) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Grüße aus München.")
    out = run_sdk(
        "recognize_once", emulator.url, KEY, wav=str(audio.path), languages=["en-US", "de-DE"]
    )
    assert out["language"] == "de-DE", out
    theirs = _context(emulator)["languageId"]
    emulator.reset()
    lid = LanguageIdentification(candidates=["en-US", "de-DE"])
    with emulator.client() as client:
        result = client.stt.recognize_once(audio.path, language_id=lid)
    assert (result.text, result.language) == ("Grüße aus München.", "de-DE")
    ours = _context(emulator)["languageId"]
    # The native SDK spells "Priority" with a capital (the JS SDK and we: "priority").
    theirs = {k[0].lower() + k[1:]: v for k, v in theirs.items()}
    assert ours == theirs


def _at(body: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        body = body[key]
    return body

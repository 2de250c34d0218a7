"""``client.language_id.identify`` and the detected language on every STT result and event."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from azspeech.errors import InvalidRequestError
from azspeech.models.stt import Recognized, Recognizing

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

TEXTS = ["Good morning.", "Schöne Grüße aus München.", "Hello again."]
CANDIDATES = ["en-US", "de-DE", "fr-FR"]


def _audio() -> bytes:
    pcm, _ = phrase_audio(TEXTS, gap_ms=(800, 800), seed=3)
    return wav(pcm)


def _lid_context(emulator: Emulator) -> tuple[str, dict[str, Any]]:
    (session,) = [s for s in emulator.log if "/speech/" in s.path]
    return session.path, dict(session.received("speech.context")[0].json()["languageId"])


def test_continuous_identifies_every_segment_and_the_dominant_language(
    client: SpeechClient, emulator: Emulator
) -> None:
    found = client.language_id.identify(_audio(), candidate_languages=CANDIDATES)
    assert [(s.language, s.text) for s in found.segments] == [
        ("en-US", TEXTS[0]), ("de-DE", TEXTS[1]), ("en-US", TEXTS[2]),
    ]  # fmt: skip
    assert all(s.confidence == "High" for s in found.segments)
    offsets = [s.offset for s in found.segments]
    assert offsets == sorted(offsets) and offsets[0] >= timedelta(milliseconds=300)
    assert all(a.end <= b.offset for a, b in zip(found.segments, found.segments[1:], strict=False))
    # German is spoken longest (one long phrase against two short English ones)
    assert found.durations["de-DE"] > found.durations["en-US"]
    assert found.language == "de-DE" and found.languages == ["en-US", "de-DE"]
    path, ctx = _lid_context(emulator)
    assert path == "/speech/universal/v2"
    assert ctx["mode"] == "DetectContinuous" and ctx["languages"] == CANDIDATES


async def test_at_start_keeps_the_first_language_and_accuracy_priority(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    found = await aclient.language_id.identify(
        _audio(), candidate_languages=CANDIDATES[:2], mode="at_start", priority="accuracy"
    )
    assert [s.language for s in found.segments] == ["en-US"] * 3
    assert found.language == "en-US"
    _, ctx = _lid_context(emulator)
    assert (ctx["mode"], ctx["priority"]) == ("DetectAtAudioStart", "PrioritizeAccuracy")


async def test_silence_identifies_nothing(aclient: AsyncSpeechClient) -> None:
    found = await aclient.language_id.identify(
        wav(b"\x00\x00" * 16000), candidate_languages=["en-US", "de-DE"]
    )
    assert found.language is None and found.segments == [] and found.durations == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"candidate_languages": [f"en-{c}" for c in ("US", "GB", "AU", "CA", "IN")],
          "mode": "at_start"}, "at most 4"),
        ({"candidate_languages": [f"{x}-{x.upper()}" for x in
          ("en", "de", "fr", "it", "es", "pt", "nl", "sv", "da", "fi", "pl")]}, "at most 10"),
        ({"candidate_languages": []}, "must not be empty"),
        ({"candidate_languages": "en-US"}, "list of locales"),
        ({"candidate_languages": ["en-US", "english"]}, "english"),
        ({"candidate_languages": ["en-US"], "mode": "sometimes"}, "mode"),
        ({"candidate_languages": ["en-US"], "priority": "speed"}, "priority"),
    ],
)  # fmt: skip
def test_bad_candidates_fail_before_sending(
    client: SpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        client.language_id.identify(_audio(), **kwargs)
    assert emulator.log == []


async def test_async_too_many_candidates_fail_before_sending(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequestError, match="at most 4"):
        await aclient.language_id.identify(
            _audio(), candidate_languages=["en-US", "de-DE", "fr-FR", "es-ES", "it-IT"],
            mode="at_start",
        )  # fmt: skip
    assert emulator.log == []


def test_every_stt_event_carries_the_detected_language(client: SpeechClient) -> None:
    from azspeech.options import LanguageIdentification

    lid = LanguageIdentification(candidates=["en-US", "de-DE"], mode="continuous")
    with client.stt.connect(language_id=lid) as session:
        session.send_file(_audio())
        events = [e for e in session if isinstance(e, (Recognizing, Recognized))]
    finals = [e for e in events if isinstance(e, Recognized)]
    assert [e.language for e in finals] == ["en-US", "de-DE", "en-US"]
    assert all(e.language_confidence == "High" for e in finals)
    partials = [e for e in events if isinstance(e, Recognizing)]
    assert partials and all(e.language in ("en-US", "de-DE") for e in partials)
    assert all(e.language == e.result.language for e in events)


async def test_recognize_once_reports_the_language_and_its_confidence(
    aclient: AsyncSpeechClient,
) -> None:
    result = await aclient.stt.recognize_once(_audio(), candidate_languages=["de-DE", "en-US"])
    assert (result.text, result.language, result.language_confidence) == (
        TEXTS[0], "en-US", "High",
    )  # fmt: skip
    # German text, but no German candidate: the emulator falls back, with low confidence
    german = wav(phrase_audio([TEXTS[1]])[0])
    result = await aclient.stt.recognize_once(german, candidate_languages=["fr-FR", "en-US"])
    assert (result.language, result.language_confidence) == ("en-US", "Low")

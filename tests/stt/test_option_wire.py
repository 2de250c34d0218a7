"""Each option value reaches the wire of the emulator (over real sockets), through both clients.

Also: the old keyword names keep working, ``stt.stream`` is a deprecated alias
of ``stt.connect``, and ``extra_context`` merges into nested sections on the wire.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import TYPE_CHECKING, Any

import pytest

from azspeech.models.stt import Recognized
from azspeech.options import (
    LanguageIdentification,
    OutputOptions,
    PronunciationAssessment,
    RecognitionOptions,
    Reliability,
    SilenceTimeouts,
)
from azspeech.stt import AsyncSpeechToText, SpeechToText

from ._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

TEXTS = ["Hello world.", "Good morning."]


@pytest.fixture(scope="module")
def speech() -> bytes:
    pcm, _ = phrase_audio(TEXTS, gap_ms=(800, 800), seed=7)
    return wav(pcm)


def _german_and_english() -> bytes:
    from azspeech.emulator.engines import tones

    pcm = tones.encode("Good morning. Schöne Grüße.", 16000, lead_ms=300, tail_ms=700).pcm16()
    return wav(pcm)


def _stt(emulator: Emulator) -> Any:
    (session,) = [s for s in emulator.log if "/speech/" in s.path]
    return session


def _context(emulator: Emulator) -> dict[str, Any]:
    return dict(_stt(emulator).received("speech.context")[0].json())


async def test_option_groups_reach_the_wire(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: bytes
) -> None:
    opts = RecognitionOptions(
        language="en-US",
        phrases=["Contoso"],
        silence=SilenceTimeouts(initial=5.0, segmentation=0.6),
        output=OutputOptions(word_timings=True, profanity="raw"),
    )
    async with aclient.stt.connect(options=opts, reliability=Reliability(chunk_ms=50)) as session:
        await session.send_file(speech)
        finals = [r async for r in session.results()]
    assert [r.text for r in finals] == TEXTS
    assert finals[0].words and finals[0].words[0].word == "hello"  # word timings came back
    s = _stt(emulator)
    assert s.query["format"] == "detailed" and s.query["profanity"] == "raw"
    assert s.query["initialSilenceTimeoutMs"] == "5000"
    assert s.query["segmentationSilenceTimeoutMs"] == "600"
    ctx = _context(emulator)
    pd = ctx["phraseDetection"]
    assert pd["initialSilenceTimeout"] == 5000
    assert pd["conversation"]["segmentation"]["segmentationSilenceTimeoutMs"] == 600
    assert pd["enrichment"]["profanity"] == "Raw"
    assert ctx["phraseOutput"]["detailed"]["options"] == ["WordTimings"]
    assert ctx["dgi"]["groups"][0]["items"] == [{"text": "Contoso"}]


def test_continuous_language_identification_on_the_universal_endpoint(
    client: SpeechClient, emulator: Emulator
) -> None:
    lid = LanguageIdentification(candidates=["en-US", "de-DE"], mode="continuous")
    with client.stt.connect(language_id=lid, interim_results=False) as session:
        session.send_file(_german_and_english())
        finals = list(session.results())
    assert [r.language for r in finals] == ["en-US", "de-DE"]
    s = _stt(emulator)
    assert s.path == "/speech/universal/v2" and s.query["lidEnabled"] == "true"
    ctx = _context(emulator)
    assert ctx["languageId"]["mode"] == "DetectContinuous"
    assert "language" not in ctx["phraseDetection"]


async def test_candidate_languages_shortcut_identifies_at_start(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    r = await aclient.stt.recognize_once(
        _german_and_english(), candidate_languages=["en-US", "de-DE"]
    )
    assert r.text == "Good morning." and r.language == "en-US"
    s = _stt(emulator)
    assert s.path == "/speech/recognition/interactive/cognitiveservices/v1"
    assert _context(emulator)["languageId"]["mode"] == "DetectAtAudioStart"


async def test_pronunciation_assessment_over_the_websocket(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: bytes
) -> None:
    pa = PronunciationAssessment(reference_text="Hello world.", grading_system="hundred_mark")
    r = await aclient.stt.recognize_once(speech, pronunciation=pa)
    assert r.text == "Hello world."
    scores = r.raw["NBest"][0]["PronunciationAssessment"]
    assert scores["CompletenessScore"] == 100.0 and 0 < scores["PronScore"] <= 100
    assert [w["PronunciationAssessment"]["ErrorType"] for w in r.raw["NBest"][0]["Words"]] == [
        "None",
        "None",
    ]
    sent = _context(emulator)["phraseDetection"]["enrichment"]["pronunciationAssessment"]
    assert sent["referenceText"] == "Hello world." and sent["gradingSystem"] == "HundredMark"


def test_pronunciation_assessment_over_short_audio_rest(
    client: SpeechClient, emulator: Emulator
) -> None:
    pcm, _ = phrase_audio(["Hello world."], seed=8)
    pa = PronunciationAssessment(reference_text="Hello there world.", miscue=True)
    r = client.stt.recognize_short(wav(pcm), pronunciation=pa)
    best = r.raw["NBest"][0]
    assert best["CompletenessScore"] < 5  # five-point scale; one reference word missing
    assert "Omission" in [w["ErrorType"] for w in best["Words"]]
    (req,) = [q for q in emulator.requests if "/speech/recognition/" in q.path]
    header = json.loads(base64.b64decode(req.headers["pronunciation-assessment"]))
    assert header["EnableMiscue"] == "True" and req.query["format"] == "detailed"


async def test_extra_context_reaches_nested_sections_on_the_wire(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: bytes
) -> None:
    extra = {"phraseDetection": {"enrichment": {"contentAssessment": {"topic": "greetings"}}}}
    r = await aclient.stt.recognize_once(
        speech, language="en-GB", silence=SilenceTimeouts(segmentation=0.7), extra_context=extra
    )
    assert r.text == "Hello world."
    pd = _context(emulator)["phraseDetection"]
    assert (pd["mode"], pd["language"]) == ("Interactive", "en-GB")  # not dropped by the merge
    assert pd["interactive"]["segmentation"]["segmentationSilenceTimeoutMs"] == 700
    assert pd["enrichment"]["contentAssessment"] == {"topic": "greetings"}


# -- old names ------------------------------------------------------------------------------------


async def test_stream_is_a_deprecated_alias_with_the_old_keywords(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: bytes
) -> None:
    got: list[Recognized] = []
    with pytest.warns(DeprecationWarning, match=r"stt\.connect") as warned:
        session = aclient.stt.stream(
            language="en-US", word_timings=True, profanity="raw", initial_silence_timeout=4.0,
            end_silence_timeout=1.0, segmentation_silence_timeout=0.6, phrase_weight=1.5,
            phrases=["Contoso"], max_reconnects=2, replay_buffer_seconds=30.0, chunk_ms=50,
            max_connection_age=None, end_timeout=30.0, on_recognized=got.append,
        )  # fmt: skip
    assert warned[0].filename == __file__  # the warning points at the caller's line
    async with session:
        await session.send_file(speech)
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS and [ev.result.text for ev in got] == TEXTS
    assert session.max_reconnects == 2 and session.chunk_ms == 50
    s = _stt(emulator)
    assert s.query["wordLevelTimestamps"] == "true" and s.query["endSilenceTimeoutMs"] == "1000"
    assert _context(emulator)["dgi"]["bias"] == 1.5


def test_blocking_stream_alias_and_connect_without_warning(
    client: SpeechClient, speech: bytes
) -> None:
    with pytest.warns(DeprecationWarning):
        legacy = client.stt.stream(interim_results=False)
    with legacy as session:
        session.send_file(speech)
        assert [r.text for r in session.results()] == TEXTS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with client.stt.connect(interim_results=False, diarization=True) as session:
            session.send_file(speech)
            finals = list(session.results())
    assert [r.text for r in finals] == TEXTS and finals[0].speaker_id == "Guest-1"


def test_recognize_once_old_keywords_blocking(
    client: SpeechClient, emulator: Emulator, speech: bytes
) -> None:
    r = client.stt.recognize_once(
        speech, detailed=True, word_confidence=True, endpoint_id="my-model",
        extra_query={"x-test": "1"},
    )  # fmt: skip
    assert r.text == "Hello world." and r.best is not None
    s = _stt(emulator)
    assert (s.query["cid"], s.query["x-test"], s.query["format"]) == ("my-model", "1", "detailed")


def test_transcribe_candidate_languages(client: SpeechClient, speech: bytes) -> None:
    t = client.stt.transcribe(speech, candidate_languages=["de-DE"])
    assert t.phrases and {p.locale for p in t.phrases} == {"de-DE"}


@pytest.mark.parametrize("resource", [AsyncSpeechToText, SpeechToText])
def test_aliases_removed_and_unknown_keywords_refused(resource: type[Any]) -> None:
    assert not hasattr(resource, "start_continuous_recognition")
    stt = resource(None)
    with pytest.raises(TypeError, match="unexpected keyword argument 'word_timing'"):
        stt.connect(word_timing=True)


async def test_speech_start_sensitivity_reaches_the_wire(
    aclient: AsyncSpeechClient, emulator: Emulator, speech: bytes
) -> None:
    opts = RecognitionOptions(speech_start_sensitivity="medium")
    assert (await aclient.stt.recognize_once(speech, options=opts)).text == "Hello world."
    assert _context(emulator)["phraseDetection"]["voiceOnsetSensitivity"] == "medium"

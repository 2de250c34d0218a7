"""Sans-I/O: each option value validates once and adds exactly its part to the wire."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from typing import Any

import pytest

import azspeech._protocol.stt as protocol_stt
import azspeech._protocol.stt_options as protocol_options
from azspeech._protocol.stt import build_query, recognition_path, speech_context
from azspeech.errors import InvalidRequestError
from azspeech.options import (
    FastTranscriptionOptions,
    LanguageIdentification,
    OutputOptions,
    PronunciationAssessment,
    RecognitionOptions,
    Reliability,
    SilenceTimeouts,
)
from azspeech.stt import _build
from azspeech.stt._keywords import recognition


def _query(opts: RecognitionOptions) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(build_query(opts)))


# -- RecognitionOptions ---------------------------------------------------------------------------


def test_defaults_build_the_minimal_wire() -> None:
    opts = RecognitionOptions()
    assert _query(opts) == {"language": "en-US", "format": "simple"}
    assert speech_context(opts) == {
        "phraseDetection": {"mode": "Conversation", "language": "en-US", "enrichment": {}},
        "phraseOutput": {
            "interimResults": {"resultType": "Auto"},
            "phraseResults": {"resultType": "Always"},
            "format": "Simple",
        },
    }
    assert opts.headers() == {}
    assert recognition_path(opts.mode, universal=opts.universal_endpoint) == (
        "/speech/recognition/conversation/cognitiveservices/v1"
    )


def test_values_are_frozen_keyword_only_and_normalized() -> None:
    opts = RecognitionOptions(mode="Dictation", language="de_de", phrases=[" Contoso "])  # type: ignore[arg-type]
    assert (opts.mode, opts.language, opts.phrases) == ("dictation", "de-DE", ("Contoso",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.language = "fr-FR"  # type: ignore[misc]
    with pytest.raises(TypeError):
        RecognitionOptions("en-US")  # type: ignore[misc]
    assert opts.checked() is opts  # kept for old callers: validation already happened


def test_recognition_options_keep_their_private_import_paths() -> None:
    assert protocol_options.RecognitionOptions is RecognitionOptions
    assert protocol_stt.RecognitionOptions is RecognitionOptions


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"mode": "shouting"}, "mode"), ({"language": "english"}, "language"),
     ({"interim_results": "no"}, "interim_results"), ({"phrases": "Contoso"}, "phrases"),
     ({"phrases": ["a", ""]}, "phrase list entry 1"), ({"phrase_weight": math.nan,
     "phrases": ["a"]}, "phrase_weight"), ({"endpoint_id": ""}, "endpoint_id"),
     ({"silence": {"initial": 1.0}}, "silence"), ({"extra_query": {"a": None}}, "extra_query"),
     ({"diarization": True, "mode": "interactive"}, "diarization")],
)  # fmt: skip
def test_bad_recognition_options_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError, match=field):
        RecognitionOptions(**kwargs)


def test_phrase_list_and_top_level_settings() -> None:
    opts = RecognitionOptions(
        phrases=["Contoso", "Jessie"], phrase_weight=1.5, endpoint_id="cid-1", store_audio=True,
        diarization=True, diarize_interim=True, interim_results=False,
    )  # fmt: skip
    assert _query(opts) == {
        "language": "en-US", "format": "simple", "cid": "cid-1", "storeAudio": "true",
    }  # fmt: skip
    ctx = speech_context(opts, audio_offset_ms=2000, audio_session_id="S")
    assert ctx["dgi"] == {
        "groups": [{"type": "Generic", "items": [{"text": "Contoso"}, {"text": "Jessie"}]}],
        "bias": 1.5,
    }
    assert ctx["phraseDetection"]["speakerDiarization"] == {
        "mode": "Anonymous", "audioSessionId": "S", "audioOffsetMs": 2000,
        "diarizeIntermediates": True,
    }  # fmt: skip
    assert ctx["phraseOutput"]["interimResults"] == {"resultType": "None"}


# -- SilenceTimeouts ------------------------------------------------------------------------------


def test_silence_timeouts_reach_query_and_the_modes_segmentation() -> None:
    silence = SilenceTimeouts(initial=5.0, end=1.2, segmentation=0.8, segmentation_max=30.0)
    opts = RecognitionOptions(mode="dictation", silence=silence)
    q = _query(opts)
    assert (q["initialSilenceTimeoutMs"], q["endSilenceTimeoutMs"]) == ("5000", "1200")
    assert q["segmentationSilenceTimeoutMs"] == "800"
    pd = speech_context(opts)["phraseDetection"]
    assert (pd["initialSilenceTimeout"], pd["trailingSilenceTimeout"]) == (5000, 1200)
    assert pd["dictation"] == {
        "segmentation": {
            "mode": "Custom",
            "segmentationSilenceTimeoutMs": 800,
            "segmentationForcedTimeoutMs": 30000,
        }
    }


def test_no_silence_timeouts_add_nothing() -> None:
    assert speech_context(RecognitionOptions(silence=SilenceTimeouts())) == speech_context(
        RecognitionOptions()
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -0.5, "5", True])
@pytest.mark.parametrize(
    ("field", "name"),
    [("initial", "initial_silence_timeout"), ("end", "end_silence_timeout"),
     ("segmentation", "segmentation_silence_timeout"), ("segmentation_max", "segmentation_max")],
)  # fmt: skip
def test_bad_silence_timeouts(field: str, name: str, value: object) -> None:
    with pytest.raises(InvalidRequestError, match=name):
        SilenceTimeouts(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "value"), [("segmentation", 0.05), ("segmentation", 6.0),
                                              ("segmentation_max", 10.0)])  # fmt: skip
def test_silence_timeouts_out_of_the_service_range(field: str, value: float) -> None:
    with pytest.raises(InvalidRequestError, match="seconds"):
        SilenceTimeouts(**{field: value})  # type: ignore[arg-type]


# -- OutputOptions --------------------------------------------------------------------------------


def test_output_options_wire() -> None:
    out = OutputOptions(word_timings=True, snr=True, profanity="RAW", true_text=True,  # type: ignore[arg-type]
                        stable_partial_threshold=3)  # fmt: skip
    assert out.profanity == "raw" and out.result_format == "detailed"
    opts = RecognitionOptions(output=out)
    q = _query(opts)
    assert (q["format"], q["profanity"], q["wordLevelTimestamps"]) == ("detailed", "raw", "true")
    assert q["stableIntermediateThreshold"] == "3"
    ctx = speech_context(opts)
    enrichment = ctx["phraseDetection"]["enrichment"]
    assert enrichment["profanity"] == "Raw"
    assert enrichment["conversation"]["disfluencyMode"] == "Removed"
    assert ctx["phraseOutput"]["format"] == "Detailed"
    assert ctx["phraseOutput"]["detailed"] == {"options": ["WordTimings", "SNR"]}
    assert ctx["phraseOutput"]["interimResults"] == {"resultType": "Auto", "stableThreshold": 3}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"profanity": "bleep"}, "profanity"), ({"detailed": 1}, "detailed"),
     ({"stable_partial_threshold": 0}, "stable_partial_threshold")],
)  # fmt: skip
def test_bad_output_options(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError, match=field):
        OutputOptions(**kwargs)


# -- LanguageIdentification -----------------------------------------------------------------------

FIVE = ["en-US", "de-DE", "fr-FR", "es-ES", "it-IT"]


def test_language_identification_wire() -> None:
    lid = LanguageIdentification(candidates=["en-us", "de-DE"], mode="continuous",
                                 priority="accuracy")  # fmt: skip
    opts = RecognitionOptions(language_id=lid)
    assert lid.candidates == ("en-US", "de-DE") and opts.candidate_languages == ("en-US", "de-DE")
    assert opts.universal_endpoint
    assert recognition_path(opts.mode, universal=True) == "/speech/universal/v2"
    assert _query(opts)["lidEnabled"] == "true"
    ctx = speech_context(opts)
    assert "language" not in ctx["phraseDetection"]
    assert ctx["languageId"] == {
        "languages": ["en-US", "de-DE"], "mode": "DetectContinuous",
        "onSuccess": {"action": "Recognize"}, "onUnknown": {"action": "None"},
        "priority": "PrioritizeAccuracy",
    }  # fmt: skip
    at_start = RecognitionOptions(language_id=LanguageIdentification(candidates=["en-US"]))
    assert not at_start.universal_endpoint
    assert speech_context(at_start)["languageId"]["priority"] == "PrioritizeLatency"


def test_language_identification_candidate_limits() -> None:
    LanguageIdentification(candidates=FIVE, mode="continuous")
    LanguageIdentification(candidates=FIVE[:4])
    with pytest.raises(InvalidRequestError, match="at most 4"):
        LanguageIdentification(candidates=FIVE)
    with pytest.raises(InvalidRequestError, match="at most 10"):
        LanguageIdentification(candidates=[f"en-{c}A" for c in "ABCDEFGHIJK"], mode="continuous")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"candidates": "en-US"}, "list"), ({"candidates": []}, "empty"),
     ({"candidates": ["en-US", "en-us"]}, "duplicates"),
     ({"candidates": ["en-US"], "mode": "sometimes"}, "mode"),
     ({"candidates": ["en-US"], "priority": "fast"}, "priority")],
)  # fmt: skip
def test_bad_language_identification(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        LanguageIdentification(**kwargs)


# -- PronunciationAssessment ----------------------------------------------------------------------


def test_pronunciation_assessment_context() -> None:
    pa = PronunciationAssessment(
        reference_text="Good morning.", grading_system="HundredMark", granularity="word",  # type: ignore[arg-type]
        prosody=True, miscue=True, phoneme_alphabet="IPA", nbest_phoneme_count=5,  # type: ignore[arg-type]
    )  # fmt: skip
    assert (pa.grading_system, pa.phoneme_alphabet) == ("hundred_mark", "ipa")
    opts = RecognitionOptions(output=OutputOptions(word_timings=True), pronunciation=pa)
    ctx = speech_context(opts)
    assert ctx["phraseDetection"]["enrichment"]["pronunciationAssessment"] == {
        "referenceText": "Good morning.", "gradingSystem": "HundredMark", "granularity": "Word",
        "phonemeAlphabet": "IPA", "nbestPhonemeCount": 5, "enableProsodyAssessment": True,
        "dimension": "Comprehensive", "enableMiscue": True,
    }  # fmt: skip
    assert ctx["phraseOutput"]["format"] == "Detailed"
    assert ctx["phraseOutput"]["detailed"]["options"] == [
        "WordTimings", "PronunciationAssessment", "SNR",
    ]  # fmt: skip
    assert _query(opts)["format"] == "detailed"


def test_pronunciation_assessment_rest_header() -> None:
    pa = PronunciationAssessment(reference_text="Grüß dich.", miscue=True, scenario_id="s-1")
    headers = RecognitionOptions(pronunciation=pa).headers()
    body = json.loads(base64.b64decode(headers["Pronunciation-Assessment"]).decode("utf-8"))
    assert body == {
        "ReferenceText": "Grüß dich.", "GradingSystem": "FivePoint", "Granularity": "Phoneme",
        "Dimension": "Comprehensive", "EnableMiscue": "True", "EnableProsodyAssessment": "False",
        "ScenarioId": "s-1",
    }  # fmt: skip


def test_unscripted_assessment_is_refused_over_rest_only() -> None:
    opts = RecognitionOptions(pronunciation=PronunciationAssessment())
    speech_context(opts)  # fine over the WebSocket
    with pytest.raises(InvalidRequestError, match="reference_text"):
        opts.headers()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"grading_system": "ten_point"}, "grading_system"),
     ({"granularity": "letter"}, "granularity"), ({"miscue": "yes"}, "miscue"),
     ({"nbest_phoneme_count": 0}, "nbest_phoneme_count"),
     ({"reference_text": None}, "reference_text"), ({"phoneme_alphabet": "x"}, "phoneme_alphabet")],
)  # fmt: skip
def test_bad_pronunciation_assessment(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError, match=field):
        PronunciationAssessment(**kwargs)


# -- extra_context: deep merge --------------------------------------------------------------------


def test_extra_context_merges_into_nested_sections() -> None:
    opts = RecognitionOptions(
        mode="dictation",
        silence=SilenceTimeouts(segmentation=0.8),
        output=OutputOptions(profanity="raw"),
        extra_context={
            "phraseDetection": {"enrichment": {"contentAssessment": {"topic": "weather"}},
                                "dictation": {"segmentation": {"mode": "Custom"}}},
            "phraseOutput": {"detailed": {"extensions": ["Graph"]}},
            "invocationSource": "None",
        },
    )  # fmt: skip
    ctx = speech_context(opts)
    pd = ctx["phraseDetection"]
    # What the SDK set survives: mode, language, segmentation, profanity.
    assert (pd["mode"], pd["language"]) == ("Dictation", "en-US")
    assert pd["dictation"]["segmentation"]["segmentationSilenceTimeoutMs"] == 800
    assert pd["enrichment"] == {"profanity": "Raw", "contentAssessment": {"topic": "weather"}}
    assert ctx["phraseOutput"]["detailed"] == {"extensions": ["Graph"]}
    assert ctx["invocationSource"] == "None"


def test_extra_context_cannot_change_what_the_sdk_sets() -> None:
    with pytest.raises(InvalidRequestError, match=r"phraseDetection\.mode"):
        RecognitionOptions(extra_context={"phraseDetection": {"mode": "Dictation"}})
    with pytest.raises(InvalidRequestError, match=r"phraseDetection\.enrichment"):
        RecognitionOptions(extra_context={"phraseDetection": {"enrichment": "none"}})


def test_extra_context_copies_the_callers_dicts() -> None:
    extra = {"phraseDetection": {"enrichment": {"contentAssessment": {"topic": "a"}}}}
    opts = RecognitionOptions(extra_context=extra)
    speech_context(opts)["phraseDetection"]["enrichment"]["contentAssessment"]["topic"] = "b"
    assert extra["phraseDetection"]["enrichment"]["contentAssessment"]["topic"] == "a"
    assert speech_context(opts)["phraseDetection"]["enrichment"]["contentAssessment"] == {
        "topic": "a"
    }


def test_extra_query_wins_over_the_sdk() -> None:
    opts = RecognitionOptions(extra_query={"format": "detailed", "x": 1})
    assert _query(opts) == {"language": "en-US", "format": "detailed", "x": "1"}


# -- flat keywords → values -----------------------------------------------------------------------


def _resolve(options: RecognitionOptions | None = None, **given: Any) -> RecognitionOptions:
    shortcuts = {k: given.pop(k) for k in list(given) if k in
                 ("language", "mode", "interim_results", "candidate_languages", "phrases",
                  "detailed")}  # fmt: skip
    groups = {k: given.pop(k, None) for k in ("silence", "output", "language_id", "pronunciation")}
    return recognition(options=options, default_mode="conversation", shortcuts=shortcuts,
                       given=given, **groups)  # fmt: skip


def test_an_options_value_passes_through_unchanged() -> None:
    opts = RecognitionOptions(language="de-DE")
    assert _resolve(opts) is opts  # built (and validated) once, by the caller
    assert _build.once_options({}, {"options": opts}, {}) is opts


def test_flat_keywords_override_the_object() -> None:
    base = RecognitionOptions(
        language="de-DE", output=OutputOptions(profanity="raw"), silence=SilenceTimeouts(end=1.0),
        language_id=LanguageIdentification(candidates=["de-DE", "en-US"]),
    )  # fmt: skip
    opts = _resolve(
        base, language="fr-FR", detailed=True, word_timings=True, initial_silence_timeout=2.0,
        language_id_mode="continuous", phrase_weight=0.5, phrases=["a"], diarization=True,
    )  # fmt: skip
    assert opts.language == "fr-FR" and opts.phrases == ("a",) and opts.phrase_weight == 0.5
    assert opts.output == OutputOptions(detailed=True, word_timings=True, profanity="raw")
    assert opts.silence == SilenceTimeouts(initial=2.0, end=1.0)
    assert opts.language_id == LanguageIdentification(
        candidates=["de-DE", "en-US"], mode="continuous"
    )
    assert opts.diarization


def test_old_keywords_build_the_same_values() -> None:
    opts = _resolve(
        candidate_languages=["en-US", "de-DE"], profanity="removed", true_text=True,
        segmentation_silence_timeout=0.7, segmentation_max_time=25.0, end_silence_timeout=0.9,
        stable_partial_threshold=2, word_confidence=True, endpoint_id="e", store_audio=True,
        extra_query={"a": "b"}, extra_context={"x": 1}, diarize_interim=True,
    )  # fmt: skip
    assert opts == RecognitionOptions(
        language_id=LanguageIdentification(candidates=["en-US", "de-DE"]),
        output=OutputOptions(profanity="removed", true_text=True, stable_partial_threshold=2,
                             word_confidence=True),
        silence=SilenceTimeouts(segmentation=0.7, segmentation_max=25.0, end=0.9),
        endpoint_id="e", store_audio=True, extra_query={"a": "b"}, extra_context={"x": 1},
        diarize_interim=True,
    )  # fmt: skip


def test_recognize_once_defaults_to_interactive_without_partials() -> None:
    opts = _build.once_options({}, {}, {})
    assert (opts.mode, opts.interim_results) == ("interactive", False)
    assert _build.once_options({}, {}, {"diarization": True}).mode == "conversation"


# -- Reliability and fast transcription -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"end_timeout": -1.0}, "end_timeout"), ({"window_wait": math.inf}, "window_wait"),
     ({"replay_buffer_seconds": math.nan}, "replay_buffer_seconds"),
     ({"chunk_ms": 5}, "chunk_ms"), ({"max_reconnects": -1}, "max_reconnects")],
)  # fmt: skip
def test_bad_reliability(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequestError, match=field):
        Reliability(**kwargs)


def test_reliability_zero_age_renews_after_every_final() -> None:
    assert Reliability(max_connection_age=0.0).max_connection_age == 0.0


def test_fast_transcription_options_definition() -> None:
    fast = FastTranscriptionOptions(
        locales="de-de", diarization=4, profanity="Raw", phrases=["Contoso"], phrase_weight=1.2,  # type: ignore[arg-type]
        extra_definition={"enhancedMode": {"enabled": True}},
    )  # fmt: skip
    assert fast.definition("https://x.blob.core.windows.net/a.wav") == {
        "locales": ["de-DE"], "diarization": {"enabled": True, "maxSpeakers": 4},
        "profanityFilterMode": "None",
        "phraseList": {"phrases": ["Contoso"], "biasingWeight": 1.2},
        "audioUrl": "https://x.blob.core.windows.net/a.wav",
        "enhancedMode": {"enabled": True},
    }  # fmt: skip
    with pytest.raises(InvalidRequestError, match="phrases"):
        FastTranscriptionOptions(phrases="Contoso")  # type: ignore[arg-type]


def test_fast_transcription_candidate_languages_is_locales() -> None:
    fast = _build.fast_options(None, {"candidate_languages": ["en-US", "de-DE"]})
    assert fast.locales == ("en-US", "de-DE")
    with pytest.raises(InvalidRequestError, match="either"):
        _build.fast_options(None, {"candidate_languages": ["en-US"], "locales": ["en-US"]})


def test_speech_start_sensitivity() -> None:
    opts = RecognitionOptions(speech_start_sensitivity="High")  # type: ignore[arg-type]
    assert speech_context(opts)["phraseDetection"]["voiceOnsetSensitivity"] == "high"
    assert "voiceOnsetSensitivity" not in speech_context(RecognitionOptions())["phraseDetection"]
    with pytest.raises(InvalidRequestError, match="speech_start_sensitivity"):
        RecognitionOptions(speech_start_sensitivity="eager")  # type: ignore[arg-type]


def test_option_values_are_hashable_values() -> None:
    a = RecognitionOptions(phrases=["x"], extra_context={"a": {"b": 1}})
    b = RecognitionOptions(phrases=("x",), extra_context={"a": {"b": 1}})
    assert a == b and hash(a) == hash(b)
    assert len({FastTranscriptionOptions(locales=["en-US"]), FastTranscriptionOptions()}) == 2


def test_language_id_mode_without_candidates_is_checked_then_unused() -> None:
    assert _resolve(language_id_mode="continuous").language_id is None  # accepted as before
    with pytest.raises(InvalidRequestError, match="language_id_mode"):
        _resolve(language_id_mode="sometimes")

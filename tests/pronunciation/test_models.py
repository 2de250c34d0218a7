"""Parsing the service's pronunciation JSON into typed models (both wire shapes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from azspeech._protocol.stt_results import parse_result
from azspeech.models.pronunciation import PronunciationErrorType as E

MONOTONE = {
    "Prosody": {
        "Break": {"ErrorTypes": ["None"], "BreakLength": 0},
        "Intonation": {"ErrorTypes": ["Monotone"], "Monotone": {"Confidence": 0.9}},
    }
}


def _websocket_body() -> dict[str, Any]:
    return {
        "RecognitionStatus": "Success",
        "Offset": 7_500_000,
        "Duration": 13_800_000,
        "DisplayText": "Hello there.",
        "NBest": [
            {
                "Confidence": 0.97,
                "Lexical": "hello there",
                "PronunciationAssessment": {
                    "AccuracyScore": 90,
                    "FluencyScore": 80,
                    "CompletenessScore": 100,
                    "ProsodyScore": 70.5,
                    "PronScore": 84.2,
                },
                "Words": [
                    {
                        "Word": "hello",
                        "Offset": 7_500_000,
                        "Duration": 4_000_000,
                        "PronunciationAssessment": {
                            "AccuracyScore": 99.0,
                            "ErrorType": "None",
                            "Feedback": MONOTONE,
                        },
                        "Syllables": [
                            {
                                "Syllable": "hɛ",
                                "Grapheme": "he",
                                "Offset": 7_500_000,
                                "Duration": 2_000_000,
                                "PronunciationAssessment": {"AccuracyScore": 91.0},
                            },
                        ],
                        "Phonemes": [
                            {
                                "Phoneme": "h",
                                "Offset": 7_500_000,
                                "Duration": 1_000_000,
                                "PronunciationAssessment": {
                                    "AccuracyScore": 98.0,
                                    "NBestPhonemes": [
                                        {"Phoneme": "h", "Score": 100.0},
                                        {"Phoneme": "oʊ", "Score": 52.0},
                                    ],
                                },
                            },
                        ],
                    },
                    {
                        "Word": "there",
                        "Offset": 12_000_000,
                        "Duration": 3_000_000,
                        "PronunciationAssessment": {"AccuracyScore": 50, "ErrorType": "Monotone"},
                        "Feedback": {
                            "Prosody": {
                                "Break": {
                                    "ErrorTypes": ["UnexpectedBreak"],
                                    "UnexpectedBreak": {"Confidence": 0.8},
                                    "MissingBreak": {"Confidence": 0.1},
                                    "BreakLength": 6_000_000,
                                }
                            }
                        },
                    },
                    {"Word": "friend", "PronunciationAssessment": {"ErrorType": "Omission"}},
                    {"Word": "x", "PronunciationAssessment": {"ErrorType": "SomethingNew"}},
                ],
            }
        ],
    }


def test_websocket_shape_with_a_turn_base_offset() -> None:
    result = parse_result(_websocket_body(), base_ticks=100_000_000)  # 10 s into the session
    scored = result.pronunciation
    assert scored is not None
    assert (scored.accuracy_score, scored.fluency_score, scored.completeness_score) == (90, 80, 100)
    assert (scored.prosody_score, scored.pronunciation_score) == (70.5, 84.2)
    assert scored.offset == timedelta(seconds=10.75) and scored.duration == timedelta(seconds=1.38)
    hello, there, friend, new = scored.words
    assert hello.offset == timedelta(seconds=10.75) and hello.duration == timedelta(seconds=0.4)
    assert hello.end == timedelta(seconds=11.15)
    assert hello.syllables[0].syllable == "hɛ" and hello.syllables[0].grapheme == "he"
    assert hello.syllables[0].offset == timedelta(seconds=10.75)
    phoneme = hello.phonemes[0]
    assert (phoneme.phoneme, phoneme.accuracy_score) == ("h", 98.0)
    assert [(n.phoneme, n.score) for n in phoneme.nbest_phonemes] == [("h", 100.0), ("oʊ", 52.0)]
    # feedback under PronunciationAssessment (hello) or on the word itself (there)
    assert hello.prosody is not None and hello.prosody.intonation_error_types == ["Monotone"]
    assert hello.prosody.monotone_confidence == 0.9
    assert there.error_type is E.MONOTONE
    assert there.prosody is not None and there.prosody.break_error_types == ["UnexpectedBreak"]
    assert there.prosody.unexpected_break_confidence == 0.8
    assert there.prosody.break_length == timedelta(seconds=0.6)
    assert friend.error_type is E.OMISSION and friend.offset is None and friend.end is None
    assert new.error_type is E.UNKNOWN


def test_rest_flattened_shape() -> None:
    body = {
        "RecognitionStatus": "Success", "Offset": 0, "Duration": 10_000_000,
        "NBest": [{
            "Lexical": "hi", "AccuracyScore": 4.5, "FluencyScore": 5.0, "CompletenessScore": 5.0,
            "PronScore": 4.7,
            "Words": [{"Word": "hi", "Offset": 0, "Duration": 5_000_000, "AccuracyScore": 4.5,
                       "ErrorType": "Mispronunciation"}],
        }],
    }  # fmt: skip
    scored = parse_result(body).pronunciation
    assert scored is not None and scored.prosody_score is None
    assert (scored.accuracy_score, scored.pronunciation_score) == (4.5, 4.7)
    assert scored.words[0].error_type is E.MISPRONUNCIATION
    assert scored.words[0].accuracy_score == 4.5


def test_no_scores_no_pronunciation() -> None:
    body = {"RecognitionStatus": "Success", "NBest": [{"Lexical": "hi", "Confidence": 0.9}]}
    assert parse_result(body).pronunciation is None
    assert parse_result({"RecognitionStatus": "NoMatch"}).pronunciation is None

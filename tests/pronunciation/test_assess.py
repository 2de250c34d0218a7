"""``client.pronunciation.assess`` over real sockets against the emulator, both clients."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from azspeech.models.pronunciation import PronunciationErrorType as E
from azspeech.pronunciation import PronunciationReport

from ._reading import REFERENCE, SPOKEN, reading

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator


def _pa_context(emulator: Emulator) -> dict[str, Any]:
    (session,) = [s for s in emulator.log if "/speech/" in s.path]
    ctx = session.received("speech.context")[0].json()
    return dict(ctx["phraseDetection"]["enrichment"]["pronunciationAssessment"])


def test_a_long_reading_is_one_report_with_omissions_and_mispronunciations(
    client: SpeechClient, emulator: Emulator
) -> None:
    report = client.pronunciation.assess(
        reading(), reference_text=REFERENCE, grading_system="HundredMark",
        granularity="Phoneme", enable_miscue=True, enable_prosody=True,
    )  # fmt: skip
    assert isinstance(report, PronunciationReport)
    assert len(report.utterances) == len(SPOKEN)
    kinds = [(w.word, w.error_type) for w in report.words]
    assert kinds == [
        ("hello", E.NONE), ("world", E.MISSING_BREAK), ("the", E.NONE), ("quick", E.NONE),
        ("brown", E.NONE), ("box", E.MISPRONUNCIATION), ("jumps", E.NONE), ("over", E.NONE),
        ("the", E.NONE), ("lazy", E.OMISSION), ("dog", E.NONE),
    ]  # fmt: skip
    # 9 of 11 reference words said (a prosody error still counts as said)
    assert report.completeness_score == round(100 * 9 / 11, 2)
    timed = [w for w in report.words if w.error_type is not E.OMISSION]
    assert all(isinstance(w.offset, timedelta) and w.duration for w in timed)
    assert [w.offset for w in timed] == sorted(w.offset for w in timed if w.offset is not None)
    assert timed[-1].offset is not None and timed[-1].offset > timedelta(seconds=3)
    accuracies = [w.accuracy_score or 0.0 for w in report.words]
    assert report.accuracy_score == round(sum(accuracies) / len(accuracies), 2)
    assert report.prosody_score is not None and report.prosody_score < 100
    assert report.fluency_score == 100.0
    assert report.pronunciation_score is not None and 0 < report.pronunciation_score < 100
    hello = report.words[0]
    assert [s.syllable for s in hello.syllables] == ["he", "llo"]
    assert [p.phoneme for p in hello.phonemes] == list("hello")
    assert hello.phonemes[0].offset == hello.offset
    assert hello.prosody is not None and hello.prosody.break_error_types == ["None"]
    assert report.words[1].prosody is not None
    assert report.words[1].prosody.break_error_types == ["MissingBreak"]
    # miscue is done over the whole reading here, not per utterance by the service
    sent = _pa_context(emulator)
    assert sent["referenceText"] == REFERENCE and sent["enableProsodyAssessment"] is True
    assert "enableMiscue" not in sent


async def test_five_points_ipa_and_nbest_phonemes(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    report = await aclient.pronunciation.assess(
        reading(), reference_text=REFERENCE, grading_system="five_point",
        phoneme_alphabet="IPA", nbest_phoneme_count=3, enable_prosody=False,
    )  # fmt: skip
    assert report.full_mark == 5.0
    assert report.prosody_score is None
    for score in (report.accuracy_score, report.fluency_score, report.completeness_score):
        assert score is not None and 0 <= score <= 5
    hello = report.words[0]
    assert [p.phoneme for p in hello.phonemes] == ["h", "ɛ", "l", "l", "ɑ"]
    nbest = hello.phonemes[1].nbest_phonemes
    assert [n.phoneme for n in nbest] == ["ɛ", "ɪ", "æ"]
    assert nbest[0].score >= nbest[1].score >= nbest[2].score
    assert hello.accuracy_score is not None and hello.accuracy_score <= 5
    sent = _pa_context(emulator)
    assert (sent["gradingSystem"], sent["phonemeAlphabet"], sent["nbestPhonemeCount"]) == (
        "FivePoint", "IPA", 3,
    )  # fmt: skip


async def test_unscripted_with_a_content_topic(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    report = await aclient.pronunciation.assess(
        reading(), content_topic="A quick brown fox and a lazy dog", granularity="word"
    )
    assert report.reference_text is None
    assert [w.error_type for w in report.words] == [E.NONE] * 10  # nothing to miss
    assert all(not w.phonemes for w in report.words)  # word granularity
    assert report.content is not None
    assert report.content.topic_score is not None and report.content.topic_score > 30
    assert report.content.vocabulary_score is not None
    sent = _pa_context(emulator)
    assert sent["referenceText"] == "" and sent["granularity"] == "Word"
    (session,) = [s for s in emulator.log if "/speech/" in s.path]
    ctx = session.received("speech.context")[0].json()
    topic = "A quick brown fox and a lazy dog"
    assert ctx["phraseDetection"]["enrichment"]["contentAssessment"] == {"topic": topic}
    assert "ContentAssessment" in ctx["phraseOutput"]["detailed"]["options"]


def test_stt_results_carry_typed_scores(client: SpeechClient) -> None:
    from azspeech.options import PronunciationAssessment

    pa = PronunciationAssessment(reference_text="Hello world.", prosody=True, miscue=True)
    result = client.stt.recognize_once(reading(), pronunciation=pa)
    scored = result.pronunciation
    assert scored is not None
    assert scored.text == result.text
    assert scored.pronunciation_score is not None and scored.prosody_score is not None
    assert [w.word for w in scored.words] == ["hello", "world"]
    assert scored.words[0].offset == result.words[0].offset
    # a result without pronunciation assessment has none
    assert client.stt.recognize_once(reading()).pronunciation is None


def test_short_audio_rest_scores_are_typed_too(client: SpeechClient) -> None:
    from azspeech.options import PronunciationAssessment

    pa = PronunciationAssessment(reference_text="Hello big world.", miscue=True)
    result = client.stt.recognize_short(reading(), pronunciation=pa)
    scored = result.pronunciation
    assert scored is not None and scored.completeness_score is not None
    kinds = [(w.word, w.error_type) for w in scored.words]
    assert ("big", E.OMISSION) in kinds
    assert scored.words[0].phonemes

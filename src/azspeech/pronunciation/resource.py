"""``client.pronunciation``: assess how a reading (or free speech) was pronounced.

Both twins recognize the whole audio continuously over the WebSocket with a
:class:`~azspeech.options.PronunciationAssessment` and combine the
utterances into one :class:`~azspeech.pronunciation.report.PronunciationReport`
(:func:`~azspeech.pronunciation.aggregate.aggregate`). Miscue detection is
done here, by aligning all recognized words with the reference: the service
does not detect miscues in continuous recognition, and its per-utterance
alignment could not see the whole reading anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidRequestError
from ..models.pronunciation import PronunciationResult
from ..models.stt import RecognitionResult
from ..options import PronunciationAssessment, Reliability
from ..options.features import Granularity, PhonemeAlphabet
from .aggregate import aggregate

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio import AudioInput, PcmFormat
    from .report import PronunciationReport

__all__ = ["AsyncPronunciation", "Pronunciation", "assessment_options"]


def assessment_options(
    *,
    reference_text: str | None,
    language: str,
    grading_system: str,
    granularity: str,
    enable_miscue: bool,
    enable_prosody: bool | None,
    phoneme_alphabet: str | None,
    nbest_phoneme_count: int | None,
    content_topic: str | None,
) -> PronunciationAssessment:
    """The option value ``assess`` sends (miscue off on the wire: it is done client-side).

    Bad input (an empty reference text, an unknown grading system or
    granularity...) raises :class:`~azspeech.errors.InvalidRequestError`.
    """
    if reference_text is not None:
        if not isinstance(reference_text, str):
            raise InvalidRequestError(f"reference_text must be a string, got {reference_text!r}")
        if not reference_text.strip():
            raise InvalidRequestError(
                "reference_text is empty: pass the text the speaker reads, "
                "or reference_text=None for unscripted assessment"
            )
    if not isinstance(enable_miscue, bool):
        raise InvalidRequestError(f"enable_miscue must be True or False, got {enable_miscue!r}")
    prosody = language.lower().startswith("en-us") if enable_prosody is None else enable_prosody
    return PronunciationAssessment(
        reference_text=reference_text or "",
        grading_system=grading_system,  # type: ignore[arg-type]  # validated by the option
        granularity=granularity,  # type: ignore[arg-type]
        miscue=False,
        prosody=prosody,
        phoneme_alphabet=phoneme_alphabet,  # type: ignore[arg-type]
        nbest_phoneme_count=nbest_phoneme_count,
        content_topic=content_topic,
    )


def _report(
    results: list[RecognitionResult],
    pa: PronunciationAssessment,
    *,
    miscue: bool,
    language: str,
) -> PronunciationReport:
    utterances: list[PronunciationResult] = []
    for result in results:
        scored = result.pronunciation
        if scored is not None:
            utterances.append(scored)
    return aggregate(
        utterances,
        reference_text=pa.reference_text or None,
        miscue=miscue,
        full_mark=5.0 if pa.grading_system == "five_point" else 100.0,
        language=language,
    )


_DOC_ARGS = """
        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            reference_text: what the speaker reads (at most
                :data:`~azspeech.options.features.MAX_REFERENCE_TEXT_CHARS`
                characters); None for unscripted assessment.
            language: the locale spoken (prosody and syllables: en-US).
            grading_system: ``"hundred_mark"`` / ``"HundredMark"`` or ``"five_point"``.
            granularity: ``"phoneme"``, ``"word"`` or ``"full_text"``.
            enable_miscue: mark omitted and inserted words (needs a reference text).
            enable_prosody: also score prosody (default: for en-US only).
            phoneme_alphabet: ``"sapi"`` or ``"ipa"``.
            nbest_phoneme_count: candidate phonemes reported per phoneme.
            content_topic: unscripted only: also score grammar, vocabulary and
                topic of the answer.
            sample_rate, input_format: the format of raw PCM *audio*.
            reliability: reconnects, replay buffer, chunk size, watchdogs.

        Returns one report for the whole audio; bad input raises
        :class:`~azspeech.errors.InvalidRequestError` before anything is sent.
"""


async def _assess(
    client: AsyncSpeechClient,
    audio: AudioInput,
    pa: PronunciationAssessment,
    language: str,
    miscue: bool,
    sample_rate: int | None,
    input_format: PcmFormat | None,
    reliability: Reliability | None,
) -> PronunciationReport:
    """One continuous session over all of *audio*, then one report (both clients)."""
    session = client.stt.connect(
        language=language, pronunciation=pa, interim_results=False, reliability=reliability
    )
    async with session:
        await session.send_file(audio, sample_rate=sample_rate, input_format=input_format)
        results = [r async for r in session.results()]
    return _report(results, pa, miscue=miscue, language=language)


class AsyncPronunciation:
    """Pronunciation assessment on the async client (``client.pronunciation``)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    async def assess(
        self,
        audio: AudioInput,
        *,
        reference_text: str | None = None,
        language: str = "en-US",
        grading_system: str = "hundred_mark",
        granularity: Granularity | str = "phoneme",
        enable_miscue: bool = True,
        enable_prosody: bool | None = None,
        phoneme_alphabet: PhonemeAlphabet | str | None = None,
        nbest_phoneme_count: int | None = None,
        content_topic: str | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        reliability: Reliability | None = None,
    ) -> PronunciationReport:
        """Assess the pronunciation of all of *audio* (one report, however many utterances)."""
        pa = assessment_options(
            reference_text=reference_text, language=language, grading_system=grading_system,
            granularity=granularity, enable_miscue=enable_miscue, enable_prosody=enable_prosody,
            phoneme_alphabet=phoneme_alphabet, nbest_phoneme_count=nbest_phoneme_count,
            content_topic=content_topic,
        )  # fmt: skip
        return await _assess(
            self._client, audio, pa, language, enable_miscue, sample_rate, input_format, reliability
        )

    assess.__doc__ = (assess.__doc__ or "") + _DOC_ARGS


class Pronunciation:
    """Pronunciation assessment on the blocking client (``client.pronunciation``)."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def assess(
        self,
        audio: AudioInput,
        *,
        reference_text: str | None = None,
        language: str = "en-US",
        grading_system: str = "hundred_mark",
        granularity: Granularity | str = "phoneme",
        enable_miscue: bool = True,
        enable_prosody: bool | None = None,
        phoneme_alphabet: PhonemeAlphabet | str | None = None,
        nbest_phoneme_count: int | None = None,
        content_topic: str | None = None,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        reliability: Reliability | None = None,
    ) -> PronunciationReport:
        """Assess the pronunciation of all of *audio* (one report, however many utterances)."""
        pa = assessment_options(
            reference_text=reference_text, language=language, grading_system=grading_system,
            granularity=granularity, enable_miscue=enable_miscue, enable_prosody=enable_prosody,
            phoneme_alphabet=phoneme_alphabet, nbest_phoneme_count=nbest_phoneme_count,
            content_topic=content_topic,
        )  # fmt: skip
        # The session work runs once, in the async implementation, on the client's loop.
        return self._client._run(
            lambda aclient: _assess(
                aclient, audio, pa, language, enable_miscue, sample_rate, input_format, reliability
            )
        )

    assess.__doc__ = (assess.__doc__ or "") + _DOC_ARGS

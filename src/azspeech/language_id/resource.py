"""``client.language_id``: which language is spoken where in an audio input.

``identify`` recognizes the whole input with language identification
(:class:`~azspeech.options.LanguageIdentification`: continuous by default,
at most 10 candidates; at-start at most 4, checked before anything is sent)
and returns the language of every phrase with its offsets, and the dominant
language. Recognition with ``candidate_languages=``/``language_id=`` on
``client.stt`` puts the detected language on every result and event too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..options import LanguageIdentification, Reliability
from ..options.features import LanguageIdMode, LanguageIdPriority
from .result import LanguageIdentificationResult, identification_result

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient
    from ..audio import AudioInput, PcmFormat

__all__ = ["AsyncLanguageId", "LanguageId"]

_DOC_ARGS = """
        Args:
            audio: a path, bytes, a numpy array, an iterator of chunks, a push stream...
            candidate_languages: the locales that may be spoken (``["en-US", "de-DE"]``).
            mode: ``"continuous"`` (default: a language per phrase, at most 10
                candidates) or ``"at_start"`` (one language for the whole
                input, at most 4 candidates).
            priority: ``"latency"`` (default) or ``"accuracy"``.
            sample_rate, input_format: the format of raw PCM *audio*.
            reliability: reconnects, replay buffer, chunk size, watchdogs.

        Too many candidates, a malformed locale or an unknown mode raise
        :class:`~azspeech.errors.InvalidRequestError` before anything is sent.
"""


def _options(
    candidate_languages: Sequence[str], mode: LanguageIdMode, priority: LanguageIdPriority
) -> LanguageIdentification:
    return LanguageIdentification(candidates=candidate_languages, mode=mode, priority=priority)


class AsyncLanguageId:
    """Language identification on the async client (``client.language_id``)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    async def identify(
        self,
        audio: AudioInput,
        *,
        candidate_languages: Sequence[str],
        mode: LanguageIdMode = "continuous",
        priority: LanguageIdPriority = "latency",
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        reliability: Reliability | None = None,
    ) -> LanguageIdentificationResult:
        """The language of each phrase of *audio* (with offsets) and the dominant language."""
        lid = _options(candidate_languages, mode, priority)
        session = self._client.stt.connect(
            language_id=lid, interim_results=False, reliability=reliability
        )
        async with session:
            await session.send_file(audio, sample_rate=sample_rate, input_format=input_format)
            results = [r async for r in session.results()]
        return identification_result(results, lid.candidates)

    identify.__doc__ = (identify.__doc__ or "") + _DOC_ARGS


class LanguageId:
    """Language identification on the blocking client (``client.language_id``)."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def identify(
        self,
        audio: AudioInput,
        *,
        candidate_languages: Sequence[str],
        mode: LanguageIdMode = "continuous",
        priority: LanguageIdPriority = "latency",
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
        reliability: Reliability | None = None,
    ) -> LanguageIdentificationResult:
        """The language of each phrase of *audio* (with offsets) and the dominant language."""
        lid = _options(candidate_languages, mode, priority)
        session = self._client.stt.connect(
            language_id=lid, interim_results=False, reliability=reliability
        )
        with session:
            session.send_file(audio, sample_rate=sample_rate, input_format=input_format)
            results = list(session.results())
        return identification_result(results, lid.candidates)

    identify.__doc__ = (identify.__doc__ or "") + _DOC_ARGS

"""Bad pronunciation input fails before anything is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from azspeech.errors import InvalidRequestError
from azspeech.options import PronunciationAssessment
from azspeech.options.features import MAX_REFERENCE_TEXT_CHARS

from ._reading import reading

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

BAD: list[tuple[dict[str, Any], str]] = [
    ({"reference_text": ""}, "reference_text is empty"),
    ({"reference_text": "   "}, "reference_text is empty"),
    ({"reference_text": "word " * (MAX_REFERENCE_TEXT_CHARS // 5 + 1)}, "at most"),
    ({"reference_text": "Hi.", "grading_system": "ten_point"}, "grading_system"),
    ({"reference_text": "Hi.", "granularity": "letter"}, "granularity"),
    ({"reference_text": "Hi.", "phoneme_alphabet": "xsampa"}, "phoneme_alphabet"),
    ({"reference_text": "Hi.", "nbest_phoneme_count": 0}, "nbest_phoneme_count"),
    ({"reference_text": "Hi.", "content_topic": "dogs"}, "unscripted"),
    ({"content_topic": " "}, "content_topic"),
    ({"reference_text": "Hi.", "enable_miscue": "yes"}, "enable_miscue"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD)
def test_blocking_client_refuses_before_sending(
    client: SpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        client.pronunciation.assess(reading(), **kwargs)
    assert emulator.log == []


@pytest.mark.parametrize(("kwargs", "message"), BAD[:5])
async def test_async_client_refuses_before_sending(
    aclient: AsyncSpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        await aclient.pronunciation.assess(reading(), **kwargs)
    assert emulator.log == []


def test_the_option_object_refuses_an_oversized_reference_text() -> None:
    with pytest.raises(InvalidRequestError, match="at most"):
        PronunciationAssessment(reference_text="x" * (MAX_REFERENCE_TEXT_CHARS + 1))
    PronunciationAssessment(reference_text="x" * MAX_REFERENCE_TEXT_CHARS)  # the limit itself

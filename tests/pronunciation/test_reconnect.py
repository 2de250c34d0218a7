"""A dropped connection mid-reading changes nothing in the report (replay, continuous offsets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._reading import REFERENCE, reading

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator


async def test_a_drop_between_utterances_keeps_words_scores_and_offsets(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    calm = await aclient.pronunciation.assess(reading(), reference_text=REFERENCE)
    emulator.reset()
    emulator.faults.drop(after_audio_ms=2600, path="/speech/recognition")
    dropped = await aclient.pronunciation.assess(reading(), reference_text=REFERENCE)
    sessions = [s for s in emulator.log if "/speech/" in s.path]
    assert len(sessions) == 2  # it did reconnect
    assert [(w.word, w.error_type, w.offset, w.duration) for w in dropped.words] == [
        (w.word, w.error_type, w.offset, w.duration) for w in calm.words
    ]
    assert [(p.phoneme, p.offset) for w in dropped.words for p in w.phonemes] == [
        (p.phoneme, p.offset) for w in calm.words for p in w.phonemes
    ]
    assert dropped.pronunciation_score == calm.pronunciation_score
    assert len(dropped.utterances) == len(calm.utterances) == 3

"""A connection renewed for its age never cuts off the translated speech it still owes."""

from __future__ import annotations

import pytest

from azspeech import AsyncSpeechClient
from azspeech.models.translation import Synthesized, Translated
from azspeech.options import Reliability

from ..stt._audio import numbered_texts, phrase_audio, wav


@pytest.mark.timeout(60)
async def test_renewal_waits_for_the_speech_of_the_final(
    async_speech_client: AsyncSpeechClient,
) -> None:
    texts = numbered_texts(3, seed=3, words=3)
    pcm, _ = phrase_audio(texts, gap_ms=(900, 1200), seed=3)
    # Every connection is "too old" at once: each final asks for a renewal.
    session = async_speech_client.translation.connect(
        target_languages=["de"],
        voice="de-DE-KatjaNeural",
        interim_results=False,
        reliability=Reliability(max_connection_age=0.001),
    )
    finals, spoken = [], []
    async with session:
        await session.send_file(wav(pcm), realtime=True)  # audio still going out at each final
        async for event in session:
            if isinstance(event, Translated):
                finals.append(event.result.text)
            elif isinstance(event, Synthesized):
                spoken.append(event)
    assert finals == texts
    assert session.reconnects >= 1  # the renewals happened
    assert [s.error for s in spoken] == [None] * len(texts)  # and cut off no speech

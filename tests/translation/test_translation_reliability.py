"""Reliability of translation: the speech-to-text drill (20 drops in 10 minutes) on a translation.

The same approach as ``tests/stt/test_reliability.py``: one transient fault per
connection at a random amount of audio; every phrase must arrive translated
exactly once, in order, on one continuous timeline.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import pytest

from azspeech.emulator.translation import translate
from azspeech.models.translation import Synthesized, Translated
from azspeech.options import Reliability

from ..stt._audio import numbered_texts, phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator
    from azspeech.translation import AsyncTranslationSession

TOLERANCE_TICKS = 250_000  # 25 ms: the emulator reports times on a 10 ms grid


def _inject_faults(
    session: AsyncTranslationSession, emulator: Emulator, plan: list[tuple[Any, float]]
) -> list[Any]:
    """Arm one fault from *plan* each time *session* connects; the kinds fired."""
    fired: list[Any] = []
    connect = session._connect

    async def connect_with_fault():  # type: ignore[no-untyped-def]
        if plan:
            kind, after = plan.pop(0)
            fired.append(kind)
            if kind == "drop":
                emulator.faults.drop(after_audio_ms=after, path="/speech/universal")
            else:
                emulator.faults.close(int(kind), "fault", after_audio_ms=after)
        return await connect()

    session._connect = connect_with_fault  # type: ignore[method-assign]
    return fired


def _plan(rng: random.Random, n: int, hi_ms: float) -> list[tuple[Any, float]]:
    kinds = ["drop", "drop", 1011, 1001, 1000]
    return [(rng.choice(kinds), rng.uniform(3_000, hi_ms)) for _ in range(n)]


@pytest.mark.timeout(180)
async def test_ten_minutes_twenty_drops_every_phrase_translated_once(
    emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    rng = random.Random(20261206)
    texts = numbered_texts(230, seed=7, words=4)
    pcm, phrases = phrase_audio(texts, gap_ms=(900, 2300), seed=7)
    assert len(pcm) / 32000 >= 600  # ten minutes of audio
    plan = _plan(rng, 20, 40_000)

    session = aclient.translation.connect(
        target_languages=["de", "fr"],
        interim_results=False,
        reliability=Reliability(max_reconnects=4),
    )
    fired = _inject_faults(session, emulator, plan)
    got = []
    async with session:
        await session.send_file(wav(pcm))
        async for event in session:
            if isinstance(event, Translated):
                got.append(event.result)

    assert len(fired) == 20 and not plan
    assert session.reconnects >= 20
    dropped = [s for s in emulator.log if s.close_code not in (1000, None) or s.errors]
    assert len(dropped) >= 20
    # Every phrase exactly once, in order, translated, at the right place on one timeline.
    assert [r.text for r in got] == texts
    assert [r.translations for r in got] == [
        {"de": translate(t, "de"), "fr": translate(t, "fr")} for t in texts
    ]
    for r, p in zip(got, phrases, strict=True):
        assert abs(r.offset_ticks - p.start * 625) <= TOLERANCE_TICKS, (r.text, r.offset)
        assert abs(r.end_ticks - p.end * 625) <= TOLERANCE_TICKS, (r.text, r.end)
    offsets = [r.offset_ticks for r in got]
    assert offsets == sorted(offsets)
    assert session._replay.evicted_bytes == 0
    # Every reconnect asked for the same targets again.
    contexts = [m.json() for s in emulator.log for m in s.received("speech.context")]
    assert len(contexts) > 20
    assert all(c["translation"]["targetLanguages"] == ["de", "fr"] for c in contexts)


@pytest.mark.timeout(120)
async def test_drops_with_a_voice_speak_every_utterance_once(
    emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    rng = random.Random(11)
    texts = numbered_texts(40, seed=5, words=3)
    pcm, _ = phrase_audio(texts, gap_ms=(900, 1800), seed=5)
    plan = _plan(rng, 6, 15_000)
    session = aclient.translation.connect(
        target_languages=["de"], voice="de-DE-KatjaNeural", interim_results=False
    )
    fired = _inject_faults(session, emulator, plan)
    finals, spoken = [], []
    async with session:
        await session.send_file(wav(pcm))
        async for event in session:
            if isinstance(event, Translated):
                finals.append(event.result.text)
            elif isinstance(event, Synthesized):
                spoken.append(event)
    assert len(fired) == 6 and session.reconnects >= 6
    assert finals == texts
    # One Synthesized per utterance, each attached to its own result. A drop that falls
    # between a final and the end of its speech loses that speech for good (the final was
    # acknowledged, so the replay resumes after it): its Synthesized says so instead of
    # never coming. That can only happen once per drop.
    assert len(spoken) == len(texts)
    lost = [s for s in spoken if s.error is not None]
    assert len(lost) <= len(fired)
    assert all("connection dropped" in (s.error or "") for s in lost)
    with_audio = [r for r in session.transcript.phrases if r.audio is not None]
    assert len(with_audio) == len(texts) - len(lost)

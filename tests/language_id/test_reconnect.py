"""A dropped connection mid-file changes nothing in the identified segments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient
    from azspeech.emulator import Emulator


async def test_language_segments_survive_a_drop(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    audio = wav(phrase_audio(["Good morning.", "Schöne Grüße.", "Hello."], gap_ms=(900, 900))[0])
    calm = await aclient.language_id.identify(audio, candidate_languages=["en-US", "de-DE"])
    emulator.reset()
    emulator.faults.drop(after_audio_ms=1500, path="/speech/universal")
    dropped = await aclient.language_id.identify(audio, candidate_languages=["en-US", "de-DE"])
    assert len([s for s in emulator.log if "/speech/" in s.path]) == 2
    assert dropped.segments == calm.segments
    assert [s.language for s in dropped.segments] == ["en-US", "de-DE", "en-US"]

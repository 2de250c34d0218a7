"""Captions of a translation: one track per target language, offline and live."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from azspeech.models.stt import Recognized, SessionStarted
from azspeech.models.translation import Translated, TranslationResult
from azspeech.translation import TranslationCaptioner, live_translation_captions

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient

TEXTS = ["Good morning.", "See you tomorrow.", "Thank you."]


def test_one_track_per_target_language(client: SpeechClient) -> None:
    pcm, phrases = phrase_audio(TEXTS, seed=2)
    with client.translation.connect(target_languages=["de", "fr"]) as session:
        session.send_file(wav(pcm))
        for _ in session:
            pass
    transcript = session.transcript
    assert transcript.languages == ["de", "fr"]
    srt_de = transcript.to_srt("de")
    vtt_fr = transcript.to_webvtt("fr")
    assert [b.splitlines()[2] for b in srt_de.strip().split("\n\n")] == [
        "Guten Morgen.",
        "Bis morgen.",
        "Danke.",
    ]
    assert vtt_fr.startswith("WEBVTT") and "À demain." in vtt_fr and "Merci." in vtt_fr
    # The caption of each translation starts where its source phrase was spoken.
    first_start = srt_de.splitlines()[1].split(" --> ")[0]
    start_ms = phrases[0].start * 1000 // 16000
    h, m, rest = first_start.split(":")
    s, ms = rest.split(",")
    assert abs((int(s) * 1000 + int(ms)) - start_ms) <= 30 and h == m == "00"
    assert transcript.to_srt("ja") == ""  # not a target: an empty track


async def test_live_translated_captions(aclient: AsyncSpeechClient) -> None:
    pcm, _ = phrase_audio(TEXTS, seed=2)
    async with aclient.translation.connect(target_languages=["de", "fr"]) as session:
        await session.send_file(wav(pcm))
        updates = [c async for c in live_translation_captions(session, "fr")]
    finals = [u for u in updates if u.is_final]
    partials = [u for u in updates if not u.is_final]
    assert [f.text for f in finals] == ["Bonjour.", "À demain.", "Merci."]
    # Partial captions show the partial translations, each timed at its utterance.
    assert partials and any(p.text.startswith("[fr] ") for p in partials)
    assert {p.start for p in partials} <= {f.start for f in finals}


def test_captioner_ignores_other_events_and_builds_srt() -> None:
    captioner = TranslationCaptioner("DE")
    assert captioner.language == "de"
    assert captioner.update(SessionStarted()) is None
    plain = TranslationResult(text="Hello.", duration_ticks=10_000_000)
    assert captioner.update(Recognized(result=plain)) is None  # source text: not this track
    result = TranslationResult(
        text="Hello.", translations={"de": "Hallo."}, offset_ticks=0, duration_ticks=10_000_000
    )
    result = result.model_copy(update={"duration": timedelta(seconds=1)})
    cap = captioner.update(Translated(result=result))
    assert cap is not None and cap.is_final and cap.text == "Hallo."
    assert "Hallo." in captioner.to_srt()

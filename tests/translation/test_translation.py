"""Speech translation over real sockets against the emulator, async and blocking."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from azspeech.audio import Audio
from azspeech.models.stt import NoMatch, RecognitionStatus, SessionStopped
from azspeech.models.translation import (
    Synthesized,
    Synthesizing,
    Translated,
    Translating,
    TranslationResult,
)

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

TEXTS = ["Good morning.", "See you tomorrow.", "Alpha bravo charlie."]


def _audio(texts: list[str] = TEXTS, seed: int = 1) -> tuple[bytes, list[object]]:
    pcm, phrases = phrase_audio(texts, seed=seed)
    return wav(pcm), list(phrases)


async def test_recognize_once_two_targets(aclient: AsyncSpeechClient) -> None:
    audio, phrases = _audio(["Good morning."])
    result = await aclient.translation.recognize_once(
        audio, source_language="en-US", target_languages=["de", "fr"]
    )
    assert isinstance(result, TranslationResult)
    assert result.status is RecognitionStatus.SUCCESS
    assert result.text == "Good morning."
    assert result.translations == {"de": "Guten Morgen.", "fr": "Bonjour."}
    assert result.audio is None
    assert abs(result.offset_ticks - phrases[0].start * 625) <= 250_000  # type: ignore[attr-defined]
    assert result.duration.total_seconds() > 0


async def test_recognize_once_with_voice_assembles_the_translated_speech(
    aclient: AsyncSpeechClient,
) -> None:
    audio, _ = _audio(["Thank you."])
    result = await aclient.translation.recognize_once(
        audio, target_languages=["de", "fr"], voice="de-DE-KatjaNeural"
    )
    assert result.translations == {"de": "Danke.", "fr": "Merci."}
    assert isinstance(result.audio, Audio)
    assert result.audio.duration.total_seconds() > 0.2  # the tone-coded "Danke."
    # The emulator speaks tone-coded text: recognizing the speech gives the translation back.
    again = await aclient.stt.recognize_once(result.audio.to_wav_bytes(), language="de-DE")
    assert again.text == "Danke."


async def test_recognize_once_silence_is_no_match(aclient: AsyncSpeechClient) -> None:
    result = await aclient.translation.recognize_once(
        wav(b"\0" * 32000 * 2), target_languages=["de"]
    )
    assert result.status is not RecognitionStatus.SUCCESS
    assert result.translations == {}


async def test_continuous_session_events_and_transcript(aclient: AsyncSpeechClient) -> None:
    audio, phrases = _audio()
    partials: list[Translating] = []
    async with aclient.translation.connect(
        target_languages=["de", "fr"], on_translating=partials.append
    ) as session:
        await session.send_file(audio)
        events = [e async for e in session]
    finals = [e for e in events if isinstance(e, Translated)]
    assert [f.result.text for f in finals] == TEXTS
    assert [f.result.translations["de"] for f in finals] == [
        "Guten Morgen.",
        "Bis morgen.",
        "[de] Alpha bravo charlie.",
    ]
    assert all(set(f.result.translations) == {"de", "fr"} for f in finals)
    assert partials and all(set(p.result.translations) == {"de", "fr"} for p in partials)
    assert isinstance(events[-1], SessionStopped)
    for f, p in zip(finals, phrases, strict=True):
        assert abs(f.result.offset_ticks - p.start * 625) <= 250_000  # type: ignore[attr-defined]
    assert [r.text for r in session.transcript.phrases] == TEXTS
    assert session.transcript.translation("fr").splitlines()[0] == "Bonjour."


async def test_speech_to_speech_chunks_per_utterance(aclient: AsyncSpeechClient) -> None:
    audio, _ = _audio(["Hello.", "Thank you."])
    async with aclient.translation.connect(
        target_languages=["fr", "de"], voice="de-DE-KatjaNeural", interim_results=False
    ) as session:
        await session.send_file(audio)
        events = [e async for e in session]
    chunks = [e for e in events if isinstance(e, Synthesizing)]
    done = [e for e in events if isinstance(e, Synthesized)]
    assert chunks and chunks[0].audio[:4] == b"RIFF"
    assert all(c.language == "de" for c in chunks)
    assert [d.error for d in done] == [None, None]
    results = session.transcript.phrases
    assert [r.translations["de"] for r in results] == ["Hallo.", "Danke."]
    assert all(isinstance(r.audio, Audio) for r in results)
    heard = [
        (await aclient.stt.recognize_once(r.audio.to_wav_bytes(), language="de-DE")).text
        for r in results
    ]
    assert heard == ["Hallo.", "Danke."]


def _parts(texts: list[str]) -> list[bytes]:
    """Raw PCM of each phrase (with its trailing silence), to send one by one."""
    return [phrase_audio([t], seed=i, lead_ms=300)[0] for i, t in enumerate(texts)]


async def test_add_and_remove_target_languages_mid_session(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    first, second = _parts(["Good morning.", "Thank you."])
    async with aclient.translation.connect(
        target_languages=["de"], interim_results=False
    ) as session:
        await session.send(first)
        finals = []
        async for event in session:
            if isinstance(event, Translated):
                finals.append(event.result)
                if len(finals) == 1:
                    # The change applies from the next final result on.
                    await session.add_target_language("es")
                    await session.remove_target_language("de")
                    await session.send(second)
                    await session.end_audio()
    assert session.target_languages == ["es"]
    assert [f.translations for f in finals] == [{"de": "Guten Morgen."}, {"es": "Gracias."}]
    sent = [m.json() for s in emulator.log for m in s.received("event")]
    assert [e["to"] for e in sent] == [["de", "es"], ["es"]]
    assert all(e["name"] == "updateLanguage" for e in sent)


def test_blocking_recognize_once_and_session(client: SpeechClient) -> None:
    audio, _ = _audio(["Good morning."])
    result = client.translation.recognize_once(audio, target_languages=["de", "zh-Hans"])
    assert result.translations == {"de": "Guten Morgen.", "zh-Hans": "[zh-Hans] Good morning."}
    audio, _ = _audio()
    with client.translation.connect(target_languages=["fr"], interim_results=False) as session:
        session.send_file(audio)
        texts = [r.translations["fr"] for r in session.results()]
    assert texts == ["Bonjour.", "À demain.", "[fr] Alpha bravo charlie."]
    assert session.transcript.text == "\n".join(TEXTS)


def test_blocking_target_change_from_a_callback(client: SpeechClient) -> None:
    first, second = _parts(["Good morning.", "Thank you."])
    with client.translation.connect(target_languages=["de"], interim_results=False) as session:

        def change(event: Translated) -> None:
            if session.target_languages == ["de"]:
                session.set_target_languages(["fr"])  # from the callback: requested, not awaited
                session.send(second)
                session.end_audio()

        session.on("translated", change)
        session.send(first)
        finals = list(session.results())
    assert [f.translations for f in finals] == [{"de": "Guten Morgen."}, {"fr": "Merci."}]


async def test_no_match_result_is_in_the_transcript(aclient: AsyncSpeechClient) -> None:
    async with aclient.translation.connect(target_languages=["de"]) as session:
        await session.send_file(wav(b"\0" * 32000 * 8))
        events = [e async for e in session]
    if any(isinstance(e, NoMatch) for e in events):
        assert all(isinstance(r, TranslationResult) for r in session.transcript.results)
    assert not [e for e in events if isinstance(e, Translated)]


@pytest.mark.parametrize("candidates", [["en-US", "de-DE"]])
async def test_candidate_languages_detect_the_source(
    aclient: AsyncSpeechClient, candidates: list[str]
) -> None:
    audio, _ = _audio(["Good morning."])
    result = await aclient.translation.recognize_once(
        audio, candidate_languages=candidates, target_languages=["fr"]
    )
    assert result.translations == {"fr": "Bonjour."}
    assert result.language in candidates

"""Speech translation: one utterance, a continuous session, speech to speech, captions.

Runs against the bundled emulator (no account, no network):

    python examples/guide_translation.py [output-directory]   (default: a new temporary directory)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.models.translation import Synthesized, Translated, Translating
from azspeech.translation import TranslationCaptioner


def one_utterance(client: SpeechClient, wav: Path, out: Path) -> None:
    # The first utterance, translated into two languages at once.
    result = client.translation.recognize_once(
        wav, source_language="en-US", target_languages=["de", "fr"]
    )
    print(f"recognize_once: {result.text!r} at {result.offset.total_seconds():.2f} s")
    for language, text in result.translations.items():
        print(f"  {language}: {text}")

    # Speech to speech: with a voice, the translation is spoken too (result.audio).
    spoken = client.translation.recognize_once(
        wav, target_languages=["de"], voice="de-DE-KatjaNeural"
    )
    if spoken.audio is not None:
        path = spoken.audio.save(out / "translated_de.wav")
        print(f"  spoken de: {spoken.audio.duration.total_seconds():.2f} s -> {path.name}")


def session_with_captions(client: SpeechClient, wav: Path, out: Path) -> None:
    # A continuous session: interim and final events, targets changed on the way.
    live = TranslationCaptioner("fr")
    with client.translation.connect(target_languages=["de", "fr"]) as session:
        session.send_file(wav)
        for event in session:
            if isinstance(event, Translated):
                print(f"  translated: {event.result.text!r} -> {event.result.translations}")
            caption = live.update(event)
            if caption is not None and caption.is_final:
                print(f"  live fr caption: {caption.text}")
    # One caption track per target language from the transcript.
    (out / "meeting.de.srt").write_text(session.transcript.to_srt("de"))
    (out / "meeting.fr.vtt").write_text(session.transcript.to_webvtt("fr"))
    print((out / "meeting.de.srt").read_text())


async def async_session(client: AsyncSpeechClient, wav: Path) -> None:
    # The async twin, adding a target after the first final result.
    async with client.translation.connect(
        target_languages=["de"], voice="de-DE-KatjaNeural", interim_results=True
    ) as session:
        # Paced like a live source, so that the change lands before the later phrases.
        sender = asyncio.create_task(session.send_file(wav, realtime=True))
        async for event in session:
            if isinstance(event, Translating):
                continue  # interim: event.result.translations so far
            if isinstance(event, Translated):
                print(f"  async: {event.result.translations}")
                if "es" not in session.target_languages:
                    await session.add_target_language("es")  # from the next final on
            elif isinstance(event, Synthesized) and event.audio is not None:
                print(f"  async speech ({event.language}): {event.audio.duration}")
        await sender


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    with Emulator() as emulator:
        with emulator.client() as client:
            speech = client.tts.synthesize("Good morning. See you tomorrow. Thank you.")
            wav = speech.save(out / "guide_translation.wav")
            one_utterance(client, wav, out)
            session_with_captions(client, wav, out)

        async def run_async() -> None:
            async with AsyncSpeechClient(key=emulator.key, endpoint=emulator.url) as aclient:
                await async_session(aclient, wav)

        asyncio.run(run_async())


if __name__ == "__main__":
    main()

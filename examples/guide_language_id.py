"""Language identification: which language is spoken where, and the detected language on results.

Runs against the bundled emulator (no account, no network):

    python examples/guide_language_id.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.errors import InvalidRequestError
from azspeech.options import LanguageIdentification
from azspeech.stt import Recognized


def identify_a_file(client: SpeechClient, wav: Path) -> None:
    # Continuous identification (default): a language per phrase, up to 10 candidates.
    found = client.language_id.identify(wav, candidate_languages=["en-US", "de-DE", "fr-FR"])
    print("dominant language:", found.language)
    for seg in found.segments:
        print(
            f"  {seg.offset.total_seconds():5.2f}-{seg.end.total_seconds():5.2f} s  "
            f"{seg.language} ({seg.confidence})  {seg.text}"
        )
    # At start: identified once, at the start, at most 4 candidates.
    first = client.language_id.identify(
        wav, candidate_languages=["en-US", "de-DE"], mode="at_start", priority="accuracy"
    )
    print("at start:", [s.language for s in first.segments])


def language_on_every_event(client: SpeechClient, wav: Path) -> None:
    lid = LanguageIdentification(candidates=["en-US", "de-DE"], mode="continuous")
    with client.stt.connect(language_id=lid) as session:
        session.send_file(wav)
        for event in session:
            if isinstance(event, Recognized):
                print(f"  recognized [{event.language}/{event.language_confidence}] {event.text}")


async def recognize_once_async(client: AsyncSpeechClient, wav: Path) -> None:
    result = await client.stt.recognize_once(wav, candidate_languages=["en-US", "de-DE"])
    print("recognize_once:", result.text, "->", result.language, result.language_confidence)


def limits_are_checked_before_sending(client: SpeechClient, wav: Path) -> None:
    try:
        client.language_id.identify(
            wav, candidate_languages=["en-US", "de-DE", "fr-FR", "es-ES", "it-IT"], mode="at_start"
        )
    except InvalidRequestError as exc:
        print("refused:", exc)


def main() -> None:
    out = Path(tempfile.mkdtemp(prefix="azspeech-guide-"))
    with Emulator() as emulator:
        with emulator.client() as client:
            text = "Good morning. Schöne Grüße aus München. Hello again."
            wav = client.tts.synthesize(text).save(out / "languages.wav")
            identify_a_file(client, wav)
            language_on_every_event(client, wav)
            limits_are_checked_before_sending(client, wav)

        async def run_async() -> None:
            async with emulator.async_client() as aclient:
                await recognize_once_async(aclient, wav)

        asyncio.run(run_async())


if __name__ == "__main__":
    main()

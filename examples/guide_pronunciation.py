"""Pronunciation assessment: score a reading word by word, and render the report.

Runs against the bundled emulator (no account, no network):

    python examples/guide_pronunciation.py [output-directory]   (default: a temporary directory)

Writes ``pronunciation.html`` and, with the ``[plot]`` extra, ``pronunciation.png``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.options import PronunciationAssessment
from azspeech.pronunciation import PronunciationErrorType

REFERENCE = "Hello, world. The quick brown fox jumps over the lazy dog."


def scripted_reading(client: SpeechClient, wav: Path, out: Path) -> None:
    # The whole reading, however many utterances, becomes one report.
    report = client.pronunciation.assess(
        wav,
        reference_text=REFERENCE,
        language="en-US",
        grading_system="HundredMark",
        granularity="Phoneme",
        enable_miscue=True,
        enable_prosody=True,
    )
    print(
        f"pronunciation {report.pronunciation_score}  accuracy {report.accuracy_score}  "
        f"fluency {report.fluency_score}  completeness {report.completeness_score}  "
        f"prosody {report.prosody_score}  ({len(report.utterances)} utterances)"
    )
    for word in report.words:
        timing = (
            f"at {word.offset.total_seconds():5.2f} s" if word.offset is not None else "      -"
        )
        print(f"  {word.word:8} {word.error_type.value:17} {word.accuracy_score!s:5} {timing}")
    print("words to practise:", ", ".join(w.word for w in report.errors()))
    assert report.words[-2].error_type is PronunciationErrorType.OMISSION  # "lazy"
    first = report.words[0]
    print(
        f"'{first.word}': syllables {[s.syllable for s in first.syllables]}, "
        f"phonemes {[(p.phoneme, p.accuracy_score) for p in first.phonemes]}"
    )
    (out / "pronunciation.html").write_text(report.to_html(), encoding="utf-8")
    try:
        report.plot().savefig(out / "pronunciation.png", dpi=100)
        print("wrote pronunciation.html and pronunciation.png")
    except ImportError:
        print("wrote pronunciation.html (pip install 'azspeech[plot]' for the chart)")


def one_utterance_with_stt(client: SpeechClient, wav: Path) -> None:
    # The option object rides any recognition; each result has typed scores.
    pa = PronunciationAssessment(
        reference_text="Hello, world.", grading_system="hundred_mark", prosody=True, miscue=True
    )
    result = client.stt.recognize_once(wav, pronunciation=pa)
    scores = result.pronunciation
    assert scores is not None
    print(f"recognize_once: {result.text!r} pronunciation score {scores.pronunciation_score}")


async def unscripted(client: AsyncSpeechClient, wav: Path) -> None:
    # No reference text; with a topic the content of the answer is scored too.
    report = await client.pronunciation.assess(
        wav, content_topic="a quick brown fox and a lazy dog", phoneme_alphabet="IPA"
    )
    content = report.content
    assert content is not None
    print(
        f"unscripted: accuracy {report.accuracy_score}, topic {content.topic_score}, "
        f"vocabulary {content.vocabulary_score}, IPA of '{report.words[0].word}': "
        + "".join(p.phoneme for p in report.words[0].phonemes)
    )


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    with Emulator() as emulator:
        with emulator.client() as client:
            # The emulator's speech: what the learner said (one word wrong, one left out).
            spoken = "Hello, world. The quick brown box. Jumps over the dog."
            wav = client.tts.synthesize(spoken).save(out / "reading.wav")
            scripted_reading(client, wav, out)
            one_utterance_with_stt(client, wav)

        async def run_async() -> None:
            async with emulator.async_client() as aclient:
                await unscripted(aclient, wav)

        asyncio.run(run_async())


if __name__ == "__main__":
    main()

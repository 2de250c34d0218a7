"""Language learning: a pronunciation drill over several phrases, with the words to practise.

    python examples/pronunciation_drill.py [--recordings DIR] [--out DIR] [--picture]

The learner reads each phrase of the drill; every reading is scored with
pronunciation assessment (``client.pronunciation.assess``: accuracy,
fluency, completeness, prosody, and an overall score out of 100). The script
prints a score table and the words to practise (mispronounced, omitted or
scored under 80), and writes ``drill.json`` into ``--out`` (default
``./pronunciation-drill-output``). ``--picture`` also saves each phrase's
report as a picture, ``phrase-<n>.png`` (``pip install 'azspeech[plot]'``).

The readings come from ``--recordings DIR`` (``phrase-1.wav``,
``phrase-2.wav``, ... in the drill's order). Without it the script makes
them with text to speech, with the mistakes a learner makes: a word dropped,
a word said instead of another.

Runs against the bundled emulator unless ``AZURE_SPEECH_KEY`` and
``AZURE_SPEECH_REGION`` are set, then against Azure. Temporary files are
removed on exit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from azspeech.emulator import azure_or_emulator
from azspeech.pronunciation import PronunciationErrorType, PronunciationReport

# (the phrase to read, what the made-up learner says instead)
DRILL = [
    ("The weather is lovely today.", "The weather is lovely today."),
    ("I would like a cup of coffee, please.", "I would like a cup of coffee please."),
    ("She sells sea shells by the sea shore.", "She sells see shells by the shore."),
    ("Could you tell me the way to the station?", "Could you tell me way to the station?"),
]
PRACTISE_BELOW = 80.0


def to_practise(report: PronunciationReport) -> list[str]:
    """The words that need work: wrong, left out, or scored under the bar."""
    words = []
    for w in report.words:
        if w.error_type == PronunciationErrorType.INSERTION:
            continue  # said but not in the phrase
        poor = w.accuracy_score is not None and w.accuracy_score < PRACTISE_BELOW
        if poor or w.error_type in (
            PronunciationErrorType.MISPRONUNCIATION,
            PronunciationErrorType.OMISSION,
        ):
            words.append(f"{w.word} ({w.error_type.value})")
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=Path, help="phrase-1.wav, phrase-2.wav, ...")
    parser.add_argument("--out", type=Path, default=Path("pronunciation-drill-output"))
    parser.add_argument("--picture", action="store_true", help="save each report as a PNG")
    parser.add_argument("--language", default="en-US")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="azspeech-drill-") as tmp,
        azure_or_emulator() as client,
    ):
        for n, (phrase, learner_says) in enumerate(DRILL, 1):
            if args.recordings:
                reading = args.recordings / f"phrase-{n}.wav"
            else:
                reading = client.tts.synthesize(learner_says).save(Path(tmp) / f"phrase-{n}.wav")
            report = client.pronunciation.assess(
                reading, reference_text=phrase, language=args.language, enable_miscue=True
            )
            row = {
                "phrase": phrase,
                "pronunciation": report.pronunciation_score,
                "accuracy": report.accuracy_score,
                "fluency": report.fluency_score,
                "completeness": report.completeness_score,
                "prosody": report.prosody_score,
                "practise": to_practise(report),
            }
            if args.picture:
                try:
                    figure = report.plot()
                except ImportError:
                    sys.exit("--picture needs matplotlib: pip install 'azspeech[plot]'")
                figure.savefig(args.out / f"phrase-{n}.png", dpi=100)
                row["picture"] = f"phrase-{n}.png"
            rows.append(row)

    def score(value: object) -> str:
        return "  -  " if value is None else f"{value:5.1f}"

    print(f"\n{'#':>2}  score  accur  fluen  compl  phrase")
    for n, r in enumerate(rows, 1):
        scores = "  ".join(
            score(r[k]) for k in ("pronunciation", "accuracy", "fluency", "completeness")
        )
        print(f"{n:>2}  {scores}  {r['phrase']}")
        if r["practise"]:
            print(f"    practise: {', '.join(r['practise'])}")
    overall = sum(float(r["pronunciation"] or 0) for r in rows) / len(rows)
    print(f"\ndrill score: {overall:.1f} / 100 over {len(rows)} phrases")
    (args.out / "drill.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"report written to {args.out / 'drill.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

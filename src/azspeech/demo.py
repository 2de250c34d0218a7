"""The main job in a few lines: synthesize a sentence and transcribe it back.

Runs against an emulator started in-process on 127.0.0.1, so it needs no Azure
account and no network. ``azspeech demo`` and ``examples/demo.py`` call
:func:`run_demo`. With the default engine the emulator's speech is a tone code
that its recognizer reads back exactly; with ``engine="real"`` (extra
``[engines]``) it speaks with espeak-ng and recognizes with whisper tiny.en.
"""

from __future__ import annotations

import re
import time

__all__ = ["run_demo", "word_error_rate"]

DEFAULT_SENTENCE = "The quick brown fox jumps over the lazy dog."


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate of *hypothesis* against *reference* (case and punctuation ignored)."""
    ref, hyp = _words(reference), _words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(ref)


def run_demo(sentence: str | None = None, *, engine: str | None = None) -> int:
    """Start an emulator, synthesize *sentence*, recognize the audio, print both.

    Returns 0 when the round trip is exact (tone engine) or the word error rate
    is at most 50 % (real engine), else 1.
    """
    from .emulator import Emulator

    sentence = sentence or DEFAULT_SENTENCE
    with Emulator(engine=engine) as emulator, emulator.client() as client:
        print(f"emulator    : {emulator.url} (engine {emulator.state.engine_name or 'tones'})")
        started = time.perf_counter()
        audio = client.tts.synthesize(sentence, voice="en-US-AvaMultilingualNeural")
        synth_ms = (time.perf_counter() - started) * 1000
        print(f"synthesized : {sentence!r}")
        print(
            f"              {audio.duration.total_seconds():.2f} s of {audio.format} "
            f"audio in {synth_ms:.0f} ms"
        )
        started = time.perf_counter()
        result = client.stt.recognize_once(audio, language="en-US")
        reco_ms = (time.perf_counter() - started) * 1000
        print(f"recognized  : {result.text!r}")
        print(
            f"              offset {result.offset}, duration {result.duration}, in {reco_ms:.0f} ms"
        )
        wer = word_error_rate(sentence, result.text)
        exact = result.text.strip() == sentence.strip()
        print(f"round trip  : {'identical' if exact else f'word error rate {wer:.0%}'}")
        if emulator.state.engine_name in ("real", "whisper"):
            return 0 if wer <= 0.5 else 1
        return 0 if exact else 1

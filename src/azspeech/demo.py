"""The main job in a few lines: synthesize a sentence and transcribe it back.

Runs against an emulator started in-process on 127.0.0.1, so it needs no Azure
account and no network. ``azspeech demo`` and ``examples/demo.py`` call
:func:`run_demo`.
"""

from __future__ import annotations

import time

__all__ = ["run_demo"]

DEFAULT_SENTENCE = "The quick brown fox jumps over the lazy dog."


def run_demo(sentence: str | None = None, *, engine: str | None = None) -> int:
    """Start an emulator, synthesize *sentence*, recognize the audio, print both."""
    from .emulator import Emulator

    sentence = sentence or DEFAULT_SENTENCE
    with Emulator(engine=engine) as emulator, emulator.client() as client:
        print(f"emulator listening on {emulator.url}")
        started = time.perf_counter()
        audio = client.tts.synthesize(sentence, voice="en-US-AvaMultilingualNeural")
        synth_ms = (time.perf_counter() - started) * 1000
        print(f"synthesized : {sentence!r}")
        print(
            f"              {audio.duration.total_seconds():.2f} s of {audio.format} "
            f"audio in {synth_ms:.0f} ms"
        )
        started = time.perf_counter()
        result = client.stt.recognize_once(audio.data, language="en-US")
        reco_ms = (time.perf_counter() - started) * 1000
        print(f"recognized  : {result.text!r}")
        print(
            f"              offset {result.offset}, duration {result.duration}, in {reco_ms:.0f} ms"
        )
        same = result.text.strip().rstrip(".").lower() == sentence.strip().rstrip(".").lower()
        print("round trip  : " + ("identical" if same else "DIFFERENT"))
        return 0 if same else 1

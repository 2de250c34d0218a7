"""The segmenter's and the tone decoder's shortcuts give the reference answers.

``SegmentingStream.bulk_frames`` moves a phrase's counters over a whole message
when no event can fall in it; ``tones._runs_from_rms`` finds sound runs with
array methods and lists. Both must give exactly what the frame-by-frame loop
and numpy's helpers give, for any way the audio is cut into messages.
"""

from __future__ import annotations

import numpy as np
import pytest

from azspeech.emulator.engines import tones
from azspeech.emulator.engines.base import RecognitionOptions
from azspeech.emulator.engines.tone_stt import ToneEngine

TEXT = "Short one. A second phrase follows here! Then silence, and a third one?"


def _events(audio: np.ndarray, chunk: int, bulk: bool, **options: object) -> list[object]:
    stream = ToneEngine(lambda: None).open_stream(RecognitionOptions(**options))  # type: ignore[arg-type]
    stream.bulk_frames = bulk
    events: list[object] = []
    for i in range(0, len(audio), chunk):
        events += stream.feed(audio[i : i + chunk])
    events += stream.finish()
    return events


@pytest.mark.parametrize("chunk", [1600, 160, 1234, 8000, 48000])
@pytest.mark.parametrize(
    "options",
    [{}, {"segmentation_silence_ms": 200.0}, {"max_segment_ms": 700.0, "diarization": True}],
)
def test_bulk_frames_match_the_frame_by_frame_loop(chunk: int, options: dict[str, object]) -> None:
    audio = tones.encode(TEXT, 16000, lead_ms=300, tail_ms=900).samples.astype(np.float32)
    quiet = np.zeros(16000, np.float32)
    audio = np.concatenate((audio, quiet, audio * np.float32(0.3)))
    fast = _events(audio, chunk, True, **options)
    reference = _events(audio, chunk, False, **options)
    assert fast == reference
    assert any(type(e).__name__ == "Final" for e in fast)


def _reference_runs(rms: np.ndarray, frame: int, merge: int) -> list[tuple[int, int]]:
    active = np.flatnonzero(rms > tones._ACTIVE_THRESHOLD)
    if len(active) == 0:
        return []
    breaks = np.flatnonzero(np.diff(active) > merge)
    starts = np.concatenate(([active[0]], active[breaks + 1])) * frame
    ends = (np.concatenate((active[breaks], [active[-1]])) + 1) * frame
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def test_runs_from_rms_matches_numpy_reference() -> None:
    rng = np.random.default_rng(7)
    for _ in range(400):
        n = int(rng.integers(0, 600))
        # sparse bursts of sound with gaps around the 40 ms merge limit
        rms = np.zeros(n, np.float32)
        at = 0
        while at < n:
            at += int(rng.integers(1, 90))
            length = int(rng.integers(1, 30))
            rms[at : at + length] = rng.uniform(0.0, 0.1, size=len(rms[at : at + length]))
            at += length
        assert tones._runs_from_rms(rms, 16) == _reference_runs(rms, 16, 40)
    audio = tones.encode(TEXT, 16000).samples
    rms = tones._frame_rms(audio, 16)
    assert tones._runs_from_rms(rms, 16) == _reference_runs(rms, 16, 40)
    assert len(tones._runs_from_rms(rms, 16)) == len(TEXT.split())

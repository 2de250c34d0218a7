"""Test audio with a known transcript: tone-coded phrases (the emulator decodes them)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

WORDS = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
)
RATE = 16000


@dataclass
class Phrase:
    text: str
    start: int  # sample of the first word's start
    end: int  # sample after the last word


def phrase_audio(
    texts: list[str], *, gap_ms: tuple[int, int] = (700, 1500), seed: int = 0, lead_ms: int = 300
) -> tuple[bytes, list[Phrase]]:
    """16 kHz 16-bit mono PCM of *texts* separated by silences, and where each phrase is."""
    from azspeech.emulator.engines.tones import encode

    rng = random.Random(seed)
    pieces = [np.zeros(RATE * lead_ms // 1000, dtype=np.float32)]
    pos = len(pieces[0])
    phrases = []
    for text in texts:
        enc = encode(text, RATE)
        first, last = enc.words[0], enc.words[-1]
        phrases.append(Phrase(text, pos + first.start, pos + last.end))
        pieces.append(enc.samples)
        pos += len(enc.samples)
        gap = np.zeros(RATE * rng.randint(*gap_ms) // 1000, dtype=np.float32)
        pieces.append(gap)
        pos += len(gap)
    samples = np.concatenate(pieces)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm, phrases


def numbered_texts(n: int, seed: int = 0, words: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [
        f"{' '.join(rng.choice(WORDS) for _ in range(words)).capitalize()} {i}." for i in range(n)
    ]


def wav(pcm: bytes, rate: int = RATE) -> bytes:
    from azspeech.audio import PcmFormat

    return PcmFormat(rate, 16, 1).wav_header(len(pcm)) + pcm

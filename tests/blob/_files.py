"""Small distinct WAV files for the many-file tests."""

from __future__ import annotations

import struct
from pathlib import Path


def wav_bytes(index: int, samples: int = 1600) -> bytes:
    """A 16 kHz mono 16-bit WAV of *samples* samples whose content depends on *index*."""
    pcm = struct.pack(f"<{samples}h", *(((i * (index + 3)) % 2000) - 1000 for i in range(samples)))
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def make_wavs(folder: Path, count: int, samples: int = 1600) -> list[Path]:
    """*count* distinct WAV files in *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        p = folder / f"clip{i:04d}.wav"
        p.write_bytes(wav_bytes(i, samples))
        out.append(p)
    return out

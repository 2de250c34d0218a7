"""A three-utterance reading of a reference text, with one word said wrong and one left out."""

from __future__ import annotations

from ..stt._audio import phrase_audio, wav

REFERENCE = "Hello, world. The quick brown fox jumps over the lazy dog."
SPOKEN = ["Hello, world.", "The quick brown box.", "Jumps over the dog."]


def reading() -> bytes:
    """The reading as a WAV file (800 ms between utterances)."""
    pcm, _ = phrase_audio(SPOKEN, gap_ms=(800, 800), seed=1)
    return wav(pcm)

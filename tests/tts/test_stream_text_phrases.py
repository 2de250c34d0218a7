"""Sentence-by-sentence text streaming keeps the pauses between sentences."""

from __future__ import annotations

from azspeech import SpeechClient
from azspeech.tts import AudioChunk

TEXT = "Sure. Speech starts before the answer is complete. Nice, right?"


def test_sentences_mode_audio_recognizes_as_separate_phrases(client: SpeechClient) -> None:
    pieces = [TEXT[i : i + 7] for i in range(0, len(TEXT), 7)]
    items = client.tts.stream_text(
        pieces, mode="sentences", output_format="raw-16khz-16bit-mono-pcm"
    )
    pcm = b"".join(item for item in items if isinstance(item, AudioChunk))
    with client.stt.connect() as session:
        session.send(pcm)
        session.close()
        finals = [e.result.text for e in session if type(e).__name__ == "Recognized"]
    assert finals == ["Sure.", "Speech starts before the answer is complete.", "Nice, right?"]

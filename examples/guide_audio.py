"""Audio in and out: every input kind, conversions, the Audio type.

Needs no service for most of it; the last part recognizes a numpy array and
an MP3 against the bundled emulator:

    python examples/guide_audio.py [output-directory]    (default: a new temporary directory)
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import numpy as np

from azspeech import AudioError
from azspeech.audio import (
    Audio,
    OutputFormat,
    PcmFormat,
    decode_audio,
    open_pcm_stream,
    resample,
)
from azspeech.emulator import Emulator


def audio_type(out: Path) -> Audio:
    # Make audio from float samples (here: half a second of a 440 Hz tone at 48 kHz).
    t = np.arange(24000) / 48000
    tone = Audio.from_samples(0.3 * np.sin(2 * np.pi * 440 * t), 48000)
    print(tone, tone.format, tone.pcm_format)
    tone.save(out / "guide_tone.wav")  # a .wav path always gets a playable WAV file

    # Synthesized audio is the same type: .data (as saved), .pcm (raw samples),
    # .samples (float32 mono, decoded on first use), .duration, .mime_type.
    riff = Audio(tone.data, OutputFormat.RIFF_48KHZ_16BIT_MONO_PCM)  # header is checked
    print("riff:", riff.duration, len(riff.pcm), "PCM bytes", riff.samples.dtype, riff.mime_type)
    return tone


def conversions(out: Path) -> None:
    # Any input -> 16 kHz 16-bit mono chunks (what the service wants), 100 ms each.
    stereo = np.zeros((44100, 2), dtype=np.float32)  # one second of stereo silence
    with open_pcm_stream(stereo, sample_rate=44100) as stream:
        chunks = list(stream)
    print("open_pcm_stream:", len(chunks), "chunks of", len(chunks[0]), "bytes,", stream.format)

    # Decode a whole clip to float samples (optionally resampled).
    samples, rate = decode_audio(out / "guide_tone.wav", target_rate=16000)
    print("decode_audio:", samples.shape, rate)
    print("resample:", resample(samples, 16000, 8000).shape)

    # Raw PCM has no header: say what it is.
    raw = bytes(3200)  # 100 ms of 16 kHz 16-bit mono silence
    with open_pcm_stream(io.BytesIO(raw), input_format=PcmFormat(16000)) as stream:
        print("raw PCM:", stream.read_all() == raw)

    try:
        open_pcm_stream(b"not audio at all")
    except AudioError as exc:  # every audio problem is an AudioError, saying why
        print("AudioError:", exc)


def recognize_inputs(out: Path) -> None:
    with Emulator() as emulator, emulator.client() as client:
        speech = client.tts.synthesize("Arrays work too.")
        # A numpy array needs its rate: (array, rate) or sample_rate=...
        print(client.stt.recognize_once((speech.samples, speech.sample_rate)).text)
        print(client.stt.recognize_once(speech.samples, sample_rate=speech.sample_rate).text)
        # Compressed files are decoded (MP3, FLAC, Ogg) - no GStreamer needed.
        mp3 = client.tts.synthesize(
            "And MP3 files.", output_format="audio-24khz-96kbitrate-mono-mp3"
        )
        mp3_path = mp3.save(out / "guide_speech.mp3")
        print(client.stt.recognize_once(mp3_path).text)
        # Bytes of a file, an open binary file, or the Audio object itself.
        with open(mp3_path, "rb") as f:
            print(client.stt.recognize_once(f).text)
        print(client.stt.recognize_once(speech).text)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    audio_type(out)
    conversions(out)
    recognize_inputs(out)


if __name__ == "__main__":
    main()

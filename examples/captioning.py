"""Captioning: subtitles (SubRip and WebVTT) for an audio or video file.

    python examples/captioning.py [MEDIA] [--out DIR] [--language en-US]

With no MEDIA the script makes its own: a short talk spoken by the service's
text to speech. MEDIA may be any audio file the service reads (WAV, MP3,
Ogg, FLAC...) or a video file (MP4, MKV, MOV, WebM...), whose sound track is
extracted first with PyAV (``pip install 'azspeech[video]'``).

The file is transcribed with fast transcription (``client.stt.transcribe``),
and the phrases are laid out as captions: at most two lines of 42 characters,
each shown 1 to 7 seconds. Writes ``<name>.srt`` and ``<name>.vtt`` into
``--out`` (default ``./captioning-output``) and prints the captions.

Runs against the bundled emulator (in this process, on 127.0.0.1) unless
``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION`` are set, then against Azure.
Temporary files are removed on exit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from azspeech.audio import Audio
from azspeech.emulator import azure_or_emulator

AUDIO_SUFFIXES = {".wav", ".mp3", ".ogg", ".opus", ".flac", ".m4a", ".aac", ".wma", ".amr"}
TALK = (
    "Welcome to this short talk about captions. "
    "Captions make a video accessible to people who cannot hear it. "
    "They also help everyone who watches with the sound off. "
    "Thank you for watching."
)


def extract_sound_track(video: Path, wav: Path) -> Path:
    """The first audio stream of *video*, as 16 kHz mono WAV (needs PyAV)."""
    try:
        import av
    except ImportError:
        sys.exit(
            f"{video.name} looks like a video: install PyAV with pip install 'azspeech[video]'"
        )
    import numpy as np

    pieces = []
    with av.open(str(video)) as container:
        if not container.streams.audio:
            sys.exit(f"{video.name} has no sound track")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16000)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):  # flush
            pieces.append(out.to_ndarray().reshape(-1))
    samples = np.concatenate(pieces).astype(np.float32) / 32768.0
    Audio.from_samples(samples, 16000).save(wav)
    return wav


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("media", nargs="?", type=Path, help="audio or video file (default: own)")
    parser.add_argument("--out", type=Path, default=Path("captioning-output"))
    parser.add_argument("--language", default="en-US")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with (
        tempfile.TemporaryDirectory(prefix="azspeech-captioning-") as tmp,
        azure_or_emulator() as client,
    ):
        if args.media is None:
            media = client.tts.synthesize(TALK).save(Path(tmp) / "talk.wav")
            print(f"made {media.name}: {len(TALK.split())} words of synthesized speech")
        else:
            media = args.media
            if not media.is_file():
                sys.exit(f"no such file: {media}")
        audio = media
        if media.suffix.lower() not in AUDIO_SUFFIXES:
            audio = extract_sound_track(media, Path(tmp) / f"{media.stem}.wav")
            print(f"extracted the sound track of {media.name}")

        started = time.perf_counter()
        result = client.stt.transcribe(audio, locales=[args.language])
        took = time.perf_counter() - started
        print(
            f"transcribed {result.duration.total_seconds():.1f} s of audio in {took:.1f} s: "
            f"{len(result.phrases)} phrases"
        )
        srt = args.out / f"{media.stem}.srt"
        vtt = args.out / f"{media.stem}.vtt"
        srt.write_text(result.to_srt(), encoding="utf-8")
        vtt.write_text(result.to_webvtt(), encoding="utf-8")

    print()
    print(srt.read_text(encoding="utf-8").strip())
    print()
    print(f"captions written: {srt} and {vtt}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

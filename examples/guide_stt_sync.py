"""Speech to text with the blocking client: one utterance, sessions, REST APIs, captions.

Runs against the bundled emulator (no account, no network):

    python examples/guide_stt_sync.py [output-directory]    (default: a new temporary directory)
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from azspeech import SpeechClient
from azspeech.audio import Audio, PcmFormat, PushStream
from azspeech.captions import CaptionOptions
from azspeech.emulator import Emulator
from azspeech.stt import RecognitionStatus, Recognized


def one_utterance(client: SpeechClient, wav: Path) -> None:
    # recognize_once: the first phrase of any audio input (here a WAV file).
    result = client.stt.recognize_once(wav, language="en-US")
    if result.status is RecognitionStatus.SUCCESS:
        print(
            f"recognize_once: {result.text!r} (offset {result.offset}, "
            f"duration {result.duration}, raw ticks {result.offset_ticks})"
        )
    else:
        print("nothing recognized:", result.status.value)


def blocking_session(client: SpeechClient, wav: Path) -> None:
    # The same session API as asyncio, with `with` and plain `for`.
    with client.stt.connect(language="en-US", on_recognized=lambda e: print("  cb:", e.text)) as s:
        s.send_file(wav, realtime=False)  # realtime=True paces the file like a live source
        for event in s:
            if isinstance(event, Recognized):
                print(f"  {event.result.offset.total_seconds():6.2f} s  {event.text}")
    print("  reconnects:", s.reconnects)


def push_from_a_thread(client: SpeechClient, speech: Audio) -> None:
    # A PushStream is written by your own thread(s); the session reads it.
    stream = PushStream(PcmFormat(speech.sample_rate))  # 16-bit mono at the audio's rate
    data = speech.pcm

    def producer() -> None:
        with stream:  # closes the stream (end of audio) on exit
            for i in range(0, len(data), 4800):
                stream.write(data[i : i + 4800])

    threading.Thread(target=producer).start()
    with client.stt.connect() as s:
        s.send_file(stream)
        print("push stream:", [r.text for r in s.results()])


def rest_apis(client: SpeechClient, wav: Path, out: Path) -> None:
    # Short audio over plain HTTP (at most 60 s; no WebSocket).
    short = client.stt.recognize_short(wav, language="en-US", format="detailed")
    print("recognize_short:", short.text, "confidence", short.confidence)

    # Fast transcription: whole files, diarization, captions.
    result = client.stt.transcribe(wav, locales=["en-US"], diarization=True)
    print("transcribe:", result.text, "| audio duration", result.duration)
    for phrase in result.phrases:
        print(f"  speaker {phrase.speaker} {phrase.offset.total_seconds():.2f} s: {phrase.text}")
    (out / "guide.srt").write_text(result.to_srt())
    (out / "guide.vtt").write_text(result.to_webvtt(CaptionOptions(max_line_length=32)))
    print((out / "guide.srt").read_text())


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="azspeech-guide-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"(output files go to {out})")
    with Emulator() as emulator, emulator.client() as client:
        speech = client.tts.synthesize("Welcome to the meeting. Let us begin.")
        wav = speech.save(out / "guide_meeting.wav")
        one_utterance(client, wav)
        blocking_session(client, wav)
        push_from_a_thread(client, speech)
        rest_apis(client, wav, out)


if __name__ == "__main__":
    main()

"""Child process: the official Speech SDK streams text to the emulator's v2 endpoint.

Usage: python _sdk_text_stream.py PORT KEY PIECES_JSON -> prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import azure.cognitiveservices.speech as speechsdk  # type: ignore[import-not-found]


def main() -> None:
    port, key, pieces = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    cfg = speechsdk.SpeechConfig(
        endpoint=f"ws://127.0.0.1:{port}/cognitiveservices/websocket/v2", subscription=key
    )
    cfg.speech_synthesis_voice_name = "en-US-AvaMultilingualNeural"
    cfg.set_speech_synthesis_output_format(
        speechsdk.SpeechSynthesisOutputFormat.Raw16Khz16BitMonoPcm
    )
    synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
    words: list[tuple[str, int, str]] = []
    synth.synthesis_word_boundary.connect(
        lambda e: words.append((e.text, e.audio_offset, str(e.boundary_type)))
    )
    completed = threading.Event()
    synth.synthesis_completed.connect(lambda e: completed.set())
    synth.synthesis_canceled.connect(lambda e: completed.set())
    try:
        request = speechsdk.SpeechSynthesisRequest(
            input_type=speechsdk.SpeechSynthesisRequestInputType.TextStream
        )
        task = synth.speak_async(request)
        for piece in pieces:
            request.input_stream.write(piece)
            time.sleep(0.02)
        request.input_stream.close()
        result = task.get()
        completed.wait(20)  # callbacks run on native threads: let them all arrive
    finally:
        synth.synthesis_word_boundary.disconnect_all()
        synth.synthesis_completed.disconnect_all()
        synth.synthesis_canceled.disconnect_all()
    details = ""
    if result.reason == speechsdk.ResultReason.Canceled:
        details = str(result.cancellation_details.error_details)
    out = {
        "reason": str(result.reason).rsplit(".", 1)[-1],
        "audio": result.audio_data.hex(),
        "words": words,
        "details": details,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

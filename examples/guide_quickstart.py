"""Quickstart: the ways to configure a client, then a round trip against the emulator.

    python examples/guide_quickstart.py

Building a client does not touch the network, so the configuration part runs
anywhere; the round trip uses the bundled emulator.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from azspeech import ConfigurationError, SpeechClient
from azspeech.emulator import Emulator


def configurations() -> None:
    examples = {
        "region": dict(key="0123456789abcdef0123456789abcdef", region="westeurope"),
        "custom domain": dict(
            key="0123456789abcdef0123456789abcdef",
            endpoint="https://my-speech.cognitiveservices.azure.com",
        ),
        "container": dict(endpoint="http://localhost:5000"),  # no key needed
        "US Government": dict(key="0123456789abcdef0123456789abcdef", region="usgovvirginia"),
        "China": dict(key="0123456789abcdef0123456789abcdef", region="chinaeast2"),
        "portal URL": dict(
            key="0123456789abcdef0123456789abcdef",
            endpoint="https://westeurope.api.cognitive.microsoft.com/",
        ),
    }
    for name, kwargs in examples.items():
        with SpeechClient(**kwargs) as client:
            e = client.endpoints
            print(f"{name:14} {e.kind.value:13} {e.cloud.value:7} stt={e.stt_base}")
            print(f"{'':14} repr: {client!r}")  # never shows the key

    # From the environment: AZURE_SPEECH_KEY + AZURE_SPEECH_REGION (or AZURE_SPEECH_ENDPOINT).
    if os.environ.get("AZURE_SPEECH_KEY"):
        with SpeechClient() as client:
            print("from the environment:", client)

    # Mistakes are reported when the client is built, with what to change.
    try:
        SpeechClient(key="k" * 32, region="westeurope", endpoint="http://localhost:5000")
    except ConfigurationError as exc:
        print("ConfigurationError:", exc)


def round_trip() -> None:
    with Emulator() as emulator:
        # What you would write against Azure, pointed at the emulator's URL:
        with SpeechClient(endpoint=emulator.url, key=emulator.key) as client:
            audio = client.tts.synthesize("Hello from azspeech.")
            wav = audio.save(Path(tempfile.mkdtemp()) / "hello.wav")
            result = client.stt.recognize_once(wav, language="en-US")
            print(f"heard {result.text!r} at {result.offset.total_seconds():.2f} s")

        # An STS token for a browser or another process (ten minutes):
        with SpeechClient(endpoint=emulator.url, key=emulator.key) as client:
            token = client.issue_token()
        with SpeechClient(endpoint=emulator.url, token=token) as client:
            print("token works:", client.tts.synthesize("Tokens.").duration)


if __name__ == "__main__":
    configurations()
    round_trip()

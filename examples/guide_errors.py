"""Errors: what is raised when, retries and Retry-After, secrets kept out of messages and logs.

python examples/guide_errors.py
"""

from __future__ import annotations

import io
import logging
import time

from azspeech import (
    AudioError,
    AuthenticationError,
    CanceledError,
    ConfigurationError,
    InvalidRequestError,
    RateLimitError,
    SpeechClient,
    SpeechError,
)
from azspeech.emulator import Emulator

SECRET = "my-very-secret-key-0123456789"


def synthesize_with_backoff(client: SpeechClient, text: str, attempts: int = 3) -> bytes:
    """Your own retry loop on top of the client's (which already retried max_retries times)."""
    for attempt in range(attempts):
        try:
            return client.tts.synthesize(text, transport="rest").data
        except RateLimitError as exc:
            wait = exc.retry_after if exc.retry_after is not None else 2.0**attempt
            print(f"  throttled (request id {exc.request_id}); waiting {wait:g} s")
            time.sleep(wait)
    raise RuntimeError("still throttled")


def main() -> None:
    # Capture the azspeech and httpx logs, to show that secrets never reach them.
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    for name in ("azspeech", "httpx"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)

    try:
        SpeechClient(key=SECRET, endpoint="localhost:5000")  # no scheme
    except ConfigurationError as exc:
        print("ConfigurationError:", exc)

    with Emulator(key=SECRET) as emulator:
        # Wrong key: AuthenticationError (401), with the status and the service's message.
        with SpeechClient(endpoint=emulator.url, key="wrong-key-0123456789") as bad:
            try:
                bad.tts.synthesize("Hello.", transport="rest")
            except AuthenticationError as exc:
                print("AuthenticationError:", exc.status_code, exc.code)

        with SpeechClient(endpoint=emulator.url, key=SECRET, max_retries=0) as client:
            # Input checked before anything is sent.
            for bad_call in (
                lambda: client.tts.synthesize("   "),
                lambda: client.stt.recognize_once(b"not audio"),
                lambda: client.stt.transcribe("guide.wav", diarization=99),
            ):
                try:
                    bad_call()
                except (InvalidRequestError, AudioError) as exc:
                    print(f"{type(exc).__name__}: {exc}")

            # Throttling: RateLimitError.retry_after comes from Retry-After / retry-after-ms.
            emulator.faults.reject(429, retry_after=1, times=1, path="/cognitiveservices/v1")
            print("synthesized", len(synthesize_with_backoff(client, "Eventually.")), "bytes")

            # A service error inside a streaming session: a Canceled event, then CanceledError.
            speech = client.tts.synthesize("Cancel me.")
            emulator.faults.close(4429, "Too many requests", after_audio_ms=100, path="/speech/")
            try:
                with client.stt.connect() as session:
                    session.send_file(speech)
                    for event in session:
                        print("  event:", event.type)
            except CanceledError as exc:
                print("CanceledError:", exc.reason, exc.code)

            # Everything above is a SpeechError.
            emulator.faults.reject(503, retry_after=None, path="/cognitiveservices/v1")
            try:
                client.tts.synthesize("Down.", transport="rest")
            except SpeechError as exc:
                print(f"{type(exc).__name__} is a SpeechError: status {exc.status_code}")

    assert SECRET not in log.getvalue()
    print("log lines captured:", len(log.getvalue().splitlines()), "- the key appears in none")


if __name__ == "__main__":
    main()

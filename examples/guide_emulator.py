"""The bundled emulator in-process: scripted text, fault injection, logs, tokens.

python examples/guide_emulator.py
"""

from __future__ import annotations

import numpy as np

from azspeech import ConnectionError, RateLimitError, ServiceError, SpeechClient
from azspeech.emulator import Emulator


def scripted_text(emulator: Emulator, client: SpeechClient) -> None:
    # The default engine ("tones") decodes the emulator's own synthesized speech. Any other
    # speech (a recording, a sine wave here) is reported as the scripted texts, in order.
    emulator.script(["What's the weather like?", "Thanks, bye."])
    rate = 16000
    t = np.arange(rate) / rate
    beep = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    silence = np.zeros(rate, dtype=np.float32)
    audio = np.concatenate([beep, silence, beep, silence])
    with client.stt.connect() as session:
        session.send_file(audio, sample_rate=rate)
        print("scripted:", [r.text for r in session.results()])


def faults(emulator: Emulator, client: SpeechClient) -> None:
    # A dropped connection mid-stream: the session reconnects and replays unanswered audio.
    speech = client.tts.synthesize("One two three. Four five six.")
    emulator.faults.drop(after_audio_ms=1200, path="/speech/recognition")
    with client.stt.connect() as session:
        session.send_file(speech)
        print(
            "after a drop:", [r.text for r in session.results()], "reconnects", session.reconnects
        )

    # 429 with Retry-After, once: retried by the client (max_retries=2 by default).
    fault = emulator.faults.reject(429, retry_after=0, path="/cognitiveservices/v1")
    client.tts.synthesize("Retried.", transport="rest")
    print("429 fired", fault.used, "time(s), then the retry succeeded")

    # More 429s than retries: the caller gets RateLimitError with retry_after.
    emulator.faults.reject(429, retry_after=1, times=5, path="/cognitiveservices/v1")
    try:
        client.tts.synthesize("Throttled.", transport="rest")
    except RateLimitError as exc:
        print("RateLimitError:", exc.status_code, "retry_after =", exc.retry_after)
    emulator.faults.clear()

    # A 500 on a POST is not retried (the work may have been done): ServiceError.
    emulator.faults.reject(500, path="/cognitiveservices/v1")
    try:
        client.tts.synthesize("Broken.", transport="rest")
    except ServiceError as exc:
        print("ServiceError:", exc.status_code)

    # A WebSocket close the client should not retry (1011 is retried; 4xxx codes are errors).
    emulator.faults.close(code=1008, reason="policy", after_audio_ms=200, path="/speech/")
    try:
        client.stt.recognize_once(speech)
    except Exception as exc:  # InvalidRequestError for 1008
        print("closed:", type(exc).__name__, exc)

    # A stalled service: the client's timeout turns it into an error.
    emulator.faults.stall(path="/cognitiveservices/websocket")
    with emulator.client(timeout=1.0) as impatient:
        try:
            impatient.tts.synthesize("Anyone there?")
        except ConnectionError as exc:  # TimeoutError is a ConnectionError
            print("stalled:", type(exc).__name__)
    emulator.reset()  # faults, script and log cleared


def logs_and_tokens(emulator: Emulator, client: SpeechClient) -> None:
    client.stt.recognize_once(client.tts.synthesize("Logged."), phrases=["Contoso"])
    session = emulator.last_session  # the recognition's WebSocket session
    print("session:", session.path, "query:", session.query)
    print("client sent:", sorted(set(session.paths("in"))))
    context = session.received("speech.context")[0].json()
    print("phrase list sent:", context.get("dgi"))
    client.tts.list_voices()  # a REST call
    print("HTTP requests:", [(r.method, r.path, r.status) for r in emulator.requests])

    # Tokens: one from the emulator directly, or the STS exchange as with Azure.
    with emulator.client(token=emulator.issue_token()) as by_token:
        print("with a token:", by_token.tts.synthesize("Token.").duration)
    with emulator.client(use_sts=True) as sts:
        print("STS:", sts.stt.recognize_once(sts.tts.synthesize("Exchanged.")).text)


def main() -> None:
    with Emulator(key="test-key-123") as emulator, emulator.client() as client:
        print(emulator, "key", emulator.key)
        scripted_text(emulator, client)
        faults(emulator, client)
        logs_and_tokens(emulator, client)


if __name__ == "__main__":
    main()

"""Custom speech and LLM speech: dataset, model, endpoint, evaluation; transcribe and translate.

python examples/guide_custom_speech.py

Runs against the bundled emulator (jobs finish in a fraction of a second
there); point ``SpeechClient`` at your resource to run it for real.
"""

from __future__ import annotations

import io
import tempfile
import wave
from pathlib import Path

from azspeech import SpeechClient
from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones


def make_test_set(folder: Path) -> list[Path]:
    """Two recordings and their human transcripts (an acoustic dataset's files)."""
    texts = ["Good morning.", "Hello world."]
    files = []
    for i, text in enumerate(texts):
        pcm = tones.encode(text, 16000, lead_ms=300, tail_ms=500).pcm16()
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm)
        path = folder / f"utt{i}.wav"
        path.write_bytes(buf.getvalue())
        files.append(path)
    trans = folder / "trans.txt"
    trans.write_text("".join(f"utt{i}.wav\t{t.lower().rstrip('.')}\n" for i, t in enumerate(texts)))
    return [*files, trans]


def custom_speech(client: SpeechClient, folder: Path) -> str:
    cs = client.custom_speech
    project = cs.projects.create("Contoso support", locale="en-US")

    # Upload local files (zipped, sent in blocks), then wait for the processing.
    dataset = cs.datasets.upload(
        make_test_set(folder), display_name="support calls", locale="en-US",
        kind="Acoustic", project=project,
    )  # fmt: skip
    dataset = cs.datasets.wait(dataset, poll_interval=0.1, timeout=600)
    print("dataset:", dataset.status, dataset.properties.accepted_line_count, "utterances")

    # Train a custom model on the newest en-US base model.
    base = [m for m in cs.models.list_base(filter="locale eq 'en-US'")][-1]
    model = cs.models.create(base, display_name="support", datasets=[dataset], project=project)
    model = cs.models.wait(model, poll_interval=0.1, timeout=3600)
    print("model:", model.status, model.id)

    # Compare it with its base model on the test set.
    evaluation = cs.evaluations.create(base, model, dataset, display_name="base vs support")
    evaluation = cs.evaluations.wait(evaluation, poll_interval=0.1, timeout=3600)
    print(f"WER base {evaluation.word_error_rate1:.1%}, custom {evaluation.word_error_rate2:.1%}")

    # Deploy it; the endpoint id goes to real-time recognition.
    endpoint = cs.endpoints.create(model, display_name="support live")
    endpoint = cs.endpoints.wait(endpoint, poll_interval=0.1, timeout=3600)
    result = client.stt.recognize_once(folder / "utt0.wav", endpoint_id=endpoint.id)
    print("recognized with the custom endpoint:", result.text)
    return endpoint.id or ""


def llm_speech(client: SpeechClient, folder: Path) -> None:
    audio = folder / "utt1.wav"
    print("LLM transcribe:", client.llm.transcribe(audio, prompt="Pay attention to names.").text)
    print("LLM translate to de:", client.llm.translate(audio, target_language="de").text)


def main() -> None:
    with Emulator() as emulator, emulator.client() as client, tempfile.TemporaryDirectory() as d:
        emulator.state.extra["custom_speech_seconds"] = 0.2
        custom_speech(client, Path(d))
        llm_speech(client, Path(d))


if __name__ == "__main__":
    main()

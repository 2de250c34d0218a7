"""``azspeech transcribe FILE --mode batch --container URL``: a local file through Blob Storage.

The command uploads the file (Azurite behind a recording host on 127.0.0.2),
transcribes it in batch with a live status on the terminal, prints the
result, and deletes its blob afterwards.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from azspeech import SpeechClient
from azspeech.batch._blob import BlobContainer
from azspeech.cli import EXIT, _progress, main
from azspeech.emulator import Emulator

from .azurite import Azurite, RecordingProxy


@pytest.fixture
def quick_batches(emulator: Emulator, azurite: Azurite) -> Iterator[Emulator]:
    results_host = RecordingProxy(("127.0.0.1", emulator.port)).start()
    extra = emulator.state.extra
    extra["batch_transcription_seconds"] = 0.05
    extra["batch_transcription_storage_url"] = f"http://127.0.0.2:{results_host.port}"
    try:
        yield emulator
    finally:
        extra.pop("batch_transcription_seconds", None)
        extra.pop("batch_transcription_storage_url", None)
        results_host.stop()


def test_a_local_file_goes_through_the_container_with_a_live_status(
    quick_batches: Emulator,
    client: SpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wav = tmp_path / "call.wav"
    client.tts.synthesize("Hello there. How are you?").save(wav)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(_progress, "bar_console", lambda: console)
    monkeypatch.setenv("AZURE_STORAGE_KEY", account_key)
    argv = [
        "transcribe", str(wav), "--mode", "batch",
        "--container", storage.container_url(container_name), "--poll-interval", "0.05",
        "--endpoint", quick_batches.url, "--key", quick_batches.key,
    ]  # fmt: skip
    assert main(argv) == EXIT["ok"]
    out = capsys.readouterr().out
    assert "Hello there." in out and "How are you?" in out
    shown = screen.getvalue()
    for stage in ("uploaded", "submitted", "finished"):
        assert f"call.wav: {stage}" in shown
    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    assert list(container._client.list_blobs()) == []  # cleaned up after itself

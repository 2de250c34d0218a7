"""Byte progress of local files going to Blob Storage, in the library and in the command.

``transcribe_files(on_progress=...)`` reports ``"uploading"`` steps with the
bytes sent; ``azspeech transcribe FILE --mode batch --container URL`` draws
them as a bar (Azurite behind a recording host on 127.0.0.2), follows the
job's status, prints the result, and deletes its blob afterwards.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from azspeech import SpeechClient
from azspeech.batch._blob import BlobContainer
from azspeech.batch.upload import Progress
from azspeech.cli import EXIT, _progress, main
from azspeech.emulator import Emulator

from ._files import make_wavs
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
    for stage in ("uploading", "uploaded", "submitted", "finished"):
        assert f"call.wav: {stage}" in shown
    assert "100%" in shown  # the upload's bar reached its end
    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    assert list(container._client.list_blobs()) == []  # cleaned up after itself


def test_uploading_steps_count_each_file_up_to_its_size(
    quick_batches: Emulator,
    client: SpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
    tmp_path: Path,
) -> None:
    paths = make_wavs(tmp_path, 2, samples=16000)
    steps: list[Progress] = []
    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    run = client.batch.transcribe_files(
        paths, container=container, locale="en-US", poll_interval=0.05,
        on_progress=steps.append, delete_blobs=True,
    )  # fmt: skip
    assert run.ok
    for path in paths:
        mine = [s for s in steps if s.path == path]
        uploading = [s for s in mine if s.stage == "uploading"]
        assert uploading and uploading[-1].sent == uploading[-1].size == path.stat().st_size
        stages = [s.stage for s in mine]
        assert stages.index("uploading") < stages.index("uploaded")


class Refused(Exception):
    """A progress callback's own error."""


def test_an_error_in_an_uploading_callback_is_raised_not_lost(
    quick_batches: Emulator,
    client: SpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
    tmp_path: Path,
) -> None:
    def refuse(step: Progress) -> None:
        if step.stage == "uploading":
            raise Refused("stop")

    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    with pytest.raises(Refused):
        client.batch.transcribe_files(
            make_wavs(tmp_path, 1), container=container, locale="en-US", on_progress=refuse
        )

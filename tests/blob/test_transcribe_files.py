"""``client.batch.transcribe_files``: local files -> Azurite -> the emulator's batch service.

Storage is Azurite behind a recording host on 127.0.0.2; the emulator fetches
the SAS URLs from there like the service fetches them from Blob Storage.
Counts of uploads (PUTs at the storage host) and submissions (POSTs at the
emulator) show that a resumed run does nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.batch._blob import BlobContainer
from azspeech.batch.manifest import ManifestError
from azspeech.batch.upload import Progress
from azspeech.emulator import Emulator
from azspeech.errors import AudioError, NotFoundError

from ._files import make_wavs
from .azurite import Azurite, RecordingProxy

SUBMIT = "transcriptions:submit"


class SimulatedCrash(Exception):
    """Raised from a progress callback: the run stops at a known point."""


@pytest.fixture
def batch_emulator(
    emulator: Emulator, azurite: Azurite, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """The emulator with quick batch jobs and its result links on a recording host."""
    results_host = RecordingProxy(("127.0.0.1", emulator.port)).start()
    extra = emulator.state.extra
    monkeypatch.setitem(extra, "batch_transcription_seconds", 0.05)
    monkeypatch.setitem(
        extra, "batch_transcription_storage_url", f"http://127.0.0.2:{results_host.port}"
    )
    monkeypatch.setattr(emulator, "results_host", results_host, raising=False)
    try:
        yield emulator
    finally:
        results_host.stop()


def _submits(emulator: Emulator) -> int:
    return sum(1 for r in emulator.state.requests if r.method == "POST" and SUBMIT in r.path)


def _uploads(storage: RecordingProxy) -> int:
    return storage.count("PUT", "/azspeech/")


def _no_speech_credentials(recorded: list[Any], key: str) -> None:
    for r in recorded:
        lower = {k.lower(): v for k, v in r.headers.items()}
        assert "ocp-apim-subscription-key" not in lower, r
        assert not lower.get("authorization", "").lower().startswith("bearer"), r
        assert all(key not in v for v in r.headers.values()), r
        assert key not in r.path


async def test_local_files_are_uploaded_transcribed_and_cleaned_up(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    paths = make_wavs(tmp_path / "in", 5)
    events: list[Progress] = []
    run = await aclient.batch.transcribe_files(
        paths, container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, output_dir=tmp_path / "out", poll_interval=0.05,
        on_progress=events.append, delete_blobs=True, delete_transcriptions=True,
    )  # fmt: skip
    assert run.ok and [f.path for f in run.files] == paths
    assert len(run.job_ids) == 1 and _submits(batch_emulator) == 1
    for f in run.files:
        assert f.result is not None and f.result.source and f.result.source.endswith(f.path.name)
        assert f.result_path == tmp_path / "out" / f"{f.path.name}.json"
        assert json.loads(f.result_path.read_text())["source"] == f.result.source
    stages = [e.stage for e in events]
    assert stages.count("uploaded") == 5 and stages.count("finished") == 5
    # The content URLs were fetched from the storage host, without credentials.
    fetched = [r for r in storage.requests if r.method == "GET" and "sig=" in r.path]
    assert len(fetched) >= 5
    key = batch_emulator.key
    _no_speech_credentials(storage.requests, key)
    _no_speech_credentials(batch_emulator.results_host.requests, key)  # type: ignore[attr-defined]
    assert batch_emulator.results_host.requests  # type: ignore[attr-defined]
    # Cleaned up: the blobs and the transcription are gone.
    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    assert list(container._client.list_blobs()) == []
    with pytest.raises(NotFoundError):
        await aclient.batch.get(run.job_ids[0])


async def test_a_200_file_run_killed_twice_resumes_with_nothing_uploaded_or_submitted_twice(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    paths = make_wavs(tmp_path / "in", 200, samples=400)
    kwargs: dict[str, Any] = dict(
        container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, output_dir=tmp_path / "out", files_per_job=50,
        poll_interval=0.05, concurrency=8,
    )  # fmt: skip

    def crash_at(stage: str, n: int) -> Any:
        def check(p: Progress) -> None:
            if p.stage == stage and p.done == n:
                raise SimulatedCrash(f"{stage} {n}")

        return check

    with pytest.raises(SimulatedCrash):  # halfway through the uploads
        await aclient.batch.transcribe_files(paths, on_progress=crash_at("uploaded", 100), **kwargs)
    assert 100 <= _uploads(storage) < 200 and _submits(batch_emulator) == 0
    with pytest.raises(SimulatedCrash):  # after the second of four jobs was submitted
        await aclient.batch.transcribe_files(
            paths, on_progress=crash_at("submitted", 100), **kwargs
        )
    assert _uploads(storage) == 200 and _submits(batch_emulator) == 2
    run = await aclient.batch.transcribe_files(paths, **kwargs)
    assert _uploads(storage) == 200, "a file was uploaded twice"
    assert _submits(batch_emulator) == 4, "a job was submitted twice"
    assert run.ok and len(run.files) == 200 and len(run.job_ids) == 4
    assert all(f.result is not None for f in run.files)
    again = await aclient.batch.transcribe_files(paths, **kwargs)  # all done: no request
    assert _uploads(storage) == 200 and _submits(batch_emulator) == 4
    assert all(f.resumed and f.result is not None for f in again.files)


async def test_a_crash_between_creating_a_job_and_recording_it_finds_the_job_by_name(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    paths = make_wavs(tmp_path / "in", 3)
    manifest = tmp_path / "run.jsonl"
    kwargs: dict[str, Any] = dict(
        container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, manifest=manifest, poll_interval=0.05,
    )  # fmt: skip

    def crash(p: Progress) -> None:
        if p.stage == "submitted":
            raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        await aclient.batch.transcribe_files(paths, on_progress=crash, **kwargs)
    # Keep the manifest as it was when the job was being created: the service
    # has the job, the manifest does not know its id.
    lines = manifest.read_text().splitlines(keepends=True)
    cut = next(i for i, x in enumerate(lines) if '"state":"submitting"' in x)
    manifest.write_text("".join(lines[: cut + 1]))
    assert _submits(batch_emulator) == 1
    run = await aclient.batch.transcribe_files(paths, **kwargs)
    assert _submits(batch_emulator) == 1 and run.ok and _uploads(storage) == 3


async def test_a_manifest_of_another_run_uploads_nothing(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    paths = make_wavs(tmp_path / "in", 2)
    manifest = tmp_path / "run.jsonl"
    await aclient.batch.transcribe_files(
        paths, container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, manifest=manifest, poll_interval=0.05,
    )  # fmt: skip
    before = len(storage.requests)
    with pytest.raises(ManifestError, match="another run"):
        await aclient.batch.transcribe_files(
            paths, container=storage.container_url(container_name + "x"), locale="en-US",
            storage_account_key=account_key, manifest=manifest,
        )  # fmt: skip
    paths[0].write_bytes(paths[0].read_bytes() + b"\x00\x00")
    with pytest.raises(ManifestError, match="changed"):
        await aclient.batch.transcribe_files(
            paths, container=storage.container_url(container_name), locale="en-US",
            storage_account_key=account_key, manifest=manifest,
        )  # fmt: skip
    assert len(storage.requests) == before
    assert _submits(batch_emulator) == 1


async def test_a_file_that_is_not_audio_is_refused_before_any_upload(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    make_wavs(tmp_path, 2)
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    with pytest.raises(AudioError, match=r"cover\.jpg"):
        await aclient.batch.transcribe_files(
            tmp_path, container=storage.container_url(container_name), locale="en-US",
            storage_account_key=account_key,
        )  # fmt: skip
    assert storage.requests == [] and _submits(batch_emulator) == 0


async def test_a_file_the_service_cannot_transcribe_fails_with_its_code(
    tmp_path: Path,
    batch_emulator: Emulator,
    aclient: AsyncSpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    (good,) = make_wavs(tmp_path, 1)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunkjunk")
    run = await aclient.batch.transcribe_files(
        [good, broken], container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, poll_interval=0.05,
    )  # fmt: skip
    assert [f.ok for f in run.files] == [True, False]
    assert run.files[1].error and "InvalidAudioFormat" in run.files[1].error


def test_the_blocking_client_transcribes_local_files(
    tmp_path: Path,
    batch_emulator: Emulator,
    client: SpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
) -> None:
    paths = make_wavs(tmp_path, 3)
    container = BlobContainer(storage.container_url(container_name), account_key=account_key)
    run = client.batch.transcribe_files(
        paths, container=container, locale="en-US", poll_interval=0.05, delete_blobs=True
    )
    assert run.ok and len(run.files) == 3 and _uploads(storage) == 3
    assert list(container._client.list_blobs()) == []

"""From local files to batch transcription results in one call: ``transcribe_files``.

Upload (:mod:`.upload`, bounded, skipping blobs that hold the same bytes),
read-only SAS URLs (:mod:`._blob`), submit in jobs of up to *files_per_job*
content URLs, wait, download and parse each file's result, and clean up on
request. Every step is recorded in the run manifest (:mod:`.manifest`); run
the same call with the same manifest after a crash and nothing is uploaded
or submitted twice:

* an uploaded file is not uploaded again (the manifest says so; and a blob
  already holding the same bytes is never uploaded again anyway);
* a job is recorded as *submitting* (its display name ``azspeech-<run>-<n>``)
  before it is created and *submitted* (its id) after: a crash in between
  finds the job by its name instead of creating a second one;
* finished files are read back from *output_dir*.

The Speech key or token goes only to the Speech endpoint: uploads carry the
storage credential, and results are fetched from their SAS URLs without
credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..errors import InvalidRequestError
from ..models.batch import BatchTranscription, BatchTranscriptionResult
from ._blob import BlobContainer
from .local import LocalAudio, resolve_paths
from .manifest import Manifest
from .upload import (
    Progress,
    ProgressCallback,
    blob_prefix,
    check_concurrency,
    inspect_files,
    notify,
    upload_files,
)

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient

__all__ = ["AsyncLocalFiles", "BatchRun", "FileResult", "LocalFiles", "transcribe_files"]

MAX_FILES_PER_JOB = 1000


@dataclass(frozen=True)
class FileResult:
    """One local file's outcome: its parsed result, or why it failed.

    ``result`` is None for a failed file, and for a file an earlier run
    finished when it is not in *output_dir*; ``resumed`` marks those.
    """

    path: Path
    result: BatchTranscriptionResult | None
    result_path: Path | None = None
    job_id: str | None = None
    error: str | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the file was transcribed."""
        return self.error is None


@dataclass
class BatchRun:
    """What :func:`transcribe_files` did: the run id, its jobs and one result per file."""

    run_id: str
    files: list[FileResult] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every file was transcribed."""
        return all(f.ok for f in self.files)


def _blob_path(url: str) -> str:
    return unquote(urlsplit(url).path).rstrip("/")


def _write_result(path: Path, result: BatchTranscriptionResult) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(result.model_dump(mode="json", by_alias=True)), encoding="utf-8")
    os.replace(part, path)


def _read_result(path: str | None) -> BatchTranscriptionResult | None:
    if not path or not Path(path).is_file():
        return None
    return BatchTranscriptionResult.model_validate_json(Path(path).read_text(encoding="utf-8"))


def _open_manifest(
    manifest: Path,
    container: BlobContainer,
    prefix: str,
    locale: str,
    create_options: dict[str, Any],
    run_id: str | None,
    audios: Sequence[LocalAudio],
) -> Manifest:
    """The run's manifest, checked against the run (see :meth:`Manifest.check_files`)."""
    opts = json.dumps({"locale": locale, **create_options}, sort_keys=True, default=repr)
    target = f"{container.url}/{prefix} {opts}"
    book = Manifest.open(manifest, mode="batch", target=target, run_id=run_id)
    try:
        book.check_files((a.key for a in audios), {a.key: (a.size, a.sha256) for a in audios})
    except BaseException:
        book.close()
        raise
    return book


async def transcribe_files(
    client: AsyncSpeechClient,
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    container: BlobContainer | str,
    locale: str,
    storage_account_key: str | None = None,
    storage_credential: Any = None,
    prefix: str | None = "azspeech/",
    manifest: str | os.PathLike[str] | None = None,
    run_id: str | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    concurrency: int = 8,
    files_per_job: int = 100,
    poll_interval: float = 5.0,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
    delete_blobs: bool = False,
    delete_transcriptions: bool = False,
    **create_options: Any,
) -> BatchRun:
    """Transcribe local audio files with batch transcription (see the module docstring).

    Args:
        client: the async client (the blocking client's method runs this on its loop).
        paths: files, or folders standing for the files in them; every file
            is checked to be audio before anything is uploaded.
        container: a :class:`~azspeech.batch.BlobContainer` or a container URL
            (with *storage_account_key*, *storage_credential* or a SAS in it).
        locale: the audio's locale (``"en-US"``).
        prefix: blob name prefix (blobs are ``<prefix><sha256[:16]>/<file name>``).
        manifest: the run manifest (default ``<output_dir>/manifest.jsonl``, or
            none without *output_dir*); give it again to resume a run.
        run_id: the run's id (a new manifest gets it; an existing one must have it).
        output_dir: each file's result is written there as ``<file name>.json``.
        concurrency: uploads in flight at most.
        files_per_job: content URLs per batch transcription (1 to 1000).
        poll_interval, timeout: how the jobs are waited for (``client.batch.wait``).
        on_progress: called with a :class:`~azspeech.batch.upload.Progress` per
            file and step (uploaded/skipped, submitted, finished, failed), and
            ``"uploading"`` steps with the bytes ``sent`` of the file's ``size``
            while it uploads (a bar; ``azspeech transcribe --mode batch`` draws one).
        delete_blobs: delete the run's blobs once every job is done.
        delete_transcriptions: delete the run's transcriptions once their
            results are read.
        **create_options: more keywords of ``client.batch.create`` (``diarization=``...).
    """
    check_concurrency(concurrency)
    if (
        isinstance(files_per_job, bool)
        or not isinstance(files_per_job, int)
        or not (1 <= files_per_job <= MAX_FILES_PER_JOB)
    ):
        raise InvalidRequestError(f"files_per_job must be 1 to {MAX_FILES_PER_JOB}")
    for bad in ("content_urls", "content_container_url", "dataset", "display_name"):
        if bad in create_options:
            raise InvalidRequestError(f"transcribe_files sets {bad} itself")
    pre = blob_prefix(prefix)
    if not isinstance(container, str):
        return await _transcribe(client, paths, container, pre, locale, manifest, run_id,
                                 output_dir, concurrency, files_per_job, poll_interval, timeout,
                                 on_progress, delete_blobs, delete_transcriptions,
                                 create_options)  # fmt: skip
    owned = await asyncio.to_thread(
        BlobContainer,
        container,
        account_key=storage_account_key,
        credential=storage_credential,
        max_connections=concurrency,
    )
    try:
        return await _transcribe(client, paths, owned, pre, locale, manifest, run_id, output_dir,
                                 concurrency, files_per_job, poll_interval, timeout, on_progress,
                                 delete_blobs, delete_transcriptions, create_options)  # fmt: skip
    finally:
        await asyncio.to_thread(owned.close)


async def _transcribe(
    client: AsyncSpeechClient,
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    container: BlobContainer,
    pre: str,
    locale: str,
    manifest: str | os.PathLike[str] | None,
    run_id: str | None,
    output_dir: str | os.PathLike[str] | None,
    concurrency: int,
    files_per_job: int,
    poll_interval: float,
    timeout: float | None,
    on_progress: ProgressCallback | None,
    delete_blobs: bool,
    delete_transcriptions: bool,
    create_options: dict[str, Any],
) -> BatchRun:
    out_dir = None
    if output_dir is not None:
        out_dir = await asyncio.to_thread(lambda: Path(output_dir).expanduser().resolve())
    if manifest is None and out_dir is not None:
        manifest = out_dir / "manifest.jsonl"
    local = await asyncio.to_thread(resolve_paths, paths)
    audios = await inspect_files(local, concurrency)
    if out_dir is not None:
        await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    if manifest is None:
        manifest_path = await asyncio.to_thread(_scratch_manifest)
    else:
        manifest_path = Path(manifest)
    book = await asyncio.to_thread(
        _open_manifest, manifest_path, container, pre, locale, create_options, run_id, audios
    )
    try:
        return await _Run(
            client, container, book, audios, pre, out_dir, on_progress, locale, create_options
        ).go(concurrency, files_per_job, poll_interval, timeout, delete_blobs,
             delete_transcriptions)  # fmt: skip
    finally:
        book.close()
        if manifest is None:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(manifest_path.unlink)


def _scratch_manifest() -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(prefix="azspeech-run-", suffix=".jsonl")
    os.close(fd)
    return Path(name)


class _Run:
    """One call of :func:`transcribe_files`: its steps over the shared manifest."""

    def __init__(
        self,
        client: AsyncSpeechClient,
        container: BlobContainer,
        book: Manifest,
        audios: list[LocalAudio],
        prefix: str,
        out_dir: Path | None,
        on_progress: ProgressCallback | None,
        locale: str,
        create_options: dict[str, Any],
    ) -> None:
        self.client = client
        self.container = container
        self.book = book
        self.audios = audios
        self.by_key = {a.key: a for a in audios}
        self.prefix = prefix
        self.out_dir = out_dir
        self.on_progress = on_progress
        self.locale = locale
        self.create_options = create_options
        self.counts: dict[str, int] = {}
        self.fresh: dict[str, BatchTranscriptionResult] = {}

    async def progress(self, stage: Any, key: str, error: BaseException | None = None) -> None:
        self.counts[stage] = self.counts.get(stage, 0) + 1
        await notify(
            self.on_progress,
            Progress(stage, Path(key), self.counts[stage], len(self.audios), error),
        )

    async def go(
        self,
        concurrency: int,
        files_per_job: int,
        poll_interval: float,
        timeout: float | None,
        delete_blobs: bool,
        delete_transcriptions: bool,
    ) -> BatchRun:
        await upload_files(
            self.container, self.audios, manifest=self.book, prefix=self.prefix,
            concurrency=concurrency, on_progress=self.on_progress,
        )  # fmt: skip
        await self.recover_submissions()
        await self.submit(files_per_job)
        jobs = [(j.name, j.id, j.state) for j in self.book.jobs.values() if j.id is not None]
        await asyncio.gather(
            *(self.finish(name, i, poll_interval, timeout) for name, i, st in jobs if st != "done")
        )
        run = BatchRun(self.book.run_id, job_ids=[i for _, i, _ in jobs])
        for audio in self.audios:
            rec = self.book.files[audio.key]
            result = await asyncio.to_thread(_read_result, rec.result)
            if result is None:
                result = self.fresh.get(audio.key)
            run.files.append(
                FileResult(
                    audio.path, result, Path(rec.result) if rec.result else None, rec.job,
                    rec.error if rec.state == "failed" else None,
                    resumed=audio.key not in self.fresh and rec.state == "finished",
                )
            )  # fmt: skip
        if delete_transcriptions:
            for job_id in run.job_ids:
                await self.client.batch.delete(job_id)
        if delete_blobs:
            names = sorted({r.blob for r in self.book.files.values() if r.blob})
            for name in names:
                await asyncio.to_thread(self.container.delete, name)
        return run

    async def recover_submissions(self) -> None:
        """Jobs recorded as submitting but not submitted: find them by name, or submit again."""
        pending = {j.name for j in self.book.jobs.values() if j.state == "submitting"}
        if not pending:
            return
        async for job in self.client.batch.list():
            if job.display_name in pending and job.id:
                self.mark_submitted(job.display_name, job.id)
                pending.discard(job.display_name)
        # Not found: the create request never reached the service; submit those files again.

    def mark_submitted(self, name: str, job_id: str) -> None:
        self.book.record_job(name, "submitted", id=job_id)
        for key in self.book.jobs[name].files:
            self.book.record_file(key, "submitted", job=job_id)

    async def submit(self, files_per_job: int) -> None:
        taken = {k for j in self.book.jobs.values() if j.state != "submitting" for k in j.files}
        retry = [j for j in self.book.jobs.values() if j.state == "submitting"]
        todo = [
            a.key
            for a in self.audios
            if self.book.state(a.key) == "uploaded"
            and a.key not in taken
            and not any(a.key in j.files for j in retry)
        ]
        batches = [(j.name, j.files) for j in retry]
        start = len(self.book.jobs)
        for i in range(0, len(todo), files_per_job):
            name = f"azspeech-{self.book.run_id}-{start + i // files_per_job}"
            batches.append((name, todo[i : i + files_per_job]))
        for name, keys in batches:
            urls = []
            for key in keys:
                blob = self.book.files[key].blob
                assert blob is not None
                urls.append(await asyncio.to_thread(self.container.read_url, blob))
            self.book.record_job(name, "submitting", files=keys)
            job = await self.client.batch.create(
                content_urls=urls, locale=self.locale, display_name=name, **self.create_options
            )
            assert job.id is not None
            self.mark_submitted(name, job.id)
            for key in keys:
                await self.progress("submitted", key)

    async def finish(
        self, name: str, job_id: str, poll_interval: float, timeout: float | None
    ) -> None:
        """Wait for a job, then save each file's result (or why it failed)."""
        job: BatchTranscription = await self.client.batch.wait(
            job_id, poll_interval=poll_interval, timeout=timeout
        )
        keys = self.book.jobs[name].files
        if job.status != "Succeeded":
            err = job.error
            why = f"{err.code}: {err.message}" if err else f"job {job_id} {job.status}"
            for key in keys:
                self.book.record_file(key, "failed", error=why)
                await self.progress("failed", key)
            self.book.record_job(name, "done")
            return
        by_blob: dict[str, list[str]] = {}
        for key in keys:
            blob = self.book.files[key].blob
            by_blob.setdefault(_blob_path(f"{self.container.url}/{blob}"), []).append(key)
        results = await self.client.batch.results(job)
        got: set[str] = set()
        for result in results:
            for key in by_blob.get(_blob_path(result.source or ""), []):
                got.add(key)
                await self.save(key, result)
        missing = [k for k in keys if k not in got]
        if missing:
            report = await self.client.batch.report(job)
            why_of = {
                _blob_path(d.source or ""): f"{d.error_kind}: {d.error_message}"
                for d in (report.details if report else [])
            }
            for key in missing:
                blob = self.book.files[key].blob
                why = why_of.get(_blob_path(f"{self.container.url}/{blob}"), "no result")
                self.book.record_file(key, "failed", error=why)
                await self.progress("failed", key)
        self.book.record_job(name, "done")

    async def save(self, key: str, result: BatchTranscriptionResult) -> None:
        path = None
        if self.out_dir is not None:
            path = self.out_dir / f"{Path(key).name}.json"
            if sum(1 for a in self.audios if a.path.name == Path(key).name) > 1:
                path = self.out_dir / f"{self.by_key[key].sha256[:12]}-{Path(key).name}.json"
            await asyncio.to_thread(_write_result, path, result)
        self.fresh[key] = result
        self.book.record_file(key, "finished", result=str(path) if path else None)
        await self.progress("finished", key)


class AsyncLocalFiles:
    """``transcribe_files`` on the async ``client.batch`` (a base of its resource class)."""

    _client: AsyncSpeechClient

    async def transcribe_files(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        container: BlobContainer | str,
        locale: str,
        **kwargs: Any,
    ) -> BatchRun:
        """Upload local audio, transcribe it with batch transcription, return the results.

        Resumable with ``manifest=``; see :func:`azspeech.batch.files.transcribe_files`
        for every keyword.
        """
        return await transcribe_files(
            self._client, paths, container=container, locale=locale, **kwargs
        )


class LocalFiles:
    """``transcribe_files`` on the blocking ``client.batch`` (a base of its resource class)."""

    _client: SpeechClient

    def transcribe_files(
        self,
        paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
        *,
        container: BlobContainer | str,
        locale: str,
        **kwargs: Any,
    ) -> BatchRun:
        """Upload local audio, transcribe it with batch transcription, return the results.

        The async implementation run on the client's background loop
        (*on_progress* is called from its thread); see
        :func:`azspeech.batch.files.transcribe_files`.
        """
        return self._client._run(
            lambda aclient: transcribe_files(
                aclient, paths, container=container, locale=locale, **kwargs
            )
        )

"""Many files through fast transcription: ``client.stt.transcribe_many(paths, ...)``.

For results in minutes rather than batch transcription's queue. Files go to
``client.stt.transcribe`` with at most *concurrency* requests in flight; each
result is written to *output_dir* as it finishes (``<name>.json``, the
service's JSON, written whole or not at all) and recorded in the run manifest
(:mod:`azspeech.batch.manifest`), so that a run of thousands of files resumes
after a crash with only the unfinished files sent again.

Rate limits: a 429 on any worker pauses **all** workers (one shared pause,
as long as the service's ``Retry-After`` says, else the client's backoff)
before the request is sent again; the transport's own retries are off for
these requests so that no worker retries on its own schedule. 5xx answers
and dropped connections are retried per file with the client's retry count
and backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch.local import check_audio, resolve_paths
from ..batch.manifest import Manifest
from ..batch.upload import Progress, ProgressCallback, check_concurrency, notify, run_bounded
from ..errors import (
    AudioError,
    ConnectionError,
    InvalidRequestError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechError,
)
from ..models.stt import TranscriptionResult
from .fast import parse_transcription

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient

__all__ = ["FileTranscription", "SharedPause", "transcribe_many"]

# Failures that belong to one file (the run goes on); others stop the run.
_FILE_ERRORS = (AudioError, InvalidRequestError, NotFoundError, ProtocolError, ServiceError)


@dataclass(frozen=True)
class FileTranscription:
    """The outcome of one file of a run.

    ``result`` is None for a failed file (``error`` says why) and for a file an
    earlier run finished when there is no *output_dir* to read it back from;
    ``resumed`` is True for files an earlier run of the same manifest finished.
    """

    path: Path
    result: TranscriptionResult | None
    result_path: Path | None = None
    error: SpeechError | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the file was transcribed (now or by the run being resumed)."""
        return self.error is None


class SharedPause:
    """One pause for every worker of a run: set by whoever meets a rate limit."""

    def __init__(self) -> None:
        self._until = 0.0
        self.pauses = 0

    def pause(self, seconds: float) -> None:
        """Hold every worker for *seconds* from now (a longer pause already set wins)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + max(seconds, 0.0)
        if until > self._until:
            self._until = until
            self.pauses += 1

    async def wait(self) -> None:
        """Return once no pause is in force."""
        loop = asyncio.get_running_loop()
        # Not an Event: the end of the pause moves when another 429 extends it.
        while (left := self._until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)


def _output_names(paths: Sequence[Path]) -> dict[Path, str]:
    """``<file name>.json`` for each path; names that collide get a hash of their folder."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.name] = counts.get(p.name, 0) + 1
    out = {}
    for p in paths:
        name = p.name
        if counts[name] > 1:
            name = f"{p.stem}-{hashlib.sha256(str(p.parent).encode()).hexdigest()[:8]}{p.suffix}"
        out[p] = name + ".json"
    return out


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    part = path.with_name(path.name + ".part")
    with open(part, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(part, path)


def _target(client: AsyncSpeechClient, output_dir: Path | None, options: dict[str, Any]) -> str:
    url = client._config.endpoints.rest("/speechtotext/transcriptions:transcribe")
    opts = json.dumps(options, sort_keys=True, default=repr)
    return f"{url} -> {output_dir or '-'} {opts}"


def _prepare(
    client: AsyncSpeechClient,
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    output_dir: str | os.PathLike[str] | None,
    manifest: str | os.PathLike[str] | None,
    run_id: str | None,
    options: dict[str, Any],
) -> tuple[list[Path], Path | None, Manifest | None]:
    """Check every file, make the output folder, open the manifest (blocking I/O)."""
    files = [check_audio(p)[0] for p in resolve_paths(paths)]
    out_dir = Path(output_dir).expanduser().resolve() if output_dir is not None else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    if manifest is None:
        return files, out_dir, None
    target = _target(client, out_dir, options)
    book = Manifest.open(manifest, mode="fast", target=target, run_id=run_id)
    try:
        book.check_files((str(p) for p in files), {})
    except BaseException:
        book.close()
        raise
    return files, out_dir, book


def _load_result(path: str | None) -> TranscriptionResult | None:
    """A result an earlier run wrote, or None if there is none."""
    if not path or not Path(path).is_file():
        return None
    return parse_transcription(json.loads(Path(path).read_text(encoding="utf-8")))


async def transcribe_many(
    client: AsyncSpeechClient,
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    concurrency: int = 4,
    on_progress: ProgressCallback | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    manifest: str | os.PathLike[str] | None = None,
    run_id: str | None = None,
    max_rate_limit_waits: int = 20,
    **options: Any,
) -> list[FileTranscription]:
    """Transcribe every file of *paths* with fast transcription (see the module docstring).

    Args:
        paths: files, or folders standing for the files in them.
        concurrency: requests in flight at most (1 to 256).
        on_progress: called with a :class:`~azspeech.batch.upload.Progress`
            as each file finishes or fails (may be a coroutine function).
        output_dir: where each result is written as it finishes.
        manifest: the run manifest; give the same path again to resume.
        run_id: the run's id (a new manifest gets it; an existing one must have it).
        max_rate_limit_waits: how many 429 answers one file may meet before
            the run stops with :class:`~azspeech.errors.RateLimitError`.
        **options: the keywords of ``client.stt.transcribe`` (``locales=``...).

    Every file is checked to be audio before the first request. Returns one
    :class:`FileTranscription` per file, in the order given; a file-level
    failure (bad audio, a 400) is in its ``error`` and the run goes on.
    """
    check_concurrency(concurrency)
    if (
        isinstance(max_rate_limit_waits, bool)
        or not isinstance(max_rate_limit_waits, int)
        or (max_rate_limit_waits < 0)
    ):
        raise InvalidRequestError("max_rate_limit_waits must be an integer >= 0")
    for bad in ("audio", "audio_url"):
        if bad in options:
            raise InvalidRequestError(f"transcribe_many takes paths, not {bad}=")
    files, out_dir, book = await asyncio.to_thread(
        _prepare, client, paths, output_dir, manifest, run_id, options
    )
    names = _output_names(files)
    pause = SharedPause()
    policy = client._config.retry
    worker_client = client.with_options(max_retries=0)
    done = 0

    async def report(stage: Any, path: Path, error: BaseException | None = None) -> None:
        nonlocal done
        done += 1
        await notify(on_progress, Progress(stage, path, done, len(files), error))

    async def transcribe(path: Path) -> TranscriptionResult:
        limited = failed = 0
        while True:
            await pause.wait()
            try:
                return await worker_client.stt.transcribe(path, **options)
            except RateLimitError as exc:
                limited += 1
                if limited > max_rate_limit_waits:
                    raise
                wait = exc.retry_after
                pause.pause(wait if wait is not None else policy.delay(limited - 1))
            except (ServiceError, ConnectionError) as exc:
                status = getattr(exc, "status_code", None)
                transient = isinstance(exc, ConnectionError) or status in (500, 502, 503, 504)
                if not transient or failed >= policy.max_retries:
                    raise
                await asyncio.sleep(policy.delay(failed))
                failed += 1

    async def one(path: Path) -> FileTranscription:
        key = str(path)
        record = book.files.get(key) if book is not None else None
        if record is not None and record.state == "finished":
            result = await asyncio.to_thread(_load_result, record.result)
            await report("skipped", path)
            rpath = Path(record.result) if record.result else None
            return FileTranscription(path, result, rpath, resumed=True)
        try:
            result = await transcribe(path)
        except _FILE_ERRORS as exc:
            if book is not None:
                book.record_file(key, "failed", error=str(exc))
            await report("failed", path, exc)
            return FileTranscription(path, None, error=exc)
        result_path = None
        if out_dir is not None:
            result_path = out_dir / names[path]
            await asyncio.to_thread(_write_atomic, result_path, result.raw)
        if book is not None:
            book.record_file(key, "finished", result=str(result_path) if result_path else None)
        await report("finished", path)
        return FileTranscription(path, result, result_path)

    try:
        return await run_bounded(files, one, concurrency)
    finally:
        if book is not None:
            with contextlib.suppress(Exception):
                book.close()

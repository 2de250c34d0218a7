"""Concurrent uploads of local audio, bounded, resumable, skipping what is already there.

:func:`run_bounded` is the worker pool both many-file runs use (uploads here,
fast transcriptions in :mod:`azspeech.stt.many`): at most *concurrency* items
in flight, the first error stops the rest and is raised. :func:`upload_files`
uploads checked files (:mod:`.local`) to a :class:`~._blob.BlobContainer`:
a file the manifest records as uploaded is not touched, a blob that already
holds the same bytes (size and SHA-256 or MD5) is not uploaded again, and
each upload is recorded in the manifest as soon as it is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ..errors import InvalidRequestError
from .local import LocalAudio, inspect_file

if TYPE_CHECKING:
    from ._blob import BlobContainer
    from .manifest import Manifest

__all__ = [
    "Progress",
    "ProgressCallback",
    "UploadedFile",
    "check_concurrency",
    "inspect_files",
    "run_bounded",
    "upload_files",
]

T = TypeVar("T")
R = TypeVar("R")
Stage = Literal["inspected", "uploading", "uploaded", "skipped", "submitted", "finished", "failed"]


@dataclass(frozen=True)
class Progress:
    """One step of a many-file run: *stage* reached for *path*; *done* of *total* at that stage.

    While a file uploads (stage ``"uploading"``, as Blob Storage reports it:
    once per block, at least at the end), *sent* of its *size* bytes are up.
    """

    stage: Stage
    path: Path
    done: int
    total: int
    error: BaseException | None = None
    sent: int | None = None
    size: int | None = None


ProgressCallback = Callable[[Progress], Any]


async def notify(callback: ProgressCallback | None, progress: Progress) -> None:
    """Call *callback* (a function or a coroutine function) with *progress*."""
    if callback is None:
        return
    result = callback(progress)
    if asyncio.iscoroutine(result):
        await result


def check_concurrency(concurrency: int) -> int:
    """Validate a ``concurrency=`` argument (1 to 256)."""
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not (1 <= concurrency <= 256)
    ):
        raise InvalidRequestError(f"concurrency must be an integer 1 to 256, got {concurrency!r}")
    return concurrency


async def run_bounded(
    items: Iterable[T], work: Callable[[T], Awaitable[R]], concurrency: int
) -> list[R]:
    """``[await work(x) for x in items]`` with at most *concurrency* at once, in order.

    The first exception cancels the work still running and is raised.
    """
    todo = list(items)
    results: list[Any] = [None] * len(todo)
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(todo):
            i = next_index
            next_index += 1
            results[i] = await work(todo[i])

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(todo)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results


async def inspect_files(paths: Sequence[Path], concurrency: int) -> list[LocalAudio]:
    """Check and hash every file (in threads): any file that is not audio fails them all."""
    return await run_bounded(paths, lambda p: asyncio.to_thread(inspect_file, p), concurrency)


@dataclass(frozen=True)
class UploadedFile:
    """A local file in its blob: the blob's name and whether this run uploaded it."""

    audio: LocalAudio
    blob: str
    uploaded: bool


async def upload_files(
    container: BlobContainer,
    files: Sequence[LocalAudio],
    *,
    manifest: Manifest | None = None,
    prefix: str = "",
    concurrency: int = 8,
    on_progress: ProgressCallback | None = None,
) -> list[UploadedFile]:
    """Upload *files* to *container* (at most *concurrency* at once), in order.

    Files the manifest records as uploaded are skipped without a request; a
    blob already holding the same bytes is not uploaded again. Each upload is
    recorded in *manifest* when done.
    """
    check_concurrency(concurrency)
    await asyncio.to_thread(container.ensure_exists)
    done = 0

    async def one(audio: LocalAudio) -> UploadedFile:
        nonlocal done
        record = manifest.files.get(audio.key) if manifest is not None else None
        if record is not None and record.blob:
            done += 1
            await notify(on_progress, Progress("skipped", audio.path, done, len(files)))
            return UploadedFile(audio, record.blob, uploaded=False)
        name = audio.blob_name(prefix)
        present = await asyncio.to_thread(container.matches, name, audio)
        if not present:
            await _upload(container, name, audio, on_progress, done, len(files))
        if manifest is not None:
            manifest.record_file(
                audio.key, "uploaded", size=audio.size, sha256=audio.sha256, blob=name
            )
        done += 1
        stage: Stage = "skipped" if present else "uploaded"
        await notify(on_progress, Progress(stage, audio.path, done, len(files)))
        return UploadedFile(audio, name, uploaded=not present)

    return await run_bounded(files, one, concurrency)


async def _upload(
    container: BlobContainer,
    name: str,
    audio: LocalAudio,
    on_progress: ProgressCallback | None,
    done: int,
    total: int,
) -> None:
    """Upload one file in a thread; its byte progress reaches *on_progress* on this loop."""
    if on_progress is None:
        await asyncio.to_thread(container.upload, name, audio)
        return
    loop = asyncio.get_running_loop()
    reports: list[Any] = []

    def hook(sent: int, _total: int | None) -> None:  # on the upload's thread
        step = Progress("uploading", audio.path, done, total, sent=sent, size=audio.size)
        reports.append(asyncio.run_coroutine_threadsafe(notify(on_progress, step), loop))

    await asyncio.to_thread(container.upload, name, audio, hook)
    for report in reports:  # a callback's error is the run's error, not lost
        await asyncio.wrap_future(report)


def blob_prefix(prefix: str | None) -> str:
    """A blob name prefix, checked (no leading slash; ends with ``/`` unless empty)."""
    if prefix is None or prefix == "":
        return ""
    if not isinstance(prefix, str) or prefix.startswith("/") or ".." in prefix.split("/"):
        raise InvalidRequestError(f"invalid blob prefix {prefix!r}")
    return prefix if prefix.endswith("/") else prefix + "/"

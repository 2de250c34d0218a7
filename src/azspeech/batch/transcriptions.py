"""Batch transcription over REST: ``client.batch`` (api-version 2025-10-15).

``POST {endpoint}/speechtotext/transcriptions:submit`` creates a job whose id
the service assigns (its ``self`` URL); ``GET/PATCH/DELETE .../transcriptions/{id}``,
``GET .../transcriptions`` and ``GET .../transcriptions/{id}/files`` (paged
with ``values`` / ``@nextLink``, ``skip`` / ``top``) complete the API.

Everything generic comes from the job core (:mod:`azspeech._jobs`): ``get``,
``list``, ``delete`` and ``wait`` (deadline, progress callback), per-call
``timeout=`` / ``extra_headers=`` / ``extra_query=`` and request ids. This
module adds ``create``, ``update``, ``files``, ``results``, ``report`` and
``download``. Result files are SAS URLs on a storage host: they are fetched
with ``authenticate=False``, so the Speech key or token never goes there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._jobs import AsyncJobs, CreateCall, JobKind, SyncJobs, job_create
from .._paging import AsyncPaged, PageCursor, Paged, validate
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError, ServiceError
from ..models.batch import (
    BatchTranscription,
    BatchTranscriptionResult,
    TranscriptionFile,
    TranscriptionReport,
)
from .create import create_call, transcription_body
from .files import AsyncLocalFiles, LocalFiles

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import RequestOptions
    from ..endpoints import Endpoints
    from .webhooks import AsyncWebHooks, WebHooks

__all__ = [
    "API_VERSION",
    "TRANSCRIPTIONS",
    "AsyncBatchTranscriptions",
    "BatchTranscriptions",
    "TranscriptionFailedError",
]

API_VERSION = "2025-10-15"
"""The REST API version this client speaks (its ``api-version`` query parameter)."""

TRANSCRIPTIONS = JobKind(
    what="batch transcription",
    path="/speechtotext/transcriptions",
    api_version=API_VERSION,
    model=BatchTranscription,
    server_ids=True,
    create_suffix=":submit",
    items_key="values",
    page_size_param="top",
)
"""The batch transcription job API: server-assigned ids, ``values``/``@nextLink`` pages."""


class TranscriptionFailedError(ServiceError):
    """A batch transcription ended with status Failed: ``code`` is the service's error code."""


def _check_page(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidRequestError(f"{name} must be an integer >= 0, got {value!r}")


def _resolver(endpoints: Endpoints) -> Callable[[str, str], str]:
    return lambda collection, entity_id: (
        endpoints.rest(f"/speechtotext/{collection}/{entity_id}") + f"?api-version={API_VERSION}"
    )


def _with_body(call: CreateCall, endpoints: Endpoints) -> CreateCall:
    body = transcription_body(**call.body, resolve=_resolver(endpoints))
    return dataclasses.replace(call, body=body)


def _sub_url(endpoints: Endpoints, job: str | BatchTranscription, suffix: str) -> str:
    """``.../transcriptions/{id}{suffix}`` (from the job's checked ``self`` URL when given)."""
    own = urlsplit(TRANSCRIPTIONS.url(endpoints, job))
    return own._replace(path=own.path.rstrip("/") + suffix, query="", fragment="").geturl()


def _files_cursor(
    endpoints: Endpoints,
    job: str | BatchTranscription,
    sas_lifetime_minutes: int | None,
    max_page_size: int | None,
    skip: int | None,
) -> Callable[[], PageCursor[TranscriptionFile]]:
    params: dict[str, str | int] = {"api-version": API_VERSION}
    for name, key, value in (
        ("sas_lifetime_minutes", "sasLifetimeMinutes", sas_lifetime_minutes),
        ("max_page_size", "top", max_page_size),
        ("skip", "skip", skip),
    ):
        _check_page(name, value)
        if value is not None:
            params[key] = value
    what = "batch transcription files"
    first = HttpRequest("GET", _sub_url(endpoints, job, "/files"), params=params, what=what)
    return lambda: PageCursor(
        first, lambda item: validate(TranscriptionFile, item, what), items_key="values"
    )


def _update_request(
    endpoints: Endpoints,
    job: str | BatchTranscription,
    display_name: str | None,
    description: str | None,
    custom_properties: Mapping[str, str] | None,
) -> HttpRequest:
    body: dict[str, Any] = {}
    if display_name is not None:
        if not isinstance(display_name, str) or not display_name.strip():
            raise InvalidRequestError("display_name must be a non-empty string")
        body["displayName"] = display_name
    if description is not None:
        body["description"] = str(description)
    if custom_properties is not None:
        body["customProperties"] = dict(custom_properties)
    if not body:
        raise InvalidRequestError("update needs display_name, description or custom_properties")
    return HttpRequest(
        "PATCH",
        TRANSCRIPTIONS.url(endpoints, job),
        params={"api-version": API_VERSION},
        json=body,
        retry_safe=True,  # a merge patch with the same body is idempotent
        what="batch transcription update",
    )


def _check_results(job: BatchTranscription) -> None:
    if job.status == "Failed":
        err = job.error
        code = err.code if err else None
        message = (err.message if err else None) or "no details"
        raise TranscriptionFailedError(
            f"batch transcription {job.id!r} failed: {message}", code=code
        )
    if job.status != "Succeeded":
        raise InvalidRequestError(
            f"batch transcription {job.id!r} has status {job.status!r}; "
            "only a succeeded job has results (wait for it first)"
        )
    dest = job.properties.destination_container_url
    if dest:
        raise InvalidRequestError(
            f"batch transcription {job.id!r} wrote its results to destination_container_url"
        )


def _content_request(file: TranscriptionFile) -> HttpRequest:
    url = file.content_url
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise InvalidRequestError(f"result file {file.name!r} has no content URL")
    # A SAS URL: authorised by its query string; the key or token must not go with it.
    return HttpRequest("GET", url, authenticate=False, what="batch transcription result")


def _result_parser(file: TranscriptionFile) -> Callable[[Any], BatchTranscriptionResult]:
    def parse(data: Any) -> BatchTranscriptionResult:
        result = validate(BatchTranscriptionResult, data, "batch transcription result")
        result.file_name = file.name
        return result

    return parse


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def _local_name(file: TranscriptionFile, index: int) -> str:
    """A file name for *file* that cannot leave the target directory."""
    name = _SAFE_NAME.sub("_", (file.name or "").rsplit("/", 1)[-1]).lstrip(".")
    return name or f"file_{index}.json"


class BatchTranscriptions(SyncJobs[BatchTranscription], LocalFiles):
    """Batch transcription jobs (blocking): create, get, list, update, delete, wait,
    files, results, report, download; ``webhooks`` for web hooks."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, TRANSCRIPTIONS)

    @job_create(create_call)
    def create(self, call: CreateCall) -> BatchTranscription:
        return self._create(_with_body(call, self._endpoints))

    @functools.cached_property
    def webhooks(self) -> WebHooks:
        """Web hooks: register, list, get, update, delete, ping."""
        from .webhooks import WebHooks

        return WebHooks(self._client)

    def update(
        self,
        job: str | BatchTranscription,
        *,
        display_name: str | None = None,
        description: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchTranscription:
        """Change the job's display name, description or custom properties."""
        req = _update_request(self._endpoints, job, display_name, description, custom_properties)
        return self._request(req, BatchTranscription, options)

    def files(
        self,
        job: str | BatchTranscription,
        *,
        sas_lifetime_minutes: int | None = None,
        max_page_size: int | None = None,
        skip: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Paged[TranscriptionFile]:
        """The job's files (results and report), page by page."""
        cursor = _files_cursor(self._endpoints, job, sas_lifetime_minutes, max_page_size, skip)
        return self._paged(cursor, options)

    def _finished(self, job: str | BatchTranscription) -> BatchTranscription:
        current = job if isinstance(job, BatchTranscription) and job.done else self.get(job)
        _check_results(current)
        return current

    def results(
        self, job: str | BatchTranscription, **options: Unpack[RequestOptions]
    ) -> list[BatchTranscriptionResult]:
        """Every result file of a succeeded job, fetched (without credentials) and parsed.

        A failed job raises :class:`TranscriptionFailedError` with the service's code.
        """
        current = self._finished(job)
        return [
            self._request(_content_request(f), _result_parser(f), options)
            for f in self.files(current, **options)
            if f.kind == "Transcription"
        ]

    def report(
        self, job: str | BatchTranscription, **options: Unpack[RequestOptions]
    ) -> TranscriptionReport | None:
        """The job's report (per-file outcome), or None if the service listed none."""
        current = self._finished(job)
        for f in self.files(current, **options):
            if f.kind == "TranscriptionReport":
                return self._request(_content_request(f), TranscriptionReport, options)
        return None

    def download(
        self,
        job: str | BatchTranscription,
        path: str | os.PathLike[str],
        **options: Unpack[RequestOptions],
    ) -> Path:
        """Save every file of a succeeded job into the directory *path*; returns it."""
        current = self._finished(job)
        target = Path(path)
        target.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(self.files(current, **options)):
            self._download(_content_request(f), target / _local_name(f, i), options)
        return target


class AsyncBatchTranscriptions(AsyncJobs[BatchTranscription], AsyncLocalFiles):
    """Batch transcription jobs (async twin of :class:`BatchTranscriptions`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, TRANSCRIPTIONS)

    @job_create(create_call)
    async def create(self, call: CreateCall) -> BatchTranscription:
        return await self._create(_with_body(call, self._endpoints))

    @functools.cached_property
    def webhooks(self) -> AsyncWebHooks:
        """Web hooks: register, list, get, update, delete, ping."""
        from .webhooks import AsyncWebHooks

        return AsyncWebHooks(self._client)

    async def update(
        self,
        job: str | BatchTranscription,
        *,
        display_name: str | None = None,
        description: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> BatchTranscription:
        """Change the job's display name, description or custom properties."""
        req = _update_request(self._endpoints, job, display_name, description, custom_properties)
        return await self._request(req, BatchTranscription, options)

    def files(
        self,
        job: str | BatchTranscription,
        *,
        sas_lifetime_minutes: int | None = None,
        max_page_size: int | None = None,
        skip: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaged[TranscriptionFile]:
        """The job's files (results and report), page by page (``async for``)."""
        cursor = _files_cursor(self._endpoints, job, sas_lifetime_minutes, max_page_size, skip)
        return self._paged(cursor, options)

    async def _finished(self, job: str | BatchTranscription) -> BatchTranscription:
        done = isinstance(job, BatchTranscription) and job.done
        current = job if done and isinstance(job, BatchTranscription) else await self.get(job)
        _check_results(current)
        return current

    async def results(
        self, job: str | BatchTranscription, **options: Unpack[RequestOptions]
    ) -> list[BatchTranscriptionResult]:
        """Every result file of a succeeded job, parsed (see ``BatchTranscriptions.results``)."""
        current = await self._finished(job)
        files = [f async for f in self.files(current, **options) if f.kind == "Transcription"]
        return [await self._request(_content_request(f), _result_parser(f), options) for f in files]

    async def report(
        self, job: str | BatchTranscription, **options: Unpack[RequestOptions]
    ) -> TranscriptionReport | None:
        """The job's report (per-file outcome), or None if the service listed none."""
        current = await self._finished(job)
        async for f in self.files(current, **options):
            if f.kind == "TranscriptionReport":
                return await self._request(_content_request(f), TranscriptionReport, options)
        return None

    async def download(
        self,
        job: str | BatchTranscription,
        path: str | os.PathLike[str],
        **options: Unpack[RequestOptions],
    ) -> Path:
        """Save every file of a succeeded job into the directory *path*; returns it."""
        current = await self._finished(job)
        target = Path(path)
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
        files = [f async for f in self.files(current, **options)]
        for i, f in enumerate(files):
            await self._download(_content_request(f), target / _local_name(f, i), options)
        return target

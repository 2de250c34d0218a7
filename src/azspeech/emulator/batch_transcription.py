"""Batch transcription (api-version 2025-10-15) in the emulator.

Routes: ``POST /speechtotext/transcriptions:submit``, ``GET /speechtotext/transcriptions``
(paged: ``skip``/``top``, ``values``/``@nextLink``), ``GET/PATCH/DELETE
/speechtotext/transcriptions/{id}``, ``GET .../{id}/files`` (paged) and
``GET .../{id}/files/{fileId}``, plus the result downloads under
``/emulator/batchtranscription/results/``. Web hooks: :mod:`.stt_webhooks`.

A job is ``NotStarted``, then ``Running`` after a third of
``state.extra["batch_transcription_seconds"]`` (default 0.3 s), and finishes
after that time: the emulator then fetches each content URL (a plain GET
without credentials, see :mod:`.batch_transcription_output`), recognizes it
with its engine and writes one result file per audio file plus
``report.json``. The job is ``Succeeded`` when at least one file was
transcribed, else ``Failed`` with ``properties.error.code`` the first file's
failure code (``InvalidAudioFormat``, ``EmptyAudioFile``,
``InvalidRecordingsUri``...). Web hooks get ``transcriptionCreation``,
``...Processing``, ``...Completion`` and ``...Deletion``.

Result files are served by the emulator itself as SAS-like URLs
(``...?sv=...&se=...&sp=r&sig=...``) that want no Speech key: a request
carrying ``Ocp-Apim-Subscription-Key`` or ``Authorization`` is refused with
403 as Blob Storage does, and so is a wrong ``sig`` or a past ``se``
(``sasLifetimeMinutes``). ``state.extra["batch_transcription_storage_url"]``
puts another base URL into the links (a storage host in front of the
emulator, for tests). ``state.extra["batch_transcription_max_page_size"]``
caps page sizes. Faults (429 with Retry-After, 5xx) come from the
emulator's fault mechanism (:mod:`.faults`) like every route's.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import admit_http
from .batch_transcription_output import AudioFailure, fetch_audio, list_container, transcribe_audio
from .batch_transcription_schema import (
    FILES_QUERY,
    LIST_QUERY,
    TranscriptionBody,
    TranscriptionUpdateBody,
    check_version,
    page_params,
    parse_body,
    stt_error,
)
from .state import EmulatorState
from .stt_webhooks import now, registry

__all__ = ["routes"]

API_VERSION = "2025-10-15"
RESULTS_PATH = "/emulator/batchtranscription/results"
DEFAULT_SAS_MINUTES = 12 * 60


@dataclass
class _ResultFile:
    file_id: str
    name: str
    kind: str
    content: bytes
    created: str = field(default_factory=now)


@dataclass
class _Job:
    body: dict[str, Any]
    created: str = field(default_factory=now)
    last_action: str = field(default_factory=now)
    status: str = "NotStarted"
    error: dict[str, str] | None = None
    duration_ms: int | None = None
    files: list[_ResultFile] = field(default_factory=list)
    sig: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    task: asyncio.Task[None] | None = None


class _Store:
    def __init__(self) -> None:
        self.jobs: dict[str, _Job] = {}


def _store(state: EmulatorState) -> _Store:
    store = state.extra.get("batch_transcription")
    if not isinstance(store, _Store):
        store = _Store()
        state.extra["batch_transcription"] = store
    return store


def _view(job_id: str, job: _Job, base: str) -> dict[str, Any]:
    own = f"{base}/speechtotext/transcriptions/{job_id}"
    body = {k: v for k, v in job.body.items() if k != "properties"}
    props = dict(job.body.get("properties") or {})
    props.pop("error", None)
    props.pop("durationMilliseconds", None)
    if job.duration_ms is not None:
        props["durationMilliseconds"] = job.duration_ms
    if job.error:
        props["error"] = job.error
    body.update(
        {
            "self": f"{own}?api-version={API_VERSION}",
            "links": {"files": f"{own}/files?api-version={API_VERSION}"},
            "properties": props,
            "status": job.status,
            "createdDateTime": job.created,
            "lastActionDateTime": job.last_action,
        }
    )
    return body


def _file_view(
    job_id: str, job: _Job, f: _ResultFile, base: str, storage: str, minutes: int
) -> dict[str, Any]:
    expiry = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=minutes)
    se = quote(expiry.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return {
        "self": f"{base}/speechtotext/transcriptions/{job_id}/files/{f.file_id}"
        f"?api-version={API_VERSION}",
        "name": f.name,
        "kind": f.kind,
        "properties": {"size": len(f.content)},
        "createdDateTime": f.created,
        "links": {
            "contentUrl": f"{storage}{RESULTS_PATH}/{job_id}/{f.file_id}"
            f"?sv=2023-11-03&se={se}&sr=b&sp=r&sig={job.sig}"
        },
    }


def _semantic_problem(body: dict[str, Any]) -> Response | None:
    sources = [k for k in ("contentUrls", "contentContainerUrl", "dataset") if body.get(k)]
    if len(sources) != 1:
        return stt_error(
            400, "InvalidRequest",
            "Give exactly one of contentUrls, contentContainerUrl or dataset.",
            "OnlyOneOfUrlsOrContainerOrDataset",
        )  # fmt: skip
    if "dataset" in sources:
        return stt_error(
            400, "InvalidRequest", "The emulator transcribes contentUrls or contentContainerUrl.",
            "InvalidDataset",
        )  # fmt: skip
    if len(body.get("contentUrls") or []) > 1000:
        return stt_error(
            400, "InvalidRequest", "At most 1000 contentUrls.", "ExceededNumberOfRecordingsUris"
        )
    props = body["properties"]
    if not 6 <= props["timeToLiveHours"] <= 744:
        return stt_error(
            400, "InvalidArgument", "timeToLiveHours must be 6 to 744.", "InvalidTimeToLive"
        )
    channels = props.get("channels")
    if channels is not None and (not channels or any(c not in (0, 1) for c in channels)):
        return stt_error(400, "InvalidArgument", "channels must be 0 and/or 1.", "InvalidChannels")
    lid = props.get("languageIdentification")
    if lid is not None and not 2 <= len(lid["candidateLocales"]) <= 10:
        return stt_error(
            400, "InvalidArgument", "2 to 10 candidate locales are needed.", "InvalidLocale"
        )
    return None


async def _run(state: EmulatorState, job_id: str, job: _Job, base: str) -> None:
    try:
        await _process(state, job_id, job, base)
    except Exception as exc:  # an emulator bug must not leave the job Running forever
        job.status, job.last_action = "Failed", now()
        job.error = {"code": "UnexpectedError", "message": f"{type(exc).__name__}: {exc}"}
        registry(state).notify("transcriptionCompletion", _view(job_id, job, base))


async def _process(state: EmulatorState, job_id: str, job: _Job, base: str) -> None:
    hooks = registry(state)
    total = float(state.extra.get("batch_transcription_seconds", 0.3))
    await asyncio.sleep(total / 3)
    job.status, job.last_action = "Running", now()
    hooks.notify("transcriptionProcessing", _view(job_id, job, base))
    await asyncio.sleep(total * 2 / 3)
    props = job.body["properties"]
    results: list[_ResultFile] = []
    details: list[dict[str, Any]] = []
    failures: list[AudioFailure] = []
    total_ms = 0
    async with httpx.AsyncClient(timeout=30, follow_redirects=False) as client:
        try:
            if job.body.get("contentContainerUrl"):
                urls = await list_container(client, state, job.body["contentContainerUrl"])
            else:
                urls = list(job.body["contentUrls"])
        except AudioFailure as exc:
            urls, failures = [], [exc]
        for i, url in enumerate(urls):
            try:
                audio = await fetch_audio(client, state, url)
                result = await asyncio.to_thread(
                    transcribe_audio, state, audio, url, props, job.body["locale"]
                )
            except AudioFailure as exc:
                failures.append(exc)
                details.append(
                    {"source": url.split("?")[0], "status": "Failed", "errorKind": exc.code,
                     "errorMessage": exc.message}
                )  # fmt: skip
                continue
            total_ms += int(result["durationMilliseconds"])
            name = f"contenturl_{i}.json"
            raw = json.dumps(result, indent=2).encode()
            results.append(_ResultFile(str(uuid.uuid4()), name, "Transcription", raw))
            details.append({"source": result["source"], "status": "Succeeded"})
    report = {
        "successfulTranscriptionsCount": len(results),
        "failedTranscriptionsCount": len(details) - len(results),
        "details": details,
    }
    results.append(
        _ResultFile(
            str(uuid.uuid4()), "report.json", "TranscriptionReport", json.dumps(report).encode()
        )
    )
    job.files, job.duration_ms = results, total_ms
    if len(results) > 1:
        job.status = "Succeeded"
    else:
        first = failures[0] if failures else AudioFailure("InvalidRecordingsUri", "No audio found.")
        job.status, job.error = "Failed", {"code": first.code, "message": first.message}
    job.last_action = now()
    hooks.notify("transcriptionCompletion", _view(job_id, job, base))


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Batch transcription routes and the result downloads."""
    store = _store(state)
    hooks = registry(state)

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def page_cap() -> int:
        return int(state.extra.get("batch_transcription_max_page_size", 100))

    async def admitted(request: Request, query: frozenset[str] = frozenset()) -> Response | None:
        entry, refused, _ = await admit_http(state, request)
        if refused is None:
            refused = check_version(request, query)
        entry.status = 200 if refused is None else refused.status_code
        return refused

    def missing(job_id: str) -> Response:
        return stt_error(404, "NotFound", f"The transcription {job_id} does not exist.")

    async def submit(request: Request) -> Response:
        refused = await admitted(request)
        if refused is not None:
            return refused
        parsed, bad = parse_body(await request.body(), TranscriptionBody)
        if bad is not None:
            return bad
        body = parsed.model_dump(exclude_none=True)
        for read_only in ("self", "createdDateTime", "lastActionDateTime", "status", "links"):
            body.pop(read_only, None)
        problem = _semantic_problem(body)
        if problem is not None:
            return problem
        base = base_of(request)
        job_id = str(uuid.uuid4())
        job = store.jobs[job_id] = _Job(body)
        job.task = asyncio.get_running_loop().create_task(_run(state, job_id, job, base))
        view = _view(job_id, job, base)
        hooks.notify("transcriptionCreation", view)
        return JSONResponse(view, status_code=201, headers={"Location": view["self"]})

    async def listing(request: Request) -> Response:
        refused = await admitted(request, LIST_QUERY)
        if refused is not None:
            return refused
        page = page_params(request, page_cap())
        if isinstance(page, Response):
            return page
        skip, top = page
        base = base_of(request)
        items = list(store.jobs.items())
        out: dict[str, Any] = {"values": [_view(i, j, base) for i, j in items[skip : skip + top]]}
        if skip + top < len(items):
            out["@nextLink"] = (
                f"{base}/speechtotext/transcriptions?skip={skip + top}&top={top}"
                f"&api-version={API_VERSION}"
            )
        return JSONResponse(out, headers={"Retry-After": "1"})

    async def one(request: Request) -> Response:
        refused = await admitted(request)
        if refused is not None:
            return refused
        job_id = request.path_params["id"]
        base = base_of(request)
        if request.method == "DELETE":
            job = store.jobs.pop(job_id, None)
            if job is not None:
                if job.task is not None:
                    job.task.cancel()
                hooks.notify("transcriptionDeletion", _view(job_id, job, base))
            return Response(status_code=204)  # deleted, or did not exist
        job = store.jobs.get(job_id)
        if job is None:
            return missing(job_id)
        if request.method == "PATCH":
            parsed, bad = parse_body(await request.body(), TranscriptionUpdateBody)
            if bad is not None:
                return bad
            job.body.update(parsed.model_dump(exclude_none=True))
            job.last_action = now()
        return JSONResponse(_view(job_id, job, base), headers=poll_headers(job))

    def poll_headers(job: _Job) -> dict[str, str]:
        # The service's "Retry-After: 1", and the emulator's own (faster) pace in the
        # retry-after-ms clients read first: waits on the emulator stay short.
        if job.status in ("Succeeded", "Failed"):
            return {"Retry-After": "1"}
        pace = float(state.extra.get("batch_transcription_seconds", 0.3)) / 3
        return {"Retry-After": "1", "retry-after-ms": str(max(10, round(pace * 1000)))}

    def sas_minutes(request: Request) -> int | Response:
        raw = request.query_params.get("sasLifetimeMinutes")
        try:
            minutes = DEFAULT_SAS_MINUTES if raw is None else int(raw)
        except ValueError:
            minutes = -1
        if not 0 <= minutes <= 10080:
            return stt_error(
                400, "InvalidArgument", "sasLifetimeMinutes must be 0 to 10080.",
                "InvalidSasValidityDuration",
            )  # fmt: skip
        return minutes

    async def files(request: Request) -> Response:
        refused = await admitted(request, FILES_QUERY)
        if refused is not None:
            return refused
        job_id = request.path_params["id"]
        job = store.jobs.get(job_id)
        if job is None:
            return missing(job_id)
        page, minutes = page_params(request, page_cap()), sas_minutes(request)
        if isinstance(page, Response):
            return page
        if isinstance(minutes, Response):
            return minutes
        skip, top = page
        base = base_of(request)
        storage = str(state.extra.get("batch_transcription_storage_url") or base).rstrip("/")
        chosen = job.files[skip : skip + top]
        out: dict[str, Any] = {
            "values": [_file_view(job_id, job, f, base, storage, minutes) for f in chosen]
        }
        if skip + top < len(job.files):
            out["@nextLink"] = (
                f"{base}/speechtotext/transcriptions/{job_id}/files?skip={skip + top}&top={top}"
                f"&sasLifetimeMinutes={minutes}&api-version={API_VERSION}"
            )
        return JSONResponse(out)

    async def one_file(request: Request) -> Response:
        refused = await admitted(request, frozenset({"sasLifetimeMinutes"}))
        if refused is not None:
            return refused
        job_id, file_id = request.path_params["id"], request.path_params["file"]
        job = store.jobs.get(job_id)
        found = [f for f in job.files if f.file_id == file_id] if job else []
        minutes = sas_minutes(request)
        if isinstance(minutes, Response):
            return minutes
        if job is None or not found:
            return stt_error(404, "NotFound", f"The file {file_id} does not exist.")
        base = base_of(request)
        storage = str(state.extra.get("batch_transcription_storage_url") or base).rstrip("/")
        return JSONResponse(_file_view(job_id, job, found[0], base, storage, minutes))

    async def download(request: Request) -> Response:
        entry = state.new_request(
            request.method, request.url.path, dict(request.query_params), dict(request.headers)
        )
        headers = {k.lower() for k in request.headers}
        job = store.jobs.get(request.path_params["id"])
        found = [f for f in job.files if f.file_id == request.path_params["file"]] if job else []
        problem = None
        if "authorization" in headers or "ocp-apim-subscription-key" in headers:
            entry.error = "credentials sent to a SAS URL"
            problem = "Authentication information is not given in the correct format."
        elif job is None or not found:
            entry.status = 404
            return Response("<Error><Code>BlobNotFound</Code></Error>", status_code=404)
        elif request.query_params.get("sig") != job.sig:
            problem = "Signature did not match."
        elif _expired(request.query_params.get("se", "")):
            problem = "Signed expiry time has passed."
        if problem is not None:
            entry.status = 403
            return Response(
                f"<?xml version='1.0' encoding='utf-8'?><Error><Code>AuthenticationFailed</Code>"
                f"<Message>{problem}</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        entry.status = 200
        entry.body_size = len(found[0].content)
        return Response(found[0].content, media_type="application/json")

    return [
        Route("/speechtotext/transcriptions:submit", submit, methods=["POST"]),
        Route("/speechtotext/transcriptions", listing, methods=["GET"]),
        Route("/speechtotext/transcriptions/{id}", one, methods=["GET", "PATCH", "DELETE"]),
        Route("/speechtotext/transcriptions/{id}/files", files, methods=["GET"]),
        Route("/speechtotext/transcriptions/{id}/files/{file}", one_file, methods=["GET"]),
        Route(RESULTS_PATH + "/{id}/{file}", download, methods=["GET"]),
    ]


def _expired(se: str) -> bool:
    try:
        when = _dt.datetime.strptime(se, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return True
    return when.timestamp() < time.time()

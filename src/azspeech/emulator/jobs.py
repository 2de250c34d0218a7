"""The routes of a job API with client-chosen ids, in the emulator: one skeleton for
batch synthesis (:mod:`.batch_synthesis`) and avatar batch synthesis (:mod:`.batch_avatar`).

``PUT/GET/DELETE {path}/{id}`` and ``GET {path}`` (paged with
``skip``/``maxpagesize`` and an absolute ``nextLink``), behind the emulator's
admission (keys, faults) and an ``api-version`` check. A job is ``NotStarted``
at first, ``Running`` shortly after and finished after
``state.extra[seconds_key]`` seconds (default 0.3): its status is worked out
whenever it is read, and its results are produced once, off the event loop,
by the feature's ``produce``. What differs between the APIs (the body's
checks, the results, the JSON view) is a :class:`JobApi`.

Results are served by the feature from URLs with a made-up SAS query:
:func:`sas_download` answers like Azure Blob Storage (403 for a request that
carries credentials or a wrong ``sig``, 404 for a missing blob).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .._protocol.framing import loads_json
from ..errors import ProtocolError
from .auth import admit_http, error_response
from .state import EmulatorState

__all__ = ["ID_PATTERN", "Job", "JobApi", "JobStore", "job_routes", "now_iso", "sas_download"]

#: What both services accept as a job id.
ID_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")
_FINAL = ("Succeeded", "Failed")


def now_iso() -> str:
    """The current UTC time as the services write it (milliseconds, ``Z``)."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Job:
    """One job: its request body, status, results (``files`` by name) and statistics."""

    body: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    created_at: str = field(default_factory=now_iso)
    status: str = "NotStarted"
    last_action: str = field(default_factory=now_iso)
    sig: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    files: dict[str, bytes] = field(default_factory=dict)
    error: dict[str, str] | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    operation_id: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def common_view(self, job_id: str, **property_defaults: Any) -> dict[str, Any]:
        """The JSON fields both synthesis job APIs share (status, times, properties...)."""
        props = {**property_defaults, "timeToLiveInHours": 744}
        props.update(self.body.get("properties") or {})
        props.update(self.stats)
        if self.error:
            props["error"] = self.error
        out: dict[str, Any] = {
            "id": job_id,
            "inputKind": self.body["inputKind"],
            "status": self.status,
            "createdDateTime": self.created_at,
            "lastActionDateTime": self.last_action,
            "properties": props,
        }
        for key in ("description", "synthesisConfig", "customVoices"):
            if key in self.body:
                out[key] = self.body[key]
        return out


@dataclass(frozen=True)
class JobApi:
    """What one job API adds to the skeleton.

    ``validate(body)`` returns a problem with a JSON object body (the id is
    checked already) or None; ``produce(job)``
    fills the job's results and final status (in a worker thread);
    ``view(job_id, job, base_url)`` is the job's JSON; ``created_headers``
    returns the headers of the 201 answer to a create (and may set the job's
    ``operation_id`` from the request).
    """

    what: str
    path: str
    versions: tuple[str, ...]
    seconds_key: str
    store_key: str
    validate: Callable[[dict[str, Any]], str | None]
    produce: Callable[[Job], None]
    view: Callable[[str, Job, str], dict[str, Any]]
    created_headers: Callable[[Request, Job, str], Mapping[str, str]] = lambda r, j, b: {}


class JobStore:
    """The jobs of one API in one emulator, and how they ripen when read."""

    def __init__(self, state: EmulatorState, api: JobApi) -> None:
        self.state = state
        self.api = api
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    async def ripen(self, job: Job) -> None:
        """Move *job* on as far as its age allows (its results are made once, off the loop)."""
        total = float(self.state.extra.get(self.api.seconds_key, 0.3))
        age = time.monotonic() - job.created
        if job.status == "NotStarted" and age >= min(0.05, total / 2):
            job.status, job.last_action = "Running", now_iso()
        if job.status not in _FINAL and age >= total:
            await asyncio.to_thread(self._produce_once, job)

    def _produce_once(self, job: Job) -> None:
        with job.lock:
            if job.status not in _FINAL:
                self.api.produce(job)
                job.last_action = now_iso()

    async def admitted(self, request: Request) -> Response | None:
        """None for a request the emulator admits with a known api-version, else the refusal."""
        entry, refused, _ = await admit_http(self.state, request)
        if refused is None:
            version = request.query_params.get("api-version")
            if not version:
                refused = error_response(400, "The api-version query parameter is required.")
            elif version not in self.api.versions:
                refused = error_response(400, f"Unsupported api-version {version}.")
        entry.status = 200 if refused is None else refused.status_code
        return refused


def _store(state: EmulatorState, api: JobApi) -> JobStore:
    store = state.extra.get(api.store_key)
    if not isinstance(store, JobStore):
        store = state.extra[api.store_key] = JobStore(state, api)
    return store


def job_routes(state: EmulatorState, api: JobApi) -> tuple[JobStore, list[BaseRoute]]:
    """The store of *api*'s jobs and the routes to create, read, list and delete them."""
    store = _store(state, api)

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def create(request: Request, job_id: str) -> Response:
        try:
            body = loads_json(await request.body() or b"null", what="request body")
        except ProtocolError:
            return error_response(400, "The request body is not valid JSON.")
        if not ID_PATTERN.match(job_id):
            problem: str | None = "The id must be 3 to 64 letters, digits, '.', '_' or '-'."
        elif not isinstance(body, dict):
            problem = "The request body must be a JSON object."
        else:
            problem = api.validate(body)
        if problem:
            return error_response(400, problem, code="BadRequest")
        with store.lock:
            if job_id in store.jobs:
                message = f"A {api.what} with id {job_id} already exists."
                return error_response(400, message, code="BadRequest")
            job = store.jobs[job_id] = Job(body=body)
        base = base_of(request)
        headers = dict(api.created_headers(request, job, base))
        return JSONResponse(api.view(job_id, job, base), status_code=201, headers=headers)

    async def one(request: Request) -> Response:
        refused = await store.admitted(request)
        if refused is not None:
            return refused
        job_id = request.path_params["id"]
        if request.method == "PUT":
            return await create(request, job_id)
        with store.lock:
            job = store.jobs.get(job_id)
            if job is not None and request.method == "DELETE":
                del store.jobs[job_id]
        if job is None:
            what = api.what[0].upper() + api.what[1:]
            return error_response(404, f"{what} {job_id} was not found.", code="NotFound")
        if request.method == "DELETE":
            return Response(status_code=204)
        await store.ripen(job)
        return JSONResponse(api.view(job_id, job, base_of(request)))

    async def listing(request: Request) -> Response:
        refused = await store.admitted(request)
        if refused is not None:
            return refused
        try:
            skip = int(request.query_params.get("skip", "0"))
            size = int(request.query_params.get("maxpagesize", "100"))
        except ValueError:
            return error_response(400, "skip and maxpagesize must be integers.")
        if skip < 0 or not 1 <= size <= 100:
            return error_response(400, "skip must be >= 0 and maxpagesize between 1 and 100.")
        with store.lock:
            items = list(store.jobs.items())
        page = items[skip : skip + size]
        for _, job in page:
            await store.ripen(job)
        base = base_of(request)
        out: dict[str, Any] = {"value": [api.view(i, j, base) for i, j in page]}
        if skip + size < len(items):
            out["nextLink"] = (
                f"{base}{api.path}?skip={skip + size}&maxpagesize={size}"
                f"&api-version={api.versions[0]}"
            )
        return JSONResponse(out)

    return store, [
        Route(api.path, listing, methods=["GET"]),
        Route(api.path + "/{id}", one, methods=["GET", "PUT", "DELETE"]),
    ]


def sas_download(
    state: EmulatorState, request: Request, job: Job | None, name: str, media_type: str
) -> Response:
    """Serve result *name* of *job* the way Blob Storage serves a blob behind a SAS URL."""
    entry = state.new_request(
        request.method, request.url.path, dict(request.query_params), dict(request.headers)
    )
    headers = {k.lower() for k in request.headers}
    if "authorization" in headers or "ocp-apim-subscription-key" in headers:
        # What Blob Storage says when a SAS URL also carries credentials.
        entry.status, entry.error = 403, "credentials sent to a SAS URL"
        return Response(
            "<?xml version='1.0' encoding='utf-8'?><Error><Code>AuthenticationFailed</Code>"
            "<Message>Authentication information is not given in the correct format."
            "</Message></Error>",
            status_code=403,
            media_type="application/xml",
        )
    data = job.files.get(name) if job is not None else None
    if job is None or data is None:
        entry.status = 404
        return Response("<Error><Code>BlobNotFound</Code></Error>", status_code=404)
    if request.query_params.get("sig") != job.sig:
        entry.status = 403
        return Response(
            "<Error><Code>AuthenticationFailed</Code><Message>Signature did not match."
            "</Message></Error>",
            status_code=403,
            media_type="application/xml",
        )
    entry.status = 200
    entry.body_size = len(data)
    return Response(data, media_type=media_type)

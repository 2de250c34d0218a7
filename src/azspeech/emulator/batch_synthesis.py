"""Batch synthesis (API version 2024-04-01) in the emulator.

``PUT/GET/DELETE /texttospeech/batchsyntheses/{id}``, ``GET /texttospeech/batchsyntheses``
(paged with ``skip``/``maxpagesize`` and an absolute ``nextLink``) and
``GET /texttospeech/operations/{id}``. Jobs live in the emulator state; a job
is ``NotStarted`` at first, ``Running`` shortly after and finished after
``state.extra["batch_synthesis_seconds"]`` seconds (default 0.3): its status is
worked out whenever it is read, so nothing runs in the background.

A succeeded job's ``outputs.result`` is a URL on the emulator with a made-up
SAS query (``...?sv=...&sig=...``). Like Azure Blob Storage, that URL wants
no credentials: a request carrying ``Authorization`` or
``Ocp-Apim-Subscription-Key`` is refused with 403, a wrong ``sig`` too.
The archive holds ``0001.wav`` (extension per format), ``0001.word.json`` /
``0001.sentence.json`` when boundaries were asked for, and ``summary.json``.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import io
import json
import re
import secrets
import threading
import time
import zipfile
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .._protocol.framing import loads_json
from ..audio.formats import OutputFormat
from ..errors import ConfigurationError, ProtocolError
from .auth import admit_http, error_response
from .state import EmulatorState
from .tts import SynthesisError, encode_audio, parse_format, render_ssml
from .voices import find_voice

__all__ = ["routes"]

API_VERSION = "2024-04-01"
_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")
_DEFAULT_FORMAT = "riff-24khz-16bit-mono-pcm"
_RESULTS_PATH = "/emulator/batchsynthesis/results"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class _Job:
    body: dict[str, Any]
    created: float = field(default_factory=time.monotonic)
    created_at: str = field(default_factory=_now)
    status: str = "NotStarted"
    last_action: str = field(default_factory=_now)
    sig: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    archive: bytes | None = None
    error: dict[str, str] | None = None
    operation_id: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class _Store:
    def __init__(self) -> None:
        self.jobs: dict[str, _Job] = {}
        self.lock = threading.Lock()


def _store(state: EmulatorState) -> _Store:
    store = state.extra.get("batch_synthesis")
    if not isinstance(store, _Store):
        store = _Store()
        state.extra["batch_synthesis"] = store
    return store


def _ssml_for(text: str, voice: str, cfg: dict[str, Any]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    inner = escape(text)
    if cfg.get("rate") or cfg.get("pitch") or cfg.get("volume"):
        attrs = "".join(
            f" {k}={quoteattr(str(cfg[k]))}" for k in ("rate", "pitch", "volume") if cfg.get(k)
        )
        inner = f"<prosody{attrs}>{inner}</prosody>"
    return (
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>"
        f"<voice name={quoteattr(voice)}>{inner}</voice></speak>"
    )


def _produce(job: _Job) -> None:
    """Synthesize every input and build the results archive (or mark the job Failed)."""
    body = job.body
    props = body.get("properties") or {}
    fmt = OutputFormat.parse(props.get("outputFormat") or _DEFAULT_FORMAT)
    custom = set((body.get("customVoices") or {}).keys())
    cfg = body.get("synthesisConfig") or {}
    words_on = bool(props.get("wordBoundaryEnabled"))
    sentences_on = bool(props.get("sentenceBoundaryEnabled"))
    files: list[tuple[str, bytes]] = []
    results = []
    total_ms = 0
    chunks = []
    try:
        for i, item in enumerate(body["inputs"], start=1):
            content = item["content"]
            if body["inputKind"] == "SSML":
                ssml = content
            else:
                voice = cfg.get("voice", "")
                if voice not in custom and find_voice(voice) is None:
                    raise SynthesisError(f"Unsupported voice {voice}.")
                ssml = _ssml_for(content, voice, cfg)
            rendered = render_ssml(ssml, fmt.sample_rate, any_voice=bool(custom))
            duration_ms = len(rendered.samples) * 1000 // rendered.sample_rate
            total_ms += duration_ms
            name = f"{i:04d}"
            chunks.append(rendered.samples)
            if not props.get("concatenateResult"):
                files.append(
                    (name + fmt.file_extension, encode_audio(rendered.samples, fmt, header=True))
                )
            for kind, on, suffix in (
                ("WordBoundary", words_on, "word"),
                ("SentenceBoundary", sentences_on, "sentence"),
            ):
                if on:
                    entries = [
                        {
                            "Text": e.text,
                            "AudioOffset": e.start * 1000 // rendered.sample_rate,
                            "Duration": e.duration * 1000 // rendered.sample_rate,
                        }
                        for e in rendered.events
                        if e.kind == kind
                    ]
                    files.append((f"{name}.{suffix}.json", json.dumps(entries).encode()))
            results.append(
                {
                    "texts": [content],
                    "status": "Succeeded",
                    "audioFileName": name + fmt.file_extension,
                }
            )
    except SynthesisError as exc:
        job.status = "Failed"
        job.error = {"code": "InvalidRequest", "message": str(exc)}
        job.stats = {"succeededAudioCount": 0, "failedAudioCount": len(body["inputs"])}
        return
    if props.get("concatenateResult"):
        import numpy as np

        files.append(
            ("0001" + fmt.file_extension, encode_audio(np.concatenate(chunks), fmt, header=True))
        )
    summary = {"jobID": "emulator", "status": "Succeeded", "results": results}
    files.append(("summary.json", json.dumps(summary, indent=2).encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    job.archive = buf.getvalue()
    job.status = "Succeeded"
    job.stats = {
        "sizeInBytes": sum(len(d) for n, d in files if not n.endswith(".json")),
        "succeededAudioCount": len(body["inputs"]),
        "failedAudioCount": 0,
        "durationInMilliseconds": total_ms,
        "billingDetails": {
            "neuralCharacters": sum(len(i["content"]) for i in body["inputs"]),
            "customNeuralCharacters": 0,
        },
    }


def _due(state: EmulatorState, job: _Job) -> bool:
    total = float(state.extra.get("batch_synthesis_seconds", 0.3))
    return job.status not in ("Succeeded", "Failed") and time.monotonic() - job.created >= total


async def _ripen(state: EmulatorState, jobs: list[_Job]) -> None:
    """Finish the jobs whose time has come (synthesis runs off the event loop)."""
    for job in jobs:
        if _due(state, job):
            await asyncio.to_thread(_produce_once, job)


def _produce_once(job: _Job) -> None:
    with job.lock:
        if job.status not in ("Succeeded", "Failed"):
            _produce(job)
            job.last_action = _now()


def _advance(state: EmulatorState, job: _Job) -> None:
    if job.status != "NotStarted":
        return
    total = float(state.extra.get("batch_synthesis_seconds", 0.3))
    if time.monotonic() - job.created >= min(0.05, total / 2):
        job.status = "Running"
        job.last_action = _now()


def _view(job_id: str, job: _Job, base: str) -> dict[str, Any]:
    body = job.body
    props = dict(body.get("properties") or {})
    props.setdefault("outputFormat", _DEFAULT_FORMAT)
    props.setdefault("timeToLiveInHours", 744)
    props.update(job.stats)
    if job.error:
        props["error"] = job.error
    out: dict[str, Any] = {
        "id": job_id,
        "inputKind": body["inputKind"],
        "status": job.status,
        "createdDateTime": job.created_at,
        "lastActionDateTime": job.last_action,
        "properties": props,
    }
    for key in ("description", "synthesisConfig", "customVoices"):
        if key in body:
            out[key] = body[key]
    if job.status == "Succeeded":
        out["outputs"] = {
            "result": f"{base}{_RESULTS_PATH}/{job_id}.zip?sv=2023-11-03&st={job.created_at}"
            f"&se=2099-01-01T00%3A00%3A00Z&sr=b&sp=r&sig={job.sig}"
        }
    return out


def _validate(job_id: str, body: Any) -> str | None:
    if not _ID.match(job_id):
        return "The id must be 3 to 64 letters, digits, '.', '_' or '-'."
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    kind = body.get("inputKind")
    if kind not in ("PlainText", "SSML"):
        return "inputKind must be PlainText or SSML."
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs or len(inputs) > 10000:
        return "inputs must hold 1 to 10000 items."
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            return "Every input needs a content string."
        if not item["content"].strip():
            return "An input content is empty."
    cfg = body.get("synthesisConfig")
    if kind == "PlainText" and (not isinstance(cfg, dict) or not cfg.get("voice")):
        return "synthesisConfig.voice is required for PlainText input."
    custom = body.get("customVoices")
    if custom is not None:
        if not isinstance(custom, dict):
            return "customVoices must map voice names to deployment ids."
        for dep in custom.values():
            if not isinstance(dep, str) or not _ID.match(dep):
                return f"Invalid deployment id {dep!r} in customVoices."
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        return "properties must be an object."
    fmt = props.get("outputFormat")
    if fmt is not None:
        try:
            parse_format(fmt)
        except (SynthesisError, ConfigurationError) as exc:
            return str(exc)
    ttl = props.get("timeToLiveInHours")
    if ttl is not None and (not isinstance(ttl, int) or not 0 < ttl <= 744):
        return "timeToLiveInHours must be between 1 and 744."
    return None


def _api_version_error(request: Request) -> Response | None:
    version = request.query_params.get("api-version")
    if not version:
        return error_response(400, "The api-version query parameter is required.")
    if version not in (API_VERSION, "2023-09-01"):
        return error_response(400, f"Unsupported api-version {version}.")
    return None


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Batch synthesis routes and the results download."""
    store = _store(state)

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def guarded(request: Request) -> Response | None:
        entry, refused, _ = await admit_http(state, request)
        if refused is None:
            refused = _api_version_error(request)
        entry.status = 200 if refused is None else refused.status_code
        return refused

    async def one(request: Request) -> Response:
        refused = await guarded(request)
        if refused is not None:
            return refused
        job_id = request.path_params["id"]
        if request.method == "PUT":
            try:
                body = loads_json(await request.body() or b"null", what="request body")
            except ProtocolError:
                return error_response(400, "The request body is not valid JSON.")
            problem = _validate(job_id, body)
            if problem:
                return error_response(400, problem, code="BadRequest")
            op_id = request.headers.get("operation-id") or secrets.token_hex(16)
            with store.lock:
                if job_id in store.jobs:
                    return error_response(
                        400,
                        f"A batch synthesis with id {job_id} already exists.",
                        code="BadRequest",
                    )
                job = store.jobs[job_id] = _Job(body=body, operation_id=op_id)
            base = base_of(request)
            return JSONResponse(
                _view(job_id, job, base),
                status_code=201,
                headers={
                    "Operation-Id": op_id,
                    "Operation-Location": f"{base}/texttospeech/operations/{op_id}"
                    f"?api-version={API_VERSION}",
                },
            )
        with store.lock:
            pending = store.jobs.get(job_id)
        if pending is not None and request.method == "GET":
            await _ripen(state, [pending])
        with store.lock:
            job = store.jobs.get(job_id)  # type: ignore[assignment]
            if job is None:
                return error_response(
                    404, f"Batch synthesis {job_id} was not found.", code="NotFound"
                )
            if request.method == "DELETE":
                del store.jobs[job_id]
                return Response(status_code=204)
            _advance(state, job)
            return JSONResponse(_view(job_id, job, base_of(request)))

    async def listing(request: Request) -> Response:
        refused = await guarded(request)
        if refused is not None:
            return refused
        try:
            skip = int(request.query_params.get("skip", "0"))
            size = int(request.query_params.get("maxpagesize", "100"))
        except ValueError:
            return error_response(400, "skip and maxpagesize must be integers.")
        if skip < 0 or not 1 <= size <= 100:
            return error_response(400, "skip must be >= 0 and maxpagesize between 1 and 100.")
        base = base_of(request)
        with store.lock:
            jobs = list(store.jobs.values())
        await _ripen(state, jobs)
        with store.lock:
            items = list(store.jobs.items())
            for _, job in items:
                _advance(state, job)
            page = [_view(i, j, base) for i, j in items[skip : skip + size]]
        out: dict[str, Any] = {"value": page}
        if skip + size < len(items):
            out["nextLink"] = (
                f"{base}/texttospeech/batchsyntheses?skip={skip + size}&maxpagesize={size}"
                f"&api-version={API_VERSION}"
            )
        return JSONResponse(out)

    async def operation(request: Request) -> Response:
        refused = await guarded(request)
        if refused is not None:
            return refused
        op_id = request.path_params["id"]
        with store.lock:
            jobs = [j for j in store.jobs.values() if j.operation_id == op_id]
        await _ripen(state, jobs)
        with store.lock:
            for job in store.jobs.values():
                if job.operation_id == op_id:
                    _advance(state, job)
                    return JSONResponse({"id": op_id, "status": job.status})
        return error_response(404, f"Operation {op_id} was not found.", code="NotFound")

    async def download(request: Request) -> Response:
        entry = state.new_request(
            request.method, request.url.path, dict(request.query_params), dict(request.headers)
        )
        headers = {k.lower() for k in request.headers}
        if "authorization" in headers or "ocp-apim-subscription-key" in headers:
            # What Blob Storage says when a SAS URL also carries credentials.
            entry.status = 403
            entry.error = "credentials sent to a SAS URL"
            return Response(
                "<?xml version='1.0' encoding='utf-8'?><Error><Code>AuthenticationFailed</Code>"
                "<Message>Authentication information is not given in the correct format."
                "</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        job_id = request.path_params["name"].removesuffix(".zip")
        with store.lock:
            job = store.jobs.get(job_id)
        if job is None or job.archive is None:
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
        entry.body_size = len(job.archive)
        return Response(job.archive, media_type="application/zip")

    return [
        Route("/texttospeech/batchsyntheses", listing, methods=["GET"]),
        Route("/texttospeech/batchsyntheses/{id}", one, methods=["GET", "PUT", "DELETE"]),
        Route("/texttospeech/operations/{id}", operation, methods=["GET"]),
        Route(_RESULTS_PATH + "/{name}", download, methods=["GET"]),
    ]

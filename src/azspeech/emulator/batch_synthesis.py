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

import io
import json
import secrets
import zipfile
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..audio.formats import OutputFormat
from ..errors import ConfigurationError
from .auth import error_response
from .jobs import ID_PATTERN, Job, JobApi, job_routes, sas_download
from .state import EmulatorState
from .tts import SynthesisError, encode_audio, parse_format, render_ssml
from .voices import find_voice

__all__ = ["routes"]

API_VERSION = "2024-04-01"
_DEFAULT_FORMAT = "riff-24khz-16bit-mono-pcm"
_RESULTS_PATH = "/emulator/batchsynthesis/results"
_ARCHIVE = "results.zip"


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


def _produce(job: Job) -> None:
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
    job.files = {_ARCHIVE: buf.getvalue()}
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


def _view(job_id: str, job: Job, base: str) -> dict[str, Any]:
    out = job.common_view(job_id, outputFormat=_DEFAULT_FORMAT)
    if job.status == "Succeeded":
        out["outputs"] = {
            "result": f"{base}{_RESULTS_PATH}/{job_id}.zip?sv=2023-11-03&st={job.created_at}"
            f"&se=2099-01-01T00%3A00%3A00Z&sr=b&sp=r&sig={job.sig}"
        }
    return out


def _validate(body: dict[str, Any]) -> str | None:
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
            if not isinstance(dep, str) or not ID_PATTERN.match(dep):
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


def _created_headers(request: Request, job: Job, base: str) -> Mapping[str, str]:
    job.operation_id = request.headers.get("operation-id") or secrets.token_hex(16)
    return {
        "Operation-Id": job.operation_id,
        "Operation-Location": f"{base}/texttospeech/operations/{job.operation_id}"
        f"?api-version={API_VERSION}",
    }


BATCH_SYNTHESIS = JobApi(
    what="batch synthesis",
    path="/texttospeech/batchsyntheses",
    versions=(API_VERSION, "2023-09-01"),
    seconds_key="batch_synthesis_seconds",
    store_key="batch_synthesis",
    validate=_validate,
    produce=_produce,
    view=_view,
    created_headers=_created_headers,
)


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Batch synthesis routes, its operations and the results download."""
    store, job_api = job_routes(state, BATCH_SYNTHESIS)

    async def operation(request: Request) -> Response:
        refused = await store.admitted(request)
        if refused is not None:
            return refused
        op_id = request.path_params["id"]
        with store.lock:
            jobs = [j for j in store.jobs.values() if j.operation_id == op_id]
        for job in jobs:
            await store.ripen(job)
            return JSONResponse({"id": op_id, "status": job.status})
        return error_response(404, f"Operation {op_id} was not found.", code="NotFound")

    async def download(request: Request) -> Response:
        job_id = request.path_params["name"].removesuffix(".zip")
        with store.lock:
            job = store.jobs.get(job_id)
        return sas_download(state, request, job, _ARCHIVE, "application/zip")

    return [
        *job_api,
        Route("/texttospeech/operations/{id}", operation, methods=["GET"]),
        Route(_RESULTS_PATH + "/{name}", download, methods=["GET"]),
    ]

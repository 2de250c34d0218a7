"""Custom speech management (speech to text REST, api-version 2025-10-15) in the emulator.

Projects, datasets (from a ``contentUrl`` or uploaded in blocks and
committed), base and custom models (manifest, copy with an authorization),
endpoints and evaluations under ``/speechtotext``. Request bodies are checked
against the spec's models (:mod:`.custom_speech_schema`): a missing or
unknown member is a 400 with the service's error JSON (``{"code",
"message", "innerError"}``). Lists are pages of ``values`` with an absolute
``@nextLink``; ``state.extra["custom_speech_page_size"]`` caps a page
(default 100), so tests can page with small sizes. A GET of a deleted or
unknown entity is a 404; deleting a model an endpoint uses, or a dataset a
model or evaluation still needs, is a 409. File contents are served at
SAS-like URLs that refuse credentials, like Blob Storage.
"""

from __future__ import annotations

import datetime as _dt
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .._protocol.framing import loads_json
from ..errors import ProtocolError
from . import custom_speech_schema as schema
from .auth import admit_http, apply_http_faults
from .custom_speech_store import (
    API_VERSION,
    BASE_MODELS,
    FILES_PATH,
    Entity,
    Store,
    base_model_view,
    file_view,
    now_iso,
    operation_view,
    store_of,
    view,
)
from .state import EmulatorState

__all__ = ["routes"]

_VERSIONS = (API_VERSION, "2024-11-15")
_LOCALES = ["de-DE", "en-US", "es-ES", "fr-FR", "ja-JP"]
_DATASET_KINDS = ("Language", "Acoustic", "Pronunciation", "AudioFiles", "LanguageMarkdown",
                  "OutputFormatting")  # fmt: skip
_MAX_BLOCK = 8 * 1024 * 1024
_FILTER_FIELDS = {"status": "status", "kind": "kind", "locale": "locale",
                  "displayName": "displayName"}  # fmt: skip
Handler = Callable[[Request], Awaitable[Response]]


def error(status: int, code: str, message: str, inner: str | None = None) -> Response:
    """The speech-to-text ``Error`` JSON (with ``innerError`` for a detailed code)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if inner:
        body["innerError"] = {"code": inner, "message": message}
    return JSONResponse(body, status_code=status, headers={"x-ms-error-code": code})


def _bad(message: str, inner: str | None = None) -> Response:
    return error(400, "InvalidArgument", message, inner)


def _not_found(what: str, entity_id: str) -> Response:
    return error(404, "NotFound", f"The {what} {entity_id} does not exist.")


async def _json(request: Request) -> Any:
    try:
        return loads_json(await request.body() or b"null", what="request body")
    except ProtocolError:
        raise _Refused(
            _bad("The request body is not valid JSON.", "InvalidRequestBodyFormat")
        ) from None


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def _filtered(items: list[dict[str, Any]], expr: str | None) -> list[dict[str, Any]]:
    """The subset of *items* matching ``field eq 'value' [and ...]`` (all the emulator knows)."""
    if not expr:
        return items
    tests = []
    for clause in expr.split(" and "):
        parts = clause.strip().split(" ", 2)
        if len(parts) != 3 or parts[1] != "eq" or parts[0] not in _FILTER_FIELDS:
            raise _Refused(_bad(f"Unsupported filter {expr!r}.", "UnsupportedFilter"))
        value = parts[2].strip()
        if not (value.startswith("'") and value.endswith("'")):
            raise _Refused(_bad(f"Unsupported filter {expr!r}.", "UnsupportedFilter"))
        tests.append((_FILTER_FIELDS[parts[0]], value[1:-1]))
    return [i for i in items if all(str(i.get(k)) == v for k, v in tests)]


def _page(state: EmulatorState, request: Request, items: list[dict[str, Any]]) -> Response:
    """One page of *items* (``skip``/``top``), with an absolute ``@nextLink``."""
    q = request.query_params
    cap = int(state.extra.get("custom_speech_page_size", 100))
    try:
        skip = int(q.get("skip", "0"))
        top = int(q.get("top", str(cap)))
    except ValueError:
        return _bad("skip and top must be integers.", "UnsupportedPagination")
    if skip < 0 or top < 0:
        return _bad("skip and top must not be negative.", "UnsupportedPagination")
    size = min(top, cap) if top else cap
    items = _filtered(items, q.get("filter"))
    out: dict[str, Any] = {"values": items[skip : skip + size]}
    if skip + size < len(items):
        query = {k: v for k, v in q.items() if k not in ("skip", "top")}
        query.update({"skip": str(skip + size), "top": str(size)})
        out["@nextLink"] = (
            f"{str(request.base_url).rstrip('/')}{request.url.path}?{urlencode(query)}"
        )
    return JSONResponse(out, headers={"Retry-After": "1"})


def _poll_headers(state: EmulatorState) -> dict[str, str]:
    """The service's ``Retry-After: 1`` and the emulator's own pace (read first by clients)."""
    pace = float(state.extra.get("custom_speech_seconds", 0.3)) / 3
    return {"Retry-After": "1", "retry-after-ms": str(max(10, round(pace * 1000)))}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Every custom speech route, and the file download."""
    store = store_of(state)

    def guarded(handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            entry, refused, faults = await admit_http(state, request, apply_faults=False)
            if refused is None:
                version = request.query_params.get("api-version")
                if not version:
                    refused = _bad("The api-version query parameter is required.")
                elif version not in _VERSIONS:
                    refused = _bad(f"Unsupported api-version {version!r}.")
            if refused is not None:
                entry.status = refused.status_code
                return refused
            try:
                with store.lock:
                    store.advance(state)
                response = await handler(request)
            except _Refused as exc:
                response = exc.response
            special = await apply_http_faults(request, faults)
            response = special or response
            entry.status = response.status_code
            return response

        return run

    def entity_or_404(collection: str, entity_id: str) -> Entity:
        entity = store.get(collection, entity_id)
        if entity is None:
            raise _Refused(_not_found(collection[:-1], entity_id))
        return entity

    def check_refs(collection: str, body: dict[str, Any], partial: bool = False) -> None:
        """The references of a new entity point at entities that exist (400 otherwise)."""
        if "project" in body and store.ref_id(body["project"], "projects") is None:
            raise _Refused(_bad("The project does not exist.", "InvalidProject"))
        if collection == "models" and not partial:
            if "baseModel" not in body or store.ref_id(body["baseModel"], "models/base") is None:
                raise _Refused(_bad("baseModel must reference a base model.", "InvalidBaseModel"))
            base = BASE_MODELS[store.ref_id(body["baseModel"], "models/base") or ""]
            if base["locale"] != body["locale"]:
                raise _Refused(_bad("The base model has another locale.", "ModelMismatch"))
            for ref in body.setdefault("datasets", []):
                dataset = store.get("datasets", store.ref_id(ref, "datasets") or "")
                if dataset is None:
                    raise _Refused(_bad("A dataset does not exist.", "InvalidDataset"))
                if dataset.body["locale"] != body["locale"]:
                    raise _Refused(_bad("A dataset has another locale.", "ModelMismatch"))
        model_keys = {"endpoints": ("model",), "evaluations": ("model1", "model2")}
        for key in model_keys.get(collection, ()):
            ref = body.get(key)
            if ref is None and partial:
                continue
            if ref is None:
                raise _Refused(_bad(f"{key} is required.", "InvalidModel"))
            custom = store.get("models", store.ref_id(ref, "models") or "")
            if custom is None and store.ref_id(ref, "models/base") is None:
                raise _Refused(_bad(f"{key} does not reference a model.", "InvalidModel"))
            if custom is not None and custom.status == "Failed":
                raise _Refused(_bad(f"{key} failed to train.", "DeployingFailedModel"))
        if collection == "evaluations" and not partial:
            dataset = store.get("datasets", store.ref_id(body["dataset"], "datasets") or "")
            if dataset is None or dataset.body["kind"] != "Acoustic":
                raise _Refused(
                    _bad("dataset must reference an Acoustic dataset.", "InvalidDataset")
                )

    def collection_routes(collection: str) -> list[BaseRoute]:
        what = collection[:-1]

        async def create_or_list(request: Request) -> Response:
            base = _base(request)
            if request.method == "GET":
                return _page(state, request, [view(e, base) for e in store.of(collection)])
            body = await _json(request)
            problem = schema.CREATE[collection].check(body, what)
            if problem:
                return _bad(problem, "InvalidPayload")
            body = {k: v for k, v in body.items() if k not in ("self", "links", "status",
                                                              "createdDateTime",
                                                              "lastActionDateTime")}  # fmt: skip
            check_refs(collection, body)
            entity = Entity(collection, str(uuid.uuid4()), body)
            if collection == "projects":
                entity.status = None
            if collection == "datasets" and "contentUrl" in body:
                await _fetch_content(entity, body["contentUrl"])
            store.add(entity)
            out = view(entity, base)
            return JSONResponse(out, status_code=201, headers={"Location": out["self"]})

        async def one(request: Request) -> Response:
            entity_id = request.path_params["id"]
            if request.method == "DELETE":
                entity = store.get(collection, entity_id)
                if entity is not None:
                    in_use = _users(store, entity)
                    if in_use:
                        return error(409, "Conflict", f"The {what} is in use by {in_use}.",
                                     "InUseViolation")  # fmt: skip
                    del store.entities[(collection, entity_id)]
                return Response(status_code=204)
            entity = entity_or_404(collection, entity_id)
            if request.method == "PATCH":
                patch = await _json(request)
                problem = schema.UPDATE[collection].check(patch, f"{what} update")
                if problem:
                    return _bad(problem, "InvalidPayload")
                refs = {k: v for k, v in patch.items() if k in ("project", "model")}
                check_refs(collection, refs, partial=True)
                props = patch.pop("properties", None)
                entity.body.update(patch)
                if props and "contentLoggingEnabled" in props:
                    entity.properties["loggingEnabled"] = props["contentLoggingEnabled"]
                entity.last_action = now_iso()
            headers = {} if entity.status in (None, "Succeeded", "Failed") else _poll_headers(state)
            return JSONResponse(view(entity, _base(request)), headers=headers)

        async def files(request: Request) -> Response:
            entity = entity_or_404(collection, request.path_params["id"])
            owner = f"{collection}/{entity.id}"
            file_id = request.path_params.get("file_id")
            if file_id is None:
                return _page(state, request, [file_view(f, owner, _base(request))
                                              for f in entity.files])  # fmt: skip
            for f in entity.files:
                if f.id == file_id:
                    return JSONResponse(file_view(f, owner, _base(request)))
            return _not_found("file", file_id)

        async def locales(request: Request) -> Response:
            if collection == "datasets":
                return JSONResponse({kind: _LOCALES for kind in _DATASET_KINDS})
            return JSONResponse(_LOCALES)

        prefix = f"/speechtotext/{collection}"
        out: list[BaseRoute] = [
            Route(f"{prefix}/locales", guarded(locales), methods=["GET"]),
            Route(prefix, guarded(create_or_list), methods=["GET", "POST"]),
        ]
        if collection in ("datasets", "models", "evaluations"):
            out += [
                Route(f"{prefix}/{{id}}/files", guarded(files), methods=["GET"]),
                Route(f"{prefix}/{{id}}/files/{{file_id}}", guarded(files), methods=["GET"]),
            ]
        methods = ["GET", "PATCH", "DELETE"]
        return [*out, Route(f"{prefix}/{{id}}", guarded(one), methods=methods)]

    async def project_members(request: Request) -> Response:
        project = entity_or_404("projects", request.path_params["id"])
        member = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        mine = [e for e in store.of(member)
                if store.ref_id(e.body.get("project"), "projects") == project.id]  # fmt: skip
        return _page(state, request, [view(e, _base(request)) for e in mine])

    async def blocks(request: Request) -> Response:
        dataset = entity_or_404("datasets", request.path_params["id"])
        if request.method == "GET":
            committed = [{"name": b, "size": len(dataset.blocks[b])} for b in dataset.committed]
            pending = [{"name": b, "size": len(d)} for b, d in dataset.blocks.items()
                       if b not in dataset.committed]  # fmt: skip
            return JSONResponse({"committedBlocks": committed, "uncommittedBlocks": pending})
        block_id = request.query_params.get("blockid")
        if not block_id:
            return _bad("The blockid query parameter is required.", "InvalidParameter")
        if dataset.started is not None or "contentUrl" in dataset.body:
            return _bad("The dataset's content was already given.", "InvalidDataset")
        data = await request.body()
        if len(data) > _MAX_BLOCK:
            return error(413, "InvalidArgument", "A block holds at most 8 MiB.", "InvalidPayload")
        dataset.blocks[block_id] = data
        return Response(status_code=201)

    async def commit(request: Request) -> Response:
        dataset = entity_or_404("datasets", request.path_params["id"])
        entries = await _json(request)
        problem = schema.COMMIT_BLOCKS.check(entries, "blockList")
        if problem:
            return _bad(problem, "InvalidPayload")
        ids = [e["id"] for e in entries]
        missing = [b for b in ids if b not in dataset.blocks]
        if missing or not ids:
            return _bad(f"Unknown block id(s): {missing or '(none given)'}.", "InvalidParameter")
        dataset.committed = ids
        dataset.data = b"".join(dataset.blocks[b] for b in ids)
        dataset.started = time.monotonic()
        return Response(status_code=200)

    async def base_models(request: Request) -> Response:
        model_id = request.path_params.get("id")
        base = _base(request)
        if model_id is None:
            return _page(state, request, [base_model_view(m, base) for m in BASE_MODELS])
        if model_id not in BASE_MODELS:
            return _not_found("base model", model_id)
        if request.url.path.endswith("/manifest"):
            return _manifest(request, base_model_view(model_id, base)["self"], [])
        return JSONResponse(base_model_view(model_id, base))

    async def model_manifest(request: Request) -> Response:
        model = entity_or_404("models", request.path_params["id"])
        if model.status != "Succeeded":
            return _bad("The model is not trained yet.", "ModelDeploymentNotCompleteState")
        owner = f"models/{model.id}"
        files = [file_view(f, owner, _base(request)) for f in model.files]
        return _manifest(request, view(model, _base(request))["self"], files)

    def _manifest(request: Request, url: str, files: list[dict[str, Any]]) -> Response:
        if not request.query_params.get("sasLifetimeMinutes", "").isdigit():
            return _bad("sasLifetimeMinutes is required.", "InvalidSasValidityDuration")
        model_files = [{"name": f["name"], "contentUrl": f["links"]["contentUrl"]} for f in files]
        return JSONResponse({"model": {"self": url}, "modelFiles": model_files,
                             "properties": {"Locale": "emulator"}})  # fmt: skip

    async def authorize_copy(request: Request) -> Response:
        body = await _json(request)
        problem = schema.MODEL_COPY_AUTHORIZATION_DEFINITION.check(body, "definition")
        if problem:
            return _bad(problem, "InvalidPayload")
        auth = {
            "id": str(uuid.uuid4()), "targetResourceRegion": "emulator",
            "targetResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/"
            "resourceGroups/emulator/providers/Microsoft.CognitiveServices/accounts/emulator",
            "targetResourceEndpoint": _base(request),
            "sourceResourceId": body["sourceResourceId"],
            "expirationDateTime": now_iso(_dt.timedelta(days=1)),
        }  # fmt: skip
        store.authorizations[auth["id"]] = auth
        return JSONResponse(auth)

    async def copy(request: Request) -> Response:
        model = entity_or_404("models", request.path_params["id"])
        body = await _json(request)
        problem = schema.MODEL_COPY_AUTHORIZATION.check(body, "authorization")
        if problem:
            return _bad(problem, "InvalidPayload")
        if store.authorizations.get(body["id"]) != body:
            return _bad("The copy authorization is unknown or altered.", "InvalidParameter")
        if model.status != "Succeeded":
            return _bad("Only a trained model can be copied.", "InvalidModel")
        op = store.add(Entity("copies", str(uuid.uuid4()), {"model": model.id}))
        out = operation_view(op, _base(request))
        headers = {"Operation-Location": out["self"], "Retry-After": "1"}
        return JSONResponse(out, status_code=202, headers=headers)

    async def copy_operation(request: Request) -> Response:
        op = entity_or_404("copies", request.path_params["id"])
        return JSONResponse(operation_view(op, _base(request)))

    async def download(request: Request) -> Response:
        entry = state.new_request(
            request.method, request.url.path, dict(request.query_params), dict(request.headers)
        )
        headers = {k.lower() for k in request.headers}
        f = store.file(request.path_params["id"])
        if "authorization" in headers or "ocp-apim-subscription-key" in headers:
            entry.status, entry.error = 403, "credentials sent to a SAS URL"
        elif f is None:
            entry.status = 404
        elif request.query_params.get("sig") != f.sig:
            entry.status = 403
        else:
            entry.status, entry.body_size = 200, len(f.content)
            return Response(f.content, media_type="application/octet-stream")
        code = "BlobNotFound" if entry.status == 404 else "AuthenticationFailed"
        return Response(f"<Error><Code>{code}</Code></Error>", status_code=entry.status,
                        media_type="application/xml")  # fmt: skip

    out: list[BaseRoute] = [
        Route("/speechtotext/models:authorizecopy", guarded(authorize_copy), methods=["POST"]),
        Route("/speechtotext/models/base", guarded(base_models), methods=["GET"]),
        Route("/speechtotext/models/base/{id}", guarded(base_models), methods=["GET"]),
        Route("/speechtotext/models/base/{id}/manifest", guarded(base_models), methods=["GET"]),
        Route("/speechtotext/models/{id}/manifest", guarded(model_manifest), methods=["GET"]),
        Route("/speechtotext/models/{id}:copy", guarded(copy), methods=["POST"]),
        Route(
            "/speechtotext/operations/models/copy/{id}", guarded(copy_operation), methods=["GET"]
        ),
        Route("/speechtotext/datasets/{id}/blocks", guarded(blocks), methods=["GET", "PUT"]),
        Route("/speechtotext/datasets/{id}/blocks:commit", guarded(commit), methods=["POST"]),
        *[
            Route(
                f"/speechtotext/projects/{{id}}/{member}", guarded(project_members), methods=["GET"]
            )
            for member in ("datasets", "models", "endpoints", "evaluations")
        ],  # (the project's transcriptions belong to batch transcription)
        Route(FILES_PATH + "/{id}", download, methods=["GET"]),
    ]
    for collection in ("projects", "datasets", "models", "endpoints", "evaluations"):
        out += collection_routes(collection)
    return out


def _users(store: Store, entity: Entity) -> str | None:
    """What still needs *entity* (a model deployed, a dataset in training), if anything."""
    for other in store.entities.values():
        refs: list[Any] = []
        if entity.collection == "models" and other.collection in ("endpoints", "evaluations"):
            refs = [other.body.get(k) for k in ("model", "model1", "model2")]
            if other.collection == "evaluations" and other.status in ("Succeeded", "Failed"):
                refs = []
        elif (
            entity.collection == "datasets"
            and other.collection in ("models", "evaluations")
            and other.status not in ("Succeeded", "Failed")
        ):
            refs = [*other.body.get("datasets", []), other.body.get("dataset")]
        if any(store.ref_id(r, entity.collection) == entity.id for r in refs if r):
            return f"{other.collection[:-1]} {other.id}"
    return None


async def _fetch_content(entity: Entity, url: str) -> None:
    """Download a dataset's ``contentUrl`` now (only data: and 127.0.0.1 URLs)."""
    from .fast import _fetch_url

    try:
        entity.data = await _fetch_url(url)
    except PermissionError:
        entity.fetch_error = "The emulator only fetches contentUrl from data: URLs or 127.0.0.1."
    except Exception as exc:  # any failure is the dataset's import error
        entity.fetch_error = f"Could not download contentUrl: {exc}"
    entity.started = time.monotonic()
    entity.body.setdefault("contentUrl", url)

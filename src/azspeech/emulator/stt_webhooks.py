"""Speech-to-text web hooks in the emulator (api-version 2025-10-15).

``POST/GET /speechtotext/webhooks``, ``GET/PATCH/DELETE /speechtotext/webhooks/{id}``
and ``POST /speechtotext/webhooks/{id}:ping``. A new hook (or one whose
``webUrl`` changed) is challenged first: the emulator POSTs to the URL with
``?validationToken=...`` and event ``challenge``; a 200 whose body is the token
makes the hook ``Succeeded`` (events flow), anything else ``Failed`` with
``InvalidCallbackUri``. Callbacks are POSTs of the entity's JSON with
``X-MicrosoftSpeechServices-Event`` and, with a secret, the base64 HMAC-SHA256
``X-MicrosoftSpeechServices-Signature``. Every delivery is recorded in
:attr:`WebHookRegistry.deliveries` (for tests). Only loopback URLs are called
unless ``state.extra["batch_transcription_any_host"]`` is true.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as _dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import admit_http
from .batch_transcription_output import AudioFailure, _allowed
from .batch_transcription_schema import (
    LIST_QUERY,
    WebHookBody,
    WebHookUpdateBody,
    check_version,
    page_params,
    parse_body,
    stt_error,
)
from .state import EmulatorState

__all__ = ["Delivery", "WebHookRegistry", "registry", "routes"]

API_VERSION = "2025-10-15"


def now() -> str:
    """The current time as the service writes it."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Delivery:
    """One callback the emulator made: where, which event, the answer's status (or error)."""

    url: str
    event: str
    body: bytes
    headers: dict[str, str]
    status: int | None = None
    error: str | None = None
    answer: str = ""


@dataclass
class _Hook:
    body: dict[str, Any]
    created: str = field(default_factory=now)
    last_action: str = field(default_factory=now)
    status: str = "NotStarted"
    error: dict[str, str] | None = None


class WebHookRegistry:
    """The registered hooks of one emulator, and the callbacks made to them."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.hooks: dict[str, _Hook] = {}
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def view(self, hook_id: str, base: str) -> dict[str, Any]:
        """The ``WebHook`` JSON of a hook (the secret is never returned)."""
        hook = self.hooks[hook_id]
        own = f"{base}/speechtotext/webhooks/{hook_id}"
        props: dict[str, Any] = {"apiVersion": API_VERSION}
        if hook.error:
            props["error"] = hook.error
        out = {k: v for k, v in hook.body.items() if k not in ("properties",)}
        out.update(
            {
                "self": f"{own}?api-version={API_VERSION}",
                "properties": props,
                "status": hook.status,
                "createdDateTime": hook.created,
                "lastActionDateTime": hook.last_action,
                "links": {
                    "ping": f"{own}:ping?api-version={API_VERSION}",
                    "test": f"{own}:test?api-version={API_VERSION}",
                },
            }
        )
        return out

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(
        self, url: str, event: str, payload: dict[str, Any], secret: str | None, query: str = ""
    ) -> Delivery:
        raw = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-MicrosoftSpeechServices-Event": event}
        if secret:
            digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
            headers["X-MicrosoftSpeechServices-Signature"] = base64.b64encode(digest).decode()
        target = url + (("&" if "?" in url else "?") + query if query else "")
        delivery = Delivery(target, event, raw, headers)
        self.deliveries.append(delivery)
        try:
            _allowed(self.state, url)
            async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
                resp = await client.post(target, content=raw, headers=headers)
            delivery.status = resp.status_code
            delivery.answer = resp.text[:1024]
            delivery.error = None if resp.is_success else resp.text[:200]
        except (AudioFailure, httpx.HTTPError) as exc:
            delivery.error = str(exc)
        return delivery

    async def _challenge(self, hook_id: str, base: str) -> None:
        hook = self.hooks.get(hook_id)
        if hook is None:
            return
        token = secrets.token_urlsafe(16)
        secret = (hook.body.get("properties") or {}).get("secret")
        delivery = await self._post(
            hook.body["webUrl"], "challenge", self.view(hook_id, base), secret,
            f"validationToken={token}",
        )  # fmt: skip
        ok = delivery.status == 200 and delivery.error is None
        answered = ok and delivery.answer.strip() == token
        hook.status = "Succeeded" if answered else "Failed"
        hook.error = None if answered else {
            "code": "InvalidCallbackUri",
            "message": "The web hook URL did not answer the challenge with the validation token.",
        }  # fmt: skip
        hook.last_action = now()

    def challenge(self, hook_id: str, base: str) -> None:
        """Challenge the hook's URL in the background."""
        self._spawn(self._challenge(hook_id, base))

    def ping(self, hook_id: str, base: str) -> None:
        """Send a ``ping`` event to the hook in the background."""
        hook = self.hooks[hook_id]
        secret = (hook.body.get("properties") or {}).get("secret")
        self._spawn(self._post(hook.body["webUrl"], "ping", self.view(hook_id, base), secret))

    def notify(self, event: str, payload: dict[str, Any]) -> None:
        """Send *event* about an entity to every working hook registered for it."""
        for hook in list(self.hooks.values()):
            if hook.status != "Succeeded" or not (hook.body.get("events") or {}).get(event):
                continue
            secret = (hook.body.get("properties") or {}).get("secret")
            self._spawn(self._post(hook.body["webUrl"], event, payload, secret))


def registry(state: EmulatorState) -> WebHookRegistry:
    """The emulator's web hook registry (created on first use)."""
    reg = state.extra.get("stt_webhooks")
    if not isinstance(reg, WebHookRegistry):
        reg = WebHookRegistry(state)
        state.extra["stt_webhooks"] = reg
    return reg


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The web hook routes."""
    reg = registry(state)

    def base_of(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def admitted(request: Request) -> Response | None:
        entry, refused, _ = await admit_http(state, request)
        if refused is None:
            listing = request.method == "GET" and "id" not in request.path_params
            refused = check_version(request, LIST_QUERY if listing else frozenset())
        entry.status = 200 if refused is None else refused.status_code
        return refused

    def missing(hook_id: str) -> Response:
        return stt_error(404, "NotFound", f"The web hook {hook_id} does not exist.")

    async def collection(request: Request) -> Response:
        refused = await admitted(request)
        if refused is not None:
            return refused
        base = base_of(request)
        if request.method == "POST":
            parsed, bad = parse_body(await request.body(), WebHookBody)
            if bad is not None:
                return bad
            body = parsed.model_dump(exclude_none=True)
            if not any(body["events"].values()):
                return stt_error(
                    400, "InvalidRequest", "No events selected.", "InvalidWebHookEventKind"
                )
            hook_id = str(uuid.uuid4())
            reg.hooks[hook_id] = _Hook(
                {k: v for k, v in body.items() if k in WebHookUpdateBody.model_fields}
            )
            reg.challenge(hook_id, base)
            view = reg.view(hook_id, base)
            return JSONResponse(view, status_code=201, headers={"Location": view["self"]})
        page = page_params(request, int(state.extra.get("batch_transcription_max_page_size", 100)))
        if isinstance(page, Response):
            return page
        skip, top = page
        ids = list(reg.hooks)
        out: dict[str, Any] = {"values": [reg.view(i, base) for i in ids[skip : skip + top]]}
        if skip + top < len(ids):
            out["@nextLink"] = (
                f"{base}/speechtotext/webhooks?skip={skip + top}&top={top}"
                f"&api-version={API_VERSION}"
            )
        return JSONResponse(out)

    async def one(request: Request) -> Response:
        refused = await admitted(request)
        if refused is not None:
            return refused
        hook_id = request.path_params["id"]
        base = base_of(request)
        if request.method == "DELETE":
            reg.hooks.pop(hook_id, None)
            return Response(status_code=204)
        hook = reg.hooks.get(hook_id)
        if hook is None:
            return missing(hook_id)
        if request.method == "PATCH":
            parsed, bad = parse_body(await request.body(), WebHookUpdateBody)
            if bad is not None:
                return bad
            changes = parsed.model_dump(exclude_none=True)
            url_changed = "webUrl" in changes and changes["webUrl"] != hook.body["webUrl"]
            for key, value in changes.items():
                hook.body[key] = value
            hook.last_action = now()
            if url_changed:
                hook.status = "NotStarted"
                reg.challenge(hook_id, base)
        return JSONResponse(reg.view(hook_id, base))

    async def ping(request: Request) -> Response:
        refused = await admitted(request)
        if refused is not None:
            return refused
        hook_id = request.path_params["id"]
        if hook_id not in reg.hooks:
            return missing(hook_id)
        reg.ping(hook_id, base_of(request))
        return Response(status_code=202, headers={"Retry-After": "1"})

    return [
        Route("/speechtotext/webhooks", collection, methods=["GET", "POST"]),
        Route("/speechtotext/webhooks/{id}:ping", ping, methods=["POST"]),
        Route("/speechtotext/webhooks/{id}", one, methods=["GET", "PATCH", "DELETE"]),
    ]

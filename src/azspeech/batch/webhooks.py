"""Web hooks of speech to text (api-version 2025-10-15): ``client.batch.webhooks``.

``POST/GET {endpoint}/speechtotext/webhooks``, ``GET/PATCH/DELETE .../webhooks/{id}``
and ``POST .../webhooks/{id}:ping``. After registration the service sends a
``challenge`` to the URL (answer it with :func:`~azspeech.batch.challenge_response`);
the hook's ``status`` turns Succeeded once it was answered, so ``wait(hook)``
from the job core waits for that. Callbacks are verified and parsed with
:func:`~azspeech.batch.parse_webhook`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._jobs import AsyncJobs, CreateCall, JobKind, SyncJobs, job_create
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.batch import WebHook, WebHookEvents
from .create import _custom_properties, _http_url

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions, RequestOptions
    from ..endpoints import Endpoints

__all__ = ["EVENT_NAMES", "WEBHOOKS", "AsyncWebHooks", "WebHooks", "webhook_events"]

API_VERSION = "2025-10-15"

#: The event flags of the spec's ``WebHookEvents`` (wire names).
EVENT_NAMES = tuple(str(f.alias or name) for name, f in WebHookEvents.model_fields.items())
_BY_LOWER = {name.lower(): name for name in EVENT_NAMES}

WEBHOOKS = JobKind(
    what="web hook",
    path="/speechtotext/webhooks",
    api_version=API_VERSION,
    model=WebHook,
    server_ids=True,
    items_key="values",
    page_size_param="top",
)
"""The web hook API (server-assigned ids, ``values``/``@nextLink`` pages)."""


def webhook_events(events: Iterable[str] | Mapping[str, bool]) -> dict[str, bool]:
    """The ``events`` object: wire names (``transcriptionCompletion``) or snake case, checked."""
    items = events.items() if isinstance(events, Mapping) else ((e, True) for e in events)
    out: dict[str, bool] = {}
    for name, on in items:
        if not isinstance(name, str):
            raise InvalidRequestError(f"event names are strings, got {name!r}")
        wire = _BY_LOWER.get(name.replace("_", "").lower())
        if wire is None:
            raise InvalidRequestError(
                f"unknown web hook event {name!r}; known: {', '.join(EVENT_NAMES)}"
            )
        out[wire] = bool(on)
    if not any(out.values()):
        raise InvalidRequestError("a web hook needs at least one event")
    return out


def _create_call(
    web_url: str,
    *,
    events: Iterable[str] | Mapping[str, bool],
    display_name: str | None = None,
    description: str | None = None,
    secret: str | None = None,
    custom_properties: Mapping[str, str] | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Register a web hook that receives *events* at *web_url*; returns it.

    *events*: names such as ``"transcriptionCompletion"`` (or
    ``"transcription_completion"``), or a mapping of names to flags. With
    *secret*, each callback carries ``X-MicrosoftSpeechServices-Signature``
    (check it with :func:`~azspeech.batch.parse_webhook`). The hook works
    once its challenge is answered (``wait(hook)``).
    """
    body: dict[str, Any] = {
        "displayName": display_name if display_name is not None else "azspeech web hook",
        "webUrl": _http_url("web_url", web_url),
        "events": webhook_events(events),
    }
    if not isinstance(body["displayName"], str) or not body["displayName"].strip():
        raise InvalidRequestError("display_name must be a non-empty string")
    if description is not None:
        body["description"] = str(description)
    if secret is not None:
        if not isinstance(secret, str):
            raise InvalidRequestError("secret must be a string")
        body["properties"] = {"secret": secret}
    if custom_properties is not None:
        body["customProperties"] = _custom_properties(custom_properties)
    return CreateCall(body, None, {}, options)


def _update_request(
    endpoints: Endpoints,
    hook: str | WebHook,
    web_url: str | None,
    events: Iterable[str] | Mapping[str, bool] | None,
    display_name: str | None,
    description: str | None,
    secret: str | None,
    custom_properties: Mapping[str, str] | None,
) -> HttpRequest:
    body: dict[str, Any] = {}
    if display_name is not None:
        if not isinstance(display_name, str) or not display_name.strip():
            raise InvalidRequestError("display_name must be a non-empty string")
        body["displayName"] = display_name
    if description is not None:
        body["description"] = str(description)
    if web_url is not None:
        body["webUrl"] = _http_url("web_url", web_url)
    if events is not None:
        body["events"] = webhook_events(events)
    if secret is not None:
        body["properties"] = {"secret": str(secret)}
    if custom_properties is not None:
        body["customProperties"] = _custom_properties(custom_properties)
    if not body:
        raise InvalidRequestError("update needs at least one field to change")
    return HttpRequest(
        "PATCH",
        WEBHOOKS.url(endpoints, hook),
        params={"api-version": API_VERSION},
        json=body,
        retry_safe=True,
        what="web hook update",
    )


def _ping_request(endpoints: Endpoints, hook: str | WebHook) -> HttpRequest:
    own = urlsplit(WEBHOOKS.url(endpoints, hook))
    url = own._replace(path=own.path.rstrip("/") + ":ping", query="", fragment="").geturl()
    return HttpRequest(
        "POST", url, params={"api-version": API_VERSION}, retry_safe=True, what="web hook ping"
    )


class WebHooks(SyncJobs[WebHook]):
    """Web hooks (blocking): create, get, list, update, delete, ping, wait."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, WEBHOOKS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> WebHook:
        return self._create(call)

    def update(
        self,
        hook: str | WebHook,
        *,
        web_url: str | None = None,
        events: Iterable[str] | Mapping[str, bool] | None = None,
        display_name: str | None = None,
        description: str | None = None,
        secret: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> WebHook:
        """Change the hook (a new *web_url* needs a new challenge before events flow)."""
        req = _update_request(
            self._endpoints, hook, web_url, events, display_name, description, secret,
            custom_properties,
        )  # fmt: skip
        return self._request(req, WebHook, options)

    def ping(self, hook: str | WebHook, **options: Unpack[RequestOptions]) -> None:
        """Ask the service to send a ``ping`` event to the hook's URL (answered 202)."""
        self._request_none(_ping_request(self._endpoints, hook), options)


class AsyncWebHooks(AsyncJobs[WebHook]):
    """Web hooks (async twin of :class:`WebHooks`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, WEBHOOKS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> WebHook:
        return await self._create(call)

    async def update(
        self,
        hook: str | WebHook,
        *,
        web_url: str | None = None,
        events: Iterable[str] | Mapping[str, bool] | None = None,
        display_name: str | None = None,
        description: str | None = None,
        secret: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> WebHook:
        """Change the hook (a new *web_url* needs a new challenge before events flow)."""
        req = _update_request(
            self._endpoints, hook, web_url, events, display_name, description, secret,
            custom_properties,
        )  # fmt: skip
        return await self._request(req, WebHook, options)

    async def ping(self, hook: str | WebHook, **options: Unpack[RequestOptions]) -> None:
        """Ask the service to send a ``ping`` event to the hook's URL (answered 202)."""
        await self._request_none(_ping_request(self._endpoints, hook), options)

"""Endpoints (deployments of a model): ``client.custom_speech.endpoints``.

``create`` deploys a model (``wait(endpoint)`` for the deployment); the
endpoint's ``id`` is then the ``endpoint_id`` of real-time recognition::

    endpoint = client.custom_speech.endpoints.wait(
        client.custom_speech.endpoints.create(model, display_name="call center")
    )
    client.stt.recognize_once("call.wav", endpoint_id=endpoint.id)

``update(endpoint, content_logging=True)`` turns the content logging of the
deployment on. (Listing and downloading the logs themselves was dropped from
the REST API after v3.2; api-version 2025-10-15 has no such operation.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._jobs import CreateCall, job_create
from ..errors import InvalidRequestError
from ..models.custom_speech import Endpoint
from ._core import AsyncEntities, SyncEntities, common_body, entity_kind, reference, update_body

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions, RequestOptions

__all__ = ["ENDPOINTS", "AsyncEndpoints", "Endpoints"]

ENDPOINTS = entity_kind("endpoint", "endpoints", Endpoint)


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequestError(f"{what} must be True or False, got {value!r}")
    return value


def _create_call(
    model: Any,
    *,
    display_name: str,
    locale: str | None = None,
    logging_enabled: bool | None = None,
    description: str | None = None,
    project: Any = None,
    custom_properties: Mapping[str, str] | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Deploy *model* (a :class:`CustomModel`, its URL or id) on a new endpoint;
    *locale* defaults to the model's. ``wait(endpoint)`` for the deployment."""
    if locale is None:
        locale = getattr(model, "locale", None)
        if locale is None:
            raise InvalidRequestError("locale is required (or pass the CustomModel)")
    body = common_body(
        display_name=display_name, locale=locale, description=description,
        custom_properties=custom_properties, project=project,
    )  # fmt: skip
    body["model"] = reference(model, "models", "model")
    if logging_enabled is not None:
        body["properties"] = {"loggingEnabled": _check_bool(logging_enabled, "logging_enabled")}
    return CreateCall(body, options=options)


def _endpoint_update(
    display_name: str | None, description: str | None, custom_properties: Mapping[str, str] | None,
    project: Any, model: Any, content_logging: bool | None,
) -> dict[str, Any]:  # fmt: skip
    body = update_body(
        display_name=display_name, description=description,
        custom_properties=custom_properties, project=project,
    )  # fmt: skip
    if model is not None:
        body["model"] = reference(model, "models", "model")
    if content_logging is not None:
        body["properties"] = {
            "contentLoggingEnabled": _check_bool(content_logging, "content_logging")
        }
    return body


class Endpoints(SyncEntities[Endpoint]):
    """Custom speech endpoints (blocking): create (deploy), get, list, update, delete, wait."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, ENDPOINTS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> Endpoint:
        return self._create(call)

    def update(
        self, endpoint: str | Endpoint, *, display_name: str | None = None,
        description: str | None = None, custom_properties: Mapping[str, str] | None = None,
        project: Any = None, model: Any = None, content_logging: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Endpoint:  # fmt: skip
        """Change the endpoint (another *model*, *content_logging* on or off...; PATCH)."""
        body = _endpoint_update(display_name, description, custom_properties, project, model,
                                content_logging)  # fmt: skip
        return self._update(endpoint, body, options)


class AsyncEndpoints(AsyncEntities[Endpoint]):
    """Custom speech endpoints (async twin of :class:`Endpoints`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, ENDPOINTS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> Endpoint:
        return await self._create(call)

    async def update(
        self, endpoint: str | Endpoint, *, display_name: str | None = None,
        description: str | None = None, custom_properties: Mapping[str, str] | None = None,
        project: Any = None, model: Any = None, content_logging: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Endpoint:  # fmt: skip
        """Change the endpoint (see :meth:`Endpoints.update`)."""
        body = _endpoint_update(display_name, description, custom_properties, project, model,
                                content_logging)  # fmt: skip
        return await self._update(endpoint, body, options)

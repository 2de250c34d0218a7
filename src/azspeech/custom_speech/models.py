"""Base and custom models: ``client.custom_speech.models`` (``/speechtotext/models``).

``list_base``/``get_base`` read the service's base models; ``create`` trains
a custom model from a base model and datasets (``wait(model)`` for the
training); ``manifest`` gives what a speech container needs; ``copy`` copies
a model to another resource, which first grants it with ``authorize_copy``
(the copy is an operation: ``wait_copy(operation)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._jobs import AsyncJobs, CreateCall, ProgressCallback, SyncJobs, job_create
from .._paging import AsyncPaged, Paged
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.custom_speech import (
    BaseSpeechModel,
    CustomModel,
    ModelCopyAuthorization,
    ModelManifest,
    Operation,
)
from ._core import (
    API_VERSION,
    AsyncFileEntities,
    EntityKind,
    SyncFileEntities,
    check_uuid,
    common_body,
    cursor,
    entity_kind,
    list_params,
    reference,
    sas_params,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions, HeaderOptions, RequestOptions
    from ..endpoints import Endpoints

__all__ = ["BASE_MODELS", "COPY_OPERATIONS", "MODELS", "AsyncModels", "Models"]

MODELS = entity_kind("model", "models", CustomModel)
BASE_MODELS = entity_kind("base model", "models/base", BaseSpeechModel)
COPY_OPERATIONS: EntityKind[Operation] = EntityKind(
    what="model copy",
    path="/speechtotext/operations/models/copy",
    api_version=API_VERSION,
    model=Operation,
    server_ids=True,
    check_id=lambda value: check_uuid(value, "operation id"),
    items_key="values",
    page_size_param="top",
)


def _create_call(
    base_model: Any,
    *,
    display_name: str,
    datasets: Sequence[Any] = (),
    locale: str | None = None,
    description: str | None = None,
    project: Any = None,
    custom_properties: Mapping[str, str] | None = None,
    custom_model_weight_percent: int | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Train a custom model from *base_model* (a :class:`BaseSpeechModel`, its URL or id)
    adapted with *datasets*; *locale* defaults to the base model's. ``wait(model)``
    for the training."""
    if locale is None:
        locale = getattr(base_model, "locale", None)
        if locale is None:
            raise InvalidRequestError("locale is required (or pass the BaseSpeechModel)")
    body = common_body(
        display_name=display_name, locale=locale, description=description,
        custom_properties=custom_properties, project=project,
    )  # fmt: skip
    body["baseModel"] = reference(base_model, "models/base", "base_model")
    if isinstance(datasets, (str, bytes)) or not isinstance(datasets, Sequence):
        raise InvalidRequestError("datasets must be a list of datasets (or their ids or URLs)")
    body["datasets"] = [reference(d, "datasets", "datasets") for d in datasets]
    weight = custom_model_weight_percent
    if weight is not None:
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
            raise InvalidRequestError("custom_model_weight_percent must be an integer, 1 to 100")
        body["properties"] = {"customModelWeightPercent": weight}
    return CreateCall(body, options=options)


def _manifest_request(
    endpoints: Endpoints, model: Any, base: bool, sas_lifetime_minutes: int
) -> HttpRequest:
    kind = BASE_MODELS if base or isinstance(model, BaseSpeechModel) else MODELS
    params = sas_params(sas_lifetime_minutes)  # required by the manifest operations
    url = kind.url(endpoints, model) + "/manifest"
    return HttpRequest("GET", url, params=params, what=f"{kind.what} manifest")


def _authorize_request(endpoints: Endpoints, source_resource_id: str) -> HttpRequest:
    if not isinstance(source_resource_id, str) or not source_resource_id.startswith("/"):
        raise InvalidRequestError(
            "source_resource_id must be an Azure resource id ('/subscriptions/...'), "
            f"got {source_resource_id!r}"
        )
    return HttpRequest(
        "POST", endpoints.rest("/speechtotext/models:authorizecopy"),
        params={"api-version": API_VERSION}, json={"sourceResourceId": source_resource_id},
        retry_safe=False, what="model copy authorization",
    )  # fmt: skip


def _copy_request(
    endpoints: Endpoints, model: str | CustomModel, authorization: ModelCopyAuthorization
) -> HttpRequest:
    if not isinstance(authorization, ModelCopyAuthorization):
        raise InvalidRequestError(
            "authorization must be the ModelCopyAuthorization the target resource's "
            "models.authorize_copy() returned"
        )
    body = authorization.model_dump(by_alias=True, mode="json", exclude_none=True)
    return HttpRequest(
        "POST", MODELS.url(endpoints, model) + ":copy", params={"api-version": API_VERSION},
        json=body, retry_safe=False, what="model copy",
    )  # fmt: skip


def _base_cursor(
    endpoints: Endpoints, skip: int | None, top: int | None, filter: str | None
) -> Any:
    url = BASE_MODELS.url(endpoints)
    return cursor(url, BaseSpeechModel, "base model list", list_params(skip, top, filter))


class Models(SyncFileEntities[CustomModel]):
    """Base and custom models (blocking)."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, MODELS)
        self._copies = SyncJobs(client, COPY_OPERATIONS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> CustomModel:
        return self._create(call)

    def list_base(
        self, *, max_page_size: int | None = None, skip: int | None = None,
        filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> Paged[BaseSpeechModel]:  # fmt: skip
        """The service's base models, page by page."""
        return self._paged(_base_cursor(self._endpoints, skip, max_page_size, filter), options)

    def get_base(self, model: str, **options: Unpack[RequestOptions]) -> BaseSpeechModel:
        """One base model, by id."""
        req = BASE_MODELS.get_request(self._endpoints, model)
        return self._request(req, BaseSpeechModel, options)

    def manifest(
        self, model: str | CustomModel | BaseSpeechModel, *, base: bool = False,
        sas_lifetime_minutes: int = 720, **options: Unpack[RequestOptions],
    ) -> ModelManifest:  # fmt: skip
        """The manifest of a model for speech containers (``base=True`` for a base model's id)."""
        req = _manifest_request(self._endpoints, model, base, sas_lifetime_minutes)
        return self._request(req, ModelManifest, options)

    def authorize_copy(
        self, source_resource_id: str, **options: Unpack[RequestOptions]
    ) -> ModelCopyAuthorization:
        """On the *target* resource: allow *source_resource_id* to copy a model here."""
        req = _authorize_request(self._endpoints, source_resource_id)
        return self._request(req, ModelCopyAuthorization, options)

    def copy(
        self, model: str | CustomModel, authorization: ModelCopyAuthorization,
        **options: Unpack[RequestOptions],
    ) -> Operation:  # fmt: skip
        """Start copying *model* to the resource that issued *authorization*."""
        return self._request(
            _copy_request(self._endpoints, model, authorization), Operation, options
        )

    def get_copy(self, operation: str | Operation, **options: Unpack[RequestOptions]) -> Operation:
        """The state of a copy operation."""
        return self._copies.get(operation, **options)

    def wait_copy(
        self, operation: str | Operation, *, poll_interval: float = 5.0,
        timeout: float | None = None, on_progress: ProgressCallback[Operation] | None = None,
        **options: Unpack[HeaderOptions],
    ) -> Operation:  # fmt: skip
        """Poll a copy operation to its end; ``result.link`` is then the copied model."""
        return self._copies.wait(
            operation, poll_interval=poll_interval, timeout=timeout, on_progress=on_progress,
            **options,
        )  # fmt: skip


class AsyncModels(AsyncFileEntities[CustomModel]):
    """Base and custom models (async twin of :class:`Models`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, MODELS)
        self._copies = AsyncJobs(client, COPY_OPERATIONS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> CustomModel:
        return await self._create(call)

    def list_base(
        self, *, max_page_size: int | None = None, skip: int | None = None,
        filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPaged[BaseSpeechModel]:  # fmt: skip
        """The service's base models, page by page."""
        return self._paged(_base_cursor(self._endpoints, skip, max_page_size, filter), options)

    async def get_base(self, model: str, **options: Unpack[RequestOptions]) -> BaseSpeechModel:
        """One base model, by id."""
        req = BASE_MODELS.get_request(self._endpoints, model)
        return await self._request(req, BaseSpeechModel, options)

    async def manifest(
        self, model: str | CustomModel | BaseSpeechModel, *, base: bool = False,
        sas_lifetime_minutes: int = 720, **options: Unpack[RequestOptions],
    ) -> ModelManifest:  # fmt: skip
        """The manifest of a model for speech containers."""
        req = _manifest_request(self._endpoints, model, base, sas_lifetime_minutes)
        return await self._request(req, ModelManifest, options)

    async def authorize_copy(
        self, source_resource_id: str, **options: Unpack[RequestOptions]
    ) -> ModelCopyAuthorization:
        """On the *target* resource: allow *source_resource_id* to copy a model here."""
        req = _authorize_request(self._endpoints, source_resource_id)
        return await self._request(req, ModelCopyAuthorization, options)

    async def copy(
        self, model: str | CustomModel, authorization: ModelCopyAuthorization,
        **options: Unpack[RequestOptions],
    ) -> Operation:  # fmt: skip
        """Start copying *model* to the resource that issued *authorization*."""
        req = _copy_request(self._endpoints, model, authorization)
        return await self._request(req, Operation, options)

    async def get_copy(
        self, operation: str | Operation, **options: Unpack[RequestOptions]
    ) -> Operation:
        """The state of a copy operation."""
        return await self._copies.get(operation, **options)

    async def wait_copy(
        self, operation: str | Operation, *, poll_interval: float = 5.0,
        timeout: float | None = None, on_progress: ProgressCallback[Operation] | None = None,
        **options: Unpack[HeaderOptions],
    ) -> Operation:  # fmt: skip
        """Poll a copy operation to its end (see :meth:`Models.wait_copy`)."""
        return await self._copies.wait(
            operation, poll_interval=poll_interval, timeout=timeout, on_progress=on_progress,
            **options,
        )  # fmt: skip

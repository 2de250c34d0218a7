"""What every custom speech resource shares: the entity kinds, body checks, lists and files.

Each entity (project, dataset, model, endpoint, evaluation) is a
:class:`~azspeech._jobs.JobKind` with server-assigned ids (``POST
/speechtotext/{collection}``, then its ``self`` URL), ``values``/``@nextLink``
pages and ``skip``/``top``/``filter`` query parameters. :class:`SyncEntities`
/ :class:`AsyncEntities` add, on top of the job core's get, list, delete and
wait: ``update`` (PATCH), ``files`` / ``file`` / ``download_file`` and
``locales``. Everything that builds a request is here, I/O free; the twins
only send.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from .._jobs import AsyncJobs, CreateCall, JobKind, SyncJobs
from .._paging import AsyncPaged, PageCursor, Paged, validate
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.custom_speech import File
from ..options._base import validate_locale

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._resource import RequestOptions
    from ..endpoints import Endpoints

__all__ = [
    "API_VERSION",
    "AsyncEntities",
    "AsyncFileEntities",
    "EntityKind",
    "IdRef",
    "SyncEntities",
    "SyncFileEntities",
    "check_uuid",
    "common_body",
    "reference",
]

API_VERSION = "2025-10-15"
"""The REST API version this client speaks (its ``api-version`` query parameter)."""
J = TypeVar("J", bound=BaseModel)
T = TypeVar("T")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def check_uuid(value: object, what: str) -> str:
    """*value* if it is a GUID (the ids of custom speech), else InvalidRequestError."""
    if not isinstance(value, str) or not _UUID.match(value):
        raise InvalidRequestError(
            f"{what} must be a GUID such as {uuid.UUID(int=1)}, got {value!r}"
        )
    return value


@dataclass(frozen=True)
class EntityKind(JobKind[J]):
    """A custom speech collection; an entity without a ``status`` (a project) is always done."""

    def is_done(self, job: J) -> bool:
        status = getattr(job, "status", None)
        return status is None or status in self.done_statuses


def entity_kind(what: str, collection: str, model: type[J]) -> EntityKind[J]:
    """The kind of ``/speechtotext/{collection}`` entities, parsed as *model*."""
    return EntityKind(
        what=what,
        path=f"/speechtotext/{collection}",
        api_version=API_VERSION,
        model=model,
        server_ids=True,
        check_id=lambda value: check_uuid(value, f"{what} id"),
        items_key="values",
        page_size_param="top",
    )


class IdRef(str):
    """A bare id given where the body wants a URL: resolved against the client's endpoint."""

    collection: str

    def __new__(cls, value: str, collection: str) -> IdRef:
        obj = super().__new__(cls, value)
        obj.collection = collection
        return obj


def reference(value: object, collection: str, what: str) -> dict[str, str]:
    """An ``EntityReference`` body: from an entity (its ``self`` URL), a URL, or a bare id."""
    url = getattr(value, "self_url", None)
    if isinstance(value, BaseModel):
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(f"{what}: the {type(value).__name__} has no self URL")
        return {"self": url}
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return {"self": value}
    return {"self": IdRef(check_uuid(value, what), collection)}


def resolve_refs(body: Any, endpoints: Endpoints) -> Any:
    """*body* with every :class:`IdRef` replaced by the entity's URL on *endpoints*."""
    if isinstance(body, IdRef):
        return endpoints.rest(f"/speechtotext/{body.collection}/{body}")
    if isinstance(body, dict):
        return {k: resolve_refs(v, endpoints) for k, v in body.items()}
    if isinstance(body, list):
        return [resolve_refs(v, endpoints) for v in body]
    return body


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{what} must be a non-empty string, got {value!r}")
    return value


def common_body(
    *,
    display_name: object,
    locale: object,
    description: object = None,
    custom_properties: object = None,
    project: object = None,
) -> dict[str, Any]:
    """The members most create bodies share (displayName, locale...), checked."""
    body: dict[str, Any] = {"displayName": _check_text(display_name, "display_name")}
    if locale is not None:
        body["locale"] = validate_locale(locale, "locale")
    if description is not None:
        if not isinstance(description, str):
            raise InvalidRequestError(f"description must be a string, got {description!r}")
        body["description"] = description
    if custom_properties is not None:
        body["customProperties"] = check_custom_properties(custom_properties)
    if project is not None:
        body["project"] = reference(project, "projects", "project")
    return body


def check_custom_properties(props: object) -> dict[str, str]:
    """At most 10 string entries, keys up to 64 and values up to 256 characters (the spec)."""
    if not isinstance(props, Mapping):
        raise InvalidRequestError(f"custom_properties must be a mapping, got {props!r}")
    if len(props) > 10:
        raise InvalidRequestError("custom_properties takes at most 10 entries")
    for key, value in props.items():
        if not isinstance(key, str) or not 0 < len(key) <= 64:
            raise InvalidRequestError(f"custom_properties key {key!r}: 1 to 64 characters")
        if not isinstance(value, str) or len(value) > 256:
            raise InvalidRequestError(
                f"custom_properties[{key!r}] must be a string of at most 256 characters"
            )
    return dict(props)


def update_body(
    *,
    display_name: str | None,
    description: str | None,
    custom_properties: Mapping[str, str] | None,
    project: object,
) -> dict[str, Any]:
    """A PATCH body with the members given; at least one."""
    body: dict[str, Any] = {}
    if display_name is not None:
        body["displayName"] = _check_text(display_name, "display_name")
    if description is not None:
        body["description"] = description
    if custom_properties is not None:
        body["customProperties"] = check_custom_properties(custom_properties)
    if project is not None:
        body["project"] = reference(project, "projects", "project")
    return body


def list_params(
    skip: int | None, top: int | None, filter: str | None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The query of a listing: api-version, skip, top, filter (checked)."""
    params: dict[str, Any] = {"api-version": API_VERSION}
    for name, value in (("skip", skip), ("top", top)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidRequestError(f"{name} must be an integer >= 0, got {value!r}")
            params[name] = value
    if filter is not None:
        params["filter"] = _check_text(filter, "filter")
    params.update(extra or {})
    return params


def cursor(
    url: str, model: type[T], what: str, params: Mapping[str, Any]
) -> Callable[[], PageCursor[T]]:
    """A page cursor over ``values``/``@nextLink`` pages of *model* at *url*."""
    first = HttpRequest("GET", url, params=dict(params), what=what)
    return lambda: PageCursor(
        first,
        lambda item: validate(model, item, what),  # type: ignore[type-var]
        items_key="values",
    )


def sas_params(sas_lifetime_minutes: int | None) -> dict[str, Any]:
    """``sasLifetimeMinutes`` if given (checked), with the api-version."""
    params: dict[str, Any] = {"api-version": API_VERSION}
    if sas_lifetime_minutes is not None:
        if (
            isinstance(sas_lifetime_minutes, bool)
            or not isinstance(sas_lifetime_minutes, int)
            or sas_lifetime_minutes <= 0
        ):
            raise InvalidRequestError(
                f"sas_lifetime_minutes must be a positive integer, got {sas_lifetime_minutes!r}"
            )
        params["sasLifetimeMinutes"] = sas_lifetime_minutes
    return params


def file_download_request(file: File) -> HttpRequest:
    """The GET of a file's content URL (a SAS URL: sent without the key or token)."""
    url = file.links.content_url if file.links else None
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise InvalidRequestError(f"file {file.name!r} has no content URL")
    return HttpRequest("GET", url, authenticate=False, what="custom speech file download")


class _Requests(Generic[J]):
    """The request builders of one collection (shared by the sync and async twins)."""

    _kind: JobKind[J]

    if TYPE_CHECKING:

        @property
        def _endpoints(self) -> Endpoints: ...

    def _create_req(self, call: CreateCall) -> CreateCall:
        body = resolve_refs(call.body, self._endpoints)
        return CreateCall(body, call.job_id, call.headers, call.options)

    def _list_cursor(
        self, skip: int | None, top: int | None, filter: str | None
    ) -> Callable[[], PageCursor[J]]:
        url = self._kind.url(self._endpoints)
        return cursor(
            url, self._kind.model, f"{self._kind.what} list", list_params(skip, top, filter)
        )

    def _sub_url(self, entity: Any, *segments: str) -> str:
        return "/".join([self._kind.url(self._endpoints, entity), *segments])

    def _files_cursor(
        self, entity: Any, sas: int | None, skip: int | None, top: int | None, filter: str | None
    ) -> Callable[[], PageCursor[File]]:
        params = {**sas_params(sas), **list_params(skip, top, filter)}
        return cursor(self._sub_url(entity, "files"), File, f"{self._kind.what} files", params)

    def _file_req(self, entity: Any, file_id: str, sas: int | None) -> HttpRequest:
        fid = check_uuid(file_id, "file id")
        return HttpRequest(
            "GET", self._sub_url(entity, "files", fid), params=sas_params(sas),
            what=f"{self._kind.what} file",
        )  # fmt: skip

    def _update_req(self, entity: Any, body: dict[str, Any]) -> HttpRequest:
        if not body:
            raise InvalidRequestError(f"{self._kind.what} update: give at least one member")
        if "project" in body and self._kind.what == "project":
            raise InvalidRequestError("project: a project cannot be moved into a project")
        return HttpRequest(
            "PATCH", self._kind.url(self._endpoints, entity),
            params={"api-version": API_VERSION}, json=resolve_refs(body, self._endpoints),
            headers={"Content-Type": "application/merge-patch+json"},
            retry_safe=True, what=f"{self._kind.what} update",
        )  # fmt: skip

    def _locales_req(self) -> HttpRequest:
        url = self._kind.url(self._endpoints) + "/locales"
        params = {"api-version": API_VERSION}
        return HttpRequest("GET", url, params=params, what=f"{self._kind.what} locales")


class SyncEntities(SyncJobs[J], _Requests[J]):
    """A custom speech collection (blocking): get, list, update, delete, wait, files."""

    def _create(self, call: CreateCall) -> J:
        return super()._create(self._create_req(call))

    def update(
        self,
        entity: str | J,
        *,
        display_name: str | None = None,
        description: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        project: Any = None,
        **options: Unpack[RequestOptions],
    ) -> J:
        """Change the display name, description, custom properties or project (PATCH)."""
        body = update_body(
            display_name=display_name, description=description,
            custom_properties=custom_properties, project=project,
        )  # fmt: skip
        return self._update(entity, body, options)

    def _update(self, entity: str | J, body: dict[str, Any], options: RequestOptions) -> J:
        return self._request(self._update_req(entity, body), self._kind.model, options)

    def list(
        self,
        *,
        max_page_size: int | None = None,
        skip: int | None = None,
        filter: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Paged[J]:
        """Every entity, page by page (``top`` = *max_page_size*; *filter*: the service's
        filter expression, such as ``"status eq 'Succeeded'"``)."""
        return self._paged(self._list_cursor(skip, max_page_size, filter), options)

    def locales(self, **options: Unpack[RequestOptions]) -> Any:
        """The locales this collection supports (the service's JSON: a list or an object)."""
        return self._request(self._locales_req(), lambda data: data, options)


class SyncFileEntities(SyncEntities[J]):
    """A collection whose entities have files (datasets, models, evaluations)."""

    def files(
        self,
        entity: str | J,
        *,
        sas_lifetime_minutes: int | None = None,
        max_page_size: int | None = None,
        skip: int | None = None,
        filter: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Paged[File]:
        """The files of *entity* (reports, data...), page by page."""
        cur = self._files_cursor(entity, sas_lifetime_minutes, skip, max_page_size, filter)
        return self._paged(cur, options)

    def file(
        self,
        entity: str | J,
        file_id: str,
        *,
        sas_lifetime_minutes: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> File:
        """One file of *entity*."""
        return self._request(self._file_req(entity, file_id, sas_lifetime_minutes), File, options)

    def download_file(
        self, file: File, path: str | os.PathLike[str], **options: Unpack[RequestOptions]
    ) -> Path:
        """Save *file*'s content to *path* (its SAS URL gets no credentials)."""
        return self._download(file_download_request(file), path, options)


class AsyncEntities(AsyncJobs[J], _Requests[J]):
    """A custom speech collection (async twin of :class:`SyncEntities`)."""

    async def _create(self, call: CreateCall) -> J:
        return await super()._create(self._create_req(call))

    async def update(
        self,
        entity: str | J,
        *,
        display_name: str | None = None,
        description: str | None = None,
        custom_properties: Mapping[str, str] | None = None,
        project: Any = None,
        **options: Unpack[RequestOptions],
    ) -> J:
        """Change the display name, description, custom properties or project (PATCH)."""
        body = update_body(
            display_name=display_name, description=description,
            custom_properties=custom_properties, project=project,
        )  # fmt: skip
        return await self._update(entity, body, options)

    async def _update(self, entity: str | J, body: dict[str, Any], options: RequestOptions) -> J:
        return await self._request(self._update_req(entity, body), self._kind.model, options)

    def list(
        self,
        *,
        max_page_size: int | None = None,
        skip: int | None = None,
        filter: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaged[J]:
        """Every entity, page by page (see :meth:`SyncEntities.list`)."""
        return self._paged(self._list_cursor(skip, max_page_size, filter), options)

    async def locales(self, **options: Unpack[RequestOptions]) -> Any:
        """The locales this collection supports."""
        return await self._request(self._locales_req(), lambda data: data, options)


class AsyncFileEntities(AsyncEntities[J]):
    """A collection whose entities have files (datasets, models, evaluations)."""

    def files(
        self,
        entity: str | J,
        *,
        sas_lifetime_minutes: int | None = None,
        max_page_size: int | None = None,
        skip: int | None = None,
        filter: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaged[File]:
        """The files of *entity*, page by page."""
        cur = self._files_cursor(entity, sas_lifetime_minutes, skip, max_page_size, filter)
        return self._paged(cur, options)

    async def file(
        self,
        entity: str | J,
        file_id: str,
        *,
        sas_lifetime_minutes: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> File:
        """One file of *entity*."""
        req = self._file_req(entity, file_id, sas_lifetime_minutes)
        return await self._request(req, File, options)

    async def download_file(
        self, file: File, path: str | os.PathLike[str], **options: Unpack[RequestOptions]
    ) -> Path:
        """Save *file*'s content to *path* (its SAS URL gets no credentials)."""
        return await self._download(file_download_request(file), path, options)

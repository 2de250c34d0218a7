"""Projects: ``client.custom_speech.projects`` (``/speechtotext/projects``).

A project groups the datasets, models, endpoints and evaluations of one
custom speech effort; :meth:`Projects.datasets` and its siblings list them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._jobs import CreateCall, job_create
from .._paging import AsyncPaged, PageCursor, Paged
from ..models.custom_speech import CustomModel, Dataset, Endpoint, Evaluation, Project
from ._core import AsyncEntities, SyncEntities, common_body, cursor, entity_kind, list_params

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions, RequestOptions
    from ..endpoints import Endpoints

__all__ = ["PROJECTS", "AsyncProjects", "Projects"]

T = TypeVar("T")
PROJECTS = entity_kind("project", "projects", Project)


def _create_call(
    display_name: str,
    *,
    locale: str,
    description: str | None = None,
    custom_properties: Mapping[str, str] | None = None,
    foundry_project_name: str | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Create a project for *locale* (a project has no processing: it is ready at once)."""
    body = common_body(
        display_name=display_name, locale=locale, description=description,
        custom_properties=custom_properties,
    )  # fmt: skip
    if foundry_project_name is not None:
        body["foundryProjectName"] = str(foundry_project_name)
    return CreateCall(body, options=options)


class _ProjectLists:
    _kind: Any

    if TYPE_CHECKING:

        @property
        def _endpoints(self) -> Endpoints: ...

    def _member_cursor(
        self, project: str | Project, collection: str, model: type[T], skip: int | None,
        top: int | None, filter: str | None,
    ) -> Callable[[], PageCursor[T]]:  # fmt: skip
        url = f"{self._kind.url(self._endpoints, project)}/{collection}"
        return cursor(url, model, f"project {collection}", list_params(skip, top, filter))


class Projects(SyncEntities[Project], _ProjectLists):
    """Custom speech projects (blocking): create, get, list, update, delete, and their members."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, PROJECTS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> Project:
        return self._create(call)

    def datasets(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> Paged[Dataset]:  # fmt: skip
        """The datasets of *project*."""
        cur = self._member_cursor(project, "datasets", Dataset, skip, max_page_size, filter)
        return self._paged(cur, options)

    def models(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> Paged[CustomModel]:  # fmt: skip
        """The custom models of *project*."""
        cur = self._member_cursor(project, "models", CustomModel, skip, max_page_size, filter)
        return self._paged(cur, options)

    def endpoints(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> Paged[Endpoint]:  # fmt: skip
        """The endpoints of *project*."""
        cur = self._member_cursor(project, "endpoints", Endpoint, skip, max_page_size, filter)
        return self._paged(cur, options)

    def evaluations(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> Paged[Evaluation]:  # fmt: skip
        """The evaluations of *project*."""
        cur = self._member_cursor(project, "evaluations", Evaluation, skip, max_page_size, filter)
        return self._paged(cur, options)


class AsyncProjects(AsyncEntities[Project], _ProjectLists):
    """Custom speech projects (async twin of :class:`Projects`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, PROJECTS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> Project:
        return await self._create(call)

    def datasets(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPaged[Dataset]:  # fmt: skip
        """The datasets of *project*."""
        cur = self._member_cursor(project, "datasets", Dataset, skip, max_page_size, filter)
        return self._paged(cur, options)

    def models(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPaged[CustomModel]:  # fmt: skip
        """The custom models of *project*."""
        cur = self._member_cursor(project, "models", CustomModel, skip, max_page_size, filter)
        return self._paged(cur, options)

    def endpoints(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPaged[Endpoint]:  # fmt: skip
        """The endpoints of *project*."""
        cur = self._member_cursor(project, "endpoints", Endpoint, skip, max_page_size, filter)
        return self._paged(cur, options)

    def evaluations(
        self, project: str | Project, *, max_page_size: int | None = None,
        skip: int | None = None, filter: str | None = None, **options: Unpack[RequestOptions],
    ) -> AsyncPaged[Evaluation]:  # fmt: skip
        """The evaluations of *project*."""
        cur = self._member_cursor(project, "evaluations", Evaluation, skip, max_page_size, filter)
        return self._paged(cur, options)

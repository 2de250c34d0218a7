"""Custom speech management: ``client.custom_speech`` (speech to text REST, 2025-10-15).

``projects``, ``datasets`` (from a URL or uploaded from local files),
``models`` (base and custom: list, create, copy, manifest), ``endpoints``
(deploy a model; its id is the ``endpoint_id`` of real-time recognition) and
``evaluations`` (word error rates of two models on a dataset). Lists are
:class:`~azspeech._paging.Paged` (pages followed for you); datasets, models,
endpoints and evaluations are jobs of the library's convention: ``create``
returns at once, ``wait`` polls to Succeeded or Failed.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ._core import API_VERSION
from .datasets import AsyncDatasets, Datasets
from .endpoints import AsyncEndpoints, Endpoints
from .evaluations import AsyncEvaluations, Evaluations
from .models import AsyncModels, Models
from .projects import AsyncProjects, Projects

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient

__all__ = [
    "API_VERSION",
    "AsyncCustomSpeech",
    "AsyncDatasets",
    "AsyncEndpoints",
    "AsyncEvaluations",
    "AsyncModels",
    "AsyncProjects",
    "CustomSpeech",
    "Datasets",
    "Endpoints",
    "Evaluations",
    "Models",
    "Projects",
]


class CustomSpeech:
    """``client.custom_speech`` (blocking): projects, datasets, models, endpoints, evaluations."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    @functools.cached_property
    def projects(self) -> Projects:
        """Projects and the entities in them."""
        return Projects(self._client)

    @functools.cached_property
    def datasets(self) -> Datasets:
        """Datasets: create from a URL, upload local files, processing status, files."""
        return Datasets(self._client)

    @functools.cached_property
    def models(self) -> Models:
        """Base models and custom models: list, create, copy, manifest."""
        return Models(self._client)

    @functools.cached_property
    def endpoints(self) -> Endpoints:
        """Endpoints: deploy a model for real-time recognition."""
        return Endpoints(self._client)

    @functools.cached_property
    def evaluations(self) -> Evaluations:
        """Evaluations: the word error rates of two models on a dataset."""
        return Evaluations(self._client)


class AsyncCustomSpeech:
    """``client.custom_speech`` (async): projects, datasets, models, endpoints, evaluations."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    @functools.cached_property
    def projects(self) -> AsyncProjects:
        """Projects and the entities in them."""
        return AsyncProjects(self._client)

    @functools.cached_property
    def datasets(self) -> AsyncDatasets:
        """Datasets: create from a URL, upload local files, processing status, files."""
        return AsyncDatasets(self._client)

    @functools.cached_property
    def models(self) -> AsyncModels:
        """Base models and custom models: list, create, copy, manifest."""
        return AsyncModels(self._client)

    @functools.cached_property
    def endpoints(self) -> AsyncEndpoints:
        """Endpoints: deploy a model for real-time recognition."""
        return AsyncEndpoints(self._client)

    @functools.cached_property
    def evaluations(self) -> AsyncEvaluations:
        """Evaluations: the word error rates of two models on a dataset."""
        return AsyncEvaluations(self._client)

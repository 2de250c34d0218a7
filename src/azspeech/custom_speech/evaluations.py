"""Evaluations: ``client.custom_speech.evaluations`` (``/speechtotext/evaluations``).

An evaluation transcribes a dataset (audio with human transcripts) with two
models and compares them: once it succeeded, ``evaluation.properties.model1``
and ``.model2`` hold each model's word error rate and counts
(:class:`~azspeech.models.custom_speech.ModelScores`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._jobs import CreateCall, job_create
from ..errors import InvalidRequestError
from ..models.custom_speech import Evaluation
from ._core import AsyncFileEntities, SyncFileEntities, common_body, entity_kind, reference

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions

__all__ = ["EVALUATIONS", "AsyncEvaluations", "Evaluations"]

EVALUATIONS = entity_kind("evaluation", "evaluations", Evaluation)


def _model_ref(model: Any, what: str) -> dict[str, str]:
    from ..models.custom_speech import BaseSpeechModel

    collection = "models/base" if isinstance(model, BaseSpeechModel) else "models"
    return reference(model, collection, what)


def _create_call(
    model1: Any,
    model2: Any,
    dataset: Any,
    *,
    display_name: str,
    locale: str | None = None,
    description: str | None = None,
    project: Any = None,
    custom_properties: Mapping[str, str] | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Compare *model1* and *model2* (custom or base models, their URLs, or custom model
    ids) on *dataset*; *locale* defaults to the dataset's. ``wait(evaluation)``."""
    if locale is None:
        locale = getattr(dataset, "locale", None)
        if locale is None:
            raise InvalidRequestError("locale is required (or pass the Dataset)")
    body = common_body(
        display_name=display_name, locale=locale, description=description,
        custom_properties=custom_properties, project=project,
    )  # fmt: skip
    body["model1"] = _model_ref(model1, "model1")
    body["model2"] = _model_ref(model2, "model2")
    body["dataset"] = reference(dataset, "datasets", "dataset")
    return CreateCall(body, options=options)


class Evaluations(SyncFileEntities[Evaluation]):
    """Evaluations (blocking): create, get, list, update, delete, wait, files."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, EVALUATIONS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> Evaluation:
        return self._create(call)


class AsyncEvaluations(AsyncFileEntities[Evaluation]):
    """Evaluations (async twin of :class:`Evaluations`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, EVALUATIONS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> Evaluation:
        return await self._create(call)

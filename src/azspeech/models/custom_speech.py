"""Custom speech entities (speech to text REST, api-version 2025-10-15), as the service sends them.

Projects, datasets, base and custom models, endpoints (deployments),
evaluations, files, model manifests and model-copy operations. Every entity
the service addresses has a ``self`` URL (``self_url`` here); ``id`` is its
last path segment (a GUID), the id the other calls take. Unknown fields are
kept, as on every model of the library.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from ._base import Model

__all__ = [
    "BaseModelFeatures",
    "BaseModelProperties",
    "BaseSpeechModel",
    "CustomModel",
    "CustomModelProperties",
    "Dataset",
    "DatasetLinks",
    "DatasetProperties",
    "EditsSummary",
    "Endpoint",
    "EndpointLinks",
    "EndpointProperties",
    "EntityError",
    "EntityReference",
    "Evaluation",
    "EvaluationProperties",
    "File",
    "FileLinks",
    "FileProperties",
    "ModelCopyAuthorization",
    "ModelFile",
    "ModelManifest",
    "ModelScores",
    "Operation",
    "OperationResult",
    "Project",
    "ProjectLinks",
    "TokenErrorDetails",
    "UploadedBlocks",
]


def _last_segment(url: str | None) -> str | None:
    if not url:
        return None
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or None


class EntityReference(Model):
    """A reference to another entity: its ``self`` URL."""

    self_url: str = Field(alias="self")

    @property
    def id(self) -> str | None:
        """The referenced entity's id (the URL's last segment)."""
        return _last_segment(self.self_url)


class EntityError(Model):
    """Why an entity failed: the service's ``code`` and ``message``."""

    code: str | None = None
    message: str | None = None


class _Entity(Model):
    """Fields every addressable custom speech entity has."""

    self_url: str | None = Field(default=None, alias="self")
    display_name: str | None = Field(default=None, alias="displayName")
    description: str | None = None
    locale: str | None = None
    custom_properties: dict[str, str] = Field(default_factory=dict, alias="customProperties")
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")

    @property
    def id(self) -> str | None:
        """The entity's id (the last segment of its ``self`` URL)."""
        return _last_segment(self.self_url)


class _Job(_Entity):
    """An entity the service works on for a while (``status`` NotStarted → Running → final)."""

    status: str | None = None
    last_action_date_time: _dt.datetime | None = Field(default=None, alias="lastActionDateTime")

    @property
    def done(self) -> bool:
        """Whether the service finished with it (Succeeded or Failed)."""
        return self.status in ("Succeeded", "Failed")

    @property
    def succeeded(self) -> bool:
        """Whether it succeeded."""
        return self.status == "Succeeded"


class ProjectLinks(Model):
    """Where a project's datasets, models, endpoints, evaluations and transcriptions are listed."""

    evaluations: str | None = None
    datasets: str | None = None
    models: str | None = None
    endpoints: str | None = None
    transcriptions: str | None = None


class Project(_Entity):
    """A custom speech project: groups datasets, models, endpoints and evaluations."""

    links: ProjectLinks | None = None
    foundry_project_name: str | None = Field(default=None, alias="foundryProjectName")


class DatasetLinks(Model):
    """A dataset's files, and where to upload and commit its blocks."""

    files: str | None = None
    commit_blocks: str | None = Field(default=None, alias="commitBlocks")
    list_blocks: str | None = Field(default=None, alias="listBlocks")
    upload_blocks: str | None = Field(default=None, alias="uploadBlocks")


class DatasetProperties(Model):
    """What processing found in a dataset."""

    accepted_line_count: int | None = Field(default=None, alias="acceptedLineCount")
    rejected_line_count: int | None = Field(default=None, alias="rejectedLineCount")
    duration_milliseconds: int | None = Field(default=None, alias="durationMilliseconds")
    text_normalization_kind: str | None = Field(default=None, alias="textNormalizationKind")
    error: EntityError | None = None


class Dataset(_Job):
    """A dataset (``kind``: Language, Acoustic, Pronunciation, AudioFiles, LanguageMarkdown,
    OutputFormatting) and its processing status."""

    kind: str | None = None
    content_url: str | None = Field(default=None, alias="contentUrl")
    project: EntityReference | None = None
    links: DatasetLinks | None = None
    properties: DatasetProperties = Field(default_factory=DatasetProperties)


class ResponseBlock(Model):
    """One uploaded block of a dataset."""

    name: str | None = None
    size: int | None = None


class UploadedBlocks(Model):
    """The blocks of a dataset upload, committed and not."""

    committed_blocks: list[ResponseBlock] = Field(default_factory=list, alias="committedBlocks")
    uncommitted_blocks: list[ResponseBlock] = Field(default_factory=list, alias="uncommittedBlocks")


class FileLinks(Model):
    """Where a file's content is (a SAS URL: fetched without credentials)."""

    content_url: str | None = Field(default=None, alias="contentUrl")


class FileProperties(Model):
    """A file's size and, for audio, duration."""

    size: int | None = None
    duration_milliseconds: int | None = Field(default=None, alias="durationMilliseconds")


class File(Model):
    """A file of a dataset, model or evaluation (``kind``: DatasetReport, Audio, ModelReport...)."""

    self_url: str | None = Field(default=None, alias="self")
    name: str | None = None
    kind: str | None = None
    links: FileLinks | None = None
    properties: FileProperties = Field(default_factory=FileProperties)
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")

    @property
    def id(self) -> str | None:
        """The file's id (the last segment of its ``self`` URL)."""
        return _last_segment(self.self_url)


class BaseModelFeatures(Model):
    """What a model supports (transcriptions, endpoints, containers, adaptation)."""

    supports_transcriptions_submit: bool | None = Field(
        default=None, alias="supportsTranscriptionsSubmit"
    )
    supports_transcriptions_transcribe: bool | None = Field(
        default=None, alias="supportsTranscriptionsTranscribe"
    )
    supports_endpoints: bool | None = Field(default=None, alias="supportsEndpoints")
    supports_transcriptions_on_speech_containers: bool | None = Field(
        default=None, alias="supportsTranscriptionsOnSpeechContainers"
    )
    supported_output_formats: list[str] = Field(
        default_factory=list, alias="supportedOutputFormats"
    )
    supports_adaptations_with: list[str] = Field(
        default_factory=list, alias="supportsAdaptationsWith"
    )


class BaseModelProperties(Model):
    """A base model's deprecation dates, features and whether adapting it is charged."""

    deprecation_dates: dict[str, _dt.datetime] = Field(
        default_factory=dict, alias="deprecationDates"
    )
    features: BaseModelFeatures = Field(default_factory=BaseModelFeatures)
    charge_for_adaptation: bool | None = Field(default=None, alias="chargeForAdaptation")


class BaseSpeechModel(_Job):
    """A base model of the service (the spec's ``BaseModel``): what custom models adapt."""

    links: dict[str, str] = Field(default_factory=dict)
    properties: BaseModelProperties = Field(default_factory=BaseModelProperties)


class CustomModelProperties(Model):
    """A custom model's weight, features, deprecation dates and training error."""

    custom_model_weight_percent: int | None = Field(default=None, alias="customModelWeightPercent")
    deprecation_dates: dict[str, _dt.datetime] = Field(
        default_factory=dict, alias="deprecationDates"
    )
    features: BaseModelFeatures = Field(default_factory=BaseModelFeatures)
    error: EntityError | None = None


class CustomModel(_Job):
    """A custom model: a base model adapted with datasets (status: its training)."""

    base_model: EntityReference | None = Field(default=None, alias="baseModel")
    datasets: list[EntityReference] = Field(default_factory=list)
    project: EntityReference | None = None
    links: dict[str, str] = Field(default_factory=dict)
    properties: CustomModelProperties = Field(default_factory=CustomModelProperties)


class ModelFile(Model):
    """A file of a model manifest."""

    name: str | None = None
    content_url: str | None = Field(default=None, alias="contentUrl")


class ModelManifest(Model):
    """What a speech container needs to run a model: its files and configuration."""

    model: EntityReference
    model_files: list[ModelFile] = Field(alias="modelFiles")
    properties: dict[str, Any] = Field(default_factory=dict)


class ModelCopyAuthorization(Model):
    """The target resource's permission to receive a copied model (``models.authorize_copy``)."""

    id: str
    target_resource_region: str = Field(alias="targetResourceRegion")
    target_resource_id: str = Field(alias="targetResourceId")
    target_resource_endpoint: str = Field(alias="targetResourceEndpoint")
    source_resource_id: str = Field(alias="sourceResourceId")
    expiration_date_time: _dt.datetime = Field(alias="expirationDateTime")


class OperationResult(Model):
    """Where an operation's result is (the copied model)."""

    link: str | None = None


class Operation(Model):
    """A model-copy operation; ``result.link`` is the copied model once it succeeded."""

    id: str
    self_url: str | None = Field(default=None, alias="self")
    status: str | None = None
    result: OperationResult | None = None
    error: EntityError | None = None
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")
    last_action_date_time: _dt.datetime | None = Field(default=None, alias="lastActionDateTime")

    @property
    def succeeded(self) -> bool:
        """Whether the copy succeeded."""
        return self.status == "Succeeded"


class EndpointLinks(Model):
    """The Speech SDK WebSocket URL of an endpoint (with its ``cid``)."""

    web_socket: str | None = Field(default=None, alias="webSocket")


class EndpointProperties(Model):
    """Whether the endpoint logs content, and its deployment error."""

    logging_enabled: bool | None = Field(default=None, alias="loggingEnabled")
    error: EntityError | None = None


class Endpoint(_Job):
    """A deployed custom model: its ``id`` is the ``endpoint_id`` of real-time recognition."""

    model: EntityReference | None = None
    project: EntityReference | None = None
    links: EndpointLinks | None = None
    properties: EndpointProperties = Field(default_factory=EndpointProperties)


class EditsSummary(Model):
    """How many edits of one kind, and their share of all edits."""

    number_of_edits: int | None = Field(default=None, alias="numberOfEdits")
    percentage_of_all_edits: float | None = Field(default=None, alias="percentageOfAllEdits")


class TokenErrorDetails(Model):
    """Token errors by kind: punctuation, capitalization, ITN, lexical, others."""

    punctuation: EditsSummary | None = None
    capitalization: EditsSummary | None = None
    inverse_text_normalization: EditsSummary | None = Field(
        default=None, alias="inverseTextNormalization"
    )
    lexical: EditsSummary | None = None
    others: EditsSummary | None = None


class ModelScores(Model):
    """The error rates and counts of one of the two models of an evaluation."""

    word_error_rate: float | None = None
    sentence_error_rate: float | None = None
    token_error_rate: float | None = None
    sentence_count: int | None = None
    word_count: int | None = None
    correct_word_count: int | None = None
    word_substitution_count: int | None = None
    word_deletion_count: int | None = None
    word_insertion_count: int | None = None
    token_count: int | None = None
    correct_token_count: int | None = None
    token_substitution_count: int | None = None
    token_deletion_count: int | None = None
    token_insertion_count: int | None = None
    token_errors: TokenErrorDetails | None = None


_SCORE_FIELDS = {
    "word_error_rate": "wordErrorRate",
    "sentence_error_rate": "sentenceErrorRate",
    "token_error_rate": "tokenErrorRate",
    "sentence_count": "sentenceCount",
    "word_count": "wordCount",
    "correct_word_count": "correctWordCount",
    "word_substitution_count": "wordSubstitutionCount",
    "word_deletion_count": "wordDeletionCount",
    "word_insertion_count": "wordInsertionCount",
    "token_count": "tokenCount",
    "correct_token_count": "correctTokenCount",
    "token_substitution_count": "tokenSubstitutionCount",
    "token_deletion_count": "tokenDeletionCount",
    "token_insertion_count": "tokenInsertionCount",
    "token_errors": "tokenErrors",
}


class EvaluationProperties(Model):
    """The results of an evaluation: ``model1`` and ``model2`` scores (the spec's
    ``wordErrorRate1``... fields, grouped per model), or its ``error``."""

    model1: ModelScores = Field(default_factory=ModelScores)
    model2: ModelScores = Field(default_factory=ModelScores)
    error: EntityError | None = None

    @model_validator(mode="before")
    @classmethod
    def _group_per_model(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for n in ("1", "2"):
            if f"model{n}" not in data:
                data[f"model{n}"] = {py: data.pop(wire + n) for py, wire in _SCORE_FIELDS.items()
                                     if wire + n in data}  # fmt: skip
        return data


class Evaluation(_Job):
    """An evaluation: two models transcribing one dataset, compared by word error rate."""

    model1: EntityReference | None = None
    model2: EntityReference | None = None
    dataset: EntityReference | None = None
    transcription1: EntityReference | None = None
    transcription2: EntityReference | None = None
    project: EntityReference | None = None
    links: dict[str, str] = Field(default_factory=dict)
    properties: EvaluationProperties = Field(default_factory=EvaluationProperties)

    @property
    def word_error_rate1(self) -> float | None:
        """Model 1's word error rate (0.0 to 1.0 and above; None until it succeeded)."""
        return self.properties.model1.word_error_rate

    @property
    def word_error_rate2(self) -> float | None:
        """Model 2's word error rate."""
        return self.properties.model2.word_error_rate

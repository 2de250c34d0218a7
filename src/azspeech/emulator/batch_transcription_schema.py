"""Request models of batch transcription and web hooks, written from the 2025-10-15 OpenAPI file.

Every create and update body the emulator receives is validated against
these (unknown fields are refused, required ones enforced), and a body that
does not fit is answered 400 with the speech-to-text error shape of the spec
(``{"code", "message", "innerError": {"code", "message"}}``), so a client
that drifts from the spec fails its socket tests. Read-only fields
(``self``, ``status``, ``createdDateTime``...) are accepted and ignored, as
the service does when an entity it returned is sent back.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "API_VERSIONS",
    "FILES_QUERY",
    "LIST_QUERY",
    "TranscriptionBody",
    "TranscriptionUpdateBody",
    "WebHookBody",
    "WebHookUpdateBody",
    "check_version",
    "page_params",
    "parse_body",
    "stt_error",
]

API_VERSIONS = frozenset({"2024-11-15", "2025-10-15"})
MAX_PAGE = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntityReferenceBody(_Strict):
    self: StrictStr


class EntityErrorBody(_Strict):
    code: StrictStr | None = None
    message: StrictStr | None = None


class LanguageIdentificationBody(_Strict):
    candidateLocales: list[StrictStr]
    speechModelMapping: dict[str, EntityReferenceBody] | None = None
    mode: Literal["Continuous", "Single"] | None = None


class DiarizationBody(_Strict):
    enabled: StrictBool | None = None
    maxSpeakers: StrictInt | None = Field(default=None, ge=2, le=35)


class TranscriptionPropertiesBody(_Strict):
    wordLevelTimestampsEnabled: StrictBool | None = None
    displayFormWordLevelTimestampsEnabled: StrictBool | None = None
    channels: list[StrictInt] | None = None
    punctuationMode: Literal["None", "Dictated", "Automatic", "DictatedAndAutomatic"] | None = None
    profanityFilterMode: Literal["None", "Removed", "Tags", "Masked"] | None = None
    destinationContainerUrl: StrictStr | None = None
    timeToLiveHours: StrictInt
    languageIdentification: LanguageIdentificationBody | None = None
    diarization: DiarizationBody | None = None
    error: EntityErrorBody | None = None  # read-only
    durationMilliseconds: StrictInt | None = None  # read-only


class _ReadOnly(_Strict):
    self: StrictStr | None = None
    createdDateTime: StrictStr | None = None
    lastActionDateTime: StrictStr | None = None
    status: StrictStr | None = None
    links: dict[str, Any] | None = None


class TranscriptionBody(_ReadOnly):
    """``Transcription`` (the body of ``POST /transcriptions:submit``)."""

    displayName: StrictStr = Field(min_length=1)
    description: StrictStr | None = None
    customProperties: dict[str, StrictStr] | None = None
    locale: StrictStr = Field(min_length=1)
    contentUrls: list[StrictStr] | None = None
    model: EntityReferenceBody | None = None
    project: EntityReferenceBody | None = None
    properties: TranscriptionPropertiesBody
    contentContainerUrl: StrictStr | None = None
    dataset: EntityReferenceBody | None = None


class TranscriptionUpdateBody(_Strict):
    """``TranscriptionUpdate`` (the body of ``PATCH /transcriptions/{id}``)."""

    displayName: StrictStr | None = None
    description: StrictStr | None = None
    project: EntityReferenceBody | None = None
    customProperties: dict[str, StrictStr] | None = None


class WebHookEventsBody(_Strict):
    datasetCreation: StrictBool | None = None
    datasetProcessing: StrictBool | None = None
    datasetCompletion: StrictBool | None = None
    datasetDeletion: StrictBool | None = None
    modelCreation: StrictBool | None = None
    modelProcessing: StrictBool | None = None
    modelCompletion: StrictBool | None = None
    modelDeletion: StrictBool | None = None
    evaluationCreation: StrictBool | None = None
    evaluationProcessing: StrictBool | None = None
    evaluationCompletion: StrictBool | None = None
    evaluationDeletion: StrictBool | None = None
    transcriptionCreation: StrictBool | None = None
    transcriptionProcessing: StrictBool | None = None
    transcriptionCompletion: StrictBool | None = None
    transcriptionDeletion: StrictBool | None = None
    endpointCreation: StrictBool | None = None
    endpointProcessing: StrictBool | None = None
    endpointCompletion: StrictBool | None = None
    endpointDeletion: StrictBool | None = None
    ping: StrictBool | None = None
    challenge: StrictBool | None = None


class WebHookPropertiesBody(_Strict):
    apiVersion: StrictStr | None = None  # read-only
    secret: StrictStr | None = None
    error: EntityErrorBody | None = None  # read-only


class WebHookBody(_ReadOnly):
    """``WebHook`` (the body of ``POST /webhooks``)."""

    displayName: StrictStr = Field(min_length=1)
    description: StrictStr | None = None
    customProperties: dict[str, StrictStr] | None = None
    properties: WebHookPropertiesBody | None = None
    webUrl: StrictStr
    events: WebHookEventsBody


class WebHookPropertiesUpdateBody(_Strict):
    secret: StrictStr | None = None


class WebHookUpdateBody(_Strict):
    """``WebHookUpdate`` (the body of ``PATCH /webhooks/{id}``)."""

    displayName: StrictStr | None = None
    description: StrictStr | None = None
    webUrl: StrictStr | None = None
    customProperties: dict[str, StrictStr] | None = None
    properties: WebHookPropertiesUpdateBody | None = None
    events: WebHookEventsBody | None = None


def stt_error(status: int, code: str, message: str, inner: str | None = None) -> Response:
    """The speech-to-text ``Error`` body (not wrapped in ``{"error": ...}``)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if inner:
        body["innerError"] = {"code": inner, "message": message}
    return JSONResponse(body, status_code=status)


#: Query parameters the emulator itself or its auth read (not part of the spec).
_EMULATOR_QUERY = frozenset({"emulatorfault", "ocp-apim-subscription-key", "authorization"})
LIST_QUERY = frozenset({"skip", "top", "filter"})
FILES_QUERY = LIST_QUERY | {"sasLifetimeMinutes"}


def check_version(request: Request, allowed: frozenset[str] = frozenset()) -> Response | None:
    """400 unless the request names a supported ``api-version`` and only the spec's
    query parameters (*allowed*, besides ``api-version``)."""
    for name in request.query_params:
        if name == "filter" and name in allowed:
            return stt_error(
                400, "InvalidRequest", "The emulator does not filter listings.", "UnsupportedFilter"
            )
        if name != "api-version" and name not in allowed and name.lower() not in _EMULATOR_QUERY:
            return stt_error(
                400, "InvalidRequest", f"Unknown query parameter '{name}'.", "InvalidParameter"
            )
    version = request.query_params.get("api-version")
    if not version:
        return stt_error(400, "InvalidRequest", "The api-version query parameter is required.")
    if version not in API_VERSIONS:
        return stt_error(400, "InvalidRequest", f"Unsupported api-version {version!r}.")
    return None


def parse_body(raw: bytes, model: type[_Strict]) -> tuple[Any, Response | None]:
    """*raw* (a JSON body) as *model*, or a 400 naming the first problem."""
    try:
        return model.model_validate_json(raw or b"null"), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        kind = first["type"]
        if kind == "extra_forbidden":
            message = f"Unknown field '{where}'."
        elif kind == "missing":
            message = f"The field '{where}' is required."
        elif kind == "json_invalid":
            message = "The request body is not valid JSON."
        else:
            message = f"Invalid value for '{where}': {first['msg']}."
        return None, stt_error(400, "InvalidRequest", message, "InvalidPayload")


def page_params(request: Request, cap: int) -> tuple[int, int] | Response:
    """``(skip, top)`` of a list request (top capped by *cap*), or a 400."""
    try:
        skip = int(request.query_params.get("skip", "0"))
        top = int(request.query_params.get("top", str(MAX_PAGE)))
    except ValueError:
        return stt_error(
            400, "InvalidArgument", "skip and top must be integers.", "InvalidParameter"
        )
    if skip < 0 or top < 1:
        return stt_error(
            400, "InvalidArgument", "skip must be >= 0 and top >= 1.", "InvalidParameter"
        )
    return skip, min(top, cap, MAX_PAGE)

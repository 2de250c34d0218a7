"""Batch synthesis (long audio) over REST: ``client.tts.batch``.

API version 2024-04-01: ``PUT/GET/DELETE {endpoint}/texttospeech/batchsyntheses/{id}``
and ``GET .../batchsyntheses`` (paged with ``nextLink``). The results archive
is a SAS URL: it is downloaded without the resource key or token.

Everything but the body of ``create`` is the generic job core
(:mod:`azspeech._jobs`): ``get``, ``list``, ``delete``, ``wait`` and
``download`` come from there, with per-call ``timeout=``, ``extra_headers=``
and ``extra_query=`` (``extra_body=`` on ``create``) and the service's
request id as ``job.request_id``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._jobs import AsyncJobs, CreateCall, JobKind, SyncJobs, job_create
from ..audio.formats import OutputFormat
from ..errors import InvalidRequestError
from ..models.tts import BatchSynthesis
from ..ssml import is_ssml

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions

__all__ = ["API_VERSION", "BATCH_SYNTHESIS", "AsyncBatchSyntheses", "BatchSyntheses", "create_body"]

API_VERSION = "2024-04-01"
_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")

ProgressCallback = Callable[[BatchSynthesis], Any]


def _check_id(job_id: str, what: str = "batch synthesis id") -> str:
    if not isinstance(job_id, str) or not _ID.match(job_id):
        raise InvalidRequestError(
            f"invalid {what} {job_id!r}: 3 to 64 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    return job_id


BATCH_SYNTHESIS = JobKind(
    what="batch synthesis",
    path="/texttospeech/batchsyntheses",
    api_version=API_VERSION,
    model=BatchSynthesis,
    check_id=_check_id,
    result_url=lambda job: job.outputs.result if job.outputs else None,
)
"""The batch synthesis job API: client-chosen ids (PUT), ``value``/``nextLink`` pages."""


def create_body(
    inputs: str | Sequence[str],
    *,
    voice: str | None,
    input_kind: str | None,
    output_format: str | OutputFormat | None,
    description: str | None,
    style: str | None,
    rate: str | None,
    pitch: str | None,
    volume: str | None,
    custom_voices: Mapping[str, str] | None,
    word_boundary: bool | None,
    sentence_boundary: bool | None,
    concatenate_result: bool | None,
    decompress_output_files: bool | None,
    time_to_live_in_hours: int | None,
    destination_container_url: str | None,
    destination_path: str | None,
) -> dict[str, Any]:
    """The ``BatchSynthesis`` body of a create request, checked."""
    items = [inputs] if isinstance(inputs, str) else list(inputs)
    if not items:
        raise InvalidRequestError("a batch synthesis needs at least one input")
    if len(items) > 10_000:
        raise InvalidRequestError("a batch synthesis takes at most 10000 inputs")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise InvalidRequestError(f"input {i} is empty or not a string")
    kinds = {is_ssml(item) for item in items}
    if input_kind is None:
        if len(kinds) > 1:
            raise InvalidRequestError(
                "inputs mix SSML and plain text; pass input_kind or make them all one kind"
            )
        input_kind = "SSML" if kinds == {True} else "PlainText"
    if input_kind not in ("PlainText", "SSML"):
        raise InvalidRequestError(f"input_kind must be 'PlainText' or 'SSML', not {input_kind!r}")
    body: dict[str, Any] = {
        "inputKind": input_kind,
        "inputs": [{"content": item} for item in items],
    }
    if description is not None:
        body["description"] = description
    if input_kind == "PlainText":
        if not voice:
            raise InvalidRequestError("plain-text batch synthesis needs voice=...")
        config: dict[str, Any] = {"voice": voice}
        for name, value in (("style", style), ("rate", rate), ("pitch", pitch), ("volume", volume)):
            if value is not None:
                config[name] = str(value)
        body["synthesisConfig"] = config
    elif voice or style or rate or pitch or volume:
        raise InvalidRequestError(
            "voice, style, rate, pitch and volume apply to plain-text input; "
            "with SSML put them into the SSML"
        )
    if custom_voices:
        for name, deployment in custom_voices.items():
            _check_id(deployment, f"deployment id of custom voice {name!r}")
        body["customVoices"] = dict(custom_voices)
    props: dict[str, Any] = {}
    if output_format is not None:
        props["outputFormat"] = OutputFormat.parse(output_format).value
    for key, val in (
        ("wordBoundaryEnabled", word_boundary),
        ("sentenceBoundaryEnabled", sentence_boundary),
        ("concatenateResult", concatenate_result),
        ("decompressOutputFiles", decompress_output_files),
        ("destinationContainerUrl", destination_container_url),
        ("destinationPath", destination_path),
    ):
        if val is not None:
            props[key] = val
    if time_to_live_in_hours is not None:
        if not 0 < time_to_live_in_hours <= 744:
            raise InvalidRequestError("time_to_live_in_hours must be between 1 and 744")
        props["timeToLiveInHours"] = time_to_live_in_hours
    if props:
        body["properties"] = props
    return body


def _create_call(
    inputs: str | Sequence[str],
    *,
    id: str | None = None,
    voice: str | None = None,
    input_kind: str | None = None,
    output_format: str | OutputFormat | None = None,
    description: str | None = None,
    style: str | None = None,
    rate: str | None = None,
    pitch: str | None = None,
    volume: str | None = None,
    custom_voices: Mapping[str, str] | None = None,
    word_boundary: bool | None = None,
    sentence_boundary: bool | None = None,
    concatenate_result: bool | None = None,
    decompress_output_files: bool | None = None,
    time_to_live_in_hours: int | None = None,
    destination_container_url: str | None = None,
    destination_path: str | None = None,
    operation_id: str | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Start a batch synthesis of *inputs* (texts or SSML documents); returns the job.

    *id* is chosen by the client (one is generated if omitted); *operation_id*
    is sent as the ``Operation-Id`` header; *custom_voices* maps custom voice
    names to their deployment ids. Per-call options: ``timeout=``,
    ``extra_headers=``, ``extra_query=``, ``extra_body=`` (merged into the
    body). Then ``wait(job)`` for it to finish and ``download(job, path)``.
    """
    job_id = _check_id(id) if id is not None else "azspeech-" + uuid.uuid4().hex
    headers = {"Operation-Id": _check_id(operation_id, "operation id")} if operation_id else {}
    body = create_body(
        inputs, voice=voice, input_kind=input_kind, output_format=output_format,
        description=description, style=style, rate=rate, pitch=pitch, volume=volume,
        custom_voices=custom_voices, word_boundary=word_boundary,
        sentence_boundary=sentence_boundary, concatenate_result=concatenate_result,
        decompress_output_files=decompress_output_files,
        time_to_live_in_hours=time_to_live_in_hours,
        destination_container_url=destination_container_url,
        destination_path=destination_path,
    )  # fmt: skip
    return CreateCall(body, job_id, headers, options)


class AsyncBatchSyntheses(AsyncJobs[BatchSynthesis]):
    """Batch synthesis jobs (async): create, get, list, delete, wait, download."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, BATCH_SYNTHESIS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> BatchSynthesis:
        return await self._create(call)


class BatchSyntheses(SyncJobs[BatchSynthesis]):
    """Batch synthesis jobs (blocking): create, get, list, delete, wait, download."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, BATCH_SYNTHESIS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> BatchSynthesis:
        return self._create(call)

"""Batch synthesis (long audio) over REST: ``client.tts.batch``.

API version 2024-04-01: ``PUT/GET/DELETE {endpoint}/texttospeech/batchsyntheses/{id}``
and ``GET .../batchsyntheses`` (paged with ``nextLink``). The results archive
is a SAS URL: it is downloaded without the resource key or token.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._protocol.framing import Limits, loads_json
from .._transport.http import HttpRequest
from ..audio.formats import OutputFormat
from ..errors import InvalidRequestError, ProtocolError, TimeoutError
from ..models.tts import BatchSynthesis
from ..ssml import is_ssml

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient
    from ..endpoints import Endpoints

__all__ = ["API_VERSION", "AsyncBatchSyntheses", "BatchSyntheses"]

API_VERSION = "2024-04-01"
_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")
_MAX_PAGES = 10_000

ProgressCallback = Callable[[BatchSynthesis], Any]


def _check_id(job_id: str, what: str = "batch synthesis id") -> str:
    if not isinstance(job_id, str) or not _ID.match(job_id):
        raise InvalidRequestError(
            f"invalid {what} {job_id!r}: 3 to 64 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit"
        )
    return job_id


def _id_of(job: str | BatchSynthesis) -> str:
    return _check_id(job.id if isinstance(job, BatchSynthesis) else job)


def _url(endpoints: Endpoints, job_id: str | None = None) -> str:
    path = "/texttospeech/batchsyntheses" + (f"/{job_id}" if job_id else "")
    return endpoints.rest(path)


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


def _create_request(
    endpoints: Endpoints, job_id: str, body: dict[str, Any], operation_id: str | None
) -> HttpRequest:
    headers = {"Operation-Id": _check_id(operation_id, "operation id")} if operation_id else {}
    return HttpRequest(
        "PUT",
        _url(endpoints, job_id),
        headers=headers,
        params={"api-version": API_VERSION},
        json=body,
        retry_safe=True,  # PUT with a client-chosen id is idempotent
        what="batch synthesis create",
    )


def _get_request(endpoints: Endpoints, job_id: str) -> HttpRequest:
    return HttpRequest(
        "GET", _url(endpoints, job_id), params={"api-version": API_VERSION}, what="batch synthesis"
    )


def _delete_request(endpoints: Endpoints, job_id: str) -> HttpRequest:
    return HttpRequest(
        "DELETE",
        _url(endpoints, job_id),
        params={"api-version": API_VERSION},
        what="batch synthesis delete",
    )


def _list_request(
    endpoints: Endpoints, url: str | None, skip: int | None, max_page_size: int | None
) -> HttpRequest:
    if url is not None:
        return HttpRequest("GET", url, what="batch synthesis list")
    params: dict[str, str | int] = {"api-version": API_VERSION}
    if skip is not None:
        params["skip"] = skip
    if max_page_size is not None:
        params["maxpagesize"] = max_page_size
    return HttpRequest("GET", _url(endpoints), params=params, what="batch synthesis list")


def _job(response: Any, limits: Limits) -> BatchSynthesis:
    """The job in a create/get answer."""
    return BatchSynthesis.model_validate(
        loads_json(response.content, limits=limits, what="batch synthesis")
    )


def _parse_page(data: Any, endpoints: Endpoints) -> tuple[list[BatchSynthesis], str | None]:
    if not isinstance(data, Mapping) or not isinstance(data.get("value"), list):
        raise ProtocolError("batch synthesis list: expected an object with a 'value' array")
    jobs = [BatchSynthesis.model_validate(item) for item in data["value"]]
    next_link = data.get("nextLink") or data.get("@nextLink")
    if next_link is not None:
        if not isinstance(next_link, str):
            raise ProtocolError("batch synthesis list: nextLink is not a string")
        base, nxt = urlsplit(endpoints.api_base), urlsplit(next_link)
        if (nxt.scheme, nxt.netloc) != (base.scheme, base.netloc):
            # Never send credentials to a host the client was not configured for.
            raise ProtocolError(
                f"batch synthesis list: nextLink points to another host ({nxt.netloc})"
            )
    return jobs, next_link


def _download_request(job: BatchSynthesis) -> HttpRequest:
    if not job.succeeded:
        raise InvalidRequestError(
            f"batch synthesis {job.id!r} has status {job.status!r}; "
            "only a succeeded job has results"
        )
    url = job.outputs.result if job.outputs else None
    if not url or not urlsplit(url).scheme:
        raise InvalidRequestError(
            f"batch synthesis {job.id!r} has no downloadable result URL "
            "(with destinationContainerUrl the results are in your container)"
        )
    # A SAS URL: authorised by its query string; the key or token must not go with it.
    return HttpRequest("GET", url, authenticate=False, what="batch synthesis result download")


def _new_id() -> str:
    return "azspeech-" + uuid.uuid4().hex


def _check_wait(poll_interval: float, timeout: float | None) -> float | None:
    """Check ``wait``'s arguments; return its deadline (monotonic clock), if any."""
    if poll_interval <= 0:
        raise InvalidRequestError("poll_interval must be positive")
    if timeout is not None and timeout <= 0:
        raise InvalidRequestError("timeout must be positive")
    return None if timeout is None else time.monotonic() + timeout


def _check_deadline(
    job: BatchSynthesis, deadline: float | None, poll_interval: float, timeout: float | None
) -> None:
    """Raise TimeoutError when the next poll would come after the deadline."""
    if deadline is not None and time.monotonic() + poll_interval > deadline:
        raise TimeoutError(f"batch synthesis {job.id!r} still {job.status} after {timeout:g} s")


class AsyncBatchSyntheses:
    """Batch synthesis jobs (async): create, get, list, delete, wait, download."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    @property
    def _endpoints(self) -> Endpoints:
        return self._client._config.endpoints

    async def create(
        self,
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
    ) -> BatchSynthesis:
        """Start a batch synthesis of *inputs* (texts or SSML documents).

        *id* is chosen by the client (one is generated if omitted);
        *custom_voices* maps custom voice names to their deployment ids.
        """
        job_id = _check_id(id) if id is not None else _new_id()
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
        response = await self._client._http.send(
            _create_request(self._endpoints, job_id, body, operation_id)
        )
        return _job(response, self._client._config.limits)

    async def get(self, job: str | BatchSynthesis) -> BatchSynthesis:
        """The job's current state."""
        response = await self._client._http.send(_get_request(self._endpoints, _id_of(job)))
        return _job(response, self._client._config.limits)

    async def delete(self, job: str | BatchSynthesis) -> None:
        """Delete the job and its results."""
        await self._client._http.send(_delete_request(self._endpoints, _id_of(job)))

    async def list(
        self, *, max_page_size: int | None = None, skip: int | None = None
    ) -> AsyncIterator[BatchSynthesis]:
        """Every job of the resource, following ``nextLink`` page by page."""
        url: str | None = None
        for _ in range(_MAX_PAGES):
            response = await self._client._http.send(
                _list_request(self._endpoints, url, skip, max_page_size)
            )
            jobs, url = _parse_page(
                loads_json(
                    response.content,
                    limits=self._client._config.limits,
                    what="batch synthesis list",
                ),
                self._endpoints,
            )
            for job in jobs:
                yield job
            if not url:
                return

    async def wait(
        self,
        job: str | BatchSynthesis,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> BatchSynthesis:
        """Poll until the job succeeded or failed and return it (check ``.succeeded``).

        *on_progress* is called with the job after every poll; *timeout*
        (seconds) raises :class:`~azspeech.errors.TimeoutError`.
        """
        deadline = _check_wait(poll_interval, timeout)
        while True:
            current = await self.get(job)
            if on_progress is not None:
                result = on_progress(current)
                if asyncio.iscoroutine(result):
                    await result
            if current.done:
                return current
            _check_deadline(current, deadline, poll_interval, timeout)
            await asyncio.sleep(poll_interval)

    async def download(self, job: str | BatchSynthesis, path: str | Path) -> Path:
        """Save the results archive (a zip) of a succeeded job to *path*; returns the path."""
        current = job if isinstance(job, BatchSynthesis) and job.outputs else await self.get(job)
        target = Path(path)
        tmp = target.with_name(target.name + ".part")
        async with self._client._http.stream(_download_request(current)) as response:
            with tmp.open("wb") as f:
                async for chunk in response.aiter_bytes():
                    f.write(chunk)
        tmp.replace(target)
        return target


class BatchSyntheses:
    """Batch synthesis jobs (blocking): create, get, list, delete, wait, download."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    @property
    def _endpoints(self) -> Endpoints:
        return self._client._config.endpoints

    def create(
        self,
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
    ) -> BatchSynthesis:
        """Start a batch synthesis (see :meth:`AsyncBatchSyntheses.create`)."""
        job_id = _check_id(id) if id is not None else _new_id()
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
        response = self._client._http.send(
            _create_request(self._endpoints, job_id, body, operation_id)
        )
        return _job(response, self._client._config.limits)

    def get(self, job: str | BatchSynthesis) -> BatchSynthesis:
        """The job's current state."""
        response = self._client._http.send(_get_request(self._endpoints, _id_of(job)))
        return _job(response, self._client._config.limits)

    def delete(self, job: str | BatchSynthesis) -> None:
        """Delete the job and its results."""
        self._client._http.send(_delete_request(self._endpoints, _id_of(job)))

    def list(
        self, *, max_page_size: int | None = None, skip: int | None = None
    ) -> Iterator[BatchSynthesis]:
        """Every job of the resource, following ``nextLink`` page by page."""
        url: str | None = None
        for _ in range(_MAX_PAGES):
            response = self._client._http.send(
                _list_request(self._endpoints, url, skip, max_page_size)
            )
            jobs, url = _parse_page(
                loads_json(
                    response.content,
                    limits=self._client._config.limits,
                    what="batch synthesis list",
                ),
                self._endpoints,
            )
            yield from jobs
            if not url:
                return

    def wait(
        self,
        job: str | BatchSynthesis,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> BatchSynthesis:
        """Poll until the job succeeded or failed and return it (check ``.succeeded``)."""
        deadline = _check_wait(poll_interval, timeout)
        while True:
            current = self.get(job)
            if on_progress is not None:
                on_progress(current)
            if current.done:
                return current
            _check_deadline(current, deadline, poll_interval, timeout)
            time.sleep(poll_interval)

    def download(self, job: str | BatchSynthesis, path: str | Path) -> Path:
        """Save the results archive (a zip) of a succeeded job to *path*; returns the path."""
        current = job if isinstance(job, BatchSynthesis) and job.outputs else self.get(job)
        target = Path(path)
        tmp = target.with_name(target.name + ".part")
        with self._client._http.stream(_download_request(current)) as response, tmp.open("wb") as f:
            for chunk in response.iter_bytes():
                f.write(chunk)
        tmp.replace(target)
        return target

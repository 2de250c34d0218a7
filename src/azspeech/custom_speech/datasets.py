"""Datasets: ``client.custom_speech.datasets`` (``/speechtotext/datasets``).

Create one from a URL (``create(..., content_url=...)``), or upload local
files with :meth:`Datasets.upload`: the dataset is created without content,
the file is sent in blocks (``PUT .../blocks?blockid=``, each block read from
disk for its attempt, so a retried block is sent again whole) and the blocks
are committed (``POST .../blocks:commit``); the service then processes it
(``status`` NotStarted → Running → Succeeded/Failed: ``wait(dataset)``).
Several files are zipped first (an acoustic dataset is a zip of audio and
transcripts). A failed upload deletes the half-made dataset.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .._jobs import CreateCall, job_create
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.custom_speech import Dataset, UploadedBlocks
from ._core import API_VERSION, AsyncFileEntities, SyncFileEntities, common_body, entity_kind

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import BodyOptions, RequestOptions
    from ..endpoints import Endpoints

__all__ = ["DATASETS", "DATASET_KINDS", "AsyncDatasets", "Datasets"]

DATASETS = entity_kind("dataset", "datasets", Dataset)
DATASET_KINDS = ("Language", "Acoustic", "Pronunciation", "AudioFiles", "LanguageMarkdown",
                 "OutputFormatting")  # fmt: skip
#: The most the service takes in one block (the spec: up to 8 MiB per block).
MAX_BLOCK_BYTES = 8 * 1024 * 1024
PathLike = Union[str, "os.PathLike[str]"]


def _body(
    display_name: str,
    locale: str,
    kind: str,
    content_url: str | None,
    description: str | None,
    project: Any,
    custom_properties: Mapping[str, str] | None,
    text_normalization: str | None,
) -> dict[str, Any]:
    if kind not in DATASET_KINDS:
        raise InvalidRequestError(f"kind must be one of {', '.join(DATASET_KINDS)}; got {kind!r}")
    body = common_body(
        display_name=display_name, locale=locale, description=description,
        custom_properties=custom_properties, project=project,
    )  # fmt: skip
    body["kind"] = kind
    if content_url is not None:
        if not isinstance(content_url, str) or not content_url.startswith(("https://", "http://")):
            raise InvalidRequestError(f"content_url must be an http(s) URL, got {content_url!r}")
        body["contentUrl"] = content_url
    if text_normalization is not None:
        if text_normalization not in ("Default", "None"):
            raise InvalidRequestError("text_normalization must be 'Default' or 'None'")
        body["properties"] = {"textNormalizationKind": text_normalization}
    return body


def _create_call(
    display_name: str,
    *,
    locale: str,
    kind: str,
    content_url: str,
    description: str | None = None,
    project: Any = None,
    custom_properties: Mapping[str, str] | None = None,
    text_normalization: str | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Create a dataset of *kind* from *content_url* (a SAS URL the service downloads).

    ``wait(dataset)`` for its processing; local files go through :meth:`upload`.
    """
    if content_url is None:
        raise InvalidRequestError("content_url is required (local files: datasets.upload)")
    body = _body(display_name, locale, kind, content_url, description, project,
                 custom_properties, text_normalization)  # fmt: skip
    return CreateCall(body, options=options)


@dataclass
class UploadPlan:
    """The file to send (a zip when several were given) and its blocks."""

    path: Path
    size: int
    block_size: int
    temporary: bool = False

    @classmethod
    def of(cls, files: PathLike | Sequence[PathLike], block_size: int) -> UploadPlan:
        if (
            isinstance(block_size, bool)
            or not isinstance(block_size, int)
            or not (0 < block_size <= MAX_BLOCK_BYTES)
        ):
            raise InvalidRequestError(f"block_size must be 1 to {MAX_BLOCK_BYTES} bytes")
        paths = [Path(files)] if isinstance(files, (str, os.PathLike)) else [Path(p) for p in files]
        if not paths:
            raise InvalidRequestError("files: give at least one file to upload")
        for p in paths:
            if not p.is_file():
                raise InvalidRequestError(f"files: {str(p)!r} is not a file")
            if p.stat().st_size == 0:
                raise InvalidRequestError(f"files: {str(p)!r} is empty")
        if len(paths) == 1:
            return cls(paths[0], paths[0].stat().st_size, block_size)
        names = [p.name for p in paths]
        if len(set(names)) != len(names):
            raise InvalidRequestError("files: two files have the same name")
        fd, tmp = tempfile.mkstemp(suffix=".zip", prefix="azspeech-dataset-")
        os.close(fd)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in paths:
                zf.write(p, arcname=p.name)  # streamed from disk by zipfile
        return cls(Path(tmp), os.path.getsize(tmp), block_size, temporary=True)

    def blocks(self) -> Iterator[tuple[str, int, int]]:
        """(block id, offset, length) of every block; ids are base64 of equal length."""
        for i, offset in enumerate(range(0, self.size, self.block_size)):
            block_id = base64.b64encode(f"block-{i:08d}".encode()).decode()
            yield block_id, offset, min(self.block_size, self.size - offset)

    def reader(self, offset: int, length: int) -> Any:
        def read() -> bytes:
            with self.path.open("rb") as f:
                f.seek(offset)
                return f.read(length)

        return read

    def cleanup(self) -> None:
        if self.temporary:
            with contextlib.suppress(OSError):
                self.path.unlink()


def block_request(dataset_url: str, plan: UploadPlan, block: tuple[str, int, int]) -> HttpRequest:
    """``PUT {dataset}/blocks?blockid=``: one block (idempotent, so retried)."""
    block_id, offset, length = block
    return HttpRequest(
        "PUT", f"{dataset_url}/blocks", params={"api-version": API_VERSION, "blockid": block_id},
        headers={"Content-Type": "application/octet-stream"},
        content=plan.reader(offset, length), retry_safe=True, what="dataset block upload",
    )  # fmt: skip


def commit_request(dataset_url: str, block_ids: list[str]) -> HttpRequest:
    """``POST {dataset}/blocks:commit`` with the block list in order."""
    return HttpRequest(
        "POST", f"{dataset_url}/blocks:commit", params={"api-version": API_VERSION},
        json=[{"kind": "Latest", "id": b} for b in block_ids], retry_safe=True,
        what="dataset block commit",
    )  # fmt: skip


def _upload_call(
    files: PathLike | Sequence[PathLike],
    *,
    display_name: str,
    locale: str,
    kind: str,
    description: str | None,
    project: Any,
    custom_properties: Mapping[str, str] | None,
    text_normalization: str | None,
    block_size: int,
    options: BodyOptions,
) -> tuple[CreateCall, UploadPlan]:
    body = _body(display_name, locale, kind, None, description, project, custom_properties,
                 text_normalization)  # fmt: skip
    return CreateCall(body, options=options), UploadPlan.of(files, block_size)


def _blocks_request(endpoints: Endpoints, dataset: str | Dataset) -> HttpRequest:
    url = DATASETS.url(endpoints, dataset) + "/blocks"
    return HttpRequest("GET", url, params={"api-version": API_VERSION}, what="dataset blocks")


class Datasets(SyncFileEntities[Dataset]):
    """Custom speech datasets (blocking): create, upload, get, list, update, delete, wait, files."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, DATASETS)

    @job_create(_create_call)
    def create(self, call: CreateCall) -> Dataset:
        return self._create(call)

    def upload(
        self,
        files: PathLike | Sequence[PathLike],
        *,
        display_name: str,
        locale: str,
        kind: str,
        description: str | None = None,
        project: Any = None,
        custom_properties: Mapping[str, str] | None = None,
        text_normalization: str | None = None,
        block_size: int = 4 * 1024 * 1024,
        **options: Unpack[BodyOptions],
    ) -> Dataset:
        """Upload local *files* as a new dataset of *kind*; returns it, being processed.

        Several files are zipped first. Then ``wait(dataset)`` for the processing.
        """
        call, plan = _upload_call(
            files, display_name=display_name, locale=locale, kind=kind,
            description=description, project=project, custom_properties=custom_properties,
            text_normalization=text_normalization, block_size=block_size, options=options,
        )  # fmt: skip
        try:
            dataset = self._create(call)
            try:
                url = self._kind.url(self._endpoints, dataset)
                req: RequestOptions = {k: v for k, v in options.items() if k != "extra_body"}  # type: ignore[assignment]
                ids = []
                for block in plan.blocks():
                    self._request_none(block_request(url, plan, block), req)
                    ids.append(block[0])
                self._request_none(commit_request(url, ids), req)
            except Exception:
                with contextlib.suppress(Exception):
                    self.delete(dataset)
                raise
        finally:
            plan.cleanup()
        return self.get(dataset)

    def blocks(self, dataset: str | Dataset, **options: Unpack[RequestOptions]) -> UploadedBlocks:
        """The blocks uploaded so far to *dataset*."""
        return self._request(_blocks_request(self._endpoints, dataset), UploadedBlocks, options)


class AsyncDatasets(AsyncFileEntities[Dataset]):
    """Custom speech datasets (async twin of :class:`Datasets`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, DATASETS)

    @job_create(_create_call)
    async def create(self, call: CreateCall) -> Dataset:
        return await self._create(call)

    async def upload(
        self,
        files: PathLike | Sequence[PathLike],
        *,
        display_name: str,
        locale: str,
        kind: str,
        description: str | None = None,
        project: Any = None,
        custom_properties: Mapping[str, str] | None = None,
        text_normalization: str | None = None,
        block_size: int = 4 * 1024 * 1024,
        **options: Unpack[BodyOptions],
    ) -> Dataset:
        """Upload local *files* as a new dataset (see :meth:`Datasets.upload`)."""
        call, plan = _upload_call(
            files, display_name=display_name, locale=locale, kind=kind,
            description=description, project=project, custom_properties=custom_properties,
            text_normalization=text_normalization, block_size=block_size, options=options,
        )  # fmt: skip
        try:
            dataset = await self._create(call)
            try:
                url = self._kind.url(self._endpoints, dataset)
                req: RequestOptions = {k: v for k, v in options.items() if k != "extra_body"}  # type: ignore[assignment]
                ids = []
                for block in plan.blocks():
                    await self._request_none(block_request(url, plan, block), req)
                    ids.append(block[0])
                await self._request_none(commit_request(url, ids), req)
            except Exception:
                with contextlib.suppress(Exception):
                    await self.delete(dataset)
                raise
        finally:
            plan.cleanup()
        return await self.get(dataset)

    async def blocks(
        self, dataset: str | Dataset, **options: Unpack[RequestOptions]
    ) -> UploadedBlocks:
        """The blocks uploaded so far to *dataset*."""
        return await self._request(
            _blocks_request(self._endpoints, dataset), UploadedBlocks, options
        )

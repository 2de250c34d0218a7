"""Long-running jobs over REST: one type for batch synthesis, batch transcription, avatar...

**The convention: ``create`` + ``wait``** (not Azure's ``begin_*`` returning a
poller), for every job API of this library:

* ``job = client.x.create(...)`` returns the job as the service created it,
  at once; ``client.x.wait(job, timeout=..., on_progress=...)`` polls it to a
  final state; ``get``, ``list``, ``delete`` and ``download`` complete the set.
* Why: these jobs are named resources that outlive the process (minutes to
  hours; batch synthesis ids are even chosen by the caller). Resuming is
  ``wait("my-id")`` from any process, with nothing to serialise, where a
  poller would need a continuation token. ``create`` and ``wait`` read the same
  for both ids (client-chosen PUT ids and server-assigned POST ids with a
  ``self`` URL) and for sync and async code, and it is the API batch synthesis
  already has, so no user code changes. openai-python uses the same shape
  (``create`` then ``poll``).

:class:`JobKind` holds what differs between job APIs (path, api-version,
model, id policy, list paging names, the result URL); :class:`SyncJobs` /
:class:`AsyncJobs` give the operations. A feature's resource derives from one
of them and adds its own ``create(...)`` signature that builds the body and
calls ``self._create(body, ...)``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from ._paging import AsyncPaged, PageCursor, Paged, validate
from ._resource import AsyncAPIResource, BodyOptions, HeaderOptions, RequestOptions, SyncAPIResource
from ._transport.http import HttpRequest
from .errors import (
    InvalidRequestError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechError,
    TimeoutError,
    parse_retry_after,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._client import AsyncSpeechClient, SpeechClient
    from .endpoints import Endpoints

__all__ = [
    "AsyncJobs",
    "CreateCall",
    "JobKind",
    "ProgressCallback",
    "SyncJobs",
    "WaitPlan",
    "job_create",
]

J = TypeVar("J", bound=BaseModel)
P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")
ProgressCallback = Callable[[J], Any]


@dataclass(frozen=True)
class CreateCall:
    """A checked create request: the body, the client's id (None for server ids),
    extra request headers and the per-call options."""

    body: dict[str, Any]
    job_id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    options: BodyOptions = field(default_factory=lambda: BodyOptions())


def job_create(
    prepare: Callable[P, CreateCall],
) -> Callable[[Callable[[S, CreateCall], R]], Callable[Concatenate[S, P], R]]:
    """Give a resource's ``create(self, call)`` the signature and docstring of *prepare*.

    The create parameters of a job API are written once, in *prepare* (which
    checks them and builds the :class:`CreateCall`); the sync and async
    ``create`` are then one line each, and type checkers see *prepare*'s
    parameters on both.
    """

    def decorate(method: Callable[[S, CreateCall], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(prepare)
        def create(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return method(self, prepare(*args, **kwargs))

        create.__name__, create.__qualname__ = method.__name__, method.__qualname__
        return create

    return decorate


_SAFE_ID = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}$")


def _url_safe_id(job_id: str) -> str:
    """Any id that is one safe URL path segment (server-assigned ids: GUIDs)."""
    if not isinstance(job_id, str) or not _SAFE_ID.match(job_id):
        raise InvalidRequestError(f"invalid job id {job_id!r}")
    return job_id


@dataclass(frozen=True)
class JobKind(Generic[J]):
    """What distinguishes one job API: where it lives and how ids, pages and results work.

    ``server_ids``: False for client-chosen ids (``PUT {path}/{id}``, batch
    synthesis and avatar), True for ids the service assigns (``POST
    {path}{create_suffix}``; the job's ``self`` URL is then used to reach it,
    batch transcription). ``result_url`` returns a job's downloadable result
    (a SAS URL, fetched without credentials), or None.
    """

    what: str
    path: str
    api_version: str
    model: type[J]
    server_ids: bool = False
    create_suffix: str = ""
    check_id: Callable[[str], str] = _url_safe_id
    items_key: str = "value"
    page_size_param: str = "maxpagesize"
    done_statuses: frozenset[str] = frozenset({"Succeeded", "Failed"})
    succeeded_status: str = "Succeeded"
    result_url: Callable[[J], str | None] = field(default=lambda job: None)

    # -- requests (no I/O) ------------------------------------------------------------

    def _params(self) -> dict[str, str | int]:
        return {"api-version": self.api_version}

    def id_of(self, job: str | J) -> str:
        """The id of *job* (a job or its id), checked."""
        if isinstance(job, self.model):
            job_id = getattr(job, "id", None)
            own = getattr(job, "self_url", None) or getattr(job, "self", None)
            if not job_id and self.server_ids and isinstance(own, str):
                job_id = urlsplit(own).path.rstrip("/").rsplit("/", 1)[-1]
            return self.check_id(str(job_id or ""))
        if not isinstance(job, str):
            raise InvalidRequestError(f"expected a {self.what} or its id, got {type(job).__name__}")
        return self.check_id(job)

    def url(self, endpoints: Endpoints, job: str | J | None = None) -> str:
        """The collection URL, or the URL of *job*."""
        if job is None:
            return endpoints.rest(self.path)
        if self.server_ids and isinstance(job, self.model):
            own = getattr(job, "self_url", None) or getattr(job, "self", None)
            if isinstance(own, str) and own:
                base, mine = urlsplit(endpoints.rest(self.path)), urlsplit(own)
                if (mine.scheme, mine.netloc) != (base.scheme, base.netloc):
                    raise ProtocolError(f"{self.what}: its self URL is on another host")
                return own
        return endpoints.rest(f"{self.path}/{self.id_of(job)}")

    def create_request(
        self,
        endpoints: Endpoints,
        body: dict[str, Any],
        job_id: str | None,
        headers: Mapping[str, str],
    ) -> HttpRequest:
        """PUT with the client's id (idempotent), or POST for a server-assigned id."""
        if self.server_ids:
            url, method, safe = endpoints.rest(self.path + self.create_suffix), "POST", False
        else:
            assert job_id is not None
            url, method, safe = self.url(endpoints, job_id), "PUT", True
        return HttpRequest(
            method,
            url,
            headers=dict(headers),
            params=self._params(),
            json=body,
            retry_safe=safe,
            what=f"{self.what} create",
        )

    def get_request(self, endpoints: Endpoints, job: str | J) -> HttpRequest:
        return HttpRequest("GET", self.url(endpoints, job), params=self._params(), what=self.what)

    def delete_request(self, endpoints: Endpoints, job: str | J) -> HttpRequest:
        url = self.url(endpoints, job)
        return HttpRequest("DELETE", url, params=self._params(), what=f"{self.what} delete")

    def list_cursor(
        self, endpoints: Endpoints, skip: int | None, page_size: int | None
    ) -> Callable[[], PageCursor[J]]:
        params = self._params()
        for name, value in (("skip", skip), (self.page_size_param, page_size)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise InvalidRequestError(f"{name} must be an integer >= 0, got {value!r}")
                params[name] = value
        first = HttpRequest("GET", self.url(endpoints), params=params, what=f"{self.what} list")
        what = f"{self.what} list"
        model = self.model
        return lambda: PageCursor(
            first, lambda item: validate(model, item, what), items_key=self.items_key
        )

    def download_request(self, job: J) -> HttpRequest:
        """The request for *job*'s results: checked to be a succeeded job with a URL."""
        status = getattr(job, "status", None)
        job_id = getattr(job, "id", None)
        if status != self.succeeded_status:
            raise InvalidRequestError(
                f"{self.what} {job_id!r} has status {status!r}; only a succeeded job has results"
            )
        url = self.result_url(job)
        if not url or urlsplit(url).scheme not in ("http", "https"):
            raise InvalidRequestError(
                f"{self.what} {job_id!r} has no downloadable result URL "
                "(with destinationContainerUrl the results are in your container)"
            )
        # A SAS URL: authorised by its query string; the key or token must not go with it.
        return HttpRequest("GET", url, authenticate=False, what=f"{self.what} result download")

    def is_done(self, job: J) -> bool:
        return getattr(job, "status", None) in self.done_statuses

    def has_results(self, job: str | J) -> bool:
        return isinstance(job, self.model) and bool(self.result_url(job))


#: the least time a poll of :meth:`SyncJobs.wait` gets, even at the end of the wait
MIN_POLL_TIMEOUT = 1.0
#: the longest a service's ``Retry-After`` makes a wait sleep before its next poll
MAX_RETRY_AFTER = 300.0
#: the shortest: a ``Retry-After: 0`` must not turn the wait into a busy loop
MIN_RETRY_AFTER = 0.1


def _throttle_delay(exc: SpeechError) -> float | None:
    """The ``Retry-After`` of a poll answered 429 or 503 with one (poll again), else None."""
    if isinstance(exc, (RateLimitError, ServiceError)) and exc.status_code in (429, 503):
        return exc.retry_after
    return None


class WaitPlan:
    """The polling of :meth:`SyncJobs.wait`: when to poll again, when to give up.

    The next poll comes after ``poll_interval``, or after the ``Retry-After``
    of the last answer when it carried one (a 200, or a 429/503, which is then
    polled again instead of failing the wait), kept between
    :data:`MIN_RETRY_AFTER` and :data:`MAX_RETRY_AFTER`. A next poll that
    would come after the wait's deadline ends the wait at once.
    """

    def __init__(self, kind: JobKind[Any], poll_interval: float, timeout: float | None) -> None:
        if (
            isinstance(poll_interval, bool)
            or not isinstance(poll_interval, (int, float))
            or not poll_interval > 0
        ):
            raise InvalidRequestError("poll_interval must be positive")
        if timeout is not None and (isinstance(timeout, bool) or not timeout > 0):
            raise InvalidRequestError("timeout must be positive")
        self.kind = kind
        self.poll_interval = float(poll_interval)
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.last: Any = None  # the job as last seen

    def expired(self) -> TimeoutError:
        """The error of a wait whose deadline passed (naming the job's last status)."""
        job = self.last
        return TimeoutError(
            f"{self.kind.what} {getattr(job, 'id', '?')!r} still "
            f"{getattr(job, 'status', None)} after {self.timeout:g} s"
        )

    def options(self, options: HeaderOptions) -> RequestOptions:
        """The per-request options of the next poll (its timeout within the wait's)."""
        out: RequestOptions = {**options}  # type: ignore[typeddict-item]
        if self.deadline is not None:
            # Each poll may take the time left, but at least MIN_POLL_TIMEOUT: a wait about to
            # expire still sees the job's status once more (on a loaded machine a poll given
            # milliseconds would time out before the service could answer).
            out["timeout"] = max(self.deadline - time.monotonic(), MIN_POLL_TIMEOUT)
        return out

    def _delay(self, retry_after: float | None) -> float:
        if retry_after is None:
            return self.poll_interval
        return min(max(retry_after, MIN_RETRY_AFTER), MAX_RETRY_AFTER)

    def _beyond_deadline(self, delay: float) -> bool:
        return self.deadline is not None and time.monotonic() + delay > self.deadline

    def next_delay(self, job: Any, retry_after: float | None = None) -> float | None:
        """None if *job* is final, else the seconds to sleep; TimeoutError past the deadline.

        *retry_after*: the poll answer's ``Retry-After``, which replaces the interval.
        """
        self.last = job
        if self.kind.is_done(job):
            return None
        delay = self._delay(retry_after)
        if self._beyond_deadline(delay):
            raise self.expired()
        return delay

    def throttled(self, exc: SpeechError) -> float:
        """The seconds to sleep after a poll that failed with *exc*; *exc* itself if final.

        A 429 or 503 with ``Retry-After`` asks to come back later: the wait
        polls again then, unless that is past the deadline.
        """
        retry_after = _throttle_delay(exc)
        if retry_after is None:
            raise exc
        delay = self._delay(retry_after)
        if self._beyond_deadline(delay):
            raise exc
        return delay

    def past_deadline(self) -> bool:
        """Whether the wait's deadline has passed (a poll cut short by it is the wait's timeout)."""
        return self.deadline is not None and time.monotonic() >= self.deadline


class SyncJobs(SyncAPIResource, Generic[J]):
    """The operations of a job API (blocking): get, list, delete, wait, download."""

    def __init__(self, client: SpeechClient, kind: JobKind[J]) -> None:
        super().__init__(client)
        self._kind = kind

    def _create(self, call: CreateCall) -> J:
        req = self._kind.create_request(self._endpoints, call.body, call.job_id, call.headers)
        return self._request(req, self._kind.model, call.options)

    def get(self, job: str | J, **options: Unpack[RequestOptions]) -> J:
        """The job's current state (*job*: the job or its id)."""
        req = self._kind.get_request(self._endpoints, job)
        return self._request(req, self._kind.model, options)

    def _poll(self, job: str | J, options: RequestOptions) -> tuple[J, float | None]:
        """The job's state and the answer's ``Retry-After``."""
        req = self._kind.get_request(self._endpoints, job)
        response = self._send(req, options, self._json_limit)
        current = self._parse(response, self._kind.model, req.what)
        return current, parse_retry_after(response.headers)

    def delete(self, job: str | J, **options: Unpack[RequestOptions]) -> None:
        """Delete the job and its results."""
        self._request_none(self._kind.delete_request(self._endpoints, job), options)

    def list(
        self,
        *,
        max_page_size: int | None = None,
        skip: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Paged[J]:
        """Every job of the resource, fetched page by page (``.by_page()`` for pages)."""
        return self._paged(self._kind.list_cursor(self._endpoints, skip, max_page_size), options)

    def wait(
        self,
        job: str | J,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_progress: ProgressCallback[J] | None = None,
        **options: Unpack[HeaderOptions],
    ) -> J:
        """Poll until the job succeeded or failed and return it (check ``.succeeded``).

        *on_progress* is called with the job after every poll; past *timeout*
        seconds :class:`~azspeech.errors.TimeoutError` is raised. The service's
        ``Retry-After`` (on a status answer, or on a 429/503, which is then
        polled again) replaces *poll_interval* for the next poll.
        """
        plan = WaitPlan(self._kind, poll_interval, timeout)
        while True:
            try:
                current, retry_after = self._poll(job, plan.options(options))
            except TimeoutError as exc:
                if plan.past_deadline():
                    raise plan.expired() from exc
                raise
            except SpeechError as exc:
                time.sleep(plan.throttled(exc))
                continue
            if on_progress is not None:
                on_progress(current)
            delay = plan.next_delay(current, retry_after)
            if delay is None:
                return current
            time.sleep(delay)

    def download(
        self, job: str | J, path: str | os.PathLike[str], **options: Unpack[RequestOptions]
    ) -> Path:
        """Save the results of a succeeded job to *path* (no credentials sent); returns the path.

        ``timeout=`` bounds the whole download; without it, each read is bounded.
        """
        current = job if self._kind.has_results(job) else self.get(job)
        assert isinstance(current, self._kind.model)
        return self._download(self._kind.download_request(current), path, options)


class AsyncJobs(AsyncAPIResource, Generic[J]):
    """The operations of a job API (async twin of :class:`SyncJobs`)."""

    def __init__(self, client: AsyncSpeechClient, kind: JobKind[J]) -> None:
        super().__init__(client)
        self._kind = kind

    async def _create(self, call: CreateCall) -> J:
        req = self._kind.create_request(self._endpoints, call.body, call.job_id, call.headers)
        return await self._request(req, self._kind.model, call.options)

    async def get(self, job: str | J, **options: Unpack[RequestOptions]) -> J:
        """The job's current state (*job*: the job or its id)."""
        req = self._kind.get_request(self._endpoints, job)
        return await self._request(req, self._kind.model, options)

    async def _poll(self, job: str | J, options: RequestOptions) -> tuple[J, float | None]:
        """The job's state and the answer's ``Retry-After``."""
        req = self._kind.get_request(self._endpoints, job)
        response = await self._send(req, options, self._json_limit)
        current = self._parse(response, self._kind.model, req.what)
        return current, parse_retry_after(response.headers)

    async def delete(self, job: str | J, **options: Unpack[RequestOptions]) -> None:
        """Delete the job and its results."""
        await self._request_none(self._kind.delete_request(self._endpoints, job), options)

    def list(
        self,
        *,
        max_page_size: int | None = None,
        skip: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaged[J]:
        """Every job of the resource, fetched page by page (``async for``; ``.by_page()``)."""
        return self._paged(self._kind.list_cursor(self._endpoints, skip, max_page_size), options)

    async def wait(
        self,
        job: str | J,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        on_progress: ProgressCallback[J] | None = None,
        **options: Unpack[HeaderOptions],
    ) -> J:
        """Poll until the job succeeded or failed (see :meth:`SyncJobs.wait`).

        *on_progress* may be a coroutine function.
        """
        plan = WaitPlan(self._kind, poll_interval, timeout)
        while True:
            try:
                current, retry_after = await self._poll(job, plan.options(options))
            except TimeoutError as exc:
                if plan.past_deadline():
                    raise plan.expired() from exc
                raise
            except SpeechError as exc:
                await asyncio.sleep(plan.throttled(exc))
                continue
            if on_progress is not None:
                result = on_progress(current)
                if asyncio.iscoroutine(result):
                    await result
            delay = plan.next_delay(current, retry_after)
            if delay is None:
                return current
            await asyncio.sleep(delay)

    async def download(
        self, job: str | J, path: str | os.PathLike[str], **options: Unpack[RequestOptions]
    ) -> Path:
        """Save the results of a succeeded job to *path* (see :meth:`SyncJobs.download`)."""
        current = job if self._kind.has_results(job) else await self.get(job)
        assert isinstance(current, self._kind.model)
        return await self._download(self._kind.download_request(current), path, options)

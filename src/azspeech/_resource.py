"""The REST core: one base class per client kind, with ``_get/_post/_put/_delete``.

A resource describes a request (:class:`~azspeech._transport.http.HttpRequest`)
and how to read its answer (a model class or a parser); the base class sends
it through the client's transport and returns the parsed result. What every
REST method gets from here, written once:

* per-call :class:`RequestOptions`: ``timeout=`` (per socket operation and the
  total deadline of each attempt), ``extra_headers=``, ``extra_query=`` and,
  for requests with a JSON body, ``extra_body=`` (:class:`BodyOptions`);
* JSON bounded by the client's limits (size after decompression, depth);
* the service's request id on the result: a model parsed here carries it as
  ``result.request_id`` (see :func:`request_id_of`);
* paging (:meth:`SyncAPIResource._paged`) and result downloads without
  credentials (:meth:`SyncAPIResource._download`).

Sync and async resources are hand-written twins whose methods are 1-3 lines
over this core: the request is built by shared, I/O-free code and the twins
differ only in ``await``. A generated twin (httpcore's ``unasync``) would
save the signatures too, but it needs a build step and hides the blocking API
from readers of the source; with the bodies this short, it does not pay.

To adopt it, a resource derives from :class:`SyncAPIResource` /
:class:`AsyncAPIResource` and replaces ``self._client._http.send(req)`` plus
``loads_json(...)`` by ``self._request(req, parse, options)`` (or
``self._get(url, Model, what=...)``) and takes ``**options:
Unpack[RequestOptions]``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

import httpx
from pydantic import BaseModel

from ._paging import AsyncPaged, PageCursor, Paged, validate
from ._protocol.framing import loads_json
from ._transport.http import MAX_BODY_BYTES, HttpRequest
from .errors import InvalidRequestError

if TYPE_CHECKING:
    from ._client import AsyncSpeechClient, SpeechClient
    from .endpoints import Endpoints

__all__ = [
    "AsyncAPIResource",
    "BodyOptions",
    "HeaderOptions",
    "RequestOptions",
    "SyncAPIResource",
    "apply_options",
    "merge_json",
    "request_id_of",
    "response_request_id",
]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Query = Mapping[str, "str | int | float | bool"]


class HeaderOptions(TypedDict, total=False):
    """``extra_headers`` / ``extra_query``: sent as well, for this call only (a header
    the SDK owns, such as the credential, cannot be overridden)."""

    extra_headers: Mapping[str, str] | None
    extra_query: Query | None


class RequestOptions(HeaderOptions, total=False):
    """Per-call options of every REST method: :class:`HeaderOptions` plus ``timeout``,
    seconds for this call only (each socket operation, and the total deadline
    of each attempt's answer)."""

    timeout: float | None


class BodyOptions(RequestOptions, total=False):
    """:class:`RequestOptions` plus ``extra_body``: keys merged into the JSON body
    (nested objects key by key, so ``{"properties": {...}}`` keeps the SDK's own
    properties)."""

    extra_body: Mapping[str, Any] | None


_REQUEST_ID_HEADERS = ("apim-request-id", "x-requestid", "x-request-id", "x-ms-request-id")


def request_id_of(result: object) -> str | None:
    """The service's request id for *result* (a model a REST call returned), if known."""
    rid = getattr(result, "_request_id", None)
    return rid if isinstance(rid, str) else None


def response_request_id(response: httpx.Response) -> str | None:
    """The service's request id in *response*'s headers (``apim-request-id``...), if any."""
    for name in _REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return str(value)
    return None


def _attach_request_id(result: T, response: httpx.Response) -> T:
    rid = response_request_id(response)
    if rid is None:
        return result
    # A private attribute: kept out of model_dump() and equality.
    if isinstance(result, BaseModel):
        object.__setattr__(result, "_request_id", rid)
    elif isinstance(result, list):  # a listing: each model, and a list type that has room
        for item in result:
            if isinstance(item, BaseModel):
                object.__setattr__(item, "_request_id", rid)
        if hasattr(result, "__dict__"):
            result._request_id = rid  # type: ignore[attr-defined]
    return result


def _check_timeout(timeout: object) -> float | None:
    if timeout is None:
        return None
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise InvalidRequestError(
            f"timeout must be a positive, finite number of seconds, got {timeout!r}"
        )
    return float(timeout)


def merge_json(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """*base* with *extra* merged in: nested objects merged key by key, not replaced.

    How ``extra_body`` reaches a JSON body (or, for fast transcription, its
    ``definition`` part).
    """
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = merge_json(old, value)
        else:
            out[key] = value
    return out


def _split_query(url: str) -> tuple[str, dict[str, str | list[str]]]:
    """*url* without its query, and the query as params.

    httpx *replaces* a URL's query with ``params=``: a short-audio URL or a
    ``nextLink`` given ``extra_query`` would lose its own parameters.
    """
    parsed = httpx.URL(url)
    if not parsed.query:
        return url, {}
    own: dict[str, str | list[str]] = {}
    for key in parsed.params:
        values = parsed.params.get_list(key)
        own[key] = values[0] if len(values) == 1 else values
    return str(parsed.copy_with(query=None)), own


def apply_options(req: HttpRequest, options: BodyOptions | RequestOptions) -> HttpRequest:
    """A copy of *req* with the per-call options applied (checked)."""
    unknown = set(options) - set(BodyOptions.__annotations__)
    if unknown:
        raise InvalidRequestError(f"unknown request option(s): {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    timeout = _check_timeout(options.get("timeout"))
    if timeout is not None:
        changes["timeout"] = timeout
    headers = options.get("extra_headers")
    if headers:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise InvalidRequestError("extra_headers must map header names to strings")
        changes["headers"] = {**req.headers, **headers}
    query = options.get("extra_query")
    if query:
        url, own = _split_query(req.url)
        changes["url"] = url
        changes["params"] = {**own, **(req.params or {}), **query}
    body = cast("BodyOptions", options).get("extra_body")
    if body:
        if not isinstance(req.json, dict):
            raise InvalidRequestError(
                f"{req.what}: extra_body applies to requests with a JSON body"
            )
        changes["json"] = merge_json(req.json, body)
    return dataclasses.replace(req, **changes) if changes else req


def _parser(
    cast_to: type[T] | Callable[[Any], T], limits_json: Callable[[httpx.Response, str], Any]
) -> Callable[[httpx.Response, str], T]:
    if isinstance(cast_to, type) and issubclass(cast_to, BaseModel):
        model = cast_to

        def parse_model(response: httpx.Response, what: str) -> T:
            return cast("T", validate(model, limits_json(response, what), what))

        return parse_model
    fn = cast("Callable[[Any], T]", cast_to)
    return lambda response, what: fn(limits_json(response, what))


class _ResourceBase:
    _client: SpeechClient | AsyncSpeechClient

    @property
    def _endpoints(self) -> Endpoints:
        return self._client._config.endpoints

    def _json(self, response: httpx.Response, what: str) -> Any:
        """The JSON of *response*, bounded by the client's limits."""
        return loads_json(response.content, limits=self._client._config.limits, what=what)

    def _parse(
        self, response: httpx.Response, cast_to: type[T] | Callable[[Any], T], what: str
    ) -> T:
        """*response*'s JSON as *cast_to* (a model class or a parser), request id attached."""
        return _attach_request_id(_parser(cast_to, self._json)(response, what), response)

    @property
    def _json_limit(self) -> int:
        return self._client._config.limits.max_frame_bytes

    @staticmethod
    def _request_of(
        method: str,
        url: str,
        what: str,
        params: Query | None,
        json: Any,
        headers: Mapping[str, str] | None,
        retry_safe: bool | None,
    ) -> HttpRequest:
        return HttpRequest(
            method,
            url,
            headers=dict(headers or {}),
            params=params,
            json=json,
            retry_safe=retry_safe,
            what=what,
        )


def _part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


class SyncAPIResource(_ResourceBase):
    """Base of the blocking REST resources."""

    def __init__(self, client: SpeechClient) -> None:
        self._client: SpeechClient = client

    def _send(
        self, req: HttpRequest, options: BodyOptions | RequestOptions, max_bytes: int
    ) -> httpx.Response:
        self._client._check_open()
        return self._client._http.send(apply_options(req, options), max_bytes=max_bytes)

    def _request(
        self,
        req: HttpRequest,
        cast_to: type[T] | Callable[[Any], T],
        options: BodyOptions | RequestOptions,
    ) -> T:
        """Send *req* and parse its JSON answer as *cast_to*."""
        response = self._send(req, options, self._json_limit)
        return self._parse(response, cast_to, req.what)

    def _request_none(self, req: HttpRequest, options: RequestOptions) -> str | None:
        """Send *req*, ignore its body; return the service's request id."""
        return response_request_id(self._send(req, options, MAX_BODY_BYTES))

    def _get(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        params: Query | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """GET *url* and parse the answer."""
        req = self._request_of("GET", url, what, params, None, None, None)
        return self._request(req, cast_to, options or {})

    def _post(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        json: Any = None,
        params: Query | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
        options: BodyOptions | None = None,
    ) -> T:
        """POST *json* to *url* and parse the answer."""
        req = self._request_of("POST", url, what, params, json, headers, retry_safe)
        return self._request(req, cast_to, options or {})

    def _put(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        json: Any = None,
        params: Query | None = None,
        headers: Mapping[str, str] | None = None,
        options: BodyOptions | None = None,
    ) -> T:
        """PUT *json* to *url* and parse the answer."""
        req = self._request_of("PUT", url, what, params, json, headers, None)
        return self._request(req, cast_to, options or {})

    def _delete(
        self,
        url: str,
        *,
        what: str,
        params: Query | None = None,
        options: RequestOptions | None = None,
    ) -> str | None:
        """DELETE *url*; returns the service's request id."""
        req = self._request_of("DELETE", url, what, params, None, None, None)
        return self._request_none(req, options or {})

    def _paged(self, cursor: Callable[[], PageCursor[T]], options: RequestOptions) -> Paged[T]:
        """An iterable over every item of a paged listing, fetched page by page."""

        def fetch(req: HttpRequest) -> tuple[Any, str | None]:
            response = self._send(req, options, self._json_limit)
            return self._json(response, req.what), response_request_id(response)

        return Paged(cursor, fetch)

    def _download(
        self, req: HttpRequest, path: str | os.PathLike[str], options: RequestOptions
    ) -> Path:
        """Stream *req*'s body into *path* (atomically, through a ``.part`` file)."""
        self._client._check_open()
        target = Path(path)
        tmp = _part_path(target)
        request = apply_options(req, options)
        try:
            with (
                self._client._http.stream(request, body_deadline=False) as response,
                tmp.open("wb") as f,
            ):
                for chunk in response.iter_bytes():
                    f.write(chunk)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)  # a failed download leaves nothing behind
        return target


class AsyncAPIResource(_ResourceBase):
    """Base of the async REST resources (the twin of :class:`SyncAPIResource`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client: AsyncSpeechClient = client

    async def _send(
        self, req: HttpRequest, options: BodyOptions | RequestOptions, max_bytes: int
    ) -> httpx.Response:
        self._client._check_open()
        return await self._client._http.send(apply_options(req, options), max_bytes=max_bytes)

    async def _request(
        self,
        req: HttpRequest,
        cast_to: type[T] | Callable[[Any], T],
        options: BodyOptions | RequestOptions,
    ) -> T:
        """Send *req* and parse its JSON answer as *cast_to*."""
        response = await self._send(req, options, self._json_limit)
        return self._parse(response, cast_to, req.what)

    async def _request_none(self, req: HttpRequest, options: RequestOptions) -> str | None:
        """Send *req*, ignore its body; return the service's request id."""
        return response_request_id(await self._send(req, options, MAX_BODY_BYTES))

    async def _get(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        params: Query | None = None,
        options: RequestOptions | None = None,
    ) -> T:
        """GET *url* and parse the answer."""
        req = self._request_of("GET", url, what, params, None, None, None)
        return await self._request(req, cast_to, options or {})

    async def _post(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        json: Any = None,
        params: Query | None = None,
        headers: Mapping[str, str] | None = None,
        retry_safe: bool | None = None,
        options: BodyOptions | None = None,
    ) -> T:
        """POST *json* to *url* and parse the answer."""
        req = self._request_of("POST", url, what, params, json, headers, retry_safe)
        return await self._request(req, cast_to, options or {})

    async def _put(
        self,
        url: str,
        cast_to: type[T] | Callable[[Any], T],
        *,
        what: str,
        json: Any = None,
        params: Query | None = None,
        headers: Mapping[str, str] | None = None,
        options: BodyOptions | None = None,
    ) -> T:
        """PUT *json* to *url* and parse the answer."""
        req = self._request_of("PUT", url, what, params, json, headers, None)
        return await self._request(req, cast_to, options or {})

    async def _delete(
        self,
        url: str,
        *,
        what: str,
        params: Query | None = None,
        options: RequestOptions | None = None,
    ) -> str | None:
        """DELETE *url*; returns the service's request id."""
        req = self._request_of("DELETE", url, what, params, None, None, None)
        return await self._request_none(req, options or {})

    def _paged(self, cursor: Callable[[], PageCursor[T]], options: RequestOptions) -> AsyncPaged[T]:
        """An async iterable over every item of a paged listing, fetched page by page."""

        async def fetch(req: HttpRequest) -> tuple[Any, str | None]:
            response = await self._send(req, options, self._json_limit)
            return self._json(response, req.what), response_request_id(response)

        return AsyncPaged(cursor, fetch)

    async def _download(
        self, req: HttpRequest, path: str | os.PathLike[str], options: RequestOptions
    ) -> Path:
        """Stream *req*'s body into *path* (atomically, through a ``.part`` file)."""
        self._client._check_open()
        target = Path(path)
        tmp = _part_path(target)
        request = apply_options(req, options)
        try:
            async with self._client._http.stream(request, body_deadline=False) as response:
                with tmp.open("wb") as f:
                    async for chunk in response.aiter_bytes():
                        f.write(chunk)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)  # a failed download leaves nothing behind
        return target

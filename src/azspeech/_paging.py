"""Paged listings: :class:`Paged` (blocking) and :class:`AsyncPaged`, one cursor for both.

Azure's list operations answer ``{"value": [...], "nextLink": "..."}`` (or
``@nextLink``). :class:`PageCursor` is the I/O-free part: it says which request
comes next and turns each page's JSON into items, refusing

* a ``nextLink`` on another host or scheme than the listing's (the request
  would carry the key or token there);
* a ``nextLink`` already followed (a page loop would repeat its items forever);
* more than ``max_pages`` pages.

Iterating a ``Paged`` yields the items across pages; :meth:`Paged.by_page`
yields :class:`Page` objects (items, ``next_link``, ``request_id``). Each
iteration starts again from the first page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from ._transport.http import HttpRequest
from .errors import ProtocolError

__all__ = ["MAX_PAGES", "AsyncPaged", "Page", "PageCursor", "Paged", "validate"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MAX_PAGES = 10_000


def validate(model: type[M], data: Any, what: str) -> M:
    """*data* (the service's JSON) as *model*; a shape the model refuses is a ProtocolError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        detail = str(exc)
        if errors:
            where = ".".join(str(p) for p in errors[0]["loc"]) or "body"
            detail = f"{where}: {errors[0]['msg']}"
        raise ProtocolError(f"{what}: unexpected answer from the service ({detail})") from exc


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing: its ``items``, the ``next_link`` (None on the last page)
    and the service's ``request_id`` for it."""

    items: list[T]
    next_link: str | None = None
    request_id: str | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _full_url(req: HttpRequest) -> str:
    params = {
        k: (str(v).lower() if isinstance(v, bool) else v) for k, v in (req.params or {}).items()
    }
    return str(httpx.URL(req.url, params=params)) if params else str(httpx.URL(req.url))


@dataclass
class PageCursor(Generic[T]):
    """Where a listing is: the next request, and the checks on each page."""

    first: HttpRequest
    parse_item: Callable[[Any], T]
    max_pages: int = MAX_PAGES
    items_key: str = "value"
    _next: HttpRequest | None = field(default=None, init=False)
    _seen: set[str] = field(default_factory=set, init=False)
    _pages: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._next = self.first
        self._seen.add(_full_url(self.first))

    def next_request(self) -> HttpRequest | None:
        """The request for the next page; None when the listing is complete."""
        return self._next

    def feed(self, data: Any, request_id: str | None = None) -> Page[T]:
        """The page in *data* (the JSON of the answer to :meth:`next_request`)."""
        what = self.first.what
        self._pages += 1
        if not isinstance(data, Mapping) or not isinstance(data.get(self.items_key), list):
            raise ProtocolError(f"{what}: expected an object with a {self.items_key!r} array")
        items = [self.parse_item(item) for item in data[self.items_key]]
        link = data.get("nextLink") or data.get("@nextLink")
        self._next = None
        if link is not None:
            self._next = self._follow(link)
        return Page(items, link, request_id)

    def _follow(self, link: Any) -> HttpRequest:
        what = self.first.what
        if not isinstance(link, str):
            raise ProtocolError(f"{what}: nextLink is not a string")
        if _origin(link) != _origin(self.first.url):
            # Never send credentials to a host the client was not configured for.
            raise ProtocolError(
                f"{what}: nextLink points to another host ({urlsplit(link).netloc})"
            )
        normal = str(httpx.URL(link))
        if normal in self._seen:
            raise ProtocolError(f"{what}: nextLink points back to a page already read (a loop)")
        if self._pages >= self.max_pages:
            raise ProtocolError(f"{what}: more than {self.max_pages} pages; giving up")
        self._seen.add(normal)
        # The link carries the query (api-version, skip...): send it as it is.
        return replace(self.first, url=link, params=None, json=None)


class Paged(Generic[T]):
    """Every item of a paged listing (blocking): ``for item in paged``, or ``by_page()``."""

    def __init__(
        self,
        cursor: Callable[[], PageCursor[T]],
        fetch: Callable[[HttpRequest], tuple[Any, str | None]],
    ) -> None:
        self._cursor = cursor
        self._fetch = fetch

    def by_page(self) -> Iterator[Page[T]]:
        """The listing page by page."""
        cursor = self._cursor()
        while (req := cursor.next_request()) is not None:
            yield cursor.feed(*self._fetch(req))

    def __iter__(self) -> Iterator[T]:
        for page in self.by_page():
            yield from page.items


class AsyncPaged(Generic[T]):
    """Every item of a paged listing (async): ``async for item in paged``, or ``by_page()``."""

    def __init__(
        self,
        cursor: Callable[[], PageCursor[T]],
        fetch: Callable[[HttpRequest], Awaitable[tuple[Any, str | None]]],
    ) -> None:
        self._cursor = cursor
        self._fetch = fetch

    async def by_page(self) -> AsyncIterator[Page[T]]:
        """The listing page by page."""
        cursor = self._cursor()
        while (req := cursor.next_request()) is not None:
            yield cursor.feed(*await self._fetch(req))

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.by_page():
            for item in page.items:
                yield item

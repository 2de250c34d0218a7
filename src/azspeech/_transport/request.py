"""The description of an HTTP request, as feature code writes it (before auth and retries)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import redact

if TYPE_CHECKING:
    from .body import AttemptBodies

__all__ = ["Content", "FilesFactory", "HttpRequest"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})

Content = bytes | str | Callable[[], Iterable[bytes] | bytes] | None
FilesFactory = Callable[[], Mapping[str, Any]]


@dataclass
class HttpRequest:
    """A request as the feature code describes it, before auth and retries.

    ``content`` may be a callable returning a fresh body for each attempt (so a
    streamed upload can be retried); ``files`` likewise for multipart uploads.
    ``retry_safe`` says whether repeating the request is harmless; it defaults
    to True for idempotent methods. ``timeout`` (seconds) overrides the
    client's for this request: per socket operation, and as the total
    deadline of each attempt's answer. ``expect`` is a Content-Type prefix
    (``"audio/"``) that a successful answer read by ``send()`` must have, with
    a non-empty body: a 204, an empty 200 or an HTML page is then a
    ProtocolError, not a result.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: Mapping[str, str | int | float | bool | list[str]] | None = None
    content: Content = None
    json: Any = None
    files: FilesFactory | None = None
    data: Mapping[str, str] | None = None
    retry_safe: bool | None = None
    authenticate: bool = True
    what: str = "request"
    timeout: float | None = None
    expect: str | None = None

    def __repr__(self) -> str:
        # Headers may hold the key (the STS exchange); bodies may be large. Neither
        # belongs in a repr that debuggers and error trackers capture.
        return f"HttpRequest({self.method} {redact(self.url)}, what={self.what!r})"

    @property
    def safe(self) -> bool:
        if self.retry_safe is not None:
            return self.retry_safe
        return self.method.upper() in _SAFE_METHODS

    def build_kwargs(self, bodies: AttemptBodies | None = None) -> dict[str, Any]:
        """httpx keyword arguments for one attempt (*bodies* keeps uploads replayable)."""
        kwargs: dict[str, Any] = {}
        if self.params is not None:
            kwargs["params"] = {
                k: (str(v).lower() if isinstance(v, bool) else v) for k, v in self.params.items()
            }
        content = self.content() if callable(self.content) else self.content
        if content is not None:
            kwargs["content"] = content
        if self.json is not None:
            kwargs["json"] = self.json
        if self.files is not None:
            files = self.files()
            kwargs["files"] = bodies.files(files) if bodies is not None else files
        if self.data is not None:
            kwargs["data"] = self.data
        return kwargs

"""The one pydantic base class of every service model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    """Base of every model parsed from the service's JSON.

    Unknown fields are kept (``extra="allow"``: the service adds fields
    faster than this library releases), fields can be given by their Python
    name or their wire alias, and numpy-typed fields are allowed. Secrets in
    string fields (SAS signatures of result URLs, tokens) are redacted in
    ``repr``; :attr:`request_id` is the service's id of the REST call that
    returned the object, when it came from one.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, arbitrary_types_allowed=True)

    def __repr_args__(self) -> Any:
        from ..errors import redact

        for name, value in super().__repr_args__():
            yield name, redact(value) if isinstance(value, str) else value

    @property
    def request_id(self) -> str | None:
        """The service's id for the request that returned this object (for support tickets)."""
        rid = getattr(self, "_request_id", None)
        return rid if isinstance(rid, str) else None

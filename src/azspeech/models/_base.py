"""The one pydantic base class of every service model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Model"]


class Model(BaseModel):
    """Base of every model parsed from the service's JSON.

    Unknown fields are kept (``extra="allow"``: the service adds fields
    faster than this library releases), fields can be given by their Python
    name or their wire alias, and numpy-typed fields are allowed.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, arbitrary_types_allowed=True)

"""The one pydantic base class of every service model."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Model", "build_trusted"]

M = TypeVar("M", bound="Model")


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


_new_object = object.__new__
_set_slot = object.__setattr__


def build_trusted(cls: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """An instance of *cls* from *values* already of their declared types, without validation.

    For the hot paths of the sans-I/O codecs only, where each value has been
    parsed and checked by the codec itself: *values* holds **every** field
    of *cls*, in declaration order (the order of ``model_fields``), each of
    exactly the type validation would give; *fields_set* names the ones a
    validating call would have been given explicitly. The instance then
    equals, dumps and prints as ``cls(**given)`` would (the tests of
    ``tests/stt/test_trusted_results.py`` pin this against pydantic).
    """
    obj = _new_object(cls)
    _set_slot(obj, "__dict__", values)
    _set_slot(obj, "__pydantic_fields_set__", fields_set)
    _set_slot(obj, "__pydantic_extra__", {})  # what validation leaves with extra="allow"
    _set_slot(obj, "__pydantic_private__", None)  # no model here declares private attributes
    return obj

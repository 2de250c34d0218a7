"""The request bodies of custom speech and LLM speech, written from the 2025-10-15 OpenAPI.

A small validator: each schema node checks a JSON value and returns the first
problem as a sentence, or None. Objects refuse members the spec does not
define and require the ones it requires, as the service does (400). Read-only
members (``self``, ``status``, ``links``...) are accepted and ignored: a
client may send back an entity it read.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COMMIT_BLOCKS",
    "CREATE",
    "ENHANCED_MODE",
    "MODEL_COPY_AUTHORIZATION",
    "MODEL_COPY_AUTHORIZATION_DEFINITION",
    "UPDATE",
    "Node",
]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class Node(abc.ABC):
    """A schema node."""

    @abc.abstractmethod
    def check(self, value: Any, where: str) -> str | None:
        """The first problem of *value* (at *where*), or None."""


@dataclass(frozen=True)
class Str(Node):
    min_length: int = 0
    uri: bool = False

    def check(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str):
            return f"{where} must be a string."
        if len(value) < self.min_length:
            return f"{where} must not be empty."
        if self.uri and not re.match(r"^https?://[^/\s]+", value):
            return f"{where} must be an absolute http(s) URI."
        return None


@dataclass(frozen=True)
class Bool(Node):
    def check(self, value: Any, where: str) -> str | None:
        return None if isinstance(value, bool) else f"{where} must be a boolean."


@dataclass(frozen=True)
class Int(Node):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, where: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{where} must be an integer."
        if self.minimum is not None and value < self.minimum:
            return f"{where} must be at least {self.minimum}."
        if self.maximum is not None and value > self.maximum:
            return f"{where} must be at most {self.maximum}."
        return None


@dataclass(frozen=True)
class Enum(Node):
    values: tuple[str, ...]

    def check(self, value: Any, where: str) -> str | None:
        if value not in self.values:
            return f"{where} must be one of {', '.join(self.values)}."
        return None


@dataclass(frozen=True)
class Arr(Node):
    item: Node
    max_items: int | None = None

    def check(self, value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where} must be an array."
        if self.max_items is not None and len(value) > self.max_items:
            return f"{where} takes at most {self.max_items} items."
        for i, item in enumerate(value):
            problem = self.item.check(item, f"{where}[{i}]")
            if problem:
                return problem
        return None


@dataclass(frozen=True)
class StrMap(Node):
    """``customProperties``: strings, at most 10, keys up to 64 and values up to 256 long."""

    def check(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return f"{where} must map names to strings."
        if len(value) > 10:
            return f"{where} takes at most 10 entries."
        if any(len(k) > 64 or len(v) > 256 for k, v in value.items()):
            return f"{where}: keys up to 64 and values up to 256 characters."
        return None


@dataclass(frozen=True)
class Anything(Node):
    def check(self, value: Any, where: str) -> str | None:
        return None


@dataclass(frozen=True)
class Obj(Node):
    fields: Mapping[str, Node]
    required: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())

    def check(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} must be a JSON object."
        for name in self.required:
            if name not in value or value[name] is None:
                return f"{where}.{name} is required."
        for name, item in value.items():
            if name in self.read_only:
                continue
            node = self.fields.get(name)
            if node is None:
                return f"{where} has an unknown member {name!r}."
            if item is None:
                continue
            problem = node.check(item, f"{where}.{name}")
            if problem:
                return problem
        return None


TEXT = Str(min_length=1)
URI = Str(min_length=1, uri=True)
REF = Obj({"self": URI}, required=("self",))
_ENTITY_RO = ("self", "createdDateTime", "lastActionDateTime", "links", "status")
_COMMON = {"displayName": TEXT, "description": Str(), "customProperties": StrMap(), "locale": TEXT}
_KINDS = ("Language", "Acoustic", "Pronunciation", "AudioFiles", "LanguageMarkdown",
          "OutputFormatting")  # fmt: skip

CREATE: dict[str, Obj] = {
    "projects": Obj(
        {**_COMMON, "foundryProjectName": Str()},
        required=("displayName", "locale"),
        read_only=_ENTITY_RO,
    ),
    "datasets": Obj(
        {
            **_COMMON,
            "kind": Enum(_KINDS),
            "project": REF,
            "contentUrl": URI,
            "properties": Obj(
                {"textNormalizationKind": Enum(("Default", "None"))},
                read_only=(
                    "acceptedLineCount",
                    "rejectedLineCount",
                    "durationMilliseconds",
                    "error",
                ),
            ),
        },
        required=("displayName", "locale", "kind"),
        read_only=_ENTITY_RO,
    ),
    "models": Obj(
        {
            **_COMMON,
            "baseModel": REF,
            "datasets": Arr(REF),
            "project": REF,
            "properties": Obj(
                {"customModelWeightPercent": Int(1, 100)},
                read_only=("deprecationDates", "features", "error"),
            ),
        },
        required=("displayName", "locale"),
        read_only=_ENTITY_RO,
    ),
    "endpoints": Obj(
        {
            **_COMMON,
            "model": REF,
            "project": REF,
            "properties": Obj({"loggingEnabled": Bool()}, read_only=("error",)),
        },
        required=("displayName", "locale"),
        read_only=_ENTITY_RO,
    ),
    "evaluations": Obj(
        {
            **_COMMON,
            "model1": REF,
            "model2": REF,
            "dataset": REF,
            "transcription1": REF,
            "transcription2": REF,
            "project": REF,
            "properties": Anything(),
        },
        required=("displayName", "model1", "model2", "dataset", "locale"),
        read_only=_ENTITY_RO,
    ),
}

_UPDATE_COMMON = {"displayName": Str(), "description": Str(), "customProperties": StrMap()}
UPDATE: dict[str, Obj] = {
    "projects": Obj({**_UPDATE_COMMON, "foundryProjectName": Str()}),
    "datasets": Obj({**_UPDATE_COMMON, "project": REF}),
    "models": Obj({**_UPDATE_COMMON, "project": REF}),
    "endpoints": Obj(
        {
            **_UPDATE_COMMON,
            "project": REF,
            "model": REF,
            "properties": Obj({"contentLoggingEnabled": Bool()}),
        }
    ),
    "evaluations": Obj({**_UPDATE_COMMON, "project": REF}),
}

COMMIT_BLOCKS = Arr(Obj({"kind": Enum(("Committed", "Uncommitted", "Latest")), "id": TEXT}))
MODEL_COPY_AUTHORIZATION = Obj(
    {
        "targetResourceRegion": TEXT, "targetResourceId": TEXT, "targetResourceEndpoint": TEXT,
        "sourceResourceId": TEXT, "expirationDateTime": TEXT, "id": TEXT,
    },
    required=("targetResourceRegion", "targetResourceId", "targetResourceEndpoint",
              "sourceResourceId", "expirationDateTime", "id"),
)  # fmt: skip
MODEL_COPY_AUTHORIZATION_DEFINITION = Obj(
    {"sourceResourceId": TEXT}, required=("sourceResourceId",)
)
ENHANCED_MODE = Obj(
    {
        "enabled": Bool(), "task": TEXT, "targetLanguage": TEXT, "prompt": Arr(Str()),
        "model": TEXT,
        "modelOptions": Obj({"timestamps": Enum(("word", "segment", "none")),
                             "transcribeStyle": Enum(("verbatim", "clean"))}),
    }
)  # fmt: skip


def is_uuid(value: str) -> bool:
    """Whether *value* is a GUID."""
    return bool(_UUID.match(value))

"""Checks shared by the option objects, and the base of those that add to the wire.

No I/O: the option objects sit below ``_protocol`` (which builds frames from
them) and import only :mod:`azspeech.errors`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidRequestError

__all__ = [
    "OptionGroup",
    "check_bool",
    "check_phrases",
    "choice",
    "deep_merge",
    "ms",
    "optional_int",
    "seconds",
    "section",
    "validate_locale",
]

# BCP-47 as the service uses it: language, optional script, region (en-US, zh-Hans-CN, es-419).
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?-([A-Z]{2}|[0-9]{3})$")


def validate_locale(value: object, what: str = "language") -> str:
    """Return *value* if it looks like ``xx-YY`` (case fixed up), else raise InvalidRequestError."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"{what} must be a locale such as 'en-US', got {value!r}")
    parts = value.strip().replace("_", "-").split("-")
    if len(parts) >= 2:
        parts[0] = parts[0].lower()
        parts[-1] = parts[-1].upper() if parts[-1].isalpha() else parts[-1]
        if len(parts) == 3:
            parts[1] = parts[1].title()
    fixed = "-".join(parts)
    if not _LOCALE_RE.match(fixed):
        raise InvalidRequestError(
            f"{what} {value!r} is not a locale; use a BCP-47 locale such as 'en-US' or 'de-DE'"
        )
    return fixed


def check_phrases(phrases: Sequence[str] | None, weight: float | None) -> list[str]:
    """Validate a phrase list (a list, no empty entries) and its weight (0.0–2.0).

    A bare string is refused: iterating it would make one phrase per letter.
    """
    if phrases is None:
        if weight is not None:
            raise InvalidRequestError("phrase_weight needs a phrase list (phrases=[...])")
        return []
    if isinstance(phrases, (str, bytes)):
        raise InvalidRequestError(
            f"phrases must be a list of strings, not one string: use phrases=[{phrases!r}]"
        )
    if not isinstance(phrases, Sequence) and not hasattr(phrases, "__iter__"):
        raise InvalidRequestError(f"phrases must be a list of strings, got {phrases!r}")
    out: list[str] = []
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not phrase.strip():
            raise InvalidRequestError(f"phrase list entry {i} is empty or not a string: {phrase!r}")
        out.append(phrase.strip())
    if weight is not None and (
        isinstance(weight, bool)
        or not isinstance(weight, (int, float))
        or not math.isfinite(weight)
        or not 0 <= weight <= 2
    ):
        raise InvalidRequestError(f"phrase_weight must be between 0.0 and 2.0, got {weight!r}")
    return out


def seconds(name: str, value: float | None, *, allow_none: bool, allow_zero: bool) -> None:
    """Refuse anything but a finite number of seconds (``None`` only if allowed)."""
    if value is None:
        if not allow_none:
            raise InvalidRequestError(f"{name} must be a number of seconds, got None")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise InvalidRequestError(f"{name} must be a finite number of seconds, {bound}: {value!r}")


def ms(name: str, value: float | None, lo: float = 0.0, hi: float | None = None) -> int | None:
    """Seconds → whole milliseconds for the wire, checked to lie in ``[lo, hi]`` seconds."""
    seconds(name, value, allow_none=True, allow_zero=True)
    if value is None:
        return None
    if value < lo or (hi is not None and value > hi):
        bound = f"from {lo:g} to {hi:g}" if hi is not None else f"at least {lo:g}"
        raise InvalidRequestError(f"{name} must be {bound} seconds, got {value!r}")
    return round(value * 1000)


def optional_int(name: str, value: int | None, lo: int, hi: int | None = None) -> None:
    """Refuse anything but ``None`` or an int in ``[lo, hi]``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise InvalidRequestError(f"{name} must be an int of at least {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise InvalidRequestError(f"{name} must be at most {hi}, got {value!r}")


def check_bool(owner: object, *names: str) -> None:
    """Refuse a non-bool in any of the named fields of *owner* (``"no"`` is truthy)."""
    for name in names:
        value = getattr(owner, name)
        if not isinstance(value, bool):
            raise InvalidRequestError(f"{name} must be True or False, got {value!r}")


def _key(value: str) -> str:
    return value.replace("_", "").replace("-", "").lower()


def choice(name: str, value: object, allowed: Sequence[str]) -> str:
    """The member of *allowed* that *value* spells (any case; ``_``/``-`` optional).

    ``"HundredMark"``, ``"hundred_mark"`` and ``"hundred-mark"`` all give
    ``"hundred_mark"``, so that the service's spelling works too.
    """
    if isinstance(value, str):
        for option in allowed:
            if _key(option) == _key(value):
                return option
    raise InvalidRequestError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def section(parent: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The nested dict at ``parent[k1][k2]...``, created where missing."""
    cur = parent
    for key in keys:
        nxt = cur.get(key)
        if not isinstance(nxt, dict):
            nxt = cur[key] = {}
        cur = nxt
    return cur


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any], path: str = "") -> None:
    """Merge *extra* into *base*: objects merge key by key, at any depth.

    A value the SDK already set may not be changed (the same value is fine):
    that raises :class:`InvalidRequestError` naming the dotted path, because
    the SDK's own options keep the URL, the session and the results consistent.
    """
    for key, value in extra.items():
        where = f"{path}.{key}" if path else str(key)
        if not isinstance(key, str):
            raise InvalidRequestError(f"extra_context keys must be strings, got {key!r}")
        if key not in base:
            base[key] = _plain(value)
        elif isinstance(base[key], dict) and isinstance(value, Mapping):
            deep_merge(base[key], value, where)
        elif base[key] != value:
            raise InvalidRequestError(
                f"extra_context cannot change {where} (the SDK sets it to {base[key]!r} "
                "from its options): use the option that sets it, or add keys it does not set"
            )


def _plain(value: Any) -> Any:
    """A copy of *value* with mappings made dicts (so later merges may add to them)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class OptionGroup:
    """Base of the option objects that add to a recognition's wire messages.

    Each group adds only its own settings: :meth:`add_query` to the URL
    query, :meth:`add_context` to the ``speech.context`` body of each turn,
    :meth:`add_headers` to the headers of a REST request. The defaults add
    nothing.
    """

    def add_query(self, query: dict[str, str]) -> None:
        """Add this group's URL query parameters."""

    def add_context(self, context: dict[str, Any], mode: str) -> None:
        """Add this group's settings to a ``speech.context`` body (*mode*: lower-case)."""

    def add_headers(self, headers: dict[str, str]) -> None:
        """Add this group's REST request headers."""

"""When to retry and how long to wait: one policy for HTTP and WebSocket connects."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ..errors import ConfigurationError

__all__ = ["RETRYABLE_STATUS", "RetryPolicy", "check_max_retries"]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped, honouring the server's Retry-After.

    ``max_retries`` is the number of *extra* attempts after the first. A server
    that asks for a longer wait than ``max_retry_after`` is not retried: the
    error (a :class:`~azspeech.RateLimitError` with ``retry_after``) goes to the
    caller, who can decide to wait that long.
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0

    def should_retry_status(self, status: int, attempt: int) -> bool:
        """Whether an answer with *status* on attempt number *attempt* (0-based) is retried."""
        return status in RETRYABLE_STATUS and attempt < self.max_retries

    def __post_init__(self) -> None:
        check_max_retries(self.max_retries)
        for name in ("initial_backoff", "max_backoff", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ConfigurationError(f"{name} must be a number >= 0, got {value!r}")

    def with_max_retries(self, max_retries: int | None) -> RetryPolicy:
        """This policy with another retry count (a per-call ``max_retries``)."""
        if max_retries is None:
            return self
        return replace(self, max_retries=check_max_retries(max_retries))

    def honours(self, retry_after: float | None) -> bool:
        """Whether a server-requested wait is short enough to wait it out here."""
        return retry_after is None or retry_after <= self.max_retry_after

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before attempt ``attempt + 1`` (``attempt`` is 0-based).

        A server's ``Retry-After`` wins (capped at ``max_retry_after``); otherwise
        a random delay in ``[bound / 2, bound]`` with
        ``bound = min(max_backoff, initial_backoff * 2**attempt)``: jittered so
        that clients do not retry in lockstep, floored so that they never hammer
        the service.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        bound = min(self.max_backoff, self.initial_backoff * (2 ** min(attempt, 32)))
        return random.uniform(bound / 2, bound)


def check_max_retries(value: object) -> int:
    """Validate a ``max_retries`` argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"max_retries must be an integer >= 0 (0 disables retries), got {value!r}"
        )
    return value

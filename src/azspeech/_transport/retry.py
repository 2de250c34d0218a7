"""When to retry and how long to wait: one policy for HTTP and WebSocket connects."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RETRYABLE_STATUS", "RetryPolicy"]

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped, honouring the server's Retry-After.

    ``max_retries`` is the number of *extra* attempts after the first.
    """

    max_retries: int = 2
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0

    def should_retry_status(self, status: int, attempt: int) -> bool:
        """Whether an answer with *status* on attempt number *attempt* (0-based) is retried."""
        return status in RETRYABLE_STATUS and attempt < self.max_retries

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before attempt ``attempt + 1``.

        A server's ``Retry-After`` wins (capped at ``max_retry_after``); otherwise
        a random delay in ``[0, min(max_backoff, initial * 2**attempt)]`` with a
        floor of half that bound, so retries never hammer the service.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        bound = min(self.max_backoff, self.initial_backoff * (2**attempt))
        return random.uniform(bound / 2, bound)

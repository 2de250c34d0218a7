"""Shared helpers for the foundation tests."""

from __future__ import annotations

import pytest

# Realistic-looking secrets (never real ones).
KEY = "0123456789abcdef0123456789abcdef"
KEY2 = "fedcba9876543210fedcba9876543210"
RESOURCE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
    "providers/Microsoft.CognitiveServices/accounts/my-speech"
)


@pytest.fixture
def no_env() -> dict[str, str]:
    """An empty environment for ``_environ=``, so the real one never leaks in."""
    return {}

"""Fixtures of the blob tests: Azurite for the session, a recording storage host on 127.0.0.2.

Without node/npm (or when ``npm ci`` fails) the tests that need Azurite skip
with the reason; under CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from .azurite import ACCOUNT_KEY, Azurite, AzuriteUnavailable, RecordingProxy

pytest.importorskip("azure.storage.blob", reason="the [blob] extra is not installed")


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """``azurite-blob`` for the test session (installed with npm ci on first use)."""
    try:
        server = Azurite().start()
    except AzuriteUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Azurite unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def storage(azurite: Azurite) -> Iterator[RecordingProxy]:
    """A storage host on 127.0.0.2 in front of Azurite, recording every request."""
    proxy = RecordingProxy((azurite.host, azurite.port)).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def container_name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def account_key() -> str:
    return ACCOUNT_KEY

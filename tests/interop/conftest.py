"""Fixtures for the interop tests (official Speech SDK against the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .harness import sdk_unavailable_reason

#: The key the emulator is started with; the SDK is given it unless a test says otherwise.
KEY = "interop-test-key"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    for item in items:
        if "tests/interop/" not in item.nodeid.replace("\\", "/"):
            continue
        item.add_marker(pytest.mark.interop)
        if reason is None:
            reason = sdk_unavailable_reason() or ""
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def emulator() -> Iterator[Any]:
    """An emulator on 127.0.0.1 (ephemeral port) that requires :data:`KEY`."""
    pytest.importorskip("starlette", reason="the emulator needs the [emulator] extra")
    from azspeech.emulator import Emulator

    with Emulator(key=KEY) as emu:
        yield emu

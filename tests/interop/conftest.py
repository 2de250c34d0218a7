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


@pytest.fixture(scope="session")
def _interop_emulator() -> Iterator[Any]:
    """One emulator for the whole interop run (starting one per test costs ~0.4 s)."""
    pytest.importorskip("starlette", reason="the emulator needs the [emulator] extra")
    from azspeech.emulator import Emulator

    with Emulator(key=KEY) as emu:
        yield emu


@pytest.fixture
def emulator(_interop_emulator: Any) -> Iterator[Any]:
    """An emulator on 127.0.0.1 (ephemeral port) that requires :data:`KEY`.

    Shared by all interop tests; each test starts with no faults, no log and
    the default limits (``Emulator.reset``).
    """
    _interop_emulator.reset()
    yield _interop_emulator
    _interop_emulator.reset()

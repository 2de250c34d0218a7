"""Shared fixtures: an emulator on 127.0.0.1 and clients pointed at it.

``emulator`` is one :class:`azspeech.emulator.Emulator` per test session
(started lazily, only by tests that use it), reset (faults, script, log)
before each test that asks for it. ``client`` / ``aclient`` are a blocking and
an async :class:`azspeech.SpeechClient` configured for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator

EMULATOR_KEY = "test-emulator-key"


@pytest.fixture(scope="session")
def _emulator_session() -> Iterator[Emulator]:
    pytest.importorskip("starlette", reason="the emulator needs the [emulator] extra")
    from azspeech.emulator import Emulator

    with Emulator(key=EMULATOR_KEY) as emu:
        yield emu


@pytest.fixture
def emulator(_emulator_session: Emulator) -> Iterator[Emulator]:
    """The session's emulator (key :data:`EMULATOR_KEY`), with faults/script/log cleared."""
    _emulator_session.reset()
    yield _emulator_session
    _emulator_session.reset()


@pytest.fixture
def client(emulator: Emulator) -> Iterator[SpeechClient]:
    """A blocking client for the emulator."""
    with emulator.client(max_retries=0) as c:
        yield c


@pytest.fixture
async def aclient(emulator: Emulator) -> AsyncIterator[AsyncSpeechClient]:
    """An async client for the emulator."""
    async with emulator.async_client(max_retries=0) as c:
        yield c

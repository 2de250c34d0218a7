"""pytest fixtures for testing *your* application against the emulator.

Opt in from your ``conftest.py``::

    pytest_plugins = ["azspeech.emulator.pytest_plugin"]

    def test_greeting(speech_client):
        audio = speech_client.tts.synthesize("Hello.")
        assert speech_client.stt.recognize_once(audio).text == "Hello."

Fixtures:

* ``speech_emulator`` — one :class:`~azspeech.emulator.Emulator` per test
  session on 127.0.0.1 (an ephemeral port), with faults, scripted text and logs
  reset around every test that uses it;
* ``speech_client`` / ``async_speech_client`` — a :class:`~azspeech.SpeechClient`
  / :class:`~azspeech.AsyncSpeechClient` pointed at it (``max_retries=0``, so
  injected faults surface at once).

The names start with ``speech_`` so they do not clash with fixtures of your
own; the plugin is not loaded unless you ask for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .. import AsyncSpeechClient, SpeechClient
    from . import Emulator

__all__ = ["async_speech_client", "speech_client", "speech_emulator"]

KEY = "pytest-emulator-key"


@pytest.fixture(scope="session")
def _speech_emulator_session() -> Iterator[Emulator]:
    from . import Emulator

    with Emulator(key=KEY) as emulator:
        yield emulator


@pytest.fixture
def speech_emulator(_speech_emulator_session: Emulator) -> Iterator[Emulator]:
    """The session's emulator, reset (faults, script, log) before and after the test."""
    _speech_emulator_session.reset()
    yield _speech_emulator_session
    _speech_emulator_session.reset()


@pytest.fixture
def speech_client(speech_emulator: Emulator) -> Iterator[SpeechClient]:
    """A blocking client for the emulator."""
    with speech_emulator.client(max_retries=0) as client:
        yield client


@pytest.fixture
async def async_speech_client(speech_emulator: Emulator) -> AsyncIterator[AsyncSpeechClient]:
    """An async client for the emulator (needs pytest-asyncio or anyio's plugin)."""
    async with speech_emulator.async_client(max_retries=0) as client:
        yield client

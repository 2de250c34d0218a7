"""Shared fixtures: the emulator on 127.0.0.1 and clients pointed at it.

The project's own suite uses the same opt-in plugin users get
(:mod:`azspeech.emulator.pytest_plugin`), under shorter names: ``emulator`` is
one :class:`azspeech.emulator.Emulator` per test session (started lazily, only
by tests that use it), reset (faults, script, log) around each test that asks
for it; ``client`` / ``aclient`` are a blocking and an async client for it
(``max_retries=0``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so that a run of the
# suite (CI's included) passes or fails on the code alone, never on the draw.
# To search new examples: HYPOTHESIS_PROFILE=explore bash scripts/test.sh
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

pytest_plugins = ["azspeech.emulator.pytest_plugin"]

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator


@pytest.fixture
def emulator(speech_emulator: Emulator) -> Emulator:
    """The session's emulator, reset around the test."""
    return speech_emulator


@pytest.fixture
def client(speech_client: SpeechClient) -> SpeechClient:
    """A blocking client for the emulator."""
    return speech_client


@pytest.fixture
def aclient(async_speech_client: AsyncSpeechClient) -> AsyncSpeechClient:
    """An async client for the emulator."""
    return async_speech_client

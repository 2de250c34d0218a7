"""Fixtures of the batch transcription tests: a storage host and sync/async twins."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ._storage import Storage, Twin, storage_host

if TYPE_CHECKING:
    from azspeech.emulator import Emulator


@pytest.fixture
def storage(speech_emulator: Emulator) -> Iterator[Storage]:
    """A storage host on 127.0.0.2; result links of the emulator point at it."""
    with storage_host(speech_emulator.url) as host:
        speech_emulator.state.extra["batch_transcription_storage_url"] = host.url
        speech_emulator.state.extra["batch_transcription_seconds"] = 0.2
        try:
            yield host
        finally:
            speech_emulator.state.extra.pop("batch_transcription_storage_url", None)
            speech_emulator.state.extra.pop("batch_transcription_max_page_size", None)


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest, speech_emulator: Emulator) -> Iterator[Twin]:
    """The blocking or the async client for the emulator (``max_retries=0``)."""
    client = speech_emulator.client(max_retries=0)
    aclient = speech_emulator.async_client(max_retries=0) if request.param == "async" else None
    both = Twin(request.param, client, aclient)
    try:
        yield both
    finally:
        both.close()
        client.close()

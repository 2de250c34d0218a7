"""The session's reliability settings come from one validated Reliability object."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

from azspeech import InvalidRequestError
from azspeech.options import Reliability
from azspeech.stt import AsyncRecognitionSession

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient


@pytest.mark.parametrize(
    "bad",
    [
        {"end_timeout": -1},
        {"end_timeout": math.nan},
        {"replay_buffer_seconds": -1.0},
        {"replay_buffer_seconds": math.inf},
        {"max_reconnects": -1},
        {"chunk_ms": 0},
    ],
)
async def test_bad_settings_are_invalid_requests(
    aclient: AsyncSpeechClient, bad: dict[str, Any]
) -> None:
    with pytest.raises(InvalidRequestError):
        aclient.stt.connect(**bad)


async def test_reliability_object_and_single_settings(aclient: AsyncSpeechClient) -> None:
    options = aclient.stt.connect()._options  # whatever shape the options take
    rel = Reliability(end_timeout=7.0, max_reconnects=2)
    session = AsyncRecognitionSession(aclient, options, reliability=rel)
    assert session.reliability is rel and session.end_timeout == 7.0
    # A setting given on its own overrides the object's.
    session = AsyncRecognitionSession(aclient, options, reliability=rel, max_reconnects=0)
    assert session.max_reconnects == 0 and session.end_timeout == 7.0
    # Built directly, a session does not renew its connection unless asked to.
    assert AsyncRecognitionSession(aclient, options).max_connection_age is None
    # 0 keeps its old meaning: renew right after every final result.
    renewing = AsyncRecognitionSession(aclient, options, max_connection_age=0)
    assert renewing.max_connection_age is not None and renewing.max_connection_age < 1e-300

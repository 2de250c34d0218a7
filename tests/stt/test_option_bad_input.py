"""Bad per-call recognition options fail with InvalidRequestError before anything is sent.

Regressions of issue 14 ("Bad input"): a bare string as a phrase list was
split into one phrase per letter, NaN and infinite timeouts escaped as raw
ValueError/OverflowError. These tests use only keyword names that existed
before the option objects, so they run against the old code too.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

from azspeech.errors import InvalidRequestError

from ._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator


@pytest.fixture(scope="module")
def speech() -> bytes:
    pcm, _ = phrase_audio(["Hello world."], seed=5)
    return wav(pcm)


def _ws_sessions(emulator: Emulator) -> list[Any]:
    return [s for s in emulator.log if "/speech/" in s.path]


def test_bare_string_phrase_list_is_refused_in_recognize_once(
    client: SpeechClient, emulator: Emulator, speech: bytes
) -> None:
    with pytest.raises(InvalidRequestError, match="phrases"):
        client.stt.recognize_once(speech, phrases="Contoso")  # type: ignore[arg-type]
    assert _ws_sessions(emulator) == []  # refused before connecting


async def test_bare_string_phrase_list_is_refused_in_a_session(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequestError, match="phrases"):
        aclient.stt.connect(phrases="Contoso")  # type: ignore[arg-type]
    assert _ws_sessions(emulator) == []


def test_bare_string_phrase_list_is_refused_by_fast_transcription(
    client: SpeechClient, speech: bytes
) -> None:
    # The same rule as real-time recognition (fast transcription always refused it).
    with pytest.raises(InvalidRequestError, match="phrases"):
        client.stt.transcribe(speech, phrases="Contoso")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -1.0])
@pytest.mark.parametrize(
    "name",
    ["initial_silence_timeout", "end_silence_timeout", "segmentation_silence_timeout"],
)
def test_bad_timeouts_are_invalid_requests(
    client: SpeechClient, emulator: Emulator, speech: bytes, name: str, value: float
) -> None:
    with pytest.raises(InvalidRequestError, match=name):
        client.stt.recognize_once(speech, **{name: value})  # type: ignore[arg-type]
    assert _ws_sessions(emulator) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_connection_age": math.nan}, "max_connection_age"),
        ({"replay_buffer_seconds": -5.0}, "replay_buffer_seconds"),
        ({"end_timeout": -1.0}, "end_timeout"),
        ({"segmentation_max_time": math.inf}, "segmentation_max_time"),
    ],
)
async def test_bad_session_settings_are_invalid_requests(
    aclient: AsyncSpeechClient, emulator: Emulator, kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        aclient.stt.connect(**kwargs)  # type: ignore[arg-type]
    assert _ws_sessions(emulator) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"max_upload_bytes": -1}, "max_upload_bytes"), ({"api_version": ""}, "api_version")],
)
def test_bad_fast_transcription_settings_are_invalid_requests(
    client: SpeechClient, speech: bytes, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        client.stt.transcribe(speech, **kwargs)

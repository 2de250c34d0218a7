"""Callbacks add up, can be removed, and may control their own session (blocking and async)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import pytest

from azspeech import InvalidRequestError, StreamClosedError
from azspeech.models.stt import Recognized, SpeechEvent

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient

TEXTS = ["Hello there.", "Good morning.", "See you tomorrow."]


@pytest.fixture(scope="module")
def speech() -> bytes:
    pcm, _ = phrase_audio(TEXTS, gap_ms=(800, 800), seed=4)
    return wav(pcm)


# -- on() / off() -------------------------------------------------------------------------------


async def test_on_adds_to_earlier_callbacks_and_can_be_undone(
    aclient: AsyncSpeechClient, speech: bytes
) -> None:
    seen: dict[str, list[str]] = {"kw": [], "a": [], "b": [], "gone": [], "off": [], "all": []}

    def recorder(name: str) -> Any:
        return lambda event: seen[name].append(event.type)

    async def async_recorder(event: SpeechEvent) -> None:
        seen["a"].append(event.type)

    session = aclient.stt.connect(interim_results=False, on_recognized=recorder("kw"))
    session.on("recognized", async_recorder)
    session.on("recognized", recorder("b"))
    session.on("*", recorder("all"))
    gone = session.on("recognized", recorder("gone"))
    assert gone.remove() is True and gone.remove() is False
    off = recorder("off")
    session.on("recognized", off)
    assert session.off("recognized", off) is True
    async with session:
        await session.send_file(speech)
        texts = [r.text async for r in session.results()]
    assert texts == TEXTS
    assert seen["kw"] == seen["a"] == seen["b"] == ["recognized"] * 3
    assert seen["gone"] == seen["off"] == []
    assert seen["all"][0] == "session_started" and seen["all"][-1] == "session_stopped"


@pytest.mark.parametrize("bad", ["recognised", "Recognized", "", None])
async def test_unknown_event_type_is_an_invalid_request(
    aclient: AsyncSpeechClient, bad: Any
) -> None:
    session = aclient.stt.connect()
    with pytest.raises(InvalidRequestError):
        session.on(bad, print)
    with pytest.raises(InvalidRequestError):
        session.on("recognized", "not callable")  # type: ignore[arg-type]


def test_unknown_event_type_is_an_invalid_request_sync(client: SpeechClient) -> None:
    with client.stt.connect() as session:
        with pytest.raises(InvalidRequestError):
            session.on("recognised", print)
        session.abort()


# -- a blocking callback controls its own session -----------------------------------------------


def test_abort_from_a_blocking_callback_stops_the_session(
    client: SpeechClient, speech: bytes
) -> None:
    got: list[str] = []
    session = client.stt.connect(interim_results=False)

    def stop(event: Recognized) -> None:
        got.append(event.text)
        session.abort()

    with session:
        session.on("recognized", stop)
        with contextlib.suppress(StreamClosedError):  # the abort may close the input first
            session.send_file(speech)
        kinds = [event.type for event in session]
    assert got == ["Hello there."]
    assert kinds.count("recognized") == 1 and kinds[-1] == "session_stopped"
    assert session.error is None and session.session.done


def test_send_and_close_from_a_blocking_callback(client: SpeechClient) -> None:
    first, _ = phrase_audio(["First part."], seed=5)
    second, _ = phrase_audio(["Second part."], seed=6)
    session = client.stt.connect(interim_results=False)

    def more(event: Recognized) -> None:
        if event.text == "First part.":
            session.send(second)  # raw PCM, queued without blocking the loop
            session.close()  # the end of the input; the last results still come

    with session:
        session.on("recognized", more)
        session.send_file(wav(first), close=False)
        texts = [r.text for r in session.results()]
    assert texts == ["First part.", "Second part."]


async def test_abort_from_an_async_callback_stops_the_session(
    aclient: AsyncSpeechClient, speech: bytes
) -> None:
    session = aclient.stt.connect(interim_results=False)

    async def stop(event: Recognized) -> None:
        await session.abort()

    session.on("recognized", stop)
    async with session:
        await session.send_file(speech)
        kinds = [event.type async for event in session]
    assert kinds.count("recognized") == 1 and kinds[-1] == "session_stopped"
    assert session.error is None

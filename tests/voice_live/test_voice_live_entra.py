"""Voice Live with an Entra credential, over a real socket to the emulator."""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.models import voice_live as m


class AccessToken(NamedTuple):
    token: str
    expires_on: int


class Credential:
    """An azure-identity style credential that hands out the emulator's tokens."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


def _headers(emulator: Emulator) -> dict[str, str]:
    return dict([s for s in emulator.log if s.kind == "voice_live"][-1].headers)


async def test_a_bearer_token_for_the_chosen_scope_opens_the_session(emulator: Emulator) -> None:
    credential = Credential(emulator.issue_token())
    async with (
        AsyncSpeechClient(credential=credential, endpoint=emulator.url, max_retries=0) as client,
        client.voice_live.connect("gpt-realtime", scope="https://ai.azure.com/.default") as conn,
    ):
        await conn.send_text("Hello.")
        async for event in conn:
            if isinstance(event, m.ResponseTranscriptDone):
                assert event.transcript == "You said: Hello."
                break
    assert credential.scopes == [("https://ai.azure.com/.default",)]
    headers = _headers(emulator)
    assert headers["authorization"] == f"Bearer {credential.token}"
    assert "api-key" not in headers and "ocp-apim-subscription-key" not in headers


def test_the_blocking_client_sends_the_same_token(emulator: Emulator) -> None:
    credential = Credential(emulator.issue_token())
    with (
        SpeechClient(credential=credential, endpoint=emulator.url, max_retries=0) as client,
        client.voice_live.connect("gpt-realtime", scope="https://ai.azure.com/.default") as conn,
    ):
        first = next(iter(conn))
    assert isinstance(first, m.SessionCreated)
    assert _headers(emulator)["authorization"] == f"Bearer {credential.token}"

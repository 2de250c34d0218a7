"""Foundry resources, the Voice Live URL, the custom-voice host, the key header per feature."""

from __future__ import annotations

import time
import types
import warnings

import pytest

from azspeech import AsyncSpeechClient, ConfigurationError, Endpoints, SpeechClient
from azspeech.auth import (
    AI_SCOPE,
    COGNITIVE_SCOPE,
    KEY_HEADER,
    CredentialAuth,
    KeyAuth,
    StaticTokenAuth,
)
from azspeech.endpoints import VOICE_LIVE_PATH, EndpointKind

from .conftest import KEY

FOUNDRY = "https://my-res.services.ai.azure.com"


def test_foundry_host_is_a_resource_not_a_container() -> None:
    e = Endpoints.from_endpoint(FOUNDRY + "/")
    assert e.kind is EndpointKind.FOUNDRY
    assert e.api_base == FOUNDRY
    assert e.stt("/speech/universal/v2", websocket=True) == (
        "wss://my-res.services.ai.azure.com/stt/speech/universal/v2"
    )
    assert e.tts("/cognitiveservices/v1") == FOUNDRY + "/tts/cognitiveservices/v1"
    assert e.accepts_raw_entra_token


def test_foundry_endpoint_with_a_path_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="has a path"):
        Endpoints.from_endpoint(FOUNDRY + "/voice-live/realtime")


@pytest.mark.parametrize("client_cls", [SpeechClient, AsyncSpeechClient])
def test_foundry_needs_credentials(client_cls: type[SpeechClient]) -> None:
    with pytest.raises(ConfigurationError, match="no credentials"):
        client_cls(endpoint=FOUNDRY, _environ={})


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        (FOUNDRY, "wss://my-res.services.ai.azure.com/voice-live/realtime"),
        (
            "https://my-res.cognitiveservices.azure.com",
            "wss://my-res.cognitiveservices.azure.com/voice-live/realtime",
        ),
        ("http://127.0.0.1:5000", "ws://127.0.0.1:5000/voice-live/realtime"),
    ],
)
def test_voice_live_url(endpoint: str, url: str) -> None:
    e = Endpoints.from_endpoint(endpoint)
    assert e.voice_live() == url
    assert e.voice_live(websocket=False) == url.replace("ws", "http", 1)
    assert VOICE_LIVE_PATH == "/voice-live/realtime"


def test_voice_live_has_no_regional_host() -> None:
    with pytest.raises(ConfigurationError, match=r"services\.ai\.azure\.com"):
        Endpoints.from_region("westeurope").voice_live()


def test_custom_voice_base_and_its_deprecated_name() -> None:
    e = Endpoints.from_region("westeurope")
    assert e.custom_voice_base == "https://westeurope.voice.speech.microsoft.com"
    assert e.tts("/cognitiveservices/v1", custom_voice=True) == (
        "https://westeurope.voice.speech.microsoft.com/cognitiveservices/v1"
    )
    with pytest.warns(DeprecationWarning, match="custom_voice_base"):
        assert e.voice_base == e.custom_voice_base
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Endpoints.from_endpoint(FOUNDRY).custom_voice_base == FOUNDRY + "/tts"


async def test_key_header_is_a_parameter_with_the_old_default() -> None:
    auth = KeyAuth(KEY)
    assert KEY_HEADER == "Ocp-Apim-Subscription-Key"
    assert auth.headers() == {"Ocp-Apim-Subscription-Key": KEY}
    assert auth.headers(key_header="api-key") == {"api-key": KEY}
    assert await auth.aheaders(key_header="api-key") == {"api-key": KEY}
    token = StaticTokenAuth("t" * 40)
    assert token.headers(key_header="api-key") == {"Authorization": "Bearer " + "t" * 40}
    for bad in ("", "a:b", " "):
        with pytest.raises(ConfigurationError, match="header name"):
            auth.headers(key_header=bad)


class _Credential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        self.scopes.append(scopes)
        return types.SimpleNamespace(token="entra-token-0001", expires_on=time.time() + 3600)


async def test_entra_scope_is_a_parameter_with_the_old_default() -> None:
    cred = _Credential()
    cognitive = CredentialAuth(cred, resource_id=None, wrap=False)
    foundry = CredentialAuth(cred, resource_id=None, wrap=False, scope=AI_SCOPE)
    assert cognitive.headers() == {"Authorization": "Bearer entra-token-0001"}
    assert await foundry.aheaders(key_header="api-key") == {
        "Authorization": "Bearer entra-token-0001"
    }
    assert cred.scopes == [(COGNITIVE_SCOPE,), (AI_SCOPE,)]
    with pytest.raises(ConfigurationError, match="scope"):
        CredentialAuth(cred, resource_id=None, wrap=False, scope="ai.azure.com")

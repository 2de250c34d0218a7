"""Per-call options through ``with_options``: another retry count or timeout, same connections."""

from __future__ import annotations

import httpx
import pytest
import respx

from azspeech import AsyncSpeechClient, ConfigurationError, ServiceError, SpeechClient

VOICES = "https://westeurope.tts.speech.microsoft.com/cognitiveservices/voices/list"


@respx.mock
def test_sync_with_options_changes_retries_only_for_the_copy() -> None:
    route = respx.get(VOICES).mock(return_value=httpx.Response(503))
    with SpeechClient(key="k" * 32, region="westeurope", max_retries=2) as client:
        client._http._sleep = client._plain_http._sleep = lambda s: None
        quick = client.with_options(max_retries=0)
        quick._http._sleep = lambda s: None
        with pytest.raises(ServiceError):
            quick.tts.list_voices()
        assert route.call_count == 1
        with pytest.raises(ServiceError):
            client.tts.list_voices()
        assert route.call_count == 1 + 3
        assert quick._http_client is client._http_client
        quick.close()
        assert not client.closed and not client._http_client.is_closed


@respx.mock
async def test_async_with_options() -> None:
    route = respx.get(VOICES).mock(return_value=httpx.Response(502))
    async with AsyncSpeechClient(key="k" * 32, region="westeurope") as client:
        quick = client.with_options(max_retries=0, timeout=3)
        with pytest.raises(ServiceError):
            await quick.tts.list_voices()
        assert route.call_count == 1
        assert quick.config.timeout == 3.0
        request = route.calls[0].request
        assert request.extensions["timeout"]["read"] == 3.0


def test_with_options_checks_its_arguments() -> None:
    with SpeechClient(key="k" * 32, region="westeurope") as client:
        with pytest.raises(ConfigurationError):
            client.with_options(max_retries=-1)
        with pytest.raises(ConfigurationError):
            client.with_options(timeout=0)

"""Auth: STS token caching and refresh, Entra ID credentials, static tokens."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx

import azspeech.auth
from azspeech import AsyncSpeechClient, AuthenticationError, ServiceError, SpeechClient
from azspeech._transport.http import HttpRequest
from azspeech.auth import COGNITIVE_SCOPE, CredentialAuth, StsTokenAuth

from .conftest import KEY, RESOURCE_ID

STS = "https://westeurope.api.cognitive.microsoft.com/sts/v1.0/issueToken"
API = "https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/models"
CUSTOM = "https://my-speech.cognitiveservices.azure.com"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXRva2VuIn0.c2lnbmF0dXJlLXN0cw"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(azspeech.auth, "_clock", c)
    return c


def sts_client(**kw: Any) -> SpeechClient:
    return SpeechClient(key=KEY, region="westeurope", use_sts=True, _environ={}, **kw)


def asts_client(**kw: Any) -> AsyncSpeechClient:
    return AsyncSpeechClient(key=KEY, region="westeurope", use_sts=True, _environ={}, **kw)


# -- STS ---------------------------------------------------------------------------


@respx.mock
def test_sts_exchange_sends_key_and_empty_body() -> None:
    sts = respx.post(STS).mock(return_value=httpx.Response(200, text=TOKEN))
    api = respx.get(API).mock(return_value=httpx.Response(200, json={}))
    with sts_client() as client:
        client._http.send(HttpRequest("GET", API))
    req = sts.calls.last.request
    assert req.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert req.headers["Content-Length"] == "0"
    assert req.content == b""
    sent = api.calls.last.request.headers
    assert sent["Authorization"] == f"Bearer {TOKEN}"
    assert "Ocp-Apim-Subscription-Key" not in sent


@respx.mock
def test_sts_token_is_cached(clock: Clock) -> None:
    sts = respx.post(STS).mock(return_value=httpx.Response(200, text=TOKEN))
    respx.get(API).mock(return_value=httpx.Response(200))
    with sts_client() as client:
        for _ in range(5):
            client._http.send(HttpRequest("GET", API))
            clock.now += 60
    assert sts.call_count == 1


@respx.mock
def test_sts_token_refreshed_before_ten_minutes(clock: Clock) -> None:
    sts = respx.post(STS).mock(
        side_effect=[
            httpx.Response(200, text="tok-one-1234"),
            httpx.Response(200, text="tok-two-1234"),
        ]
    )
    api = respx.get(API).mock(return_value=httpx.Response(200))
    with sts_client() as client:
        client._http.send(HttpRequest("GET", API))
        clock.now += 8 * 60  # still fresh
        client._http.send(HttpRequest("GET", API))
        assert sts.call_count == 1
        clock.now += 61  # 9 min 1 s: inside the refresh margin of a 10-minute token
        client._http.send(HttpRequest("GET", API))
    assert sts.call_count == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer tok-two-1234"


@respx.mock
def test_sts_20_threads_one_token_request() -> None:
    def slow_token(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # keep the fetch open while the other threads pile up
        return httpx.Response(200, text=TOKEN)

    sts = respx.post(STS).mock(side_effect=slow_token)
    api = respx.get(API).mock(return_value=httpx.Response(200))
    errors: list[BaseException] = []
    with sts_client() as client:
        start = threading.Barrier(20)

        def work() -> None:
            try:
                start.wait(timeout=10)
                client._http.send(HttpRequest("GET", API))
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
    assert errors == []
    assert sts.call_count == 1
    assert api.call_count == 20


@respx.mock
async def test_sts_20_async_callers_one_token_request() -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(200, text=TOKEN)

    sts = respx.post(STS).mock(side_effect=slow_token)
    api = respx.get(API).mock(return_value=httpx.Response(200))
    async with asts_client() as client:
        await asyncio.gather(*(client._http.send(HttpRequest("GET", API)) for _ in range(20)))
    assert sts.call_count == 1
    assert api.call_count == 20
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in api.calls)


@respx.mock
async def test_sts_async_refresh_after_expiry(clock: Clock) -> None:
    sts = respx.post(STS).mock(
        side_effect=[
            httpx.Response(200, text="tok-one-1234"),
            httpx.Response(200, text="tok-two-1234"),
        ]
    )
    api = respx.get(API).mock(return_value=httpx.Response(200))
    async with asts_client() as client:
        await client._http.send(HttpRequest("GET", API))
        clock.now += 601
        await asyncio.gather(*(client._http.send(HttpRequest("GET", API)) for _ in range(20)))
    assert sts.call_count == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer tok-two-1234"


@respx.mock
async def test_sts_failure_is_shared_not_repeated_by_every_waiter() -> None:
    async def failing(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return httpx.Response(401, json={"error": {"code": "401", "message": "bad key"}})

    sts = respx.post(STS).mock(side_effect=failing)
    api = respx.get(API).mock(return_value=httpx.Response(200))
    async with asts_client(max_retries=0) as client:
        results = await asyncio.gather(
            *(client._http.send(HttpRequest("GET", API)) for _ in range(20)),
            return_exceptions=True,
        )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert sts.call_count == 1
    assert api.call_count == 0


@respx.mock
def test_sts_recovers_after_a_failure() -> None:
    sts = respx.post(STS).mock(side_effect=[httpx.Response(500), httpx.Response(200, text=TOKEN)])
    respx.get(API).mock(return_value=httpx.Response(200))
    with sts_client(max_retries=0) as client:
        with pytest.raises(ServiceError, match="STS token request"):
            client._http.send(HttpRequest("GET", API))
        client._http.send(HttpRequest("GET", API))
    assert sts.call_count == 2


@respx.mock
def test_401_refetches_the_token_once() -> None:
    sts = respx.post(STS).mock(
        side_effect=[
            httpx.Response(200, text="revoked-1234"),
            httpx.Response(200, text="fresh-12345"),
        ]
    )
    api = respx.get(API).mock(side_effect=[httpx.Response(401), httpx.Response(200)])
    with sts_client() as client:
        assert client._http.send(HttpRequest("GET", API)).status_code == 200
    assert sts.call_count == 2
    assert api.calls.last.request.headers["Authorization"] == "Bearer fresh-12345"


@respx.mock
def test_persistent_401_is_an_authentication_error() -> None:
    sts = respx.post(STS).mock(return_value=httpx.Response(200, text=TOKEN))
    api = respx.get(API).mock(return_value=httpx.Response(401))
    with sts_client() as client, pytest.raises(AuthenticationError):
        client._http.send(HttpRequest("GET", API))
    assert sts.call_count == 2
    assert api.call_count == 2


@respx.mock
def test_issue_token() -> None:
    sts = respx.post(STS).mock(return_value=httpx.Response(200, text=TOKEN + "\n"))
    with SpeechClient(key=KEY, region="westeurope", _environ={}) as client:
        assert client.issue_token() == TOKEN
    assert sts.calls.last.request.headers["Ocp-Apim-Subscription-Key"] == KEY


@respx.mock
async def test_async_issue_token_custom_domain() -> None:
    sts = respx.post(CUSTOM + "/sts/v1.0/issueToken").mock(
        return_value=httpx.Response(200, text=TOKEN)
    )
    async with AsyncSpeechClient(key=KEY, endpoint=CUSTOM, _environ={}) as client:
        assert await client.issue_token() == TOKEN
    assert sts.call_count == 1


@pytest.mark.parametrize("body", ["", "   ", "<html>oops</html> with spaces"])
def test_sts_garbage_token_is_refused(body: str) -> None:
    auth = StsTokenAuth(KEY, lambda k: body, None)  # type: ignore[arg-type]
    with pytest.raises(AuthenticationError, match="did not return a token"):
        auth.headers()


def test_sts_without_sts_the_key_goes_in_the_header() -> None:
    c = SpeechClient(key=KEY, region="westeurope", _environ={})
    assert c.auth is not None
    assert c.auth.headers() == {"Ocp-Apim-Subscription-Key": KEY}
    c.close()


# -- Entra ID credentials ---------------------------------------------------------


@dataclass
class AccessToken:
    token: str
    expires_on: int


class FakeCredential:
    def __init__(self, lifetime: float = 3600) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.lifetime = lifetime

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        time.sleep(0.02)
        return AccessToken(f"entra-token-{len(self.calls):04d}", int(time.time() + self.lifetime))


class FakeAsyncCredential:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        await asyncio.sleep(0.02)
        return AccessToken(f"entra-token-{len(self.calls):04d}", int(time.time() + 3600))


@respx.mock
def test_entra_region_uses_aad_wrapper() -> None:
    api = respx.get(API).mock(return_value=httpx.Response(200))
    cred = FakeCredential()
    with SpeechClient(
        region="westeurope", credential=cred, resource_id=RESOURCE_ID, _environ={}
    ) as client:
        client._http.send(HttpRequest("GET", API))
        client._http.send(HttpRequest("GET", API))
    assert cred.calls == [(COGNITIVE_SCOPE,)]
    assert api.calls.last.request.headers["Authorization"] == (
        f"Bearer aad#{RESOURCE_ID}#entra-token-0001"
    )


@respx.mock
def test_entra_custom_domain_sends_raw_token() -> None:
    api = respx.get(CUSTOM + "/speechtotext/v3.2/models").mock(return_value=httpx.Response(200))
    cred = FakeCredential()
    with SpeechClient(endpoint=CUSTOM, credential=cred, _environ={}) as client:
        client._http.send(HttpRequest("GET", client.endpoints.rest("/speechtotext/v3.2/models")))
    assert api.calls.last.request.headers["Authorization"] == "Bearer entra-token-0001"


@respx.mock
async def test_entra_async_credential_20_callers_one_token() -> None:
    api = respx.get(CUSTOM + "/x").mock(return_value=httpx.Response(200))
    cred = FakeAsyncCredential()
    async with AsyncSpeechClient(endpoint=CUSTOM, credential=cred, _environ={}) as client:
        await asyncio.gather(
            *(client._http.send(HttpRequest("GET", CUSTOM + "/x")) for _ in range(20))
        )
    assert cred.calls == [(COGNITIVE_SCOPE,)]
    assert api.call_count == 20


@respx.mock
async def test_entra_sync_credential_in_async_client() -> None:
    api = respx.get(API).mock(return_value=httpx.Response(200))
    cred = FakeCredential()
    async with AsyncSpeechClient(
        region="westeurope", credential=cred, resource_id=RESOURCE_ID, _environ={}
    ) as client:
        await asyncio.gather(*(client._http.send(HttpRequest("GET", API)) for _ in range(20)))
    assert len(cred.calls) == 1
    assert api.calls.last.request.headers["Authorization"].startswith("Bearer aad#/subscriptions/")


def test_entra_20_threads_one_token() -> None:
    cred = FakeCredential()
    auth = CredentialAuth(cred, resource_id=None, wrap=False)
    barrier = threading.Barrier(20)
    seen: list[str] = []

    def work() -> None:
        barrier.wait(timeout=10)
        seen.append(auth.headers()["Authorization"])

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert len(cred.calls) == 1
    assert seen == ["Bearer entra-token-0001"] * 20


def test_entra_refreshed_before_expiry(clock: Clock) -> None:
    cred = FakeCredential(lifetime=3600)
    auth = CredentialAuth(cred, resource_id=None, wrap=False)
    assert auth.headers()["Authorization"] == "Bearer entra-token-0001"
    clock.now += 3400
    assert auth.headers()["Authorization"] == "Bearer entra-token-0001"
    clock.now += 150  # within a minute of expiry
    assert auth.headers()["Authorization"] == "Bearer entra-token-0002"


def test_entra_honours_refresh_on(clock: Clock) -> None:
    class Info:
        def __init__(self) -> None:
            self.token = "tok-with-refresh-on"
            self.expires_on = int(time.time() + 3600)
            self.refresh_on = int(time.time() + 600)

    class Cred:
        calls = 0

        def get_token(self, *scopes: str, **kw: Any) -> Info:
            Cred.calls += 1
            return Info()

    auth = CredentialAuth(Cred(), resource_id=None, wrap=False)
    auth.headers()
    clock.now += 500
    auth.headers()
    assert Cred.calls == 1
    clock.now += 150
    auth.headers()
    assert Cred.calls == 2


def test_entra_short_lived_token_is_not_refetched_every_call(clock: Clock) -> None:
    cred = FakeCredential(lifetime=60)
    auth = CredentialAuth(cred, resource_id=None, wrap=False)
    auth.headers()
    auth.headers()
    assert len(cred.calls) == 1


def test_entra_credential_returning_nothing() -> None:
    class Cred:
        def get_token(self, *scopes: str, **kw: Any) -> Any:
            return AccessToken("", 0)

    auth = CredentialAuth(Cred(), resource_id=None, wrap=False)
    with pytest.raises(AuthenticationError, match="no token"):
        auth.headers()


def test_async_credential_used_from_blocking_code() -> None:
    auth = CredentialAuth(FakeAsyncCredential(), resource_id=None, wrap=False)
    with pytest.raises(azspeech.ConfigurationError, match="async credential"):
        auth.headers()


def test_auth_lock_per_event_loop() -> None:
    # The same auth object used from two event loops in turn (asyncio.run twice).
    cred = FakeAsyncCredential()
    auth = CredentialAuth(cred, resource_id=None, wrap=False)

    async def many() -> None:
        auth.invalidate()
        await asyncio.gather(*(auth.aheaders() for _ in range(5)))

    asyncio.run(many())
    asyncio.run(many())
    assert len(cred.calls) == 2


def test_static_token() -> None:
    c = SpeechClient(region="westeurope", token=TOKEN, _environ={})
    assert c.auth is not None
    assert c.auth.headers() == {"Authorization": f"Bearer {TOKEN}"}
    assert not c.auth.refreshable
    c.close()


@respx.mock
async def test_burst_of_401s_causes_one_refresh() -> None:
    tokens = iter(
        ["stale-token-123", "fresh-token-456"] + [f"extra-token-{i:03d}" for i in range(40)]
    )

    async def issue(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(200, text=next(tokens))

    answered = 0

    async def api_answer(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        stale = request.headers["Authorization"] == "Bearer stale-token-123"
        answered += 1
        # All 20 requests are in flight with the stale token; the first refusal
        # arrives at once, the others only after the new token is cached.
        await asyncio.sleep(0.001 if answered == 1 else 0.1)
        return httpx.Response(401 if stale else 200)

    sts = respx.post(STS).mock(side_effect=issue)
    api = respx.get(API).mock(side_effect=api_answer)
    async with asts_client() as client:
        assert client.auth is not None
        await client.auth.aheaders()  # cache the (soon revoked) stale token
        await asyncio.gather(*(client._http.send(HttpRequest("GET", API)) for _ in range(20)))
    assert sts.call_count == 2
    assert api.call_count == 40

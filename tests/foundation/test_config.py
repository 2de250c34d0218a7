"""Client configuration: arguments, environment, contradictions, bad input."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from azspeech import AsyncSpeechClient, ConfigurationError, SpeechClient
from azspeech.auth import CredentialAuth, KeyAuth, StaticTokenAuth, StsTokenAuth
from azspeech.endpoints import EndpointKind

from .conftest import KEY, RESOURCE_ID


class FakeCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # pragma: no cover - unused
        raise AssertionError("not called")


def make(**kw: Any) -> SpeechClient:
    kw.setdefault("_environ", {})
    return SpeechClient(**kw)


@pytest.fixture(params=[SpeechClient, AsyncSpeechClient])
def client_cls(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_key_and_region(client_cls: Any) -> None:
    c = client_cls(key=KEY, region="westeurope", _environ={})
    assert c.endpoints.region == "westeurope"
    assert isinstance(c.auth, KeyAuth)
    assert c.config.retry.max_retries == 2
    assert c.config.timeout == 30.0


@pytest.mark.parametrize(
    ("env", "region", "endpoint_kind"),
    [
        ({"AZURE_SPEECH_KEY": KEY, "AZURE_SPEECH_REGION": "westeurope"}, "westeurope", "region"),
        ({"SPEECH_KEY": KEY, "SPEECH_REGION": "eastus"}, "eastus", "region"),
        (
            {"AZURE_SPEECH_KEY": KEY, "AZURE_SPEECH_ENDPOINT": "https://x.cognitiveservices.azure.com"},
            None,
            "custom_domain",
        ),
        ({"AZURE_SPEECH_ENDPOINT": "http://localhost:5000"}, None, "container"),
        # The AZURE_ names win over the sample names.
        (
            {"AZURE_SPEECH_KEY": KEY, "SPEECH_KEY": "x" * 32, "AZURE_SPEECH_REGION": "uksouth",
             "SPEECH_REGION": "eastus"},
            "uksouth",
            "region",
        ),
        # An endpoint in the environment wins over a region there.
        (
            {"AZURE_SPEECH_KEY": KEY, "AZURE_SPEECH_REGION": "uksouth",
             "AZURE_SPEECH_ENDPOINT": "http://127.0.0.1:5000"},
            None,
            "container",
        ),
        # Blank values count as unset.
        ({"AZURE_SPEECH_KEY": "  ", "SPEECH_KEY": KEY, "AZURE_SPEECH_REGION": "",
          "SPEECH_REGION": "westus2"}, "westus2", "region"),
    ],
)  # fmt: skip
def test_config_from_environment(
    client_cls: Any, env: dict[str, str], region: str | None, endpoint_kind: str
) -> None:
    c = client_cls(_environ=env)
    assert c.endpoints.region == region
    assert c.endpoints.kind is EndpointKind(endpoint_kind)
    if "KEY" in "".join(k for k, v in env.items() if v.strip()):
        assert c.auth.headers()["Ocp-Apim-Subscription-Key"] == KEY
    else:
        assert c.auth is None


def test_explicit_arguments_beat_environment() -> None:
    env = {"AZURE_SPEECH_KEY": "e" * 32, "AZURE_SPEECH_REGION": "eastus"}
    c = make(key=KEY, region="westeurope", _environ=env)
    assert c.endpoints.region == "westeurope"
    assert c.auth is not None
    assert c.auth.headers() == {"Ocp-Apim-Subscription-Key": KEY}
    # An explicit endpoint is not contradicted by a region in the environment.
    c = make(endpoint="http://localhost:5000", _environ=env)
    assert c.endpoints.kind is EndpointKind.CONTAINER
    # An explicit token is not contradicted by a key in the environment.
    c = make(token="t" * 40, _environ=env)
    assert isinstance(c.auth, StaticTokenAuth)


def test_real_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_SPEECH_KEY", KEY)
    monkeypatch.setenv("AZURE_SPEECH_REGION", "japaneast")
    monkeypatch.delenv("AZURE_SPEECH_ENDPOINT", raising=False)
    with SpeechClient() as c:
        assert c.endpoints.region == "japaneast"


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(key=KEY, token="t" * 40, region="westeurope"), r"only one of.*key and token"),
        (dict(key=KEY, credential=FakeCredential(), region="westeurope"), "only one of"),
        (dict(token="t" * 40, credential=FakeCredential(), region="westeurope"), "only one of"),
        (dict(key=KEY, region="westus", endpoint="http://h:5000"), "either region or endpoint"),
        (dict(key=KEY), r"no region or endpoint.*region='westeurope'.*AZURE_SPEECH_REGION"),
        (dict(region="westeurope"), r"no credentials.*key=.*AZURE_SPEECH_KEY"),
        (dict(), "no region or endpoint"),
        (dict(endpoint="https://x.cognitiveservices.azure.com"), "no credentials"),
        (dict(region="westeurope", credential=FakeCredential()), "resource_id"),
        (dict(region="westeurope", token="t" * 40, use_sts=True), "use_sts.*key"),
        (dict(region="westeurope", key=KEY, resource_id=RESOURCE_ID), "resource_id"),
    ],
)  # fmt: skip
def test_missing_or_contradictory(client_cls: Any, kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        client_cls(_environ={}, **kw)


@pytest.mark.parametrize(
    ("kw", "argument"),
    [
        (dict(key=12345), "key must be a string"),
        (dict(key=b"0123456789abcdef"), "key must be a string"),
        (dict(key=""), "key is empty"),
        (dict(key="   "), "key is empty"),
        (dict(key="abc\ndef0123456789"), "key contains a line break"),
        (dict(key="clé0123456789abcdef"), "key contains"),
        (dict(token=""), "token is empty"),
        (dict(token=42), "token must be a string"),
        (dict(key=KEY, region=5), "region must be a string"),
        (dict(key=KEY, region=None, endpoint="localhost:5000"), "endpoint .* not a full URL"),
        (dict(key=KEY, region=None, endpoint=5000), "endpoint must be a URL string"),
        (dict(key=KEY, cloud="mars"), "unknown cloud"),
        (dict(key=KEY, timeout=-1), "timeout must be a positive"),
        (dict(key=KEY, timeout=0), "timeout must be a positive"),
        (dict(key=KEY, timeout=math.nan), "timeout must be a positive"),
        (dict(key=KEY, timeout=math.inf), "timeout must be a positive"),
        (dict(key=KEY, timeout="30"), "timeout must be a number"),
        (dict(key=KEY, timeout=True), "timeout must be a number"),
        (dict(key=KEY, max_retries=-1), "max_retries must be an integer >= 0"),
        (dict(key=KEY, max_retries=1.5), "max_retries must be an integer"),
        (dict(key=KEY, max_retries=True), "max_retries must be an integer"),
        (dict(key=KEY, proxy="proxy:3128"), "proxy must be a URL"),
        (dict(key=KEY, use_sts="yes"), "use_sts must be True or False"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_argument(
    client_cls: Any, kw: dict[str, Any], argument: str
) -> None:
    kw.setdefault("region", "westeurope")
    if kw.get("endpoint") is not None:
        kw["region"] = None
    with pytest.raises(ConfigurationError, match=argument) as info:
        client_cls(_environ={}, **kw)
    assert isinstance(info.value, ValueError)


def test_key_error_messages_never_include_the_value() -> None:
    secret = "s3cr3t-but-with-a-newline\n-0123456789"
    with pytest.raises(ConfigurationError) as info:
        make(key=secret, region="westeurope")
    assert "s3cr3t" not in str(info.value)


def test_wrong_http_client_type() -> None:
    wrong_async: Any = httpx.AsyncClient()
    wrong_sync: Any = httpx.Client()
    with pytest.raises(ConfigurationError, match=r"httpx\.Client"):
        make(key=KEY, region="westeurope", http_client=wrong_async)
    with pytest.raises(ConfigurationError, match=r"httpx\.AsyncClient"):
        AsyncSpeechClient(key=KEY, region="westeurope", http_client=wrong_sync, _environ={})
    wrong_sync.close()


def test_timeout_and_retries_are_kept() -> None:
    c = make(key=KEY, region="westeurope", timeout=5, max_retries=0)
    assert c.config.timeout == 5.0
    assert c.config.retry.max_retries == 0


def test_container_needs_no_key() -> None:
    c = make(endpoint="http://127.0.0.1:5000")
    assert c.auth is None


def test_sts_and_credentials_pick_the_right_auth() -> None:
    assert isinstance(make(key=KEY, region="westeurope", use_sts=True).auth, StsTokenAuth)
    c = make(region="westeurope", credential=FakeCredential(), resource_id=RESOURCE_ID)
    assert isinstance(c.auth, CredentialAuth)
    c = make(region="westeurope", credential=FakeCredential(),
             _environ={"AZURE_SPEECH_RESOURCE_ID": RESOURCE_ID})  # fmt: skip
    assert isinstance(c.auth, CredentialAuth)
    c = make(endpoint="https://x.cognitiveservices.azure.com", credential=FakeCredential())
    assert isinstance(c.auth, CredentialAuth)


def test_bad_resource_id() -> None:
    with pytest.raises(ConfigurationError, match=r"resource_id must be the resource's ARM id"):
        make(region="westeurope", credential=FakeCredential(), resource_id="my-speech")


def test_credential_without_get_token() -> None:
    with pytest.raises(ConfigurationError, match="get_token"):
        make(region="westeurope", credential=object(), resource_id=RESOURCE_ID)  # type: ignore[arg-type]


def test_async_credential_refused_by_blocking_client() -> None:
    class AsyncCredential:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # pragma: no cover
            raise AssertionError

    with pytest.raises(ConfigurationError, match=r"asynchronous.*AsyncSpeechClient"):
        make(endpoint="https://x.cognitiveservices.azure.com", credential=AsyncCredential())


def test_bearer_prefix_on_static_token_is_tolerated() -> None:
    c = make(region="westeurope", token="Bearer " + "t" * 40)
    assert c.auth is not None
    assert c.auth.headers() == {"Authorization": "Bearer " + "t" * 40}


def test_proxy_reaches_httpx_and_its_password_is_a_secret() -> None:
    c = make(key=KEY, region="westeurope", proxy="http://user:proxy-pass-1234@127.0.0.1:3128")
    assert c.config.proxy == "http://user:proxy-pass-1234@127.0.0.1:3128"
    assert "proxy-pass-1234" not in repr(c) + repr(c.config)
    from azspeech.errors import redact

    assert "proxy-pass-1234" not in redact("via http://user:proxy-pass-1234@127.0.0.1:3128")
    c.close()


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        (dict(initial_backoff=-1), "initial_backoff"),
        (dict(max_backoff=float("nan")), "max_backoff"),
        (dict(max_retry_after="5"), "max_retry_after"),
        (dict(max_retries=-2), "max_retries"),
    ],
)
def test_retry_policy_checks_its_fields(kw: dict[str, Any], name: str) -> None:
    from azspeech._transport.retry import RetryPolicy

    with pytest.raises(ConfigurationError, match=name):
        RetryPolicy(**kw)

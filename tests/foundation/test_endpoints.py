"""Endpoint resolution: regions, sovereign clouds, custom domains, containers."""

from __future__ import annotations

import pytest

from azspeech import Cloud, ConfigurationError, Endpoints
from azspeech.endpoints import EndpointKind, normalize_region


def test_public_region_hosts() -> None:
    e = Endpoints.from_region("westeurope")
    assert e.kind is EndpointKind.REGION
    assert e.cloud is Cloud.PUBLIC
    assert e.region == "westeurope"
    assert e.rest("/speechtotext/v3.2/transcriptions") == (
        "https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/transcriptions"
    )
    assert e.sts() == "https://westeurope.api.cognitive.microsoft.com/sts/v1.0/issueToken"
    assert e.stt("/speech/universal/v2", websocket=True) == (
        "wss://westeurope.stt.speech.microsoft.com/speech/universal/v2"
    )
    assert e.stt("/speech/recognition/conversation/cognitiveservices/v1") == (
        "https://westeurope.stt.speech.microsoft.com/speech/recognition/conversation/"
        "cognitiveservices/v1"
    )
    assert e.tts("/cognitiveservices/v1") == (
        "https://westeurope.tts.speech.microsoft.com/cognitiveservices/v1"
    )
    assert e.tts("/cognitiveservices/websocket/v1", websocket=True) == (
        "wss://westeurope.tts.speech.microsoft.com/cognitiveservices/websocket/v1"
    )
    assert e.tts("/cognitiveservices/websocket/v1", websocket=True, custom_voice=True) == (
        "wss://westeurope.voice.speech.microsoft.com/cognitiveservices/websocket/v1"
    )
    assert e.s2s_base == "https://westeurope.s2s.speech.microsoft.com"
    assert e.translation("/speech/universal/v2") == (
        "wss://westeurope.stt.speech.microsoft.com/speech/universal/v2"
    )
    assert not e.accepts_raw_entra_token


def test_region_is_case_and_space_insensitive() -> None:
    assert Endpoints.from_region("  WestEurope ").region == "westeurope"


def test_path_without_leading_slash_is_joined() -> None:
    e = Endpoints.from_region("eastus")
    assert e.rest("sts/v1.0/issueToken") == e.sts()


@pytest.mark.parametrize(
    ("region", "cloud", "api", "stt", "tts"),
    [
        (
            "usgovvirginia",
            Cloud.US_GOVERNMENT,
            "https://usgovvirginia.api.cognitive.microsoft.us",
            "https://usgovvirginia.stt.speech.azure.us",
            "https://usgovvirginia.tts.speech.azure.us",
        ),
        (
            "usgovarizona",
            Cloud.US_GOVERNMENT,
            "https://usgovarizona.api.cognitive.microsoft.us",
            "https://usgovarizona.stt.speech.azure.us",
            "https://usgovarizona.tts.speech.azure.us",
        ),
        (
            "chinaeast2",
            Cloud.CHINA,
            "https://chinaeast2.api.cognitive.azure.cn",
            "https://chinaeast2.stt.speech.azure.cn",
            "https://chinaeast2.tts.speech.azure.cn",
        ),
        (
            "chinanorth3",
            Cloud.CHINA,
            "https://chinanorth3.api.cognitive.azure.cn",
            "https://chinanorth3.stt.speech.azure.cn",
            "https://chinanorth3.tts.speech.azure.cn",
        ),
    ],
)
def test_sovereign_regions(region: str, cloud: Cloud, api: str, stt: str, tts: str) -> None:
    e = Endpoints.from_region(region)
    assert e.cloud is cloud
    assert e.api_base == api
    assert e.sts() == api + "/sts/v1.0/issueToken"
    assert e.stt_base == stt
    assert e.tts_base == tts
    assert e.stt("/speech/universal/v2", websocket=True).startswith(stt.replace("https", "wss"))
    # Naming the cloud explicitly agrees with the inference.
    assert Endpoints.from_region(region, cloud.value) == e


@pytest.mark.parametrize(
    ("spelling", "cloud"),
    [
        ("public", Cloud.PUBLIC),
        ("AzureCloud", Cloud.PUBLIC),
        ("usgov", Cloud.US_GOVERNMENT),
        ("AzureUSGovernment", Cloud.US_GOVERNMENT),
        ("azure-us-government", Cloud.US_GOVERNMENT),
        ("china", Cloud.CHINA),
        ("AzureChinaCloud", Cloud.CHINA),
        (Cloud.CHINA, Cloud.CHINA),
    ],
)
def test_cloud_spellings(spelling: str | Cloud, cloud: Cloud) -> None:
    assert Cloud.parse(spelling) is cloud


def test_unknown_cloud() -> None:
    with pytest.raises(ConfigurationError, match=r"cloud.*'mars'.*public.*usgov.*china"):
        Cloud.parse("mars")
    with pytest.raises(ConfigurationError, match="cloud must be a string"):
        Cloud.parse(3)  # type: ignore[arg-type]


def test_region_cloud_mismatch() -> None:
    with pytest.raises(ConfigurationError, match=r"usgovvirginia.*usgov.*not 'public'"):
        Endpoints.from_region("usgovvirginia", "public")
    with pytest.raises(ConfigurationError, match=r"westeurope.*'public', not 'china'"):
        Endpoints.from_region("westeurope", "china")


def test_new_region_in_sovereign_cloud_is_trusted() -> None:
    e = Endpoints.from_region("usgovnewplace", "usgov")
    assert e.api_base == "https://usgovnewplace.api.cognitive.microsoft.us"


# -- display names and typos ---------------------------------------------------


@pytest.mark.parametrize(
    ("given", "suggestion"),
    [
        ("West Europe", "westeurope"),
        ("west-europe", "westeurope"),
        ("East US 2", "eastus2"),
        ("north_europe", "northeurope"),
    ],
)
def test_display_name_names_the_region(given: str, suggestion: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_region(given)
    message = str(info.value)
    assert f"region={suggestion!r}" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("typo", "nearest"),
    [("westeruope", "westeurope"), ("eastu", "eastus"), ("uksouht", "uksouth")],
)
def test_typo_lists_nearest_names(typo: str, nearest: str) -> None:
    with pytest.raises(ConfigurationError, match="did you mean") as info:
        Endpoints.from_region(typo)
    assert repr(nearest) in str(info.value)
    # ... and says how to reach a region newer than the library.
    assert "endpoint='https://" in str(info.value)


def test_region_far_from_every_known_one_is_accepted() -> None:
    # A region newer than the built-in list must not be blocked.
    assert normalize_region("atlantisnorth") == "atlantisnorth"
    assert normalize_region("AtlantisNorth") == "atlantisnorth"


def test_unknown_display_name_is_not_silently_squashed() -> None:
    with pytest.raises(ConfigurationError, match=r"display name.*region='atlantisnorth'"):
        normalize_region("Atlantis North")


@pytest.mark.parametrize("bad", ["", "   ", "west europe!", "1westus", "a"])
def test_malformed_region(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="region"):
        normalize_region(bad)


def test_non_string_region() -> None:
    with pytest.raises(ConfigurationError, match="region must be a string"):
        normalize_region(42)  # type: ignore[arg-type]


# -- explicit endpoints --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://westeurope.api.cognitive.microsoft.com",
        "https://westeurope.api.cognitive.microsoft.com/",
        "https://WestEurope.api.cognitive.microsoft.com/",
        "https://westeurope.stt.speech.microsoft.com",
        "wss://westeurope.tts.speech.microsoft.com/",
    ],
)
def test_portal_url_is_recognized_as_region(url: str) -> None:
    assert Endpoints.from_endpoint(url) == Endpoints.from_region("westeurope")


def test_portal_url_for_sovereign_region() -> None:
    e = Endpoints.from_endpoint("https://usgovvirginia.api.cognitive.microsoft.us/")
    assert e == Endpoints.from_region("usgovvirginia")
    e = Endpoints.from_endpoint("https://chinaeast2.api.cognitive.azure.cn")
    assert e == Endpoints.from_region("chinaeast2")


def test_portal_url_trusts_a_region_unknown_to_us() -> None:
    # The escape hatch the typo error points to: a regional host is taken at its word.
    e = Endpoints.from_endpoint("https://westeuropa.api.cognitive.microsoft.com")
    assert e.kind is EndpointKind.REGION
    assert e.region == "westeuropa"


def test_regional_url_with_path_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"has a path.*westeurope"):
        Endpoints.from_endpoint("wss://westeurope.stt.speech.microsoft.com/speech/universal/v2")


@pytest.mark.parametrize(
    ("url", "cloud", "base"),
    [
        (
            "https://my-speech.cognitiveservices.azure.com",
            Cloud.PUBLIC,
            "https://my-speech.cognitiveservices.azure.com",
        ),
        (
            "https://My-Speech.cognitiveservices.azure.com/",
            Cloud.PUBLIC,
            "https://My-Speech.cognitiveservices.azure.com",
        ),
        (
            "https://gov-speech.cognitiveservices.azure.us/",
            Cloud.US_GOVERNMENT,
            "https://gov-speech.cognitiveservices.azure.us",
        ),
        (
            "wss://cn-speech.cognitiveservices.azure.cn",
            Cloud.CHINA,
            "https://cn-speech.cognitiveservices.azure.cn",
        ),
    ],
)
def test_custom_domain(url: str, cloud: Cloud, base: str) -> None:
    e = Endpoints.from_endpoint(url)
    assert e.kind is EndpointKind.CUSTOM_DOMAIN
    assert e.cloud is cloud
    assert e.region is None
    assert e.api_base == base
    assert e.sts() == base + "/sts/v1.0/issueToken"
    assert e.rest("/speechtotext/transcriptions:transcribe") == (
        base + "/speechtotext/transcriptions:transcribe"
    )
    wss = base.replace("https://", "wss://")
    assert e.stt("/speech/universal/v2", websocket=True) == wss + "/stt/speech/universal/v2"
    assert e.stt("/speech/recognition/conversation/cognitiveservices/v1") == (
        base + "/stt/speech/recognition/conversation/cognitiveservices/v1"
    )
    assert e.tts("/cognitiveservices/websocket/v1", websocket=True) == (
        wss + "/tts/cognitiveservices/websocket/v1"
    )
    assert e.tts("/cognitiveservices/v1") == base + "/tts/cognitiveservices/v1"
    assert e.accepts_raw_entra_token


def test_custom_domain_cloud_mismatch() -> None:
    with pytest.raises(ConfigurationError, match="cloud"):
        Endpoints.from_endpoint("https://x.cognitiveservices.azure.us", "china")


@pytest.mark.parametrize(
    ("url", "http_base", "ws_base"),
    [
        ("http://localhost:5000", "http://localhost:5000", "ws://localhost:5000"),
        ("http://localhost:5000/", "http://localhost:5000", "ws://localhost:5000"),
        ("http://127.0.0.1:43210", "http://127.0.0.1:43210", "ws://127.0.0.1:43210"),
        ("ws://127.0.0.1:43210", "http://127.0.0.1:43210", "ws://127.0.0.1:43210"),
        ("https://speech.internal.example", "https://speech.internal.example", "wss://speech.internal.example"),
        ("http://[::1]:5000", "http://[::1]:5000", "ws://[::1]:5000"),
        ("http://gateway.local/speech/", "http://gateway.local/speech", "ws://gateway.local/speech"),
    ],
)  # fmt: skip
def test_container_like_endpoint_has_no_prefix(url: str, http_base: str, ws_base: str) -> None:
    e = Endpoints.from_endpoint(url)
    assert e.kind is EndpointKind.CONTAINER
    assert e.region is None
    assert e.sts() == http_base + "/sts/v1.0/issueToken"
    assert e.rest("/speechtotext/v3.2/transcriptions") == (
        http_base + "/speechtotext/v3.2/transcriptions"
    )
    assert e.stt("/speech/recognition/interactive/cognitiveservices/v1", websocket=True) == (
        ws_base + "/speech/recognition/interactive/cognitiveservices/v1"
    )
    assert e.stt("/speech/recognition/conversation/cognitiveservices/v1") == (
        http_base + "/speech/recognition/conversation/cognitiveservices/v1"
    )
    assert e.tts("/cognitiveservices/websocket/v1", websocket=True) == (
        ws_base + "/cognitiveservices/websocket/v1"
    )
    assert e.tts("/cognitiveservices/v1", custom_voice=True) == http_base + "/cognitiveservices/v1"
    assert e.translation("/speech/translation/cognitiveservices/v1") == (
        ws_base + "/speech/translation/cognitiveservices/v1"
    )


@pytest.mark.parametrize(
    "url",
    ["localhost:5000", "westeurope.api.cognitive.microsoft.com", "//host/x", "ftp://host", ""],
)
def test_endpoint_without_scheme(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"endpoint .* not a full URL.*https://"):
        Endpoints.from_endpoint(url)


def test_endpoint_bad_port() -> None:
    with pytest.raises(ConfigurationError, match="endpoint"):
        Endpoints.from_endpoint("http://localhost:99999")


def test_endpoint_with_credentials_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="credentials") as info:
        Endpoints.from_endpoint("http://user:hunter2hunter2@localhost:5000")
    assert "hunter2" not in str(info.value)


def test_endpoint_with_query_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="query"):
        Endpoints.from_endpoint("http://localhost:5000/?language=en-US")


def test_endpoint_non_string() -> None:
    with pytest.raises(ConfigurationError, match="endpoint must be a URL string"):
        Endpoints.from_endpoint(b"http://localhost:5000")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "ws"),
    [
        ("http://h/x", "ws://h/x"),
        ("https://h/x", "wss://h/x"),
        ("ws://h/x", "ws://h/x"),
        ("wss://h/x", "wss://h/x"),
    ],
)
def test_ws_conversion(url: str, ws: str) -> None:
    from azspeech.endpoints import _swap_scheme

    assert _swap_scheme(url, True) == ws
    assert _swap_scheme(ws, False) == url.replace("ws://", "http://").replace("wss://", "https://")

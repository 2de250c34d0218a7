"""Where each feature of the service lives: region, custom domain, container, cloud.

One :class:`Endpoints` object answers "which URL does this call go to?" for
every feature. Three kinds of configuration exist:

* a **region** (``westeurope``): the regional hosts
  ``{region}.api.cognitive.microsoft.com`` (REST APIs, STS tokens),
  ``{region}.stt.speech.microsoft.com`` (speech to text),
  ``{region}.tts.speech.microsoft.com`` (text to speech),
  ``{region}.s2s.speech.microsoft.com`` (legacy translation), with
  ``.azure.us`` / ``.azure.cn`` forms in the sovereign clouds;
* a **custom domain** (``https://NAME.cognitiveservices.azure.com``): one host,
  with the feature label as the first path segment (``/stt/...``, ``/tts/...``);
* a **Foundry** resource (``https://NAME.services.ai.azure.com``): addressed
  like a custom domain, and the home of Voice Live (``/voice-live/realtime``);
* anything else (**container**-like: ``http://localhost:5000``, the emulator):
  the same base serves every path, with no prefix.
"""

from __future__ import annotations

import difflib
import enum
import re
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

__all__ = [
    "KNOWN_REGIONS",
    "VOICE_LIVE_PATH",
    "Cloud",
    "EndpointKind",
    "Endpoints",
    "normalize_region",
]


class Cloud(str, enum.Enum):
    """An Azure cloud."""

    PUBLIC = "public"
    US_GOVERNMENT = "usgov"
    CHINA = "china"

    @classmethod
    def parse(cls, value: str | Cloud | None) -> Cloud | None:
        """Accept the enum, its value or common spellings (``AzureUSGovernment``...)."""
        if value is None or isinstance(value, Cloud):
            return value
        if not isinstance(value, str):
            raise ConfigurationError(f"cloud must be a string, not {type(value).__name__}")
        key = re.sub(r"[^a-z]", "", value.lower())
        aliases = {
            "public": cls.PUBLIC,
            "azurepublic": cls.PUBLIC,
            "azurepubliccloud": cls.PUBLIC,
            "azurecloud": cls.PUBLIC,
            "usgov": cls.US_GOVERNMENT,
            "usgovernment": cls.US_GOVERNMENT,
            "azureusgovernment": cls.US_GOVERNMENT,
            "azuregovernment": cls.US_GOVERNMENT,
            "government": cls.US_GOVERNMENT,
            "china": cls.CHINA,
            "azurechina": cls.CHINA,
            "azurechinacloud": cls.CHINA,
        }
        if key not in aliases:
            raise ConfigurationError(
                f"unknown cloud {value!r}; use one of 'public', 'usgov', 'china'"
            )
        return aliases[key]


@dataclass(frozen=True)
class _CloudHosts:
    speech_suffix: str  # stt/tts/s2s hosts
    api_suffix: str  # REST API and STS
    custom_domain_suffix: str


_CLOUDS = {
    Cloud.PUBLIC: _CloudHosts(
        "speech.microsoft.com", "api.cognitive.microsoft.com", "cognitiveservices.azure.com"
    ),
    Cloud.US_GOVERNMENT: _CloudHosts(
        "speech.azure.us", "api.cognitive.microsoft.us", "cognitiveservices.azure.us"
    ),
    Cloud.CHINA: _CloudHosts(
        "speech.azure.cn", "api.cognitive.azure.cn", "cognitiveservices.azure.cn"
    ),
}

KNOWN_REGIONS = frozenset(
    {
        "australiaeast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "chilecentral",
        "chinaeast2",
        "chinanorth2",
        "chinanorth3",
        "denmarkeast",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "jioindiawest",
        "koreacentral",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southcentralus",
        "southeastasia",
        "spaincentral",
        "swedencentral",
        "switzerlandnorth",
        "switzerlandwest",
        "uaenorth",
        "uksouth",
        "usgovarizona",
        "usgovtexas",
        "usgovvirginia",
        "westcentralus",
        "westeurope",
        "westus",
        "westus2",
        "westus3",
    }
)
"""Regions where the Speech service runs (public and sovereign clouds): a region not among them is
refused early, with the nearest suggested.
"""


_REGION_SYNTAX = re.compile(r"[a-z][a-z0-9]{2,39}")


def normalize_region(region: str, *, strict: bool = True) -> str:
    """Check a region name; return it in canonical form or raise with suggestions.

    A name in :data:`KNOWN_REGIONS` is accepted as is. A display name
    (``"West Europe"``) or a near miss (``"westeruope"``) raises a
    :class:`ConfigurationError` listing the nearest valid names. A well-formed
    name far from every known one is accepted, so that a region newer than this
    library still works. With ``strict=False`` (a region read from a host name
    the caller wrote out) only the syntax is checked.
    """
    if not isinstance(region, str):
        raise ConfigurationError(
            f"region must be a string such as 'westeurope', not {type(region).__name__}"
        )
    cleaned = region.strip().lower()
    if not cleaned:
        raise ConfigurationError("region is empty; pass region='westeurope' (or similar)")
    if cleaned in KNOWN_REGIONS or (not strict and _REGION_SYNTAX.fullmatch(cleaned)):
        return cleaned
    squashed = re.sub(r"[\s_-]", "", cleaned)
    if squashed in KNOWN_REGIONS:
        raise ConfigurationError(
            f"region {region!r} looks like a display name; pass the region name: "
            f"region={squashed!r}"
        )
    close = difflib.get_close_matches(squashed, sorted(KNOWN_REGIONS), n=3, cutoff=0.75)
    if close:
        raise ConfigurationError(
            f"unknown region {region!r}; did you mean {', '.join(repr(c) for c in close)}? "
            "(for a region newer than this library, pass "
            f"endpoint='https://{squashed}.api.cognitive.microsoft.com')"
        )
    if _REGION_SYNTAX.fullmatch(cleaned):
        # A region newer than our list: accept it rather than block the user.
        return cleaned
    if _REGION_SYNTAX.fullmatch(squashed):
        raise ConfigurationError(
            f"region {region!r} looks like a display name; region names have no spaces, "
            f"dashes or capitals: region={squashed!r}"
        )
    raise ConfigurationError(
        f"region {region!r} is not a region name; pass a name such as 'westeurope' "
        "(the 'Location/Region' shown on the resource's Keys and Endpoint page)"
    )


def _cloud_for_region(region: str) -> Cloud:
    if region.startswith("usgov"):
        return Cloud.US_GOVERNMENT
    if region.startswith("china"):
        return Cloud.CHINA
    return Cloud.PUBLIC


def _cloud_for_host(host: str) -> Cloud:
    if host.endswith(".us"):
        return Cloud.US_GOVERNMENT
    if host.endswith(".cn"):
        return Cloud.CHINA
    return Cloud.PUBLIC


class EndpointKind(str, enum.Enum):
    """How the service was addressed."""

    REGION = "region"
    CUSTOM_DOMAIN = "custom_domain"
    FOUNDRY = "foundry"
    CONTAINER = "container"


_REGIONAL_HOST = re.compile(
    r"^(?P<region>[a-z0-9]+)\.(?:api\.cognitive\.(?:microsoft\.com|microsoft\.us|azure\.cn)"
    r"|(?:stt|tts|s2s|voice)\.speech\.(?:microsoft\.com|azure\.us|azure\.cn))$"
)
_CUSTOM_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.cognitiveservices\.azure\.(?:com|us|cn)$")
_FOUNDRY = re.compile(r"^[a-z0-9][a-z0-9-]*\.services\.ai\.azure\.com$")

VOICE_LIVE_PATH = "/voice-live/realtime"
"""The Voice Live WebSocket path (query: ``api-version`` and ``model`` or an agent)."""


def _join(base: str, path: str) -> str:
    if not isinstance(path, str):
        raise TypeError(f"path must be a string, not {type(path).__name__}")
    if path and not path.startswith("/"):
        path = "/" + path
    return base + path


def _swap_scheme(url: str, websocket: bool) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme
    if websocket:
        scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
    else:
        scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Endpoints:
    """Every base URL a client needs, resolved once from its configuration.

    Build it with :meth:`from_region` or :meth:`from_endpoint`; then ask
    :meth:`rest`, :meth:`stt`, :meth:`tts`, :meth:`translation` or
    :meth:`voice_live` for full URLs. ``custom_voice_base`` is the host of
    custom (professional) voices, not of Voice Live.
    """

    kind: EndpointKind
    cloud: Cloud
    region: str | None
    api_base: str
    stt_base: str
    tts_base: str
    s2s_base: str
    custom_voice_base: str

    @property
    def voice_base(self) -> str:
        """Deprecated name of :attr:`custom_voice_base`."""
        warnings.warn(
            "Endpoints.voice_base is now Endpoints.custom_voice_base",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.custom_voice_base

    @classmethod
    def from_region(cls, region: str, cloud: Cloud | str | None = None) -> Endpoints:
        """Regional hosts for *region* (in *cloud*, inferred from the region if not given)."""
        return cls._regional(normalize_region(region), Cloud.parse(cloud))

    @classmethod
    def _regional(cls, name: str, cloud: Cloud | None) -> Endpoints:
        inferred = _cloud_for_region(name)
        chosen = cloud or inferred
        known = name in KNOWN_REGIONS
        if chosen is not inferred and (known or inferred is not Cloud.PUBLIC):
            raise ConfigurationError(
                f"region {name!r} is in cloud {inferred.value!r}, not {chosen.value!r}; "
                f"drop cloud= (it is inferred from the region) or pass cloud={inferred.value!r}"
            )
        hosts = _CLOUDS[chosen]
        return cls(
            kind=EndpointKind.REGION,
            cloud=chosen,
            region=name,
            api_base=f"https://{name}.{hosts.api_suffix}",
            stt_base=f"https://{name}.stt.{hosts.speech_suffix}",
            tts_base=f"https://{name}.tts.{hosts.speech_suffix}",
            s2s_base=f"https://{name}.s2s.{hosts.speech_suffix}",
            custom_voice_base=f"https://{name}.voice.{hosts.speech_suffix}",
        )

    @classmethod
    def from_endpoint(cls, endpoint: str, cloud: Cloud | str | None = None) -> Endpoints:
        """Hosts for an explicit base URL (custom domain, container, emulator...)."""
        if not isinstance(endpoint, str):
            raise ConfigurationError(
                f"endpoint must be a URL string such as 'https://NAME.cognitiveservices.azure.com',"
                f" not {type(endpoint).__name__}"
            )
        text = endpoint.strip()
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise ConfigurationError(f"endpoint {endpoint!r} is not a valid URL: {exc}") from None
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
            raise ConfigurationError(
                f"endpoint {endpoint!r} is not a full URL; write it with its scheme, "
                "e.g. 'https://my-resource.cognitiveservices.azure.com' or 'http://localhost:5000'"
            )
        if parts.username is not None or parts.password is not None:
            raise ConfigurationError(
                "endpoint must not contain credentials (user:password@); pass key=... or token=..."
            )
        if parts.query or parts.fragment:
            raise ConfigurationError(
                f"endpoint {endpoint!r} has a query string or fragment; pass the base URL only "
                "(options go to the individual calls)"
            )
        chosen = Cloud.parse(cloud)
        host = parts.hostname.lower()
        path = parts.path.rstrip("/")
        regional = _REGIONAL_HOST.match(host)
        if regional:
            if path:
                raise ConfigurationError(
                    f"endpoint {endpoint!r} has a path; pass the base URL "
                    f"'{parts.scheme}://{parts.netloc}' (or region={regional.group('region')!r}) "
                    "and azspeech adds each feature's path"
                )
            name = normalize_region(regional.group("region"), strict=False)
            return cls._regional(name, chosen or _cloud_for_host(host))
        http_scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
        foundry = _FOUNDRY.match(host) is not None
        if foundry or _CUSTOM_DOMAIN.match(host):
            if path:
                raise ConfigurationError(
                    f"endpoint {endpoint!r} has a path; pass the base URL "
                    f"'{http_scheme}://{parts.netloc}' and azspeech adds each feature's path"
                )
            base = urlunsplit((http_scheme, parts.netloc, "", "", ""))
            inferred = _cloud_for_host(host)
            if chosen is not None and chosen is not inferred:
                raise ConfigurationError(
                    f"endpoint {endpoint!r} is in cloud {inferred.value!r}, not "
                    f"{chosen.value!r}; drop cloud= (it is inferred from the host)"
                )
            return cls(
                kind=EndpointKind.FOUNDRY if foundry else EndpointKind.CUSTOM_DOMAIN,
                cloud=inferred,
                region=None,
                api_base=base,
                stt_base=base + "/stt",
                tts_base=base + "/tts",
                s2s_base=base + "/stt",
                custom_voice_base=base + "/tts",
            )
        # A container, the emulator, a proxy: one base for everything, no prefixes.
        base = urlunsplit((http_scheme, parts.netloc, path, "", ""))
        return cls(
            kind=EndpointKind.CONTAINER,
            cloud=chosen or Cloud.PUBLIC,
            region=None,
            api_base=base,
            stt_base=base,
            tts_base=base,
            s2s_base=base,
            custom_voice_base=base,
        )

    # -- full URLs -----------------------------------------------------------

    def rest(self, path: str) -> str:
        """A REST API URL (fast/batch transcription, batch synthesis, STS...)."""
        return _join(self.api_base, path)

    def sts(self) -> str:
        """The STS token endpoint."""
        return self.api_base + "/sts/v1.0/issueToken"

    def stt(self, path: str, *, websocket: bool = False) -> str:
        """A speech-to-text URL (``/speech/recognition/...``)."""
        return _swap_scheme(_join(self.stt_base, path), websocket)

    def tts(self, path: str, *, websocket: bool = False, custom_voice: bool = False) -> str:
        """A text-to-speech URL (``/cognitiveservices/...``); custom voices use the voice host."""
        base = self.custom_voice_base if custom_voice else self.tts_base
        return _swap_scheme(_join(base, path), websocket)

    def translation(self, path: str, *, websocket: bool = True) -> str:
        """A speech-translation URL (served by the STT host on the universal v2 path)."""
        return _swap_scheme(_join(self.stt_base, path), websocket)

    def voice_live(self, path: str = VOICE_LIVE_PATH, *, websocket: bool = True) -> str:
        """The Voice Live URL (``wss://NAME.services.ai.azure.com/voice-live/realtime``).

        Served by the resource's own host (a Foundry resource, or a custom
        domain), or by a container or emulator base; regional hosts have none.

        Raises:
            ConfigurationError: the client was configured with a region.
        """
        if self.kind is EndpointKind.REGION:
            raise ConfigurationError(
                "Voice Live is served by the resource's own host, not a regional one; pass "
                "endpoint='https://NAME.services.ai.azure.com' (the resource's endpoint)"
            )
        return _swap_scheme(_join(self.api_base, path), websocket)

    @property
    def accepts_raw_entra_token(self) -> bool:
        """Whether an Entra token may be sent as-is (custom domains) or needs ``aad#`` wrapping."""
        return self.kind is not EndpointKind.REGION

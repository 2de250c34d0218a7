"""Client configuration: arguments and environment turned into one checked object."""

from __future__ import annotations

import math
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._protocol.framing import DEFAULT_LIMITS, Limits
from ._transport.retry import RetryPolicy, check_max_retries
from .auth import (
    Auth,
    CredentialAuth,
    KeyAuth,
    StaticTokenAuth,
    TokenCredentialLike,
    check_secret,
)
from .endpoints import Cloud, EndpointKind, Endpoints
from .errors import ConfigurationError, redact, register_secret

__all__ = ["ClientConfig", "resolve_config"]

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2


@dataclass
class ClientConfig:
    """Everything a client and its resources need, checked once at construction."""

    endpoints: Endpoints
    auth: Auth | None
    key: str | None = field(repr=False)
    timeout: float
    retry: RetryPolicy
    proxy: str | None
    limits: Limits = DEFAULT_LIMITS
    use_sts: bool = False
    verify: bool | str | ssl.SSLContext = True

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``wss://`` connections (None = the system default)."""
        return make_ssl_context(self.verify)

    def __repr__(self) -> str:
        return (
            f"ClientConfig(endpoint={self.endpoints.api_base!r}, kind={self.endpoints.kind.value}, "
            f"auth={type(self.auth).__name__ if self.auth else None}, timeout={self.timeout})"
        )


def _env(*names: str, environ: Mapping[str, str]) -> str | None:
    for name in names:
        value = environ.get(name)
        if value and value.strip():
            return value.strip()
    return None


def resolve_config(
    *,
    key: str | None = None,
    region: str | None = None,
    endpoint: str | None = None,
    credential: TokenCredentialLike | None = None,
    token: str | None = None,
    resource_id: str | None = None,
    cloud: Cloud | str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    proxy: str | None = None,
    use_sts: bool = False,
    verify: bool | str | ssl.SSLContext = True,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Check the arguments, fill gaps from the environment, and build a :class:`ClientConfig`."""
    env = os.environ if environ is None else environ
    explicit_credentials = [
        n for n, v in (("key", key), ("credential", credential), ("token", token)) if v is not None
    ]
    if len(explicit_credentials) > 1:
        raise ConfigurationError(
            f"pass only one of key, credential and token (got {' and '.join(explicit_credentials)})"
        )
    if region is not None and endpoint is not None:
        raise ConfigurationError(
            "pass either region or endpoint, not both: the endpoint already names the host "
            "(use endpoint= for custom domains, private endpoints and containers)"
        )
    if region is None and endpoint is None:
        endpoint = _env("AZURE_SPEECH_ENDPOINT", "SPEECH_ENDPOINT", environ=env)
        if endpoint is None:
            region = _env("AZURE_SPEECH_REGION", "SPEECH_REGION", environ=env)
    if region is None and endpoint is None:
        raise ConfigurationError(
            "no region or endpoint: pass region='westeurope' or endpoint='https://...', "
            "or set the AZURE_SPEECH_REGION (or AZURE_SPEECH_ENDPOINT) environment variable"
        )
    endpoints = (
        Endpoints.from_region(region, cloud)
        if region is not None
        else Endpoints.from_endpoint(endpoint, cloud)  # type: ignore[arg-type]
    )

    if not explicit_credentials:
        key = _env("AZURE_SPEECH_KEY", "SPEECH_KEY", environ=env)
    auth: Auth | None
    if key is not None:
        key = check_secret("key", key)
        auth = KeyAuth(key)
    elif token is not None:
        auth = StaticTokenAuth(token)
    elif credential is not None:
        auth = CredentialAuth(
            credential,
            resource_id=resource_id or _env("AZURE_SPEECH_RESOURCE_ID", environ=env),
            wrap=not endpoints.accepts_raw_entra_token,
        )
    elif endpoints.kind is EndpointKind.CONTAINER:
        auth = None  # containers and the emulator may run without billing keys
    else:
        raise ConfigurationError(
            "no credentials: pass key=... (the resource key), token=... or credential=..., "
            "or set the AZURE_SPEECH_KEY environment variable"
        )
    if not isinstance(use_sts, bool):
        raise ConfigurationError(f"use_sts must be True or False, got {use_sts!r}")
    if use_sts and key is None:
        raise ConfigurationError("use_sts=True exchanges the key for tokens; it needs key=...")
    if resource_id is not None and credential is None:
        raise ConfigurationError(
            "resource_id is only used with credential=...; drop it or pass an Entra ID credential"
        )

    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ConfigurationError(
            f"timeout must be a number of seconds such as 30, not {type(timeout).__name__}"
        )
    if not math.isfinite(timeout) or timeout <= 0:
        raise ConfigurationError(
            f"timeout must be a positive, finite number of seconds such as 30, got {timeout!r}"
        )
    max_retries = check_max_retries(DEFAULT_MAX_RETRIES if max_retries is None else max_retries)
    if proxy is not None and (not isinstance(proxy, str) or "://" not in proxy):
        raise ConfigurationError(
            f"proxy must be a URL such as 'http://proxy:3128', got {redact(repr(proxy))}"
        )
    if proxy is not None:
        from urllib.parse import urlsplit

        register_secret(urlsplit(proxy).password)
    if not isinstance(verify, (bool, str, ssl.SSLContext)):
        raise ConfigurationError(
            "verify must be True, False, a CA bundle path or an ssl.SSLContext, "
            f"not {type(verify).__name__}"
        )
    if isinstance(verify, str) and not os.path.exists(verify):
        raise ConfigurationError(f"verify: no CA bundle at {verify!r}")
    return ClientConfig(
        endpoints=endpoints,
        auth=auth,
        key=key,
        timeout=float(timeout),
        retry=RetryPolicy(max_retries=max_retries),
        proxy=proxy,
        use_sts=use_sts,
        verify=verify,
    )


def make_ssl_context(verify: bool | str | ssl.SSLContext) -> ssl.SSLContext | None:
    """An SSLContext for *verify* (httpx's meaning): None when the default will do."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True:
        return None
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if os.path.isdir(verify):
        return ssl.create_default_context(capath=verify)
    return ssl.create_default_context(cafile=verify)


def httpx_kwargs(config: ClientConfig) -> dict[str, Any]:
    """Keyword arguments for an httpx client that this library creates itself."""
    import httpx

    kwargs: dict[str, Any] = {
        "timeout": httpx.Timeout(config.timeout, connect=min(config.timeout, 10.0)),
        "follow_redirects": False,
        "limits": httpx.Limits(max_connections=200, max_keepalive_connections=50),
    }
    if config.proxy:
        kwargs["proxy"] = config.proxy
    if config.verify is not True:
        kwargs["verify"] = config.ssl_context()
    return kwargs

"""Credentials: subscription key, STS tokens, Entra ID tokens, static bearer tokens.

An :class:`Auth` object turns the configured credential into request headers,
for HTTP and for the WebSocket upgrade. Tokens are cached and refreshed before
they expire; a refresh happens once at a time however many callers ask at once
(a ``threading.Lock`` for blocking code, an ``asyncio.Lock`` for async code).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import AuthenticationError, ConfigurationError, register_secret

__all__ = [
    "COGNITIVE_SCOPE",
    "Auth",
    "CredentialAuth",
    "KeyAuth",
    "StaticTokenAuth",
    "StsTokenAuth",
    "TokenCredentialLike",
]

COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
STS_TOKEN_LIFETIME = 600.0  # the service's STS tokens live ten minutes
REFRESH_MARGIN = 60.0  # refresh this long before a token expires


class TokenCredentialLike(Protocol):
    """What azure-identity credentials offer: ``get_token(*scopes)`` (sync or async)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


@dataclass
class _CachedToken:
    value: str
    expires_at: float  # time.monotonic() based

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - REFRESH_MARGIN


class Auth:
    """Base class: headers for HTTP requests and WebSocket upgrades."""

    def headers(self) -> dict[str, str]:
        """Headers for a blocking caller (may fetch or refresh a token)."""
        raise NotImplementedError  # pragma: no cover - abstract

    async def aheaders(self) -> dict[str, str]:
        """Headers for an async caller (may fetch or refresh a token)."""
        return self.headers()

    refreshable = False
    """Whether :meth:`invalidate` followed by a new request can help after a 401."""

    def invalidate(self) -> None:
        """Forget any cached token (after the service said 401)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


class KeyAuth(Auth):
    """The resource key in ``Ocp-Apim-Subscription-Key``."""

    def __init__(self, key: str) -> None:
        self._key = check_secret("key", key)

    def headers(self) -> dict[str, str]:
        """``Ocp-Apim-Subscription-Key: <key>``."""
        return {"Ocp-Apim-Subscription-Key": self._key}


class StaticTokenAuth(Auth):
    """A bearer token the caller obtained elsewhere (sent as-is)."""

    def __init__(self, token: str) -> None:
        self._token = check_secret("token", token)

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>``."""
        return {"Authorization": f"Bearer {self._token}"}


class _RefreshingAuth(Auth):
    """A cached token refreshed before expiry, single-flight for sync and async callers."""

    refreshable = True

    def __init__(self) -> None:
        self._cached: _CachedToken | None = None
        self._thread_lock = threading.Lock()
        self._async_locks: dict[int, asyncio.Lock] = {}

    def _fetch(self) -> _CachedToken:
        raise NotImplementedError  # pragma: no cover - abstract

    async def _afetch(self) -> _CachedToken:
        raise NotImplementedError  # pragma: no cover - abstract

    def _format(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def token(self) -> str:
        """The current token, fetched or refreshed if needed."""
        cached = self._cached
        if cached is not None and cached.fresh(time.monotonic()):
            return cached.value
        with self._thread_lock:
            cached = self._cached
            if cached is None or not cached.fresh(time.monotonic()):
                cached = self._fetch()
                register_secret(cached.value)
                self._cached = cached
            return cached.value

    async def atoken(self) -> str:
        """Async twin of :meth:`token`."""
        cached = self._cached
        if cached is not None and cached.fresh(time.monotonic()):
            return cached.value
        loop_id = id(asyncio.get_running_loop())
        lock = self._async_locks.setdefault(loop_id, asyncio.Lock())
        async with lock:
            cached = self._cached
            if cached is None or not cached.fresh(time.monotonic()):
                cached = await self._afetch()
                register_secret(cached.value)
                self._cached = cached
            return cached.value

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <token>`` with a fresh token."""
        return self._format(self.token())

    async def aheaders(self) -> dict[str, str]:
        """Async twin of :meth:`headers`."""
        return self._format(await self.atoken())

    def invalidate(self) -> None:
        """Drop the cached token; the next call fetches a new one."""
        self._cached = None


class StsTokenAuth(_RefreshingAuth):
    """Exchange the key for ten-minute tokens at the STS endpoint, and send those.

    *fetch* and *afetch* do the HTTP exchange (the client wires them to its
    transport); they return the token text.
    """

    def __init__(
        self,
        key: str,
        fetch: Callable[[str], str],
        afetch: Callable[[str], Awaitable[str]],
    ) -> None:
        super().__init__()
        self._key = check_secret("key", key)
        self._fetch_fn = fetch
        self._afetch_fn = afetch

    def _fetch(self) -> _CachedToken:
        token = self._fetch_fn(self._key).strip()
        if not token:
            raise AuthenticationError("the STS endpoint returned an empty token")
        return _CachedToken(token, time.monotonic() + STS_TOKEN_LIFETIME)

    async def _afetch(self) -> _CachedToken:
        token = (await self._afetch_fn(self._key)).strip()
        if not token:
            raise AuthenticationError("the STS endpoint returned an empty token")
        return _CachedToken(token, time.monotonic() + STS_TOKEN_LIFETIME)


class CredentialAuth(_RefreshingAuth):
    """Microsoft Entra ID tokens from an azure-identity style credential.

    Regional hosts want ``aad#{resource_id}#{token}``; custom domains take the
    raw token. *resource_id* is the ARM id of the Speech resource.
    """

    def __init__(
        self, credential: TokenCredentialLike, *, resource_id: str | None, wrap: bool
    ) -> None:
        super().__init__()
        if not callable(getattr(credential, "get_token", None)):
            raise ConfigurationError(
                "credential must have a get_token(*scopes) method, like azure-identity's"
            )
        if wrap and not resource_id:
            raise ConfigurationError(
                "an Entra ID credential with a region needs resource_id='/subscriptions/.../"
                "accounts/NAME' (or use endpoint='https://NAME.cognitiveservices.azure.com')"
            )
        self._credential = credential
        self._resource_id = resource_id
        self._wrap = wrap

    @staticmethod
    def _convert(result: Any) -> _CachedToken:
        value = getattr(result, "token", None)
        expires_on = getattr(result, "expires_on", None)
        if not isinstance(value, str) or not value:
            raise AuthenticationError("the credential returned no token")
        lifetime = (float(expires_on) - time.time()) if expires_on is not None else 3600.0
        return _CachedToken(value, time.monotonic() + max(lifetime, 0.0))

    def _fetch(self) -> _CachedToken:
        result = self._credential.get_token(COGNITIVE_SCOPE)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if callable(close):
                close()
            raise ConfigurationError(
                "an async credential was given to the blocking SpeechClient; "
                "use azure.identity (not azure.identity.aio) or AsyncSpeechClient"
            )
        return self._convert(result)

    async def _afetch(self) -> _CachedToken:
        result = self._credential.get_token(COGNITIVE_SCOPE)
        if inspect.isawaitable(result):
            result = await result
        return self._convert(result)

    def _format(self, token: str) -> dict[str, str]:
        if self._wrap:
            return {"Authorization": f"Bearer aad#{self._resource_id}#{token}"}
        return {"Authorization": f"Bearer {token}"}


def check_secret(name: str, value: object) -> str:
    """Validate a key or token argument and register it for redaction."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}")
    stripped = value.strip()
    if not stripped:
        raise ConfigurationError(f"{name} is empty")
    if any(ch in stripped for ch in "\r\n\x00"):
        raise ConfigurationError(f"{name} contains a line break or NUL character")
    register_secret(stripped)
    return stripped

"""Credentials: subscription key, STS tokens, Entra ID tokens, static bearer tokens.

An :class:`Auth` object turns the configured credential into request headers,
for HTTP and for the WebSocket upgrade. Tokens are cached and refreshed before
they expire; a refresh happens once at a time however many callers ask at once
(a ``threading.Lock`` for blocking code, an ``asyncio.Lock`` for async code).
"""

from __future__ import annotations

import asyncio
import inspect
import math
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import AuthenticationError, ConfigurationError, register_secret

__all__ = [
    "AI_SCOPE",
    "COGNITIVE_SCOPE",
    "KEY_HEADER",
    "Auth",
    "CredentialAuth",
    "KeyAuth",
    "StaticTokenAuth",
    "StsTokenAuth",
    "TokenCredentialLike",
]

COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default"
"""The Entra ID scope of the Speech service (tokens for a Speech or AI Services resource)."""
AI_SCOPE = "https://ai.azure.com/.default"
"""The Entra ID scope the Voice Live reference (2026) documents for Foundry resources."""
KEY_HEADER = "Ocp-Apim-Subscription-Key"
"""The header a resource key travels in for the Speech APIs (Voice Live documents ``api-key``)."""
STS_TOKEN_LIFETIME = 600.0  # the service's STS tokens live ten minutes
REFRESH_MARGIN = 60.0  # refresh this long before a token expires

_clock = time.monotonic  # token ages are measured on this clock (tests replace it)


class TokenCredentialLike(Protocol):
    """What azure-identity credentials offer: ``get_token(*scopes)`` (sync or async)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


@dataclass
class _CachedToken:
    value: str
    expires_at: float  # time.monotonic() based
    refresh_at: float | None = None  # when to refresh; default: REFRESH_MARGIN before expiry

    @classmethod
    def lasting(cls, value: str, lifetime: float, refresh_in: float | None = None) -> _CachedToken:
        """A token valid for *lifetime* seconds from now."""
        now = _clock()
        lifetime = max(lifetime, 0.0)
        # Refresh a minute early, or half way for short-lived tokens.
        margin = min(REFRESH_MARGIN, lifetime / 2)
        refresh = lifetime - margin if refresh_in is None else min(max(refresh_in, 0.0), lifetime)
        return cls(value, now + lifetime, now + refresh)

    def fresh(self, now: float) -> bool:
        refresh_at = self.refresh_at
        if refresh_at is None:
            refresh_at = self.expires_at - REFRESH_MARGIN
        return now < refresh_at


class Auth:
    """Base class: headers for HTTP requests and WebSocket upgrades."""

    def headers(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """Headers for a blocking caller (may fetch or refresh a token).

        *key_header* names the header a resource key is sent in (the feature
        decides: ``api-key`` for Voice Live); token credentials ignore it.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    async def aheaders(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """Headers for an async caller (may fetch or refresh a token); see :meth:`headers`."""
        return self.headers(key_header=key_header)

    refreshable = False
    """Whether :meth:`invalidate` followed by a new request can help after a 401."""

    def invalidate(self, rejected: Mapping[str, str] | None = None) -> None:
        """Forget any cached token (after the service said 401).

        *rejected* are the headers the refused request carried: when a newer
        token has been cached since, it is kept (many requests refused at once
        cause one refresh, not one each).
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


class KeyAuth(Auth):
    """The resource key, in ``Ocp-Apim-Subscription-Key`` unless a feature names another header."""

    def __init__(self, key: str) -> None:
        self._key = check_secret("key", key)

    def headers(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """``Ocp-Apim-Subscription-Key: <key>`` (or ``<key_header>: <key>``)."""
        if not isinstance(key_header, str) or not key_header.strip() or ":" in key_header:
            raise ConfigurationError(f"key_header must be a header name, not {key_header!r}")
        return {key_header: self._key}


class StaticTokenAuth(Auth):
    """A bearer token the caller obtained elsewhere (sent as-is)."""

    def __init__(self, token: str) -> None:
        token = check_secret("token", token)
        if token[:7].lower() == "bearer ":  # a pasted header value: keep just the token
            token = check_secret("token", token[7:])
        self._token = token

    def headers(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """``Authorization: Bearer <token>``."""
        return {"Authorization": f"Bearer {self._token}"}


class _RefreshingAuth(Auth):
    """A cached token refreshed before expiry, single-flight for sync and async callers."""

    refreshable = True

    def __init__(self) -> None:
        self._cached: _CachedToken | None = None
        self._thread_lock = threading.Lock()
        self._locks_guard = threading.Lock()
        # One asyncio.Lock per event loop (a lock is bound to the loop it first waits on);
        # weak keys so that a closed loop's lock goes with it.
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        # Single flight also for failures: callers that queued behind a fetch
        # that failed get that failure instead of each trying again at once.
        # ``_attempts`` counts *finished* fetches.
        self._attempts = 0
        self._last_error: Exception | None = None

    def _fetch(self) -> _CachedToken:
        raise NotImplementedError  # pragma: no cover - abstract

    async def _afetch(self) -> _CachedToken:
        raise NotImplementedError  # pragma: no cover - abstract

    def _format(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _usable(self) -> str | None:
        cached = self._cached
        if cached is not None and cached.fresh(_clock()):
            return cached.value
        return None

    def _joined_failure(self, attempts_seen: int) -> Exception | None:
        """The error of a fetch that failed while this caller waited for the lock."""
        if self._attempts != attempts_seen and self._last_error is not None:
            return self._last_error
        return None

    def _store(self, cached: _CachedToken) -> str:
        register_secret(cached.value)
        self._cached = cached
        self._last_error = None
        return cached.value

    def token(self) -> str:
        """The current token, fetched or refreshed if needed (one fetch at a time)."""
        value = self._usable()
        if value is not None:
            return value
        attempts_seen = self._attempts
        with self._thread_lock:
            value = self._usable()
            if value is not None:
                return value
            failure = self._joined_failure(attempts_seen)
            if failure is not None:
                raise failure
            try:
                cached = self._fetch()
            except Exception as exc:  # not cancellation: that belongs to one caller
                self._last_error = exc
                raise
            finally:
                self._attempts += 1
            return self._store(cached)

    def _async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._locks_guard:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
        return lock

    async def atoken(self) -> str:
        """Async twin of :meth:`token`."""
        value = self._usable()
        if value is not None:
            return value
        attempts_seen = self._attempts
        async with self._async_lock():
            value = self._usable()
            if value is not None:
                return value
            failure = self._joined_failure(attempts_seen)
            if failure is not None:
                raise failure
            try:
                cached = await self._afetch()
            except Exception as exc:  # not cancellation: that belongs to one caller
                self._last_error = exc
                raise
            finally:
                self._attempts += 1
            return self._store(cached)

    def headers(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """``Authorization: Bearer <token>`` with a fresh token."""
        return self._format(self.token())

    async def aheaders(self, *, key_header: str = KEY_HEADER) -> dict[str, str]:
        """Async twin of :meth:`headers`."""
        return self._format(await self.atoken())

    def invalidate(self, rejected: Mapping[str, str] | None = None) -> None:
        """Drop the cached token; the next call fetches a new one.

        With *rejected* (the headers a refused request carried), only if that
        request used the token still cached.
        """
        cached = self._cached
        if cached is None:
            return
        if rejected is not None:
            sent = {k.lower(): v for k, v in rejected.items()}
            current = {k.lower(): v for k, v in self._format(cached.value).items()}
            if any(sent.get(k) != v for k, v in current.items()):
                return  # already replaced by a newer token
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
        return self._check(self._fetch_fn(self._key))

    async def _afetch(self) -> _CachedToken:
        return self._check(await self._afetch_fn(self._key))

    @staticmethod
    def _check(token: str) -> _CachedToken:
        token = token.strip()
        if not token or any(ch.isspace() for ch in token) or not token.isascii():
            raise AuthenticationError(
                "the STS endpoint did not return a token; check the endpoint and that it is "
                "a Speech resource"
            )
        return _CachedToken.lasting(token, STS_TOKEN_LIFETIME)


class CredentialAuth(_RefreshingAuth):
    """Microsoft Entra ID tokens from an azure-identity style credential.

    Regional hosts want ``aad#{resource_id}#{token}``; custom domains take the
    raw token. *resource_id* is the ARM id of the Speech resource. *scope* is
    what tokens are asked for (:data:`AI_SCOPE` for Voice Live on a Foundry
    resource).
    """

    def __init__(
        self,
        credential: TokenCredentialLike,
        *,
        resource_id: str | None,
        wrap: bool,
        scope: str = COGNITIVE_SCOPE,
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
        if resource_id is not None and (
            not isinstance(resource_id, str)
            or not resource_id.strip().startswith("/subscriptions/")
        ):
            raise ConfigurationError(
                "resource_id must be the resource's ARM id, '/subscriptions/<id>/resourceGroups/"
                "<group>/providers/Microsoft.CognitiveServices/accounts/<name>' "
                "(Properties page of the resource in the Azure portal)"
            )
        resource_id = resource_id.strip() if resource_id else None
        if not isinstance(scope, str) or not scope.startswith("https://"):
            raise ConfigurationError(f"scope must be an https:// scope URI, not {scope!r}")
        self.scope = scope
        self._credential = credential
        self._resource_id = resource_id
        self._wrap = wrap

    @staticmethod
    def _convert(result: Any) -> _CachedToken:
        value = getattr(result, "token", None)
        if not isinstance(value, str) or not value.strip():
            raise AuthenticationError("the credential's get_token() returned no token")
        now = time.time()
        lifetime = _seconds_until(getattr(result, "expires_on", None), now)
        refresh_in = _seconds_until(getattr(result, "refresh_on", None), now)
        return _CachedToken.lasting(
            value.strip(), 3600.0 if lifetime is None else lifetime, refresh_in
        )

    def _fetch(self) -> _CachedToken:
        result = self._credential.get_token(self.scope)
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
        get_token = self._credential.get_token
        if inspect.iscoroutinefunction(get_token):
            result = await get_token(self.scope)
        else:
            # A blocking credential may do network I/O: keep it off the event loop.
            result = await asyncio.to_thread(get_token, self.scope)
        if inspect.isawaitable(result):
            result = await result
        return self._convert(result)

    def _format(self, token: str) -> dict[str, str]:
        if self._wrap:
            return {"Authorization": f"Bearer aad#{self._resource_id}#{token}"}
        return {"Authorization": f"Bearer {token}"}


def _seconds_until(epoch: object, now: float) -> float | None:
    """Seconds from *now* to an epoch timestamp, or None when absent or unreadable."""
    if epoch is None or isinstance(epoch, bool):
        return None
    try:
        when = float(epoch)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return when - now if math.isfinite(when) else None


_WHERE = {
    "key": "copy Key 1 from the resource's Keys and Endpoint page in the Azure portal",
    "token": "pass the token string itself",
}


def check_secret(name: str, value: object) -> str:
    """Validate a key or token argument and register it for redaction.

    Error messages never include the value.
    """
    fix = _WHERE.get(name, "")
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{name} must be a string, not {type(value).__name__}" + (f"; {fix}" if fix else "")
        )
    stripped = value.strip()
    if not stripped:
        raise ConfigurationError(f"{name} is empty" + (f"; {fix}" if fix else ""))
    if not stripped.isascii() or not stripped.isprintable():
        raise ConfigurationError(
            f"{name} contains a line break, control or non-ASCII character; "
            "it was probably copied with extra text"
        )
    register_secret(stripped)
    return stripped

"""What the two clients share: the base class, how copies are built, token requests.

:class:`_ClientBase` answers the read-only questions of both clients
(endpoints, configuration, credential, closed); :class:`_Shared` is what a
``with_options`` copy or the blocking client's async twin is built from.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ._config import ClientConfig
from ._resource import apply_options
from ._state import AsyncClientState, BlockingClientState
from ._transport.http import AsyncHttpTransport, HttpRequest
from .auth import Auth, StsTokenAuth
from .endpoints import Endpoints
from .errors import ConfigurationError, ConnectionError

if TYPE_CHECKING:
    from ._resource import RequestOptions

__all__: list[str] = []


def _sts_request(config: ClientConfig, key: str) -> HttpRequest:
    return HttpRequest(
        "POST",
        config.endpoints.sts(),
        headers={"Ocp-Apim-Subscription-Key": key, "Content-Length": "0"},
        content=b"",
        retry_safe=True,  # issuing a token has no side effect worth protecting
        authenticate=False,
        what="STS token request",
    )


def _token_request(config: ClientConfig, key: str, options: RequestOptions) -> HttpRequest:
    """The STS request with the per-call options applied; the key header stays the SDK's."""
    req = apply_options(_sts_request(config, key), options)
    headers = {k: v for k, v in req.headers.items() if k.lower() != "ocp-apim-subscription-key"}
    return dataclasses.replace(req, headers={**headers, "Ocp-Apim-Subscription-Key": key})


def _config_with(
    config: ClientConfig, max_retries: int | None, timeout: float | None
) -> ClientConfig:
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ConfigurationError(
                f"timeout must be a positive number of seconds, got {timeout!r}"
            )
        if timeout == float("inf"):
            raise ConfigurationError("timeout must be finite")
    return dataclasses.replace(
        config,
        retry=config.retry.with_max_retries(max_retries),
        timeout=float(timeout) if timeout is not None else config.timeout,
    )


@dataclasses.dataclass(frozen=True)
class _Shared:
    """What a ``with_options`` copy (or the blocking client's twin) is built from."""

    config: ClientConfig
    state: AsyncClientState | BlockingClientState
    timeout: float | None  # the per-request HTTP timeout override, if any


def _async_sts_auth(config: ClientConfig, state: AsyncClientState) -> Auth:
    assert config.key is not None

    async def afetch(k: str) -> str:
        plain = AsyncHttpTransport(state.http_client(), auth=None, policy=config.retry)
        return (await plain.send(_sts_request(config, k))).text

    def fetch(k: str) -> str:
        raise RuntimeError(
            "AsyncSpeechClient fetches tokens asynchronously; use 'await client.auth.aheaders()'"
        )

    return StsTokenAuth(config.key, fetch, afetch)


class _ClientBase:
    _config: ClientConfig
    _closed: bool = False
    _owns_state: bool = False

    @property
    def _state_closed(self) -> bool:
        return False  # the subclasses answer for their state

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (on this client or the one it was copied from)."""
        return self._closed or self._state_closed

    def _key_for_token(self) -> str:
        if self._config.key is None:
            raise ConfigurationError("issue_token() needs a client configured with key=...")
        return self._config.key

    def _check_open(self) -> None:
        if self.closed:
            raise ConnectionError(
                f"this {type(self).__name__} is closed; create a new one "
                "(or keep using it inside its 'with' block)"
            )

    @property
    def endpoints(self) -> Endpoints:
        """The resolved service URLs."""
        return self._config.endpoints

    @property
    def config(self) -> ClientConfig:
        """The checked configuration (secrets are not shown in its repr)."""
        return self._config

    def __repr__(self) -> str:
        e = self._config.endpoints
        where = f"region={e.region!r}" if e.region else f"endpoint={e.api_base!r}"
        auth = type(self._auth).__name__ if self._auth else "none"
        closed = ", closed" if self.closed else ""
        return f"{type(self).__name__}({where}, auth={auth}{closed})"

    _auth: Auth | None

    @property
    def auth(self) -> Auth | None:
        """The credential in use (tokens are fetched and cached through it)."""
        return self._auth

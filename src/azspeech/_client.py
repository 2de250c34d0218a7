"""The two entry points: :class:`SpeechClient` (blocking) and :class:`AsyncSpeechClient`.

Both take the same keyword-only options and hang the feature resources
(``.stt``, ``.tts``...) off one object, the way openai-python does. The
blocking client does REST calls with a blocking httpx client; its streaming
sessions run the async implementation on a private event loop
(:class:`~azspeech._transport.portal.Portal`), so that logic exists once.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._config import ClientConfig, httpx_kwargs, resolve_config
from ._protocol.framing import Limits
from ._transport.http import AsyncHttpTransport, HttpRequest, HttpTransport
from ._transport.portal import Portal
from ._transport.ws import WebSocket, connect
from .auth import Auth, StsTokenAuth, TokenCredentialLike
from .endpoints import Cloud, Endpoints

if TYPE_CHECKING:
    from .stt import AsyncSpeechToText, SpeechToText
    from .tts import AsyncTextToSpeech, TextToSpeech

__all__ = ["AsyncSpeechClient", "SpeechClient"]

T = TypeVar("T")


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


class _ClientBase:
    _config: ClientConfig

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
        auth = type(self._config.auth).__name__ if self._config.auth else "none"
        return f"{type(self).__name__}({where}, auth={auth})"


class AsyncSpeechClient(_ClientBase):
    """The asyncio client for Azure Speech.

    With no arguments it reads ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION``
    (or ``AZURE_SPEECH_ENDPOINT``; ``SPEECH_KEY``/``SPEECH_REGION`` also work).

    Args:
        key: the resource key.
        region: the resource's region, e.g. ``"westeurope"``.
        endpoint: a base URL instead of a region: a custom domain
            (``https://NAME.cognitiveservices.azure.com``), a container or the
            emulator (``http://localhost:5000``).
        credential: an Entra ID credential (``get_token(*scopes)``, sync or async).
        token: a bearer token obtained elsewhere.
        resource_id: the ARM id of the resource, needed with *credential* and a region.
        cloud: ``"public"``, ``"usgov"`` or ``"china"`` (inferred from the region).
        timeout: seconds per HTTP request and WebSocket connect.
        max_retries: extra attempts for requests that are safe to repeat.
        http_client: an ``httpx.AsyncClient`` of your own (not closed by us).
        proxy: a proxy URL for HTTP and WebSocket traffic.
        use_sts: exchange the key for ten-minute STS tokens and send those.
    """

    def __init__(
        self,
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
        http_client: httpx.AsyncClient | None = None,
        proxy: str | None = None,
        use_sts: bool = False,
        _environ: Mapping[str, str] | None = None,
    ) -> None:
        self._config = resolve_config(
            key=key, region=region, endpoint=endpoint, credential=credential, token=token,
            resource_id=resource_id, cloud=cloud, timeout=timeout, max_retries=max_retries,
            proxy=proxy, use_sts=use_sts, environ=_environ,
        )  # fmt: skip
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient for AsyncSpeechClient")
        self._owns_http = http_client is None
        self._http_client = http_client or httpx.AsyncClient(**httpx_kwargs(self._config))
        self._auth: Auth | None = self._config.auth
        plain = AsyncHttpTransport(self._http_client, auth=None, policy=self._config.retry)
        if self._config.use_sts:
            assert self._config.key is not None
            cfg = self._config

            async def afetch(k: str) -> str:
                return (await plain.send(_sts_request(cfg, k))).text

            def fetch(k: str) -> str:  # pragma: no cover - the async client never calls it
                raise RuntimeError("blocking token fetch on the async client")

            self._auth = StsTokenAuth(self._config.key, fetch, afetch)
        self._http = AsyncHttpTransport(
            self._http_client, auth=self._auth, policy=self._config.retry
        )
        self._plain_http = plain

    # -- resources -------------------------------------------------------------

    @functools.cached_property
    def stt(self) -> AsyncSpeechToText:
        """Speech to text: real-time, short audio, fast transcription."""
        from .stt import AsyncSpeechToText

        return AsyncSpeechToText(self)

    @functools.cached_property
    def tts(self) -> AsyncTextToSpeech:
        """Text to speech: REST, streaming, voices, batch synthesis."""
        from .tts import AsyncTextToSpeech

        return AsyncTextToSpeech(self)

    # -- plumbing the resources use -------------------------------------------------

    @property
    def auth(self) -> Auth | None:
        """The credential in use (tokens are fetched and cached through it)."""
        return self._auth

    async def issue_token(self) -> str:
        """Exchange the key for a ten-minute STS token (for browsers or other clients)."""
        if self._config.key is None:
            from .errors import ConfigurationError

            raise ConfigurationError("issue_token() needs a client configured with key=...")
        return (await self._plain_http.send(_sts_request(self._config, self._config.key))).text

    async def _ws_connect(
        self, url: str, *, headers: Mapping[str, str] | None = None, limits: Limits | None = None
    ) -> WebSocket:
        return await connect(
            url,
            auth=self._auth,
            headers=headers,
            open_timeout=min(self._config.timeout, 30.0),
            proxy=self._config.proxy,
            limits=limits or self._config.limits,
            policy=self._config.retry,
        )

    async def close(self) -> None:
        """Close connections this client opened."""
        if self._owns_http:
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncSpeechClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class SpeechClient(_ClientBase):
    """The blocking client for Azure Speech. Same options as :class:`AsyncSpeechClient`.

    ``http_client``, if given, must be an ``httpx.Client``.
    """

    def __init__(
        self,
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
        http_client: httpx.Client | None = None,
        proxy: str | None = None,
        use_sts: bool = False,
        _environ: Mapping[str, str] | None = None,
    ) -> None:
        self._kwargs: dict[str, Any] = dict(
            key=key, region=region, endpoint=endpoint, credential=credential, token=token,
            resource_id=resource_id, cloud=cloud, timeout=timeout, max_retries=max_retries,
            proxy=proxy, use_sts=use_sts, _environ=_environ,
        )  # fmt: skip
        self._config = resolve_config(**{k.lstrip("_"): v for k, v in self._kwargs.items()})
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError("http_client must be an httpx.Client for SpeechClient")
        self._owns_http = http_client is None
        self._http_client = http_client or httpx.Client(**httpx_kwargs(self._config))
        self._auth: Auth | None = self._config.auth
        plain = HttpTransport(self._http_client, auth=None, policy=self._config.retry)
        if self._config.use_sts:
            assert self._config.key is not None
            cfg = self._config

            def fetch(k: str) -> str:
                return plain.send(_sts_request(cfg, k)).text

            async def afetch(
                k: str,
            ) -> str:  # pragma: no cover - the blocking client never calls it
                raise RuntimeError("async token fetch on the blocking client")

            self._auth = StsTokenAuth(self._config.key, fetch, afetch)
        self._http = HttpTransport(self._http_client, auth=self._auth, policy=self._config.retry)
        self._plain_http = plain
        self._portal = Portal()
        self._aclient: AsyncSpeechClient | None = None

    @functools.cached_property
    def stt(self) -> SpeechToText:
        """Speech to text: real-time, short audio, fast transcription."""
        from .stt import SpeechToText

        return SpeechToText(self)

    @functools.cached_property
    def tts(self) -> TextToSpeech:
        """Text to speech: REST, streaming, voices, batch synthesis."""
        from .tts import TextToSpeech

        return TextToSpeech(self)

    @property
    def auth(self) -> Auth | None:
        """The credential in use."""
        return self._auth

    def issue_token(self) -> str:
        """Exchange the key for a ten-minute STS token (for browsers or other clients)."""
        if self._config.key is None:
            from .errors import ConfigurationError

            raise ConfigurationError("issue_token() needs a client configured with key=...")
        return self._plain_http.send(_sts_request(self._config, self._config.key)).text

    # -- the async twin, for streaming sessions -------------------------------------

    @property
    def portal(self) -> Portal:
        """The private event loop that runs this client's streaming sessions."""
        return self._portal

    async def _get_async_client(self) -> AsyncSpeechClient:
        # Created on the portal loop, sharing this client's configuration.
        if self._aclient is None:
            self._aclient = AsyncSpeechClient(**self._kwargs)
            self._aclient._auth = self._auth if not self._config.use_sts else self._aclient._auth
        return self._aclient

    def _run(self, fn: Callable[[AsyncSpeechClient], Awaitable[T]]) -> T:
        """Run ``fn(async_client)`` on the portal and return its result."""

        async def call() -> T:
            return await fn(await self._get_async_client())

        return self._portal.call(call)

    def close(self) -> None:
        """Close connections and the background loop this client started."""
        if self._aclient is not None:
            aclient = self._aclient
            self._aclient = None
            try:
                self._portal.call(aclient.close)
            except RuntimeError:  # pragma: no cover - portal already gone
                pass
        self._portal.close()
        if self._owns_http:
            self._http_client.close()

    def __enter__(self) -> SpeechClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

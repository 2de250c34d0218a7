"""The two entry points: :class:`SpeechClient` (blocking) and :class:`AsyncSpeechClient`.

Both take the same keyword-only options and hang the feature resources
(``.stt``, ``.tts``...) off one object, the way openai-python does. The
blocking client does REST calls with a blocking httpx client; its streaming
sessions run the async implementation on a private event loop
(:class:`~azspeech._transport.portal.Portal`), so that logic exists once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import ssl
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import httpx

from ._config import ClientConfig, httpx_kwargs, resolve_config
from ._protocol.framing import Limits
from ._transport.http import AsyncHttpTransport, HttpRequest, HttpTransport
from ._transport.portal import Portal
from ._transport.ws import WebSocket, connect
from .auth import Auth, StsTokenAuth, TokenCredentialLike
from .endpoints import Cloud, Endpoints
from .errors import ConfigurationError, ConnectionError

if TYPE_CHECKING:
    from .batch import AsyncBatchTranscriptions, BatchTranscriptions
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


class _ClientBase:
    _config: ClientConfig
    _closed: bool = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
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
        closed = ", closed" if self._closed else ""
        return f"{type(self).__name__}({where}, auth={auth}{closed})"

    _auth: Auth | None

    @property
    def auth(self) -> Auth | None:
        """The credential in use (tokens are fetched and cached through it)."""
        return self._auth


class AsyncSpeechClient(_ClientBase):
    """The asyncio client for Azure Speech.

    With no arguments it reads ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION``
    (or ``AZURE_SPEECH_ENDPOINT``; ``SPEECH_KEY``/``SPEECH_REGION`` also work).
    Use it as ``async with AsyncSpeechClient(...) as client:`` or call
    :meth:`close` when done.

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
        max_retries: extra attempts for requests that are safe to repeat
            (default 2; 0 disables retries). For some calls only, use
            :meth:`with_options`.
        http_client: an ``httpx.AsyncClient`` of your own (not closed by us).
        proxy: a proxy URL for HTTP and WebSocket traffic.
        verify: TLS verification for HTTP and WebSocket traffic: ``True`` (the
            system's CAs), a CA bundle path (a private endpoint behind a
            corporate CA), an ``ssl.SSLContext``, or ``False`` (don't).
        use_sts: exchange the key for ten-minute STS tokens and send those.

    Raises:
        ConfigurationError: missing, contradictory or malformed options; the
            message says what to change.
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
        verify: bool | str | ssl.SSLContext = True,
        _environ: Mapping[str, str] | None = None,
    ) -> None:
        config = resolve_config(
            key=key, region=region, endpoint=endpoint, credential=credential, token=token,
            resource_id=resource_id, cloud=cloud, timeout=timeout, max_retries=max_retries,
            proxy=proxy, use_sts=use_sts, verify=verify, environ=_environ,
        )  # fmt: skip
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError(
                "http_client must be an httpx.AsyncClient for AsyncSpeechClient "
                f"(got {type(http_client).__name__}; SpeechClient takes an httpx.Client)"
            )
        self._setup(config, http_client, None)

    @classmethod
    def _from_config(cls, config: ClientConfig, auth: Auth | None) -> AsyncSpeechClient:
        """A client sharing an existing configuration and credential (the portal twin)."""
        self = cls.__new__(cls)
        self._setup(config, None, auth)
        return self

    def _setup(
        self, config: ClientConfig, http_client: httpx.AsyncClient | None, auth: Auth | None
    ) -> None:
        self._config = config
        self._closed = False
        self._owns_http = http_client is None
        self._http_client = http_client or httpx.AsyncClient(**httpx_kwargs(config))
        plain = AsyncHttpTransport(self._http_client, auth=None, policy=config.retry)
        if auth is None:
            auth = config.auth
            if config.use_sts:
                assert config.key is not None

                async def afetch(k: str) -> str:
                    return (await plain.send(_sts_request(config, k))).text

                def fetch(k: str) -> str:
                    raise RuntimeError(
                        "AsyncSpeechClient fetches tokens asynchronously; use "
                        "'await client.auth.aheaders()'"
                    )

                auth = StsTokenAuth(config.key, fetch, afetch)
        self._auth = auth
        self._http = AsyncHttpTransport(self._http_client, auth=auth, policy=config.retry)
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

    @functools.cached_property
    def batch(self) -> AsyncBatchTranscriptions:
        """Batch transcription: jobs, files, parsed results, web hooks."""
        from .batch import AsyncBatchTranscriptions

        return AsyncBatchTranscriptions(self)

    def with_options(
        self, *, max_retries: int | None = None, timeout: float | None = None
    ) -> AsyncSpeechClient:
        """A client like this one with another retry count or timeout, for some calls.

        ``client.with_options(max_retries=0).stt.transcribe(...)``. The copy shares
        this client's connections and credential; closing it closes only what it
        opened itself, so close the original when done.
        """
        self._check_open()
        config = _config_with(self._config, max_retries, timeout)
        clone = type(self).__new__(type(self))
        clone._config = config
        clone._closed = False
        clone._owns_http = False
        clone._http_client = self._http_client
        clone._auth = self._auth
        clone._http = AsyncHttpTransport(self._http_client, auth=self._auth, policy=config.retry)
        clone._plain_http = AsyncHttpTransport(self._http_client, auth=None, policy=config.retry)
        clone._http.timeout = clone._plain_http.timeout = timeout
        return clone

    # -- plumbing the resources use -------------------------------------------------

    async def issue_token(self) -> str:
        """Exchange the key for a ten-minute STS token (for browsers or other clients)."""
        self._check_open()
        if self._config.key is None:
            raise ConfigurationError("issue_token() needs a client configured with key=...")
        response = await self._plain_http.send(_sts_request(self._config, self._config.key))
        return response.text.strip()

    async def _ws_connect(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        limits: Limits | None = None,
        max_retries: int | None = None,
    ) -> WebSocket:
        """Open a service WebSocket with this client's credential, proxy and retry policy."""
        self._check_open()
        return await connect(
            url,
            auth=self._auth,
            headers=headers,
            open_timeout=min(self._config.timeout, 30.0),
            proxy=self._config.proxy,
            ssl_context=self._config.ssl_context(),
            limits=limits or self._config.limits,
            policy=self._config.retry.with_max_retries(max_retries),
        )

    async def close(self) -> None:
        """Close connections this client opened. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        # Resources that hold connections (the TTS socket pool...) close with the client.
        for resource in list(self.__dict__.values()):
            aclose = getattr(resource, "aclose", None)
            if resource is not self._http_client and callable(aclose):
                with contextlib.suppress(Exception):
                    await aclose()
        if self._owns_http:
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncSpeechClient:
        self._check_open()
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

    ``http_client``, if given, must be an ``httpx.Client``; ``credential`` must
    be a blocking one (``azure.identity``, not ``azure.identity.aio``). Use it
    as ``with SpeechClient(...) as client:`` or call :meth:`close` when done.
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
        verify: bool | str | ssl.SSLContext = True,
        _environ: Mapping[str, str] | None = None,
    ) -> None:
        config = resolve_config(
            key=key, region=region, endpoint=endpoint, credential=credential, token=token,
            resource_id=resource_id, cloud=cloud, timeout=timeout, max_retries=max_retries,
            proxy=proxy, use_sts=use_sts, verify=verify, environ=_environ,
        )  # fmt: skip
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(
                "http_client must be an httpx.Client for SpeechClient "
                f"(got {type(http_client).__name__}; AsyncSpeechClient takes an httpx.AsyncClient)"
            )
        if credential is not None and inspect.iscoroutinefunction(
            getattr(credential, "get_token", None)
        ):
            raise ConfigurationError(
                "credential is asynchronous (azure.identity.aio); SpeechClient needs a blocking "
                "one (azure.identity), or use AsyncSpeechClient"
            )
        self._config = config
        self._closed = False
        self._owns_http = http_client is None
        self._http_client = http_client or httpx.Client(**httpx_kwargs(config))
        self._auth = config.auth
        plain = HttpTransport(self._http_client, auth=None, policy=config.retry)
        if config.use_sts:
            assert config.key is not None

            def fetch(k: str) -> str:
                return plain.send(_sts_request(config, k)).text

            async def afetch(k: str) -> str:
                # Streaming sessions run on the portal loop; fetch through the
                # blocking transport in a worker thread, sharing one token cache.
                return await asyncio.to_thread(fetch, k)

            self._auth = StsTokenAuth(config.key, fetch, afetch)
        self._http = HttpTransport(self._http_client, auth=self._auth, policy=config.retry)
        self._plain_http = plain
        self._portal = Portal()
        self._owns_portal = True
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

    @functools.cached_property
    def batch(self) -> BatchTranscriptions:
        """Batch transcription: jobs, files, parsed results, web hooks."""
        from .batch import BatchTranscriptions

        return BatchTranscriptions(self)

    def issue_token(self) -> str:
        """Exchange the key for a ten-minute STS token (for browsers or other clients)."""
        self._check_open()
        if self._config.key is None:
            raise ConfigurationError("issue_token() needs a client configured with key=...")
        return self._plain_http.send(_sts_request(self._config, self._config.key)).text.strip()

    def with_options(
        self, *, max_retries: int | None = None, timeout: float | None = None
    ) -> SpeechClient:
        """A client like this one with another retry count or timeout, for some calls.

        ``client.with_options(max_retries=0).tts.synthesize(...)``. The copy shares
        this client's connections, background loop and credential; closing it
        closes only what it opened itself, so close the original when done.
        """
        self._check_open()
        config = _config_with(self._config, max_retries, timeout)
        clone = type(self).__new__(type(self))
        clone._config = config
        clone._closed = False
        clone._owns_http = False
        clone._owns_portal = False
        clone._http_client = self._http_client
        clone._auth = self._auth
        clone._http = HttpTransport(self._http_client, auth=self._auth, policy=config.retry)
        clone._plain_http = HttpTransport(self._http_client, auth=None, policy=config.retry)
        clone._http.timeout = clone._plain_http.timeout = timeout
        clone._portal = self._portal
        clone._aclient = None
        return clone

    # -- the async twin, for streaming sessions -------------------------------------

    @property
    def portal(self) -> Portal:
        """The private event loop that runs this client's streaming sessions."""
        return self._portal

    async def _get_async_client(self) -> AsyncSpeechClient:
        # Created on the portal loop, sharing this client's configuration and
        # credential (so that tokens are fetched and cached once).
        if self._aclient is None:
            self._aclient = AsyncSpeechClient._from_config(self._config, self._auth)
        return self._aclient

    def _run(self, fn: Callable[[AsyncSpeechClient], Awaitable[T]]) -> T:
        """Run ``fn(async_client)`` on the portal and return its result."""
        self._check_open()

        async def call() -> T:
            return await fn(await self._get_async_client())

        return self._portal.call(call)

    def close(self) -> None:
        """Close connections and the background loop this client started.

        Safe to call more than once.
        """
        if self._closed:
            return
        self._closed = True
        aclient, self._aclient = self._aclient, None
        if aclient is not None:
            with contextlib.suppress(RuntimeError):  # called from the portal itself
                self._portal.call(aclient.close)
        if self._owns_portal:
            self._portal.close()
        if self._owns_http:
            self._http_client.close()

    def __enter__(self) -> SpeechClient:
        self._check_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

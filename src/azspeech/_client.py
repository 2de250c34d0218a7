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
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._config import ClientConfig, resolve_config
from ._protocol.framing import Limits
from ._resource import apply_options
from ._state import AsyncClientState, BlockingClientState
from ._transport.http import AsyncHttpTransport, HttpRequest, HttpTransport
from ._transport.portal import Portal
from ._transport.ws import RawWebSocket, WebSocket, connect, connect_raw
from .auth import Auth, StsTokenAuth, TokenCredentialLike
from .endpoints import Cloud, Endpoints
from .errors import ConfigurationError, ConnectionError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._resource import RequestOptions
    from .avatar import AsyncAvatar, Avatar
    from .batch import AsyncBatchTranscriptions, BatchTranscriptions
    from .custom_speech import AsyncCustomSpeech, CustomSpeech
    from .language_id import AsyncLanguageId, LanguageId
    from .llm import AsyncLlmSpeech, LlmSpeech
    from .pronunciation import AsyncPronunciation, Pronunciation
    from .stt import AsyncSpeechToText, SpeechToText
    from .translation import AsyncTranslation, Translation
    from .tts import AsyncTextToSpeech, TextToSpeech
    from .voice_live import AsyncVoiceLive, VoiceLive

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
        _shared: _Shared | None = None,
    ) -> None:
        if _shared is not None:  # a copy: the same state, another configuration
            self._bind(_shared)
            return
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
        state = AsyncClientState(config, config.auth, http_client)
        if config.use_sts:
            state.auth = _async_sts_auth(config, state)
        self._bind(_Shared(config, state, None))
        self._owns_state = True

    _state: AsyncClientState

    @property
    def _state_closed(self) -> bool:
        return self._state.closed

    def _bind(self, shared: _Shared) -> None:
        # The one place a client's attributes are set, for new clients and copies alike.
        assert isinstance(shared.state, AsyncClientState)
        self._config = shared.config
        self._state = state = shared.state
        self._closed = False
        self._auth = state.auth
        self._transports: tuple[httpx.AsyncClient, AsyncHttpTransport, AsyncHttpTransport] | None
        self._transports = None
        self._timeout_override = shared.timeout

    @property
    def _http_client(self) -> httpx.AsyncClient:
        return self._state.http_client()

    def _http_pair(self) -> tuple[AsyncHttpTransport, AsyncHttpTransport]:
        http_client = self._state.http_client()
        cached = self._transports
        if cached is None or cached[0] is not http_client:
            policy = self._config.retry
            authed = AsyncHttpTransport(http_client, auth=self._auth, policy=policy)
            plain = AsyncHttpTransport(http_client, auth=None, policy=policy)
            authed.timeout = plain.timeout = self._timeout_override
            cached = self._transports = (http_client, authed, plain)
        return cached[1], cached[2]

    @property
    def _http(self) -> AsyncHttpTransport:
        return self._http_pair()[0]

    @property
    def _plain_http(self) -> AsyncHttpTransport:
        return self._http_pair()[1]

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
    def custom_speech(self) -> AsyncCustomSpeech:
        """Custom speech: projects, datasets, models, endpoints, evaluations."""
        from .custom_speech import AsyncCustomSpeech

        return AsyncCustomSpeech(self)

    @functools.cached_property
    def llm(self) -> AsyncLlmSpeech:
        """LLM speech: transcribe and translate with the enhanced mode."""
        from .llm import AsyncLlmSpeech

        return AsyncLlmSpeech(self)

    @functools.cached_property
    def batch(self) -> AsyncBatchTranscriptions:
        """Batch transcription: jobs, files, parsed results, web hooks."""
        from .batch import AsyncBatchTranscriptions

        return AsyncBatchTranscriptions(self)

    @functools.cached_property
    def pronunciation(self) -> AsyncPronunciation:
        """Pronunciation assessment: scores of a reading, word by word, with a report."""
        from .pronunciation import AsyncPronunciation

        return AsyncPronunciation(self)

    @functools.cached_property
    def language_id(self) -> AsyncLanguageId:
        """Language identification: the language per segment and the dominant one."""
        from .language_id import AsyncLanguageId

        return AsyncLanguageId(self)

    @functools.cached_property
    def translation(self) -> AsyncTranslation:
        """Speech translation: once or continuous, into many languages, with speech."""
        from .translation import AsyncTranslation

        return AsyncTranslation(self)

    @functools.cached_property
    def voice_live(self) -> AsyncVoiceLive:
        """Voice Live: spoken conversations with a model or agent over one WebSocket."""
        from .voice_live import AsyncVoiceLive

        return AsyncVoiceLive(self)

    @functools.cached_property
    def avatar(self) -> AsyncAvatar:
        """Text-to-speech avatar: batch video synthesis and the real-time relay token."""
        from .avatar import AsyncAvatar

        return AsyncAvatar(self)

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
        override = timeout if timeout is not None else self._timeout_override
        return type(self)(_shared=_Shared(config, self._state, override))

    # -- plumbing the resources use -------------------------------------------------

    async def issue_token(self, **options: Unpack[RequestOptions]) -> str:
        """Exchange the key for a ten-minute STS token (for browsers or other clients).

        ``timeout=``, ``extra_headers=``, ``extra_query=`` apply to this call
        (:class:`~azspeech._resource.RequestOptions`; the key header cannot be
        overridden).
        """
        self._check_open()
        req = _token_request(self._config, self._key_for_token(), options)
        return (await self._plain_http.send(req)).text.strip()

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

    async def _ws_connect_raw(
        self,
        url: str,
        *,
        key_header: str = "api-key",
        auth: Auth | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> RawWebSocket:
        """Open a WebSocket of plain frames (Voice Live); *auth* overrides the client's."""
        self._check_open()
        return await connect_raw(
            url,
            auth=auth if auth is not None else self._auth,
            headers=headers,
            key_header=key_header,
            open_timeout=min(self._config.timeout, 30.0),
            proxy=self._config.proxy,
            max_frame_bytes=self._config.limits.max_frame_bytes,
            policy=self._config.retry,
            ssl_context=self._config.ssl_context(),
        )

    async def close(self) -> None:
        """Close this client: end the sessions and syntheses it started, close its connections.

        A ``with_options`` copy shares its original's connections: closing the
        copy retires only the copy, closing the original ends everything.
        Safe to call more than once.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_state:
            await self._state.close()

    aclose = close

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
        _shared: _Shared | None = None,
    ) -> None:
        if _shared is not None:  # a copy: the same state, another configuration
            self._bind(_shared)
            return
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
        state = BlockingClientState(config, config.auth, http_client)
        if config.use_sts:
            assert config.key is not None
            plain = HttpTransport(state.http_client, auth=None, policy=config.retry)

            def fetch(k: str) -> str:
                return plain.send(_sts_request(config, k)).text

            async def afetch(k: str) -> str:
                # Streaming sessions run on the portal loop; fetch through the
                # blocking transport in a worker thread, sharing one token cache.
                return await asyncio.to_thread(fetch, k)

            state.auth = StsTokenAuth(config.key, fetch, afetch)
        self._bind(_Shared(config, state, None))
        self._owns_state = True

    _state: BlockingClientState

    @property
    def _state_closed(self) -> bool:
        return self._state.closed

    def _bind(self, shared: _Shared) -> None:
        # The one place a client's attributes are set, for new clients and copies alike.
        assert isinstance(shared.state, BlockingClientState)
        self._config = config = shared.config
        self._state = state = shared.state
        self._closed = False
        self._auth = state.auth
        self._http_client = state.http_client
        self._http = HttpTransport(state.http_client, auth=state.auth, policy=config.retry)
        self._plain_http = HttpTransport(state.http_client, auth=None, policy=config.retry)
        self._http.timeout = self._plain_http.timeout = shared.timeout
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
    def custom_speech(self) -> CustomSpeech:
        """Custom speech: projects, datasets, models, endpoints, evaluations."""
        from .custom_speech import CustomSpeech

        return CustomSpeech(self)

    @functools.cached_property
    def llm(self) -> LlmSpeech:
        """LLM speech: transcribe and translate with the enhanced mode."""
        from .llm import LlmSpeech

        return LlmSpeech(self)

    @functools.cached_property
    def batch(self) -> BatchTranscriptions:
        """Batch transcription: jobs, files, parsed results, web hooks."""
        from .batch import BatchTranscriptions

        return BatchTranscriptions(self)

    @functools.cached_property
    def pronunciation(self) -> Pronunciation:
        """Pronunciation assessment: scores of a reading, word by word, with a report."""
        from .pronunciation import Pronunciation

        return Pronunciation(self)

    @functools.cached_property
    def language_id(self) -> LanguageId:
        """Language identification: the language per segment and the dominant one."""
        from .language_id import LanguageId

        return LanguageId(self)

    @functools.cached_property
    def translation(self) -> Translation:
        """Speech translation: once or continuous, into many languages, with speech."""
        from .translation import Translation

        return Translation(self)

    @functools.cached_property
    def voice_live(self) -> VoiceLive:
        """Voice Live: spoken conversations with a model or agent over one WebSocket."""
        from .voice_live import VoiceLive

        return VoiceLive(self)

    @functools.cached_property
    def avatar(self) -> Avatar:
        """Text-to-speech avatar: batch video synthesis and the real-time relay token."""
        from .avatar import Avatar

        return Avatar(self)

    def issue_token(self, **options: Unpack[RequestOptions]) -> str:
        """A ten-minute STS token for the key (see :meth:`AsyncSpeechClient.issue_token`)."""
        self._check_open()
        req = _token_request(self._config, self._key_for_token(), options)
        return self._plain_http.send(req).text.strip()

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
        override = timeout if timeout is not None else self._http.timeout
        return type(self)(_shared=_Shared(config, self._state, override))

    # -- the async twin, for streaming sessions -------------------------------------

    @property
    def portal(self) -> Portal:
        """The private event loop that runs this client's streaming sessions."""
        return self._state.portal

    async def _get_async_client(self) -> AsyncSpeechClient:
        # A view, on the portal loop, of the twin state (one socket pool and one
        # registry for the client and its copies) with this view's configuration.
        if self._aclient is None:
            twin = _Shared(self._config, self._state.twin(), self._http.timeout)
            self._aclient = AsyncSpeechClient(_shared=twin)
        return self._aclient

    def _run(self, fn: Callable[[AsyncSpeechClient], Awaitable[T]]) -> T:
        """Run ``fn(async_client)`` on the portal and return its result."""
        self._check_open()

        async def call() -> T:
            return await fn(await self._get_async_client())

        return self.portal.call(call)

    def _iterate(
        self, make: Callable[[AsyncSpeechClient], AsyncIterator[T]]
    ) -> Generator[T, None, None]:
        """Iterate ``make(async_client)`` from blocking code, one portal call per item.

        The iterator is made on the portal by the call that fetches its first
        item (one round trip less before the first event); leaving early
        closes it on the portal, once.
        """
        self._check_open()
        portal = self.portal
        end = object()
        made: list[AsyncIterator[T]] = []

        async def first() -> Any:
            made.append(make(await self._get_async_client()))
            return await anext(made[0], end)

        async def step() -> Any:
            return await anext(made[0], end)

        finished = False
        try:
            item = portal.call(first)
            while item is not end:
                yield item
                item = portal.call(step)
            finished = True
        finally:
            aclose = getattr(made[0], "aclose", None) if made else None
            if not finished and aclose is not None and not self._state.closed:
                with contextlib.suppress(Exception):  # best effort: the client may be closing
                    portal.call(aclose)

    def close(self) -> None:
        """Close this client: end the sessions and syntheses it started, stop its loop,
        close its connections.

        Safe to call more than once, from any thread, including from a
        session's callback (the work then finishes on a thread of its own).
        A ``with_options`` copy shares its original's connections: closing the
        copy retires only the copy.
        """
        if self._closed:
            return
        self._closed = True
        if self._owns_state:
            self._state.close()

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

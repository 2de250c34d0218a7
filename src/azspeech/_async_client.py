"""The asyncio client, :class:`AsyncSpeechClient`: feature resources hang off it as views."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from ._client_base import (
    _async_sts_auth,
    _ClientBase,
    _config_with,
    _Shared,
    _token_request,
)
from ._config import resolve_config
from ._protocol.framing import Limits
from ._state import AsyncClientState
from ._transport.http import AsyncHttpTransport
from ._transport.ws import RawWebSocket, WebSocket, connect, connect_raw
from .auth import Auth, TokenCredentialLike
from .endpoints import Cloud
from .errors import ConfigurationError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._resource import RequestOptions
    from .avatar import AsyncAvatar
    from .batch import AsyncBatchTranscriptions
    from .custom_speech import AsyncCustomSpeech
    from .language_id import AsyncLanguageId
    from .llm import AsyncLlmSpeech
    from .pronunciation import AsyncPronunciation
    from .stt import AsyncSpeechToText
    from .translation import AsyncTranslation
    from .tts import AsyncTextToSpeech
    from .voice_live import AsyncVoiceLive

__all__ = ["AsyncSpeechClient"]


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

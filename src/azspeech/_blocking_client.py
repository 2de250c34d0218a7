"""The blocking client, :class:`SpeechClient`.

REST calls go through a blocking httpx client; streaming sessions run the
async implementation on a private event loop
(:class:`~azspeech._transport.portal.Portal`) through an async twin, so that
logic exists once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._async_client import AsyncSpeechClient
from ._client_base import _ClientBase, _config_with, _Shared, _sts_request, _token_request
from ._config import resolve_config
from ._state import BlockingClientState
from ._transport.http import HttpTransport
from ._transport.portal import Portal
from .auth import StsTokenAuth, TokenCredentialLike
from .endpoints import Cloud
from .errors import ConfigurationError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._resource import RequestOptions
    from .avatar import Avatar
    from .batch import BatchTranscriptions
    from .custom_speech import CustomSpeech
    from .language_id import LanguageId
    from .llm import LlmSpeech
    from .pronunciation import Pronunciation
    from .stt import SpeechToText
    from .translation import Translation
    from .tts import TextToSpeech
    from .voice_live import VoiceLive

__all__ = ["SpeechClient"]

T = TypeVar("T")


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

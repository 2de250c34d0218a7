"""The text-to-speech avatar: ``client.avatar``.

Batch video synthesis on the job core (``create`` + ``wait``, then
``download`` the video and ``download_subtitles``), :meth:`Avatar.relay_token`,
the TURN credentials a real-time avatar's WebRTC connection needs, and the
real-time avatar itself: :meth:`AsyncAvatar.session` (the synthesis socket and
its SDP exchange, for a browser's peer connection) and
:meth:`AsyncAvatar.connect` (the same with an aiortc peer in this process,
``pip install 'azspeech[webrtc]'``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._jobs import AsyncJobs, CreateCall, SyncJobs, job_create
from .._transport.http import HttpRequest
from ..errors import InvalidRequestError
from ..models.avatar import AvatarBatchSynthesis, IceServer, RelayToken, VideoCrop
from .batch import API_VERSION, AVATAR_BATCH, avatar_create_call, subtitle_request
from .blocking import AvatarConnection, AvatarSession
from .connection import AsyncAvatarConnection, Opening
from .realtime import AsyncAvatarSession, AvatarSignal, AvatarSpeech
from .realtime_config import AvatarScene, AvatarVideoConfig, IceServerArg

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import RequestOptions
    from ..endpoints import Endpoints

__all__ = [
    "API_VERSION",
    "DEFAULT_AVATAR_VOICE",
    "RELAY_TOKEN_PATH",
    "AsyncAvatar",
    "AsyncAvatarConnection",
    "AsyncAvatarSession",
    "Avatar",
    "AvatarBatchSynthesis",
    "AvatarConnection",
    "AvatarScene",
    "AvatarSession",
    "AvatarSignal",
    "AvatarSpeech",
    "AvatarVideoConfig",
    "IceServer",
    "RelayToken",
    "VideoCrop",
]

RELAY_TOKEN_PATH = "/cognitiveservices/avatar/relay/token/v1"
"""The relay token path on the text-to-speech host."""


DEFAULT_AVATAR_VOICE = "en-US-AvaMultilingualNeural"
"""The voice a real-time avatar speaks plain text with unless told otherwise."""


def _relay_request(endpoints: Endpoints) -> HttpRequest:
    url = endpoints.tts(RELAY_TOKEN_PATH)
    return HttpRequest("GET", url, retry_safe=True, what="avatar relay token")


def _video_config(character: str, style: str | None, video: dict[str, Any]) -> AvatarVideoConfig:
    try:
        return AvatarVideoConfig(character, style, **video)
    except TypeError as exc:
        raise InvalidRequestError(f"unknown avatar option: {exc}") from None


def _make_session(
    aclient: AsyncSpeechClient,
    config: AvatarVideoConfig,
    servers: Sequence[IceServerArg],
    voice: str,
    language: str,
    deployment_id: str | None,
    on_signal: Callable[[AvatarSignal], Any] | None,
) -> AsyncAvatarSession:
    return AsyncAvatarSession(
        aclient, config, voice=voice, language=language, ice_servers=list(servers),
        deployment_id=deployment_id, on_signal=on_signal,
    )  # fmt: skip


class Avatar(SyncJobs[AvatarBatchSynthesis]):
    """Avatar batch videos (create, get, list, delete, wait, download) and the relay token."""

    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, AVATAR_BATCH)

    @job_create(avatar_create_call)
    def create(self, call: CreateCall) -> AvatarBatchSynthesis:
        return self._create(call)

    def download_subtitles(
        self,
        job: str | AvatarBatchSynthesis,
        path: str | os.PathLike[str],
        **options: Unpack[RequestOptions],
    ) -> Path:
        """Save a succeeded job's subtitle file (``subtitle_type="external_file"``)."""
        current = job if isinstance(job, AvatarBatchSynthesis) else self.get(job)
        return self._download(subtitle_request(current), path, options)

    def relay_token(self, **options: Unpack[RequestOptions]) -> RelayToken:
        """The TURN relay credentials for a real-time avatar (``.ice_servers()``)."""
        return self._request(_relay_request(self._endpoints), RelayToken, options)

    def session(
        self,
        character: str,
        *,
        style: str | None = None,
        voice: str = DEFAULT_AVATAR_VOICE,
        language: str = "en-US",
        ice_servers: Sequence[IceServerArg] | None = None,
        deployment_id: str | None = None,
        on_signal: Callable[[AvatarSignal], Any] | None = None,
        **video: Any,
    ) -> AvatarSession:
        """A real-time avatar for a browser front end (see :meth:`AsyncAvatar.session`)."""
        config = _video_config(character, style, video)
        servers = ice_servers if ice_servers is not None else self.relay_token().ice_servers()
        client = self._client

        async def make(aclient: AsyncSpeechClient) -> AsyncAvatarSession:
            return _make_session(
                aclient, config, servers, voice, language, deployment_id, on_signal
            )

        return AvatarSession(client, client._run(make))

    def connect(
        self,
        character: str,
        *,
        style: str | None = None,
        voice: str = DEFAULT_AVATAR_VOICE,
        language: str = "en-US",
        ice_servers: Sequence[IceServerArg] | None = None,
        deployment_id: str | None = None,
        on_signal: Callable[[AvatarSignal], Any] | None = None,
        track_timeout: float = 10.0,
        **video: Any,
    ) -> AvatarConnection:
        """A talking avatar received here over aiortc (see :meth:`AsyncAvatar.connect`)."""
        from .webrtc import require_webrtc

        require_webrtc()
        config = _video_config(character, style, video)
        servers = ice_servers if ice_servers is not None else self.relay_token().ice_servers()

        async def make(aclient: AsyncSpeechClient) -> AsyncAvatarConnection:
            session = _make_session(
                aclient, config, servers, voice, language, deployment_id, on_signal
            )
            return await AsyncAvatarConnection.open(session, track_timeout=track_timeout)

        return AvatarConnection(self._client, self._client._run(make))


class AsyncAvatar(AsyncJobs[AvatarBatchSynthesis]):
    """Avatar batch videos and the relay token (async twin of :class:`Avatar`)."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, AVATAR_BATCH)

    @job_create(avatar_create_call)
    async def create(self, call: CreateCall) -> AvatarBatchSynthesis:
        return await self._create(call)

    async def download_subtitles(
        self,
        job: str | AvatarBatchSynthesis,
        path: str | os.PathLike[str],
        **options: Unpack[RequestOptions],
    ) -> Path:
        """Save a succeeded job's subtitle file (see :meth:`Avatar.download_subtitles`)."""
        current = job if isinstance(job, AvatarBatchSynthesis) else await self.get(job)
        return await self._download(subtitle_request(current), path, options)

    async def relay_token(self, **options: Unpack[RequestOptions]) -> RelayToken:
        """The TURN relay credentials for a real-time avatar."""
        return await self._request(_relay_request(self._endpoints), RelayToken, options)

    async def session(
        self,
        character: str,
        *,
        style: str | None = None,
        voice: str = DEFAULT_AVATAR_VOICE,
        language: str = "en-US",
        ice_servers: Sequence[IceServerArg] | None = None,
        deployment_id: str | None = None,
        on_signal: Callable[[AvatarSignal], Any] | None = None,
        **video: Any,
    ) -> AsyncAvatarSession:
        """A real-time avatar for a browser front end: ICE servers and the SDP exchange.

        Fetches the relay token (unless *ice_servers* is given) and checks the
        avatar options; give the browser ``session.ice_servers`` for its
        ``RTCPeerConnection``, and its offer to ``await session.answer(offer)``,
        which opens the synthesis socket and returns the answer. Then
        ``speak``, ``stop``, ``close``. *video* takes the other
        :class:`AvatarVideoConfig` fields (``background_color``, ``bitrate``,
        ``resolution``, ``crop``, ``customized``, ``photo_avatar_base_model``,
        ``scene``...).
        """
        config = _video_config(character, style, video)
        servers = (
            ice_servers if ice_servers is not None else (await self.relay_token()).ice_servers()
        )
        return _make_session(
            self._client, config, servers, voice, language, deployment_id, on_signal
        )

    def connect(
        self,
        character: str,
        *,
        style: str | None = None,
        voice: str = DEFAULT_AVATAR_VOICE,
        language: str = "en-US",
        ice_servers: Sequence[IceServerArg] | None = None,
        deployment_id: str | None = None,
        on_signal: Callable[[AvatarSignal], Any] | None = None,
        track_timeout: float = 10.0,
        **video: Any,
    ) -> Opening:
        """A talking avatar whose video and audio arrive here, over aiortc (``[webrtc]``).

        ``async with client.avatar.connect("lisa", style="casual-sitting") as avatar:``
        then ``await avatar.speak(...)`` and ``await avatar.next_video_frame()``.
        Arguments as :meth:`session`; *track_timeout* bounds the wait for the
        media tracks after the answer.

        Raises:
            ImportError: aiortc is not installed.
        """
        from .webrtc import require_webrtc

        require_webrtc()
        config = _video_config(character, style, video)

        async def make() -> AsyncAvatarConnection:
            servers = (
                ice_servers if ice_servers is not None else (await self.relay_token()).ice_servers()
            )
            session = _make_session(
                self._client, config, servers, voice, language, deployment_id, on_signal
            )
            return await AsyncAvatarConnection.open(session, track_timeout=track_timeout)

        return Opening(make)

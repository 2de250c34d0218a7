"""The text-to-speech avatar: ``client.avatar``.

Batch video synthesis on the job core (``create`` + ``wait``, then
``download`` the video and ``download_subtitles``), and :meth:`Avatar.relay_token`,
the TURN credentials a real-time avatar's WebRTC connection needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._jobs import AsyncJobs, CreateCall, SyncJobs, job_create
from .._transport.http import HttpRequest
from ..models.avatar import AvatarBatchSynthesis, IceServer, RelayToken, VideoCrop
from .batch import API_VERSION, AVATAR_BATCH, avatar_create_call, subtitle_request

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import AsyncSpeechClient, SpeechClient
    from .._resource import RequestOptions
    from ..endpoints import Endpoints

__all__ = [
    "API_VERSION",
    "RELAY_TOKEN_PATH",
    "AsyncAvatar",
    "Avatar",
    "AvatarBatchSynthesis",
    "IceServer",
    "RelayToken",
    "VideoCrop",
]

#: The relay token path on the text-to-speech host.
RELAY_TOKEN_PATH = "/cognitiveservices/avatar/relay/token/v1"


def _relay_request(endpoints: Endpoints) -> HttpRequest:
    url = endpoints.tts(RELAY_TOKEN_PATH)
    return HttpRequest("GET", url, retry_safe=True, what="avatar relay token")


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

"""The avatar of a Voice Live session: ``conn.avatar``.

Configure it with ``avatar=`` in ``client.voice_live.connect(...)`` (the
service then lists its ICE servers in ``session.updated``). For a browser:
give it :attr:`~AsyncVoiceLiveAvatar.ice_servers` and pass its offer to
:meth:`~AsyncVoiceLiveAvatar.answer` (``session.avatar.connect`` →
``session.avatar.connecting``). In Python (``[webrtc]`` extra):
``peer = await conn.avatar.connect()`` makes an aiortc peer connection and
returns an :class:`~azspeech.avatar.webrtc.AvatarPeer` with the received
tracks and frames; the agent's replies are spoken by the avatar.

With ``AvatarConfig(output_protocol="websocket")`` the video comes over the
Voice Live WebSocket instead (``response.video.delta``, fragmented MP4):
``async for chunk in conn.avatar.video()`` yields one response's bytes, and
``await conn.avatar.save_video("answer.mp4")`` writes them to a playable file.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..avatar.webrtc import AvatarPeer, open_peer, require_webrtc
from ..errors import InvalidRequestError
from ..models import voice_live as m
from .video import VideoFeed

if TYPE_CHECKING:
    from .blocking_session import VoiceLiveSession
    from .session import AsyncVoiceLiveSession

__all__ = ["AsyncVoiceLiveAvatar", "VoiceLiveAvatar"]


class AsyncVoiceLiveAvatar:
    """The avatar of an :class:`~azspeech.voice_live.session.AsyncVoiceLiveSession`."""

    def __init__(self, session: AsyncVoiceLiveSession) -> None:
        self._session = session
        self.peer: AvatarPeer | None = None
        self._feed = VideoFeed()

    @property
    def streams_video(self) -> bool:
        """Whether the avatar's video comes over the WebSocket (``output_protocol="websocket"``)."""
        config = self._session.config
        if config is not None and config.avatar is not None:
            return config.avatar.streams_video
        avatar = self._session.remote_session.get("avatar")
        return isinstance(avatar, dict) and avatar.get("output_protocol") == "websocket"

    def _observe(self, event: m.ServerEvent) -> None:
        self._feed.observe(event)

    def _end(self, error: BaseException | None) -> None:
        self._feed.end(error)

    def video(self, *, timeout: float | None = 30.0) -> AsyncIterator[bytes]:
        """The avatar's video of one response, as fragmented MP4 chunks (``bytes``).

        The response in progress (from its first chunk, even if some arrived
        before this call) or the next one with video; each response's video
        goes to one reader. Iteration ends at its ``response.done``; the
        chunks concatenated form a playable MP4 (H.264 + AAC).

        Raises:
            InvalidRequestError: the session's avatar does not stream over the
                WebSocket (``AvatarConfig(output_protocol="websocket")``).
            TimeoutError: no video for *timeout* seconds.
        """
        self._require_stream()
        return self._feed.chunks(timeout=timeout)

    async def save_video(
        self, path: str | os.PathLike[str], *, timeout: float | None = 30.0
    ) -> Path:
        """Write the avatar's video of one response (as :meth:`video`) to *path*; return it.

        The file is written once the response is done (nothing is left behind
        if the session fails first).

        Raises:
            InvalidRequestError: as :meth:`video`, or the session ended before any video.
        """
        self._require_stream()
        target = Path(path)
        chunks = [chunk async for chunk in self._feed.chunks(timeout=timeout)]
        if not chunks:
            raise InvalidRequestError("the session ended before the avatar sent any video")
        await asyncio.to_thread(target.write_bytes, b"".join(chunks))
        return target

    def _require_stream(self) -> None:
        if self.streams_video:
            return
        if self._session.config is None or self._session.config.avatar is None:
            raise InvalidRequestError(
                "this Voice Live session has no avatar: pass "
                "avatar=AvatarConfig(..., output_protocol='websocket') to connect()"
            )
        raise InvalidRequestError(
            "this session's avatar sends its video over WebRTC (conn.avatar.connect()); "
            "pass AvatarConfig(..., output_protocol='websocket') to get it over the WebSocket"
        )

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers the service gave for the avatar (empty before ``session.updated``)."""
        return self._session.ice_servers

    async def answer(
        self, offer: Mapping[str, Any] | str, *, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Send the peer connection's *offer*; return the service's answer ``{"type", "sdp"}``.

        Raises:
            InvalidRequestError: no avatar configured, a bad offer, or the
                service refused (its error message).
        """
        if not isinstance(self._session.remote_session.get("avatar"), dict):
            raise InvalidRequestError(
                "this Voice Live session has no avatar: pass avatar=AvatarConfig(...) to connect()"
            )
        if self.streams_video:
            raise InvalidRequestError(
                "this session's avatar streams its video over the WebSocket "
                "(output_protocol='websocket'): read it with conn.avatar.video()"
            )
        return await self._session.connect_avatar(offer, timeout=timeout)

    async def connect(
        self,
        *,
        ice_servers: list[Mapping[str, Any]] | None = None,
        track_timeout: float = 10.0,
    ) -> AvatarPeer:
        """Connect the avatar's video and audio to this process over aiortc.

        *ice_servers* default to the service's. Returns the peer: its
        ``next_video_frame()``, ``next_audio_frame()``, ``frames()`` and
        tracks; it is closed with the session (or by ``close()``).

        Raises:
            InvalidRequestError: the avatar streams its video over the WebSocket
                (``output_protocol="websocket"``: read it with ``video()``).
            ImportError: aiortc is not installed (``pip install 'azspeech[webrtc]'``).
        """
        if self.streams_video:
            raise InvalidRequestError(
                "this session's avatar streams its video over the WebSocket "
                "(output_protocol='websocket'): read it with conn.avatar.video(), no WebRTC"
            )
        require_webrtc()
        if self.peer is not None:
            raise InvalidRequestError("the avatar is connected already")
        servers = list(ice_servers) if ice_servers is not None else self.ice_servers
        self.peer = await open_peer(self.answer, servers, track_timeout=track_timeout)
        return self.peer

    async def close(self) -> None:
        """Close the avatar's peer connection (the session stays open)."""
        peer, self.peer = self.peer, None
        if peer is not None:
            await peer.close()


class VoiceLiveAvatar:
    """The avatar of a blocking :class:`~azspeech.voice_live.VoiceLiveSession`."""

    def __init__(self, session: VoiceLiveSession) -> None:
        self._blocking = session

    @property
    def _avatar(self) -> AsyncVoiceLiveAvatar:
        return self._blocking.session.avatar

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._blocking.start()
        return self._blocking._client.portal.call(fn, *args, **kwargs)

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers the service gave for the avatar."""
        return self._avatar.ice_servers

    @property
    def peer(self) -> AvatarPeer | None:
        """The aiortc peer once :meth:`connect` ran."""
        return self._avatar.peer

    def answer(self, offer: Mapping[str, Any] | str, *, timeout: float = 30.0) -> dict[str, Any]:
        """Send the *offer*; return the answer (not from a callback)."""
        result: dict[str, Any] = self._call(self._avatar.answer, offer, timeout=timeout)
        return result

    def connect(self, *, track_timeout: float = 10.0) -> AvatarPeer:
        """Connect the avatar over aiortc; returns the peer (read it with the methods below)."""
        peer: AvatarPeer = self._call(self._avatar.connect, track_timeout=track_timeout)
        return peer

    def next_video_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received video frame."""
        return self._call(self._connected().next_video_frame, timeout)

    def next_audio_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received audio frame."""
        return self._call(self._connected().next_audio_frame, timeout)

    @property
    def streams_video(self) -> bool:
        """Whether the video comes over the WebSocket (``output_protocol="websocket"``)."""
        return self._avatar.streams_video

    def video(self, *, timeout: float | None = 30.0) -> Iterator[bytes]:
        """The avatar's video of one response, as fragmented MP4 chunks (see the async twin;
        not from a callback)."""
        self._blocking.start()
        self._avatar._require_stream()
        return self._blocking._client.portal.iterate(self._avatar.video(timeout=timeout))

    def save_video(self, path: str | os.PathLike[str], *, timeout: float | None = 30.0) -> Path:
        """Write the avatar's video of one response to *path* (not from a callback)."""
        saved: Path = self._call(self._avatar.save_video, path, timeout=timeout)
        return saved

    def frames(self, kind: str = "video", *, timeout: float | None = 10.0) -> Iterator[Any]:
        """Iterate received frames of *kind*."""
        return self._blocking._client.portal.iterate(
            self._connected().frames(kind, timeout=timeout)
        )

    def close(self) -> None:
        """Close the avatar's peer connection."""
        self._call(self._avatar.close)

    def _connected(self) -> AvatarPeer:
        if self._avatar.peer is None:
            raise InvalidRequestError("the avatar is not connected: call connect() first")
        return self._avatar.peer

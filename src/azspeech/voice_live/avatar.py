"""The avatar of a Voice Live session: ``conn.avatar``.

Configure it with ``avatar=`` in ``client.voice_live.connect(...)`` (the
service then lists its ICE servers in ``session.updated``). For a browser:
give it :attr:`~AsyncVoiceLiveAvatar.ice_servers` and pass its offer to
:meth:`~AsyncVoiceLiveAvatar.answer` (``session.avatar.connect`` →
``session.avatar.connecting``). In Python (``[webrtc]`` extra):
``peer = await conn.avatar.connect()`` makes an aiortc peer connection and
returns an :class:`~azspeech.avatar.webrtc.AvatarPeer` with the received
tracks and frames; the agent's replies are spoken by the avatar.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..avatar.webrtc import AvatarPeer, open_peer, require_webrtc
from ..errors import InvalidRequestError

if TYPE_CHECKING:
    from .blocking_session import VoiceLiveSession
    from .session import AsyncVoiceLiveSession

__all__ = ["AsyncVoiceLiveAvatar", "VoiceLiveAvatar"]


class AsyncVoiceLiveAvatar:
    """The avatar of an :class:`~azspeech.voice_live.session.AsyncVoiceLiveSession`."""

    def __init__(self, session: AsyncVoiceLiveSession) -> None:
        self._session = session
        self.peer: AvatarPeer | None = None

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
            ImportError: aiortc is not installed (``pip install 'azspeech[webrtc]'``).
        """
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

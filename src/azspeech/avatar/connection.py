"""A real-time avatar connected in Python: the synthesis socket plus an aiortc peer.

``async with client.avatar.connect("lisa", style="casual-sitting") as avatar:``
then ``await avatar.speak("Hello")`` and ``await avatar.next_video_frame()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any

from .realtime import AsyncAvatarSession, AvatarSpeech
from .realtime_config import AvatarScene
from .webrtc import AvatarPeer, open_peer

__all__ = ["AsyncAvatarConnection", "Opening"]


class AsyncAvatarConnection:
    """A talking avatar whose video and audio arrive in this process (aiortc).

    :meth:`speak`, :meth:`stop`, :meth:`close` go to the synthesis socket;
    :meth:`next_video_frame`, :meth:`next_audio_frame`, :meth:`frames` and
    the tracks come from the peer connection.
    """

    def __init__(self, session: AsyncAvatarSession, peer: AvatarPeer) -> None:
        self.session = session
        self.peer = peer

    @classmethod
    async def open(
        cls, session: AsyncAvatarSession, *, track_timeout: float = 10.0
    ) -> AsyncAvatarConnection:
        """Run the SDP exchange of *session* from a new aiortc peer connection."""
        try:
            peer = await open_peer(session.answer, session.ice_servers, track_timeout=track_timeout)
        except BaseException:
            await session.close()
            raise
        conn = cls(session, peer)
        session._client._state.track(conn)  # the client's close ends the peer too
        return conn

    @property
    def video_track(self) -> Any:
        """The received video track (aiortc); read frames with :meth:`next_video_frame`."""
        return self.peer.video_track

    @property
    def audio_track(self) -> Any:
        """The received audio track (aiortc)."""
        return self.peer.audio_track

    @property
    def events(self) -> list[dict[str, Any]]:
        """The data channel's events so far (``{"event": {"eventType": ...}}``)."""
        return list(self.peer.events)

    def subscribe(self, kind: str) -> Any:
        """A copy of the received ``"video"`` or ``"audio"`` track (e.g. for a recorder)."""
        return self.peer.subscribe(kind)

    async def speak(self, text_or_ssml: str, *, voice: str | None = None) -> AvatarSpeech:
        """Have the avatar say *text_or_ssml* (see :meth:`AsyncAvatarSession.speak`)."""
        return await self.session.speak(text_or_ssml, voice=voice)

    async def stop(self) -> None:
        """Stop speaking now."""
        await self.session.stop()

    async def update_scene(self, scene: AvatarScene) -> None:
        """Move a photo avatar in its frame."""
        await self.session.update_scene(scene)

    async def next_video_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received video frame (PyAV ``VideoFrame``)."""
        return await self.peer.next_video_frame(timeout)

    async def next_audio_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received audio frame (PyAV ``AudioFrame``)."""
        return await self.peer.next_audio_frame(timeout)

    def frames(self, kind: str = "video", *, timeout: float | None = 10.0) -> AsyncIterator[Any]:
        """Iterate received frames of *kind* (``"video"`` or ``"audio"``)."""
        return self.peer.frames(kind, timeout=timeout)

    def drop_frames(self) -> None:
        """Forget buffered frames (so the next one read is a new one)."""
        for tap in self.peer.taps.values():
            tap.drop()

    @property
    def closed(self) -> bool:
        """Whether the synthesis socket is closed."""
        return self.session.closed

    async def close(self) -> None:
        """Close the synthesis socket and the peer connection."""
        self.session._client._state.untrack(self)
        try:
            await self.session.close()
        finally:
            await self.peer.close()

    async def abort(self) -> None:
        """Stop now (the client is closing)."""
        await self.close()

    async def __aenter__(self) -> AsyncAvatarConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class Opening:
    """``client.avatar.connect(...)``: await it, or use it with ``async with``."""

    def __init__(self, make: Callable[[], Awaitable[AsyncAvatarConnection]]) -> None:
        self._make = make
        self._conn: AsyncAvatarConnection | None = None

    def __await__(self) -> Generator[Any, None, AsyncAvatarConnection]:
        return self._make().__await__()

    async def __aenter__(self) -> AsyncAvatarConnection:
        self._conn = await self._make()
        return self._conn

    async def __aexit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            await self._conn.close()

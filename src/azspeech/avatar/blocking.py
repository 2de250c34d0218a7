"""The real-time avatar from blocking code: the async session and connection on the client's portal.

Every method runs its async twin's on the client's private loop, so the
socket, the SDP exchange and the aiortc peer exist once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .connection import AsyncAvatarConnection
from .realtime import AsyncAvatarSession, AvatarSpeech
from .realtime_config import AvatarScene

if TYPE_CHECKING:
    from .._client import SpeechClient

__all__ = ["AvatarConnection", "AvatarSession"]


class AvatarSession:
    """A real-time avatar's synthesis socket from blocking code; see :class:`AsyncAvatarSession`."""

    def __init__(self, client: SpeechClient, session: AsyncAvatarSession) -> None:
        self._client = client
        self.session = session

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers for the browser's peer connection."""
        return self.session.ice_servers

    @property
    def closed(self) -> bool:
        """Whether the session ended."""
        return self.session.closed

    def answer(self, offer: Mapping[str, Any] | str) -> dict[str, str]:
        """Open the socket with the browser's *offer*; return the answer ``{"type", "sdp"}``."""
        return self._client.portal.call(self.session.answer, offer)

    def speak(self, text_or_ssml: str, *, voice: str | None = None) -> AvatarSpeech:
        """Have the avatar say *text_or_ssml*; return when the service ends the turn."""
        return self._client.portal.call(self.session.speak, text_or_ssml, voice=voice)

    def stop(self) -> None:
        """Stop speaking now (from another thread than the one in speak())."""
        self._client.portal.call(self.session.stop)

    def update_scene(self, scene: AvatarScene) -> None:
        """Move a photo avatar in its frame."""
        self._client.portal.call(self.session.update_scene, scene)

    def close(self) -> None:
        """Close the socket."""
        if not self._client.closed:
            self._client.portal.call(self.session.close)

    def __enter__(self) -> AvatarSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AvatarConnection:
    """A talking avatar received in this process, from blocking code; see
    :class:`~azspeech.avatar.connection.AsyncAvatarConnection`."""

    def __init__(self, client: SpeechClient, connection: AsyncAvatarConnection) -> None:
        self._client = client
        self.connection = connection

    @property
    def video_track(self) -> Any:
        """The received video track (aiortc; it lives on the client's portal loop)."""
        return self.connection.video_track

    @property
    def audio_track(self) -> Any:
        """The received audio track (aiortc)."""
        return self.connection.audio_track

    @property
    def events(self) -> list[dict[str, Any]]:
        """The data channel's events so far."""
        return self.connection.events

    @property
    def closed(self) -> bool:
        """Whether the synthesis socket is closed."""
        return self.connection.closed

    def speak(self, text_or_ssml: str, *, voice: str | None = None) -> AvatarSpeech:
        """Have the avatar say *text_or_ssml*; return when the service ends the turn."""
        return self._client.portal.call(self.connection.speak, text_or_ssml, voice=voice)

    def stop(self) -> None:
        """Stop speaking now."""
        self._client.portal.call(self.connection.stop)

    def next_video_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received video frame (PyAV ``VideoFrame``)."""
        return self._client.portal.call(self.connection.next_video_frame, timeout)

    def next_audio_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received audio frame (PyAV ``AudioFrame``)."""
        return self._client.portal.call(self.connection.next_audio_frame, timeout)

    def frames(self, kind: str = "video", *, timeout: float | None = 10.0) -> Iterator[Any]:
        """Iterate received frames of *kind* until the track ends."""
        return self._client.portal.iterate(self.connection.frames(kind, timeout=timeout))

    def drop_frames(self) -> None:
        """Forget buffered frames."""
        self.connection.drop_frames()

    def close(self) -> None:
        """Close the socket and the peer connection."""
        if not self._client.closed:
            self._client.portal.call(self.connection.close)

    def __enter__(self) -> AvatarConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

"""The blocking face of a Voice Live session: the one blocking wrapper of the session core.

Every method runs the async session's on the client's portal loop; called
from one of the session's callbacks (which run on that loop's thread) it is
scheduled instead and returns at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._session.blocking import BlockingSession, _quietly
from ..models.voice_live import ServerEvent
from .avatar import VoiceLiveAvatar
from .session import AsyncVoiceLiveSession

if TYPE_CHECKING:
    from ..audio.formats import PcmFormat
    from ..audio.sources import AudioInput

__all__ = ["VoiceLiveSession"]


class VoiceLiveSession(BlockingSession[ServerEvent]):
    """A Voice Live conversation from blocking code; see :class:`AsyncVoiceLiveSession`."""

    @property
    def session(self) -> AsyncVoiceLiveSession:
        """The underlying async session (lives on the client's portal loop)."""
        session = super().session
        assert isinstance(session, AsyncVoiceLiveSession)
        return session

    @property
    def avatar(self) -> VoiceLiveAvatar:
        """The session's avatar (``ice_servers``, ``answer``, ``connect``; see
        :class:`~azspeech.voice_live.avatar.VoiceLiveAvatar`)."""
        return VoiceLiveAvatar(self)

    @property
    def remote_session(self) -> dict[str, Any]:
        """The service's view of the session (``session.created``/``updated``)."""
        return self.session.remote_session

    def _do(self, call: Callable[[], Any]) -> None:
        self.start()
        if self._in_callback():
            self._schedule(_quietly(call()))
            return
        self._client.portal.call(call)

    def send_audio(self, chunk: bytes | bytearray | memoryview) -> None:
        """Append raw 16-bit PCM at the session's input rate."""
        data = bytes(chunk)
        self._do(lambda: self.session.send_audio(data))

    def send_file(
        self,
        audio: AudioInput,
        *,
        realtime: bool = False,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> None:
        """Append any audio input, converted to the session's format."""
        self._do(
            lambda: self.session.send_file(
                audio, realtime=realtime, sample_rate=sample_rate, input_format=input_format
            )
        )

    def commit(self) -> None:
        """Commit the input buffer (manual turns)."""
        self._do(self.session.commit)

    def clear(self) -> None:
        """Drop the audio appended since the last commit."""
        self._do(self.session.clear)

    def respond(self, **overrides: Any) -> None:
        """Ask for a response (overrides as in :meth:`AsyncVoiceLiveSession.respond`)."""
        self._do(lambda: self.session.respond(**overrides))

    def cancel(self) -> None:
        """Cancel the response in progress."""
        self._do(self.session.cancel)

    def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user text message (and ask for a response)."""
        self._do(lambda: self.session.send_text(text, respond=respond))

    def create_item(self, item: dict[str, Any], *, previous_item_id: str | None = None) -> None:
        """Add a conversation item."""
        self._do(lambda: self.session.create_item(item, previous_item_id=previous_item_id))

    def truncate(self, item_id: str, audio_end_ms: int, *, content_index: int = 0) -> None:
        """Cut an agent item's audio at *audio_end_ms*."""
        self._do(lambda: self.session.truncate(item_id, audio_end_ms, content_index=content_index))

    def send_function_output(self, call_id: str, output: Any) -> None:
        """Answer a function call."""
        self._do(lambda: self.session.send_function_output(call_id, output))

    def connect_avatar(
        self, offer: str | dict[str, Any], *, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Send the avatar's WebRTC offer and return the answer (not from a callback)."""
        self.start()
        answer: dict[str, Any] = self._client.portal.call(
            lambda: self.session.connect_avatar(offer, timeout=timeout)
        )
        return answer

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers the service gave for the avatar."""
        return self.session.ice_servers

    def send_event(self, event_type: str, **fields: Any) -> None:
        """Send any client event."""
        self._do(lambda: self.session.send_event(event_type, **fields))

"""The blocking face of a real-time recognition session.

:class:`RecognitionSession` runs every call of an
:class:`~azspeech.stt.session.AsyncRecognitionSession` on the client's
portal loop, so the behaviour (reconnects, replay, events) is the async
session's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..models.stt import RecognitionResult, Recognized, SpeechEvent, Transcript
from .session import AsyncRecognitionSession, Callback

if TYPE_CHECKING:  # pragma: no cover
    from .._client import AsyncSpeechClient, SpeechClient

__all__ = ["RecognitionSession"]


class RecognitionSession:
    """The blocking face of :class:`AsyncRecognitionSession` (same behaviour).

    Use it as ``with client.stt.stream(...) as session``. Callbacks run on
    the client's background loop thread.
    """

    def __init__(self, client: SpeechClient, factory: Callable[[AsyncSpeechClient], Any]) -> None:
        self._client = client
        self._factory = factory
        self._session: AsyncRecognitionSession | None = None

    @property
    def session(self) -> AsyncRecognitionSession:
        """The underlying async session (lives on the client's portal loop)."""
        if self._session is None:
            raise RuntimeError("the session is not started; use it in a `with` block")
        return self._session

    @property
    def transcript(self) -> Transcript:
        """The final results so far (see :attr:`AsyncRecognitionSession.transcript`)."""
        return self.session.transcript

    @property
    def session_id(self) -> str:
        """The session's id (stays across reconnects)."""
        return self.session.session_id

    @property
    def reconnects(self) -> int:
        """How many times the session has reconnected so far."""
        return self.session.reconnects

    def start(self) -> RecognitionSession:
        """Connect and start the session (errors such as bad credentials raise here).

        A ``with`` block, ``send`` and iterating start it too; starting twice
        does nothing.
        """
        if self._session is None:

            async def make(aclient: AsyncSpeechClient) -> AsyncRecognitionSession:
                s: AsyncRecognitionSession = self._factory(aclient)
                await s.start()
                return s

            self._session = self._client._run(make)
        return self

    def __enter__(self) -> RecognitionSession:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is None:
            return
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def send(self, chunk: bytes | bytearray | memoryview) -> None:
        """Queue raw PCM audio; blocks while the connection is behind."""
        self.start()
        self._client.portal.call(self.session.send, bytes(chunk))

    def send_file(
        self,
        audio: Any,
        *,
        realtime: bool = False,
        close: bool = True,
        sample_rate: int | None = None,
        input_format: Any = None,
    ) -> None:
        """Stream any audio input; see :meth:`AsyncRecognitionSession.send_file`."""
        self.start()
        self._client.portal.call(
            lambda: self.session.send_file(
                audio,
                realtime=realtime,
                close=close,
                sample_rate=sample_rate,
                input_format=input_format,
            )
        )

    def end_audio(self) -> None:
        """End the audio input without waiting (iterate, or ``close``, for the last results)."""
        self._client.portal.call(self.session.end_audio)

    def close(self) -> None:
        """End the audio and wait for the last result."""
        self._client.portal.call(self.session.close)

    def abort(self) -> None:
        """Stop now: drop the connection and any audio not yet answered."""
        self._client.portal.call(self.session.abort)

    def on(self, event_type: str, callback: Callback) -> None:
        """Register a callback for an event type (``"recognized"``...) or ``"*"``.

        Callbacks run on the client's background loop thread.
        """
        self.session.on(event_type, callback)

    def __iter__(self) -> Iterator[SpeechEvent]:
        self.start()
        return self._client.portal.iterate(self.session.__aiter__())

    def results(self) -> Iterator[RecognitionResult]:
        """Only the final results with text."""
        for ev in self:
            if isinstance(ev, Recognized):
                yield ev.result

"""The blocking face of a real-time recognition session.

:class:`RecognitionSession` is the generic
:class:`~azspeech._session.blocking.BlockingUspSession` over an
:class:`~azspeech.stt.session.AsyncRecognitionSession`, so the behaviour
(reconnects, replay, events) is the async session's, and its callbacks may
stop or feed their own session.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._session.blocking import BlockingUspSession
from ..models.stt import RecognitionResult, Recognized, SpeechEvent, Transcript
from .session import AsyncRecognitionSession, SpeechCallbacks

__all__ = ["RecognitionSession"]


class RecognitionSession(SpeechCallbacks, BlockingUspSession[SpeechEvent]):
    """The blocking face of :class:`AsyncRecognitionSession` (same behaviour).

    Use it as ``with client.stt.stream(...) as session``. Callbacks run on
    the client's background loop thread; from there ``abort()``, ``close()``
    and ``send()`` take effect when the callback returns.
    """

    @property
    def session(self) -> AsyncRecognitionSession:
        """The underlying async session (lives on the client's portal loop)."""
        session = super().session
        assert isinstance(session, AsyncRecognitionSession)
        return session

    @property
    def transcript(self) -> Transcript:
        """The final results so far (see :attr:`AsyncRecognitionSession.transcript`)."""
        return self.session.transcript

    def results(self) -> Iterator[RecognitionResult]:
        """Only the final results with text."""
        for event in self:
            if isinstance(event, Recognized):
                yield event.result

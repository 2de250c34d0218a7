"""The blocking face of a translation session (the async session run on the client's portal)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .._session.blocking import BlockingUspSession
from ..models.stt import SpeechEvent
from ..models.translation import Translated, TranslatedTranscript, TranslationResult
from .session import AsyncTranslationSession, TranslationCallbacks

__all__ = ["TranslationSession"]


class TranslationSession(TranslationCallbacks, BlockingUspSession[SpeechEvent]):
    """The blocking face of :class:`AsyncTranslationSession` (same behaviour).

    Use it as ``with client.translation.connect(...) as session``. Callbacks
    run on the client's background loop thread; from there the methods
    request their change and return at once.
    """

    @property
    def session(self) -> AsyncTranslationSession:
        """The underlying async session (lives on the client's portal loop)."""
        session = super().session
        assert isinstance(session, AsyncTranslationSession)
        return session

    @property
    def transcript(self) -> TranslatedTranscript:
        """The final results so far (see :attr:`AsyncTranslationSession.transcript`)."""
        return self.session.transcript

    @property
    def target_languages(self) -> list[str]:
        """The current target languages."""
        return self.session.target_languages

    def set_target_languages(self, targets: Sequence[str]) -> None:
        """Translate into *targets* from the next final result on (see the async session)."""
        self.start()
        if self._in_callback():
            self.session._codec.update_languages(targets)  # checked now; sent in the background
            self._schedule(self.session.set_target_languages(self.session.target_languages))
            return
        self._client.portal.call(self.session.set_target_languages, list(targets))

    def add_target_language(self, language: str) -> None:
        """Add a target language."""
        self.set_target_languages([*self.target_languages, language])

    def remove_target_language(self, language: str) -> None:
        """Remove a target language."""
        self.set_target_languages([t for t in self.target_languages if t != language])

    def results(self) -> Iterator[TranslationResult]:
        """Only the final results with text."""
        for event in self:
            if isinstance(event, Translated):
                yield event.result

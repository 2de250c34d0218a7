"""Live translated captions: :class:`~azspeech.captions.LiveCaptioner` fed one target language.

Each :class:`~azspeech.models.translation.Translating` / ``Translated`` event
becomes the speech-to-text event of its translation into one language, so the
partial-then-final captions, the layout rules and ``to_srt``/``to_webvtt``
are the captioner's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ..captions import CaptionOptions, LiveCaption, LiveCaptioner
from ..models.stt import Recognized, Recognizing, SpeechEvent
from ..models.translation import Translated, Translating
from ..options.translation import validate_target_language

__all__ = ["TranslationCaptioner", "live_translation_captions"]


class TranslationCaptioner(LiveCaptioner):
    """Live captions of the translation into *language* (a target of the session)."""

    def __init__(self, language: str, options: CaptionOptions | None = None) -> None:
        super().__init__(options)
        self.language = validate_target_language(language)

    def update(self, event: SpeechEvent) -> LiveCaption | None:
        """The caption update for *event* (``None`` for events without this translation)."""
        if isinstance(event, (Translating, Translated)):
            result = event.result.translated(self.language)
            if not result.text:
                return None
            kind = Recognizing if isinstance(event, Translating) else Recognized
            event = kind(session_id=event.session_id, result=result)
        elif isinstance(event, (Recognizing, Recognized)):
            return None  # source-language text: not this track
        return super().update(event)


async def live_translation_captions(
    session: AsyncIterator[SpeechEvent], language: str, options: CaptionOptions | None = None
) -> AsyncIterator[LiveCaption]:
    """Live caption updates of *language* from an async translation session's events."""
    captioner = TranslationCaptioner(language, options)
    async for event in session:
        cap = captioner.update(event)
        if cap is not None:
            yield cap

"""Speech translation (``client.translation``): speech to text translated into many languages.

* :class:`AsyncTranslation` / :class:`Translation`: ``recognize_once`` and
  ``connect`` on the async and blocking clients;
* :class:`AsyncTranslationSession` / :class:`TranslationSession`: continuous
  sessions with speech to text's reconnect, replay and offsets;
* :class:`TranslationCaptioner`: live captions of one target language.

Results and events are in :mod:`azspeech.models.translation`, the options in
:class:`azspeech.options.TranslationOptions`.
"""

from .blocking_session import TranslationSession
from .captions import TranslationCaptioner, live_translation_captions
from .resource import AsyncTranslation, Translation
from .session import EVENT_TYPES, AsyncTranslationSession

__all__ = [
    "EVENT_TYPES",
    "AsyncTranslation",
    "AsyncTranslationSession",
    "Translation",
    "TranslationCaptioner",
    "TranslationSession",
    "live_translation_captions",
]

"""Speech translation results and events.

A :class:`TranslationResult` is a :class:`~azspeech.models.stt.RecognitionResult`
(the recognized source text, offsets, language, words...) with the
translations (``.translations``: target language → text) and, when a voice
was chosen, the translated speech (``.audio``). Sessions emit
:class:`Translating` (interim) and :class:`Translated` (final) events, the
speech-to-text events for everything else (session start/stop, speech
start/end, no match, canceled), and :class:`Synthesizing` /
:class:`Synthesized` for the translated speech.

:class:`TranslatedTranscript` collects the final results and renders one
caption track per target language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from ._base import Model
from .stt import RecognitionResult, SpeechEvent

if TYPE_CHECKING:  # pragma: no cover
    from ..captions import CaptionOptions

__all__ = [
    "Synthesized",
    "Synthesizing",
    "Translated",
    "TranslatedTranscript",
    "Translating",
    "TranslationEvent",
    "TranslationResult",
    "assemble_audio",
]

#: Every event of a translation session is a speech event (``type`` tells which).
TranslationEvent = SpeechEvent


class TranslationResult(RecognitionResult):
    """A recognized utterance and its translations.

    ``text`` is the recognized source text; ``translations`` maps each target
    language to its translation (empty for a no-match, or when the
    translation failed: then ``translation_error`` says why). ``audio`` is
    the translated speech (an :class:`~azspeech.audio.Audio`) when a voice
    was chosen and the service spoke this result.
    """

    translations: dict[str, str] = Field(default_factory=dict)
    translation_error: str | None = None
    audio: Any = Field(default=None, repr=False)

    def translated(self, language: str) -> RecognitionResult:
        """This result with *language*'s translation as its text (for captions).

        Word timings belong to the source text, so the copy has none: captions
        split it in proportion to the characters.
        """
        return RecognitionResult(
            status=self.status,
            text=self.translations.get(language, ""),
            offset=self.offset,
            duration=self.duration,
            offset_ticks=self.offset_ticks,
            duration_ticks=self.duration_ticks,
            language=language,
            speaker_id=self.speaker_id,
            is_final=self.is_final,
        )


class Translating(SpeechEvent):
    """An interim result: the source text so far and its translations so far."""

    type: Literal["translating"] = "translating"
    result: TranslationResult


class Translated(SpeechEvent):
    """A final result: the recognized source text and every translation."""

    type: Literal["translated"] = "translated"
    result: TranslationResult


class Synthesizing(SpeechEvent):
    """A chunk of translated speech (``audio`` bytes; the first chunk has the WAV header)."""

    type: Literal["synthesizing"] = "synthesizing"
    language: str | None = None
    audio: bytes = Field(default=b"", repr=False)


class Synthesized(SpeechEvent):
    """The translated speech of the last final result is complete (or failed: ``error``).

    ``data`` is what the service sent for the utterance (a WAV file, or raw
    16 kHz 16-bit mono PCM); :attr:`audio` is it as an :class:`~azspeech.audio.Audio`.
    """

    type: Literal["synthesized"] = "synthesized"
    language: str | None = None
    data: bytes = Field(default=b"", repr=False)
    error: str | None = None

    @property
    def audio(self) -> Any:
        """The whole utterance as an :class:`~azspeech.audio.Audio` (``None`` if none came)."""
        return assemble_audio(self.data) if self.data else None


def assemble_audio(data: bytes) -> Any:
    """Translated speech as an :class:`~azspeech.audio.Audio` (a WAV header is read if sent)."""
    import io

    from ..audio.formats import PcmFormat
    from ..audio.output import Audio
    from ..audio.wav import read_wav_header
    from ..errors import AudioError

    if data[:4] == b"RIFF":
        try:
            info = read_wav_header(io.BytesIO(data).read)
        except AudioError:
            pass  # not a header we can read: taken as raw PCM below
        else:
            pcm = data[info.header_size :]
            if info.data_size:
                pcm = pcm[: info.data_size]
            return Audio.from_pcm(pcm, info.format)
    return Audio.from_pcm(data, PcmFormat())  # the service's default: 16 kHz 16-bit mono


class TranslatedTranscript(Model):
    """The final results of a translation session, in order (``session.transcript``)."""

    results: list[TranslationResult] = Field(default_factory=list)

    @property
    def phrases(self) -> list[TranslationResult]:
        """The results that carry text."""
        return [r for r in self.results if r.text]

    @property
    def languages(self) -> list[str]:
        """The target languages that appear in the results, in first-seen order."""
        seen: dict[str, None] = {}
        for r in self.results:
            seen.update(dict.fromkeys(r.translations))
        return list(seen)

    @property
    def text(self) -> str:
        """All recognized source text, one phrase per line."""
        return "\n".join(r.text for r in self.phrases)

    def translation(self, language: str) -> str:
        """All of *language*'s translations, one phrase per line."""
        return "\n".join(t for r in self.phrases if (t := r.translations.get(language)))

    def track(self, language: str) -> list[RecognitionResult]:
        """*language*'s translated phrases, timed like the source phrases."""
        return [t for r in self.phrases if (t := r.translated(language)).text]

    def to_srt(self, language: str, options: CaptionOptions | None = None) -> str:
        """*language*'s caption track as SubRip."""
        from ..captions import to_srt

        return to_srt(self.track(language), options)

    def to_webvtt(self, language: str, options: CaptionOptions | None = None) -> str:
        """*language*'s caption track as WebVTT."""
        from ..captions import to_webvtt

        return to_webvtt(self.track(language), options)

    def __iter__(self) -> Any:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

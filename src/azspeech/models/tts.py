"""Results of text to speech: stream events, voices and batch synthesis jobs.

Stream events are small frozen dataclasses (they are created for every word
of every request, so they stay cheap), each with a ``type`` literal;
:data:`SynthesisEvent` is their union, for an exhaustive ``match``. Voices
and batch jobs are pydantic models parsed from the service's JSON.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Union

from pydantic import ConfigDict, Field, field_validator

from ..audio.formats import ticks_to_timedelta
from ._base import Model

__all__ = [
    "AudioChunk",
    "BatchSynthesis",
    "BatchSynthesisBillingDetails",
    "BatchSynthesisConfig",
    "BatchSynthesisError",
    "BatchSynthesisOutputs",
    "BatchSynthesisProperties",
    "Bookmark",
    "PunctuationBoundary",
    "SentenceBoundary",
    "SessionEnd",
    "SessionStopped",
    "SynthesisEvent",
    "TtsEvent",
    "Viseme",
    "Voice",
    "WordBoundary",
    "ticks_to_timedelta",
]


class AudioChunk(bytes):
    """A piece of synthesized audio, exactly as the service sent it (a ``bytes``).

    ``offset_ticks``/``offset``: where the chunk starts in the request's audio,
    known for PCM formats (0 otherwise, and for the first chunk). Printing one
    shows its size and offset, not its bytes (``bytes(chunk)`` has those).
    """

    type: ClassVar[Literal["audio"]] = "audio"
    offset_ticks: int

    def __new__(cls, data: bytes = b"", offset_ticks: int = 0) -> AudioChunk:
        obj = super().__new__(cls, data)
        obj.offset_ticks = offset_ticks
        return obj

    @property
    def offset(self) -> _dt.timedelta:
        """Start of the chunk in the request's audio."""
        return ticks_to_timedelta(self.offset_ticks)

    def __repr__(self) -> str:
        return f"AudioChunk({len(self)} bytes, offset={self.offset})"

    __str__ = __repr__  # bytes.__str__ would print every byte (340 KB for one sentence)


@dataclass(frozen=True)
class TtsEvent:
    """Base of the typed events a synthesis stream yields between audio chunks.

    ``offset_ticks`` is the service's value (100-ns ticks from the start of
    the request's audio); ``offset`` the same as a timedelta. ``type`` names
    the event (``"word_boundary"``...), as on every event of the SDK.
    """

    offset_ticks: int
    type: str = field(default="", init=False)

    @property
    def offset(self) -> _dt.timedelta:
        """When the event happens in the audio."""
        return ticks_to_timedelta(self.offset_ticks)


@dataclass(frozen=True)
class _Boundary(TtsEvent):
    duration_ticks: int = 0
    text: str = ""
    length: int = 0
    text_offset: int | None = None

    @property
    def duration(self) -> _dt.timedelta:
        """How long the word, punctuation or sentence lasts in the audio."""
        return ticks_to_timedelta(self.duration_ticks)


@dataclass(frozen=True)
class WordBoundary(_Boundary):
    """A word starts. ``text`` is the word (XML entities resolved), ``length`` the
    service's length, ``text_offset`` its index in the input (plain text, or the
    SSML document when SSML was sent), found as the official SDKs do; None if not found."""

    type: Literal["word_boundary"] = field(default="word_boundary", init=False)


@dataclass(frozen=True)
class PunctuationBoundary(_Boundary):
    """A punctuation mark is reached (same fields as :class:`WordBoundary`)."""

    type: Literal["punctuation_boundary"] = field(default="punctuation_boundary", init=False)


@dataclass(frozen=True)
class SentenceBoundary(_Boundary):
    """A sentence starts (same fields as :class:`WordBoundary`)."""

    type: Literal["sentence_boundary"] = field(default="sentence_boundary", init=False)


@dataclass(frozen=True)
class Viseme(TtsEvent):
    """A mouth position (``viseme_id`` 0-21). ``animation`` holds the assembled
    animation data (SVG or blend-shape JSON) when the SSML asked for it."""

    type: Literal["viseme"] = field(default="viseme", init=False)
    viseme_id: int = 0
    animation: str | None = None


@dataclass(frozen=True)
class Bookmark(TtsEvent):
    """A ``<bookmark mark="...">`` is reached; ``name`` is the mark."""

    type: Literal["bookmark"] = field(default="bookmark", init=False)
    name: str = ""


@dataclass(frozen=True)
class SessionStopped(TtsEvent):
    """The request's audio ended (always the last event); ``offset`` is the total
    audio duration. Same name and ``type`` as speech to text's end of session."""

    type: Literal["session_stopped"] = field(default="session_stopped", init=False)

    @property
    def duration(self) -> _dt.timedelta:
        """Total duration of the audio of the request."""
        return self.offset


SessionEnd = SessionStopped
"""The former name of :class:`SessionStopped` (the same class)."""


SynthesisEvent = Union[  # noqa: UP007 - a runtime alias, must work on Python 3.10
    AudioChunk,
    WordBoundary,
    PunctuationBoundary,
    SentenceBoundary,
    Viseme,
    Bookmark,
    SessionStopped,
]
"""Everything a synthesis stream yields: audio chunks and the typed events."""


# -- voices -------------------------------------------------------------------------


class Voice(Model):
    """One voice from the voices list."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="allow")

    name: str = Field(alias="Name", default="")
    display_name: str = Field(alias="DisplayName", default="")
    local_name: str = Field(alias="LocalName", default="")
    short_name: str = Field(alias="ShortName")
    gender: str = Field(alias="Gender", default="")
    locale: str = Field(alias="Locale", default="")
    locale_name: str = Field(alias="LocaleName", default="")
    styles: list[str] = Field(alias="StyleList", default_factory=list)
    roles: list[str] = Field(alias="RolePlayList", default_factory=list)
    secondary_locales: list[str] = Field(alias="SecondaryLocaleList", default_factory=list)
    sample_rate: int | None = Field(alias="SampleRateHertz", default=None)
    voice_type: str = Field(alias="VoiceType", default="")
    status: str = Field(alias="Status", default="")
    words_per_minute: int | None = Field(alias="WordsPerMinute", default=None)
    extended_properties: dict[str, Any] = Field(alias="ExtendedPropertyMap", default_factory=dict)
    voice_tag: dict[str, Any] | None = Field(alias="VoiceTag", default=None)

    @field_validator("sample_rate", "words_per_minute", mode="before")
    @classmethod
    def _int_from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            try:
                return int(float(value))
            except ValueError:
                return None
        return value

    @field_validator("styles", "roles", "secondary_locales", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("extended_properties", mode="before")
    @classmethod
    def _none_is_empty_map(cls, value: Any) -> Any:
        return {} if value is None else value


# -- batch synthesis ------------------------------------------------------------------


_Model = Model  # SAS redaction in repr and request_id come from the one base


class BatchSynthesisConfig(_Model):
    """Voice and prosody for plain-text batch input."""

    voice: str
    style: str | None = None
    rate: str | None = None
    pitch: str | None = None
    volume: str | None = None
    background_audio: dict[str, Any] | None = Field(default=None, alias="backgroundAudio")


class BatchSynthesisBillingDetails(_Model):
    """Billable characters per voice kind (field set varies by API version)."""

    neural_characters: int | None = Field(default=None, alias="neuralCharacters")
    custom_neural_characters: int | None = Field(default=None, alias="customNeuralCharacters")


class BatchSynthesisError(_Model):
    """Why a batch synthesis failed."""

    code: str | None = None
    message: str | None = None


class BatchSynthesisProperties(_Model):
    """Options and (read-only) statistics of a batch synthesis."""

    time_to_live_in_hours: int | None = Field(default=None, alias="timeToLiveInHours")
    output_format: str | None = Field(default=None, alias="outputFormat")
    concatenate_result: bool | None = Field(default=None, alias="concatenateResult")
    decompress_output_files: bool | None = Field(default=None, alias="decompressOutputFiles")
    word_boundary_enabled: bool | None = Field(default=None, alias="wordBoundaryEnabled")
    sentence_boundary_enabled: bool | None = Field(default=None, alias="sentenceBoundaryEnabled")
    destination_container_url: str | None = Field(default=None, alias="destinationContainerUrl")
    destination_path: str | None = Field(default=None, alias="destinationPath")
    size_in_bytes: int | None = Field(default=None, alias="sizeInBytes")
    succeeded_audio_count: int | None = Field(default=None, alias="succeededAudioCount")
    failed_audio_count: int | None = Field(default=None, alias="failedAudioCount")
    duration_in_milliseconds: int | None = Field(default=None, alias="durationInMilliseconds")
    billing_details: BatchSynthesisBillingDetails | None = Field(
        default=None, alias="billingDetails"
    )
    error: BatchSynthesisError | None = None

    @property
    def duration(self) -> _dt.timedelta | None:
        """The generated audio's duration."""
        ms = self.duration_in_milliseconds
        return None if ms is None else _dt.timedelta(milliseconds=ms)


class BatchSynthesisOutputs(_Model):
    """Where the results are: ``result`` is the SAS URL of the results zip."""

    result: str | None = None
    summary: str | None = None


class BatchSynthesis(_Model):
    """A batch synthesis job as the service describes it."""

    id: str
    status: str | None = None
    description: str | None = None
    input_kind: str | None = Field(default=None, alias="inputKind")
    synthesis_config: BatchSynthesisConfig | None = Field(default=None, alias="synthesisConfig")
    custom_voices: dict[str, str] = Field(default_factory=dict, alias="customVoices")
    properties: BatchSynthesisProperties = Field(default_factory=BatchSynthesisProperties)
    outputs: BatchSynthesisOutputs | None = None
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")
    last_action_date_time: _dt.datetime | None = Field(default=None, alias="lastActionDateTime")

    @property
    def done(self) -> bool:
        """Whether the job reached a final state (Succeeded or Failed)."""
        return self.status in ("Succeeded", "Failed")

    @property
    def succeeded(self) -> bool:
        """Whether the job succeeded."""
        return self.status == "Succeeded"

"""Batch transcription (speech to text REST, 2025-10-15): jobs, files, results, web hooks.

The job and web hook models follow the service's OpenAPI definitions
(``Transcription``, ``File``, ``WebHook``); the result file models follow the
documented JSON of a result file (``combinedRecognizedPhrases``,
``recognizedPhrases[].nBest[]``), which the OpenAPI file does not describe.

Times in result files come twice on the wire: an ISO-8601 duration
(``"PT1.59S"``) and 100-ns ticks (``offsetInTicks``). The models keep the
ticks (``offset_ticks``, ``duration_ticks``) and expose ``offset`` /
``duration`` as :class:`datetime.timedelta` computed from them.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field

from ..audio.formats import ticks_to_timedelta
from ._base import Model

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..captions import CaptionOptions

__all__ = [
    "BatchNBest",
    "BatchTranscription",
    "BatchTranscriptionResult",
    "BatchWord",
    "CombinedRecognizedPhrase",
    "DiarizationProperties",
    "EntityError",
    "EntityReference",
    "LanguageIdentificationProperties",
    "RecognizedPhrase",
    "TranscriptionFile",
    "TranscriptionProperties",
    "TranscriptionReport",
    "TranscriptionReportDetail",
    "WebHook",
    "WebHookEvents",
    "WebHookProperties",
]


def _id_from_self(url: str | None) -> str | None:
    if not url:
        return None
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or None


def _ticks(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value)
    return value


#: 100-ns ticks (result files write them as JSON numbers that may carry ".0")
Ticks = Annotated[int, BeforeValidator(_ticks)]


class _Entity(Model):
    """An entity with a ``self`` URL (its id is the URL's last path segment)."""

    self_url: str | None = Field(default=None, alias="self")

    @property
    def id(self) -> str | None:
        """The entity's id (from its ``self`` URL)."""
        return _id_from_self(self.self_url)

    @property
    def request_id(self) -> str | None:
        """The service's id for the request that returned this object (for support tickets)."""
        rid = getattr(self, "_request_id", None)
        return rid if isinstance(rid, str) else None


class EntityReference(_Entity):
    """A reference to another entity (a model, project or dataset) by its ``self`` URL."""


class EntityError(Model):
    """Why an entity failed: the service's ``code`` and ``message``."""

    code: str | None = None
    message: str | None = None


class DiarizationProperties(Model):
    """Speaker separation: ``enabled`` and ``max_speakers`` (2 to 35)."""

    enabled: bool | None = None
    max_speakers: int | None = Field(default=None, alias="maxSpeakers")


class LanguageIdentificationProperties(Model):
    """Language identification among ``candidate_locales`` (mode Continuous or Single)."""

    candidate_locales: list[str] = Field(default_factory=list, alias="candidateLocales")
    speech_model_mapping: dict[str, EntityReference] | None = Field(
        default=None, alias="speechModelMapping"
    )
    mode: str | None = None


class TranscriptionProperties(Model):
    """The options of a batch transcription, and its read-only ``error`` and duration."""

    word_level_timestamps_enabled: bool | None = Field(
        default=None, alias="wordLevelTimestampsEnabled"
    )
    display_form_word_level_timestamps_enabled: bool | None = Field(
        default=None, alias="displayFormWordLevelTimestampsEnabled"
    )
    channels: list[int] | None = None
    punctuation_mode: str | None = Field(default=None, alias="punctuationMode")
    profanity_filter_mode: str | None = Field(default=None, alias="profanityFilterMode")
    destination_container_url: str | None = Field(default=None, alias="destinationContainerUrl")
    time_to_live_hours: int | None = Field(default=None, alias="timeToLiveHours")
    language_identification: LanguageIdentificationProperties | None = Field(
        default=None, alias="languageIdentification"
    )
    diarization: DiarizationProperties | None = None
    error: EntityError | None = None
    duration_milliseconds: int | None = Field(default=None, alias="durationMilliseconds")

    @property
    def duration(self) -> _dt.timedelta | None:
        """The transcribed audio's duration, when the service reports it."""
        ms = self.duration_milliseconds
        return None if ms is None else _dt.timedelta(milliseconds=ms)


class TranscriptionLinks(Model):
    """Where the transcription's files are listed."""

    files: str | None = None


class BatchTranscription(_Entity):
    """A batch transcription job as the service describes it (``status``, ``properties``...)."""

    display_name: str | None = Field(default=None, alias="displayName")
    description: str | None = None
    locale: str | None = None
    status: str | None = None
    content_urls: list[str] | None = Field(default=None, alias="contentUrls")
    content_container_url: str | None = Field(default=None, alias="contentContainerUrl")
    model: EntityReference | None = None
    project: EntityReference | None = None
    dataset: EntityReference | None = None
    custom_properties: dict[str, str] | None = Field(default=None, alias="customProperties")
    links: TranscriptionLinks | None = None
    properties: TranscriptionProperties = Field(default_factory=TranscriptionProperties)
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

    @property
    def failed(self) -> bool:
        """Whether the job failed (see :attr:`error`)."""
        return self.status == "Failed"

    @property
    def error(self) -> EntityError | None:
        """The service's error (``code``, ``message``) of a failed job."""
        return self.properties.error


class FileLinks(Model):
    """``content_url``: the file's SAS URL (fetched without the Speech key)."""

    content_url: str | None = Field(default=None, alias="contentUrl")


class FileProperties(Model):
    """Size (bytes) and, for audio, duration of a file."""

    size: int | None = None
    duration_milliseconds: int | None = Field(default=None, alias="durationMilliseconds")


class TranscriptionFile(_Entity):
    """One file of a transcription: a result (``kind`` Transcription) or the report."""

    name: str | None = None
    kind: str | None = None
    links: FileLinks = Field(default_factory=FileLinks)
    properties: FileProperties = Field(default_factory=FileProperties)
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")

    @property
    def content_url(self) -> str | None:
        """The SAS URL of the file's content."""
        return self.links.content_url


# -- result files ---------------------------------------------------------------------------


class _Timed(Model):
    offset_iso: str | None = Field(default=None, alias="offset", repr=False)
    duration_iso: str | None = Field(default=None, alias="duration", repr=False)
    offset_ticks: Ticks = Field(default=0, alias="offsetInTicks")
    duration_ticks: Ticks = Field(default=0, alias="durationInTicks")

    @property
    def offset(self) -> _dt.timedelta:
        """When it starts, from the start of the audio."""
        return ticks_to_timedelta(self.offset_ticks)

    @property
    def duration(self) -> _dt.timedelta:
        """How long it lasts."""
        return ticks_to_timedelta(self.duration_ticks)

    @property
    def end(self) -> _dt.timedelta:
        """When it ends."""
        return self.offset + self.duration


class BatchWord(_Timed):
    """A word with its timing: lexical (``word``) or display form (``display_text``)."""

    word: str | None = None
    display_text: str | None = Field(default=None, alias="displayText")
    confidence: float | None = None

    @property
    def text(self) -> str:
        """The display form when present, else the lexical form."""
        return self.display_text or self.word or ""


class BatchNBest(Model):
    """One recognition alternative of a phrase."""

    confidence: float | None = None
    lexical: str = ""
    itn: str = ""
    masked_itn: str = Field(default="", alias="maskedITN")
    display: str = ""
    words: list[BatchWord] = Field(default_factory=list)
    display_words: list[BatchWord] = Field(default_factory=list, alias="displayWords")


class RecognizedPhrase(_Timed):
    """A recognized phrase: channel, speaker, locale, timing and its n-best alternatives."""

    recognition_status: str | None = Field(default=None, alias="recognitionStatus")
    channel: int | None = None
    speaker: int | None = None
    locale: str | None = None
    n_best: list[BatchNBest] = Field(default_factory=list, alias="nBest")

    @property
    def best(self) -> BatchNBest | None:
        """The first (most likely) alternative."""
        return self.n_best[0] if self.n_best else None

    @property
    def display(self) -> str:
        """The display text of the best alternative."""
        best = self.best
        return best.display if best else ""

    @property
    def text(self) -> str:
        """Same as :attr:`display` (what captions show)."""
        return self.display

    @property
    def confidence(self) -> float | None:
        """The best alternative's confidence."""
        best = self.best
        return best.confidence if best else None

    @property
    def words(self) -> list[BatchWord]:
        """The best alternative's display words, else its lexical words (may be empty)."""
        best = self.best
        if best is None:
            return []
        return best.display_words or best.words


class CombinedRecognizedPhrase(Model):
    """The whole text of one channel, in every form."""

    channel: int | None = None
    lexical: str = ""
    itn: str = ""
    masked_itn: str = Field(default="", alias="maskedITN")
    display: str = ""


class BatchTranscriptionResult(Model):
    """One result file of a batch transcription: the transcription of one audio file."""

    source: str | None = None
    timestamp: _dt.datetime | None = None
    duration_iso: str | None = Field(default=None, alias="duration", repr=False)
    duration_ticks: Ticks = Field(default=0, alias="durationInTicks")
    duration_milliseconds: int | None = Field(default=None, alias="durationMilliseconds")
    combined_recognized_phrases: list[CombinedRecognizedPhrase] = Field(
        default_factory=list, alias="combinedRecognizedPhrases"
    )
    recognized_phrases: list[RecognizedPhrase] = Field(
        default_factory=list, alias="recognizedPhrases"
    )
    #: the result file's name on the service (``contenturl_0.json``), when known
    file_name: str | None = Field(default=None, exclude=True)

    @property
    def duration(self) -> _dt.timedelta:
        """The audio's duration."""
        return ticks_to_timedelta(self.duration_ticks)

    @property
    def text(self) -> str:
        """The display text of every channel, one channel per line."""
        return "\n".join(c.display for c in self.combined_recognized_phrases)

    @property
    def phrases(self) -> list[RecognizedPhrase]:
        """The successfully recognized phrases with text, in time order."""
        out = [
            p
            for p in self.recognized_phrases
            if p.recognition_status in (None, "Success") and p.display
        ]
        return sorted(out, key=lambda p: (p.offset_ticks, p.channel or 0))

    def to_srt(self, options: CaptionOptions | None = None) -> str:
        """The phrases as SubRip captions."""
        from ..captions import to_srt

        return to_srt(self.phrases, options)

    def to_webvtt(self, options: CaptionOptions | None = None) -> str:
        """The phrases as WebVTT captions."""
        from ..captions import to_webvtt

        return to_webvtt(self.phrases, options)

    def plot(self, *, ax: Any = None, title: str | None = None) -> Figure:
        """Who spoke when, with the captions: a matplotlib figure (extra ``[plot]``).

        See :func:`azspeech.plot.transcription_timeline` (speakers come with
        ``diarization=True``); ``result.plot().savefig("timeline.png")``.
        """
        from ..plot import transcription_timeline

        return transcription_timeline(self, ax=ax, title=title)


class TranscriptionReportDetail(Model):
    """The outcome for one audio file of the job."""

    source: str | None = None
    status: str | None = None
    error_kind: str | None = Field(default=None, alias="errorKind")
    error_message: str | None = Field(default=None, alias="errorMessage")


class TranscriptionReport(Model):
    """The job's report file: how many audio files succeeded and failed, and why."""

    successful_transcriptions_count: int = Field(default=0, alias="successfulTranscriptionsCount")
    failed_transcriptions_count: int = Field(default=0, alias="failedTranscriptionsCount")
    details: list[TranscriptionReportDetail] = Field(default_factory=list)


# -- web hooks ---------------------------------------------------------------------------------


class WebHookEvents(Model):
    """Which events a web hook receives (each one a flag on the wire)."""

    dataset_creation: bool | None = Field(default=None, alias="datasetCreation")
    dataset_processing: bool | None = Field(default=None, alias="datasetProcessing")
    dataset_completion: bool | None = Field(default=None, alias="datasetCompletion")
    dataset_deletion: bool | None = Field(default=None, alias="datasetDeletion")
    model_creation: bool | None = Field(default=None, alias="modelCreation")
    model_processing: bool | None = Field(default=None, alias="modelProcessing")
    model_completion: bool | None = Field(default=None, alias="modelCompletion")
    model_deletion: bool | None = Field(default=None, alias="modelDeletion")
    evaluation_creation: bool | None = Field(default=None, alias="evaluationCreation")
    evaluation_processing: bool | None = Field(default=None, alias="evaluationProcessing")
    evaluation_completion: bool | None = Field(default=None, alias="evaluationCompletion")
    evaluation_deletion: bool | None = Field(default=None, alias="evaluationDeletion")
    transcription_creation: bool | None = Field(default=None, alias="transcriptionCreation")
    transcription_processing: bool | None = Field(default=None, alias="transcriptionProcessing")
    transcription_completion: bool | None = Field(default=None, alias="transcriptionCompletion")
    transcription_deletion: bool | None = Field(default=None, alias="transcriptionDeletion")
    endpoint_creation: bool | None = Field(default=None, alias="endpointCreation")
    endpoint_processing: bool | None = Field(default=None, alias="endpointProcessing")
    endpoint_completion: bool | None = Field(default=None, alias="endpointCompletion")
    endpoint_deletion: bool | None = Field(default=None, alias="endpointDeletion")
    ping: bool | None = None
    challenge: bool | None = None

    @property
    def enabled(self) -> list[str]:
        """The wire names of the events switched on (``transcriptionCompletion``...)."""
        return [
            str(info.alias or name)
            for name, info in type(self).model_fields.items()
            if getattr(self, name)
        ]


class WebHookProperties(Model):
    """``api_version`` of the callbacks, the ``secret`` (never returned), and ``error``."""

    api_version: str | None = Field(default=None, alias="apiVersion")
    secret: str | None = None
    error: EntityError | None = None


class WebHookLinks(Model):
    """The URLs that ping and test the web hook."""

    ping: str | None = None
    test: str | None = None


class WebHook(_Entity):
    """A registered web hook: where events go (``web_url``) and which (``events``)."""

    display_name: str | None = Field(default=None, alias="displayName")
    description: str | None = None
    web_url: str | None = Field(default=None, alias="webUrl")
    events: WebHookEvents = Field(default_factory=WebHookEvents)
    properties: WebHookProperties = Field(default_factory=WebHookProperties)
    custom_properties: dict[str, str] | None = Field(default=None, alias="customProperties")
    status: str | None = None
    links: WebHookLinks | None = None
    created_date_time: _dt.datetime | None = Field(default=None, alias="createdDateTime")
    last_action_date_time: _dt.datetime | None = Field(default=None, alias="lastActionDateTime")

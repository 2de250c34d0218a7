"""The body of ``POST /speechtotext/transcriptions:submit`` (a ``Transcription``), checked.

Every check here happens before anything is sent: a bad argument is an
:class:`~azspeech.errors.InvalidRequestError` naming the parameter, not a
400 from the service minutes into a pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._jobs import CreateCall
from ..errors import InvalidRequestError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._resource import BodyOptions

__all__ = [
    "DEFAULT_TIME_TO_LIVE_HOURS",
    "PROFANITY_MODES",
    "PUNCTUATION_MODES",
    "create_call",
    "entity_url",
    "transcription_body",
]

PROFANITY_MODES = ("None", "Removed", "Tags", "Masked")
PUNCTUATION_MODES = ("None", "Dictated", "Automatic", "DictatedAndAutomatic")
LANGUAGE_ID_MODES = ("Continuous", "Single")
DEFAULT_TIME_TO_LIVE_HOURS = 48
MAX_CONTENT_URLS = 1000

#: ``resolve(collection, id)``: the URL of an entity given by its id
Resolver = Callable[[str, str], str]


def _enum(name: str, value: str, allowed: tuple[str, ...]) -> str:
    for choice in allowed:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    raise InvalidRequestError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _http_url(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidRequestError(f"{name} must be a URL string, got {type(value).__name__}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRequestError(f"{name} must be an absolute http(s) URL, got {value!r}")
    return value


def _int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequestError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _locale(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or " " in value:
        raise InvalidRequestError(f"{name} must be a locale such as 'en-US', got {value!r}")
    return value


def entity_url(value: object, *, collection: str, resolve: Resolver) -> str:
    """A reference (``{"self": url}``) target: a URL as is, an entity's ``self_url``, or an id.

    An id becomes ``resolve(collection, id)`` (the resource's URL on the endpoint).
    """
    own = getattr(value, "self_url", None)
    if isinstance(own, str) and own:
        return own
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(f"expected a {collection} URL, entity or id, got {value!r}")
    if "://" in value:
        return _http_url(collection, value)
    if "/" in value or "?" in value or "#" in value:
        raise InvalidRequestError(f"invalid {collection} id {value!r}")
    return resolve(collection, value)


def _custom_properties(value: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(value, Mapping) or len(value) > 10:
        raise InvalidRequestError("custom_properties takes at most 10 entries")
    for key, val in value.items():
        if not isinstance(key, str) or not 0 < len(key) <= 64:
            raise InvalidRequestError("custom_properties keys are strings of 1 to 64 characters")
        if not isinstance(val, str) or len(val) > 256:
            raise InvalidRequestError("custom_properties values are strings of at most 256 chars")
    return dict(value)


def transcription_body(
    content_urls: str | Sequence[str] | None,
    *,
    content_container_url: str | None,
    dataset: str | None,
    locale: str,
    display_name: str | None,
    description: str | None,
    model: str | None,
    project: str | None,
    diarization: bool | None,
    max_speakers: int | None,
    word_level_timestamps: bool | None,
    display_form_word_level_timestamps: bool | None,
    channels: Sequence[int] | None,
    profanity: str | None,
    punctuation: str | None,
    time_to_live_hours: int,
    destination_container_url: str | None,
    language_identification: Sequence[str] | None,
    language_identification_mode: str | None,
    speech_model_mapping: Mapping[str, str] | None,
    custom_properties: Mapping[str, str] | None,
    resolve: Resolver,
) -> dict[str, Any]:
    """The ``Transcription`` create body (spec 2025-10-15), checked.

    *resolve(collection, id)* is the URL of an entity given by id (``models``...).
    """
    urls = [content_urls] if isinstance(content_urls, str) else content_urls
    sources = [s for s in (urls, content_container_url, dataset) if s is not None]
    if len(sources) != 1:
        raise InvalidRequestError(
            "give exactly one of content_urls, content_container_url or dataset"
        )
    body: dict[str, Any] = {
        "displayName": display_name if display_name is not None else "azspeech transcription",
        "locale": _locale("locale", locale),
    }
    if not isinstance(body["displayName"], str) or not body["displayName"].strip():
        raise InvalidRequestError("display_name must be a non-empty string")
    if urls is not None:
        urls = list(urls)
        if not 0 < len(urls) <= MAX_CONTENT_URLS:
            raise InvalidRequestError(f"content_urls takes 1 to {MAX_CONTENT_URLS} URLs")
        body["contentUrls"] = [_http_url(f"content_urls[{i}]", u) for i, u in enumerate(urls)]
    elif content_container_url is not None:
        body["contentContainerUrl"] = _http_url("content_container_url", content_container_url)
    else:
        body["dataset"] = {"self": entity_url(dataset, collection="datasets", resolve=resolve)}
    if description is not None:
        body["description"] = str(description)
    if model is not None:
        body["model"] = {"self": entity_url(model, collection="models", resolve=resolve)}
    if project is not None:
        body["project"] = {"self": entity_url(project, collection="projects", resolve=resolve)}
    if custom_properties is not None:
        body["customProperties"] = _custom_properties(custom_properties)
    props: dict[str, Any] = {
        "timeToLiveHours": _int("time_to_live_hours", time_to_live_hours, 6, 744)
    }
    for key, flag in (
        ("wordLevelTimestampsEnabled", word_level_timestamps),
        ("displayFormWordLevelTimestampsEnabled", display_form_word_level_timestamps),
    ):
        if flag is not None:
            props[key] = bool(flag)
    if channels is not None:
        chans = list(channels)
        if not chans or len(set(chans)) != len(chans):
            raise InvalidRequestError("channels must list distinct channel numbers")
        props["channels"] = [_int("channels[]", c, 0, 1) for c in chans]
    if profanity is not None:
        props["profanityFilterMode"] = _enum("profanity", profanity, PROFANITY_MODES)
    if punctuation is not None:
        props["punctuationMode"] = _enum("punctuation", punctuation, PUNCTUATION_MODES)
    if destination_container_url is not None:
        props["destinationContainerUrl"] = _http_url(
            "destination_container_url", destination_container_url
        )
    if max_speakers is not None or diarization:
        if diarization is False:
            raise InvalidRequestError("max_speakers needs diarization (do not pass False)")
        if channels is not None and len(props["channels"]) > 1:
            raise InvalidRequestError("diarization works on one channel; pass channels=[0]")
        diar: dict[str, Any] = {"enabled": True}
        if max_speakers is not None:
            diar["maxSpeakers"] = _int("max_speakers", max_speakers, 2, 35)
        props["diarization"] = diar
    if language_identification is not None:
        candidates = [_locale("language_identification[]", c) for c in language_identification]
        if not 2 <= len(candidates) <= 10:
            raise InvalidRequestError("language_identification takes 2 to 10 candidate locales")
        lid: dict[str, Any] = {"candidateLocales": candidates}
        if language_identification_mode is not None:
            lid["mode"] = _enum(
                "language_identification_mode", language_identification_mode, LANGUAGE_ID_MODES
            )
        if speech_model_mapping:
            unknown = set(speech_model_mapping) - set(candidates)
            if unknown:
                raise InvalidRequestError(
                    f"speech_model_mapping names locales that are not candidates: {sorted(unknown)}"
                )
            lid["speechModelMapping"] = {
                loc: {"self": entity_url(m, collection="models", resolve=resolve)}
                for loc, m in speech_model_mapping.items()
            }
        props["languageIdentification"] = lid
    elif language_identification_mode is not None or speech_model_mapping:
        raise InvalidRequestError(
            "language_identification_mode and speech_model_mapping need language_identification"
        )
    body["properties"] = props
    return body


def create_call(
    content_urls: str | Sequence[str] | None = None,
    *,
    locale: str,
    content_container_url: str | None = None,
    dataset: str | None = None,
    display_name: str | None = None,
    description: str | None = None,
    model: str | None = None,
    project: str | None = None,
    diarization: bool | None = None,
    max_speakers: int | None = None,
    word_level_timestamps: bool | None = None,
    display_form_word_level_timestamps: bool | None = None,
    channels: Sequence[int] | None = None,
    profanity: str | None = None,
    punctuation: str | None = None,
    time_to_live_hours: int = DEFAULT_TIME_TO_LIVE_HOURS,
    destination_container_url: str | None = None,
    language_identification: Sequence[str] | None = None,
    language_identification_mode: str | None = None,
    speech_model_mapping: Mapping[str, str] | None = None,
    custom_properties: Mapping[str, str] | None = None,
    **options: Unpack[BodyOptions],
) -> CreateCall:
    """Submit a batch transcription of *content_urls* (or a container, or a dataset).

    Audio: exactly one of *content_urls* (1 to 1000 SAS or public URLs),
    *content_container_url* (a container SAS URL with read and list rights)
    or *dataset* (a dataset URL or id). *locale* is required (``"en-US"``).
    *model*: a custom or base model (its ``self`` URL, the model object, or
    a custom model id). *diarization* / *max_speakers* (2 to 35; implies
    diarization); *word_level_timestamps*; *channels* (``[0]``, ``[1]`` or
    ``[0, 1]``); *profanity* (None, Removed, Tags, Masked); *punctuation*
    (None, Dictated, Automatic, DictatedAndAutomatic); *time_to_live_hours*
    (6 to 744, default 48: the service deletes the job after it);
    *destination_container_url* (results go to your container instead);
    *language_identification*: 2 to 10 candidate locales (mode Continuous or
    Single; *speech_model_mapping* maps a candidate to a custom model).
    Per-call options: ``timeout=``, ``extra_headers=``, ``extra_query=``,
    ``extra_body=``. Returns the job at once; then ``wait(job)`` and
    ``results(job)``.
    """
    # The body needs the endpoint (for entity ids): the resource builds it from these.
    arguments = {
        "content_urls": content_urls,
        "content_container_url": content_container_url,
        "dataset": dataset,
        "locale": locale,
        "display_name": display_name,
        "description": description,
        "model": model,
        "project": project,
        "diarization": diarization,
        "max_speakers": max_speakers,
        "word_level_timestamps": word_level_timestamps,
        "display_form_word_level_timestamps": display_form_word_level_timestamps,
        "channels": channels,
        "profanity": profanity,
        "punctuation": punctuation,
        "time_to_live_hours": time_to_live_hours,
        "destination_container_url": destination_container_url,
        "language_identification": language_identification,
        "language_identification_mode": language_identification_mode,
        "speech_model_mapping": speech_model_mapping,
        "custom_properties": custom_properties,
    }
    # Checked now, so that bad input fails before any I/O.
    transcription_body(**arguments, resolve=_placeholder)  # type: ignore[arg-type]
    return CreateCall(arguments, None, {}, options)


def _placeholder(collection: str, entity_id: str) -> str:
    return f"https://endpoint.invalid/{collection}/{entity_id}"

"""Fast transcription: ``POST /speechtotext/transcriptions:transcribe`` (multipart, synchronous).

Parts: ``audio`` (a file) and ``definition`` (JSON: locales, diarization
{enabled, maxSpeakers}, channels, profanityFilterMode, phraseList, audioUrl).
``audioUrl`` may be a ``data:`` URL or an ``http://127.0.0.1``/``localhost``
URL; the emulator refuses any other host (it never leaves the machine).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

import httpx
import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import llm
from ._audio import AudioFormatError, decode_file, to_engine_rate
from .auth import admit_http, apply_http_faults, error_response, guard_http
from .engines.base import RecognitionOptions, Segment
from .results import apply_phrase_list, display_text, guess_language, ms
from .state import EmulatorState
from .stt_rest import recognize_samples

__all__ = ["API_VERSIONS", "LOCALES", "routes"]

API_VERSIONS = frozenset({"2024-05-15-preview", "2024-11-15", "2025-10-15"})
LOCALES = ["de-DE", "en-GB", "en-IN", "en-US", "es-ES", "es-MX", "fr-FR", "hi-IN", "it-IT",
           "ja-JP", "ko-KR", "pt-BR", "zh-CN"]  # fmt: skip
MAX_BYTES = 300 * 1024 * 1024
_PROFANITY = {"none": "raw", "masked": "masked", "removed": "removed", "tags": "tagged"}


def _bad(message: str, code: str = "InvalidArgument", status: int = 400) -> Response:
    return error_response(status, message, code=code)


async def _fetch_url(url: str) -> bytes:
    if url.startswith("data:"):
        head, _, data = url.partition(",")
        if head.endswith(";base64"):
            return base64.b64decode(data)
        return urllib.parse.unquote_to_bytes(data)
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise PermissionError(host)
    async with httpx.AsyncClient(timeout=30) as client:
        resp = await client.get(url)
        resp.raise_for_status()
        return resp.content


def _transcribe(
    state: EmulatorState, data: np.ndarray[Any, Any], rate: int, definition: dict[str, Any]
) -> dict[str, Any]:
    locales = [str(x) for x in definition.get("locales") or []]
    diar = definition.get("diarization") or {}
    max_speakers = diar.get("maxSpeakers")
    diarize = bool(diar.get("enabled")) or max_speakers is not None
    channels = definition.get("channels")
    profanity = _PROFANITY.get(str(definition.get("profanityFilterMode") or "Masked").lower())
    phrase_list = definition.get("phraseList") or {}
    phrases = [str(p) for p in phrase_list.get("phrases") or []]
    separate = isinstance(channels, list) and data.shape[1] > 1 and len(channels) > 0
    tracks: list[tuple[int | None, np.ndarray[Any, Any]]]
    if separate:
        assert isinstance(channels, list)
        tracks = [(int(c), data[:, int(c)]) for c in channels if 0 <= int(c) < data.shape[1]]
    else:
        tracks = [(None, data.mean(axis=1))]
    phrases_out: list[dict[str, Any]] = []
    combined: list[dict[str, Any]] = []
    for channel, track in tracks:
        mono = to_engine_rate(track.astype(np.float32), rate)
        reco = RecognitionOptions(
            mode="conversation",
            language=locales[0] if len(locales) == 1 else None,
            diarization=diarize,
            max_speakers=int(max_speakers or 35),
            phrases=phrases,
            candidate_languages=locales if len(locales) > 1 else [],
        )
        segments: list[Segment] = recognize_samples(state, mono, reco)
        texts: list[str] = []
        for seg in segments:
            t = seg.transcript
            if t is None or not t.text.strip():
                continue
            text = display_text(apply_phrase_list(t.text, phrases), profanity or "masked")
            if not text:
                continue
            texts.append(text)
            if len(locales) == 1:
                locale = locales[0]
            else:  # language identification among the candidates, or among all locales
                candidates = locales or ["en-US", *[x for x in LOCALES if x != "en-US"]]
                locale = guess_language(t.text, candidates, None) or "en-US"
            item: dict[str, Any] = {}
            if channel is not None:
                item["channel"] = channel
            if diarize and seg.speaker is not None:
                item["speaker"] = seg.speaker + 1
            item.update(
                {
                    "offsetMilliseconds": ms(seg.start),
                    "durationMilliseconds": ms(seg.end - seg.start),
                    "text": text,
                    "words": [
                        {
                            "text": shown,
                            "offsetMilliseconds": ms(w.start),
                            "durationMilliseconds": ms(w.end - w.start),
                        }
                        for w in t.words
                        if (shown := display_text(w.text, profanity or "masked"))
                    ],
                    "locale": locale,
                    "confidence": round(t.confidence, 4),
                }
            )
            phrases_out.append(item)
        entry: dict[str, Any] = {"text": " ".join(texts)}
        if channel is not None:
            entry = {"channel": channel, **entry}
        combined.append(entry)
    phrases_out.sort(key=lambda p: (p["offsetMilliseconds"], p.get("channel", 0)))
    return {
        "durationMilliseconds": round(len(data) * 1000 / rate),
        "combinedPhrases": combined,
        "phrases": phrases_out,
    }


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Fast transcription and its locales list."""

    async def transcribe(request: Request) -> Response:
        entry, refused, faults = await admit_http(state, request, apply_faults=False)
        if refused is None:
            refused = _check_version(request)
        if refused is not None:
            entry.status = refused.status_code
            return refused
        ctype = request.headers.get("content-type", "")
        if not ctype.lower().startswith("multipart/form-data"):
            entry.status = 415
            return _bad("Content-Type must be multipart/form-data.", "UnsupportedMediaType", 415)
        try:
            form = await request.form(max_files=2, max_fields=8, max_part_size=MAX_BYTES)
        except Exception as exc:
            entry.status = 400
            return _bad(f"Malformed multipart body: {exc}")
        try:
            raw_def = form.get("definition")
            if isinstance(raw_def, UploadFile):
                raw_def = (await raw_def.read()).decode("utf-8")
            if raw_def is None:
                entry.status = 400
                return _bad("The 'definition' part is required.")
            try:
                definition = json.loads(raw_def)
            except ValueError:
                entry.status = 400
                return _bad("The 'definition' part is not valid JSON.")
            if not isinstance(definition, dict):
                entry.status = 400
                return _bad("The 'definition' part must be a JSON object.")
            problem = _validate(definition) or llm.check_definition(definition)
            if problem:
                entry.status = 400
                return _bad(problem)
            audio_part = form.get("audio")
            if isinstance(audio_part, UploadFile):
                body = await audio_part.read()
            elif isinstance(audio_part, str):
                body = audio_part.encode("latin-1")
            elif definition.get("audioUrl"):
                try:
                    body = await _fetch_url(str(definition["audioUrl"]))
                except PermissionError:
                    entry.status = 400
                    return _bad(
                        "The emulator only fetches audioUrl from data: URLs or 127.0.0.1.",
                        "InvalidUri",
                    )
                except (httpx.HTTPError, ValueError) as exc:
                    entry.status = 400
                    return _bad(f"Could not download audioUrl: {exc}", "InvalidUri")
            else:
                entry.status = 400
                return _bad("Either the 'audio' part or definition.audioUrl is required.")
        finally:
            await form.close()
        entry.body_size = len(body)
        if not body:
            entry.status = 400
            return _bad("The audio is empty.", "InvalidAudioFormat")
        try:
            data, rate = decode_file(body)
        except AudioFormatError as exc:
            entry.status = 422
            return _bad(f"The audio could not be decoded: {exc}", "InvalidAudioFormat", 422)
        result = await run_in_threadpool(_transcribe, state, data, rate, definition)
        result = llm.enhance(result, definition)  # LLM speech (enhancedMode)
        special = await apply_http_faults(request, faults)
        if special is not None:
            entry.status = special.status_code
            return special
        entry.status = 200
        return JSONResponse(result)

    async def locales(request: Request) -> Response:
        refused, _faults = await guard_http(state, request)
        if refused is None:
            refused = _check_version(request)
        if refused is not None:
            return refused
        version = request.query_params.get("api-version", "")
        if version >= "2025-10-15":
            return JSONResponse({"Transcribe": LOCALES})
        return JSONResponse(LOCALES)

    return [
        Route("/speechtotext/transcriptions:transcribe", transcribe, methods=["POST"]),
        Route("/speechtotext/transcriptions/locales", locales, methods=["GET"]),
    ]


def _check_version(request: Request) -> Response | None:
    version = request.query_params.get("api-version")
    if not version:
        return _bad("The api-version query parameter is required.", "MissingApiVersionParameter")
    if version not in API_VERSIONS:
        return _bad(f"Unsupported api-version {version!r}.", "UnsupportedApiVersionValue")
    return None


def _validate(d: dict[str, Any]) -> str | None:
    locales = d.get("locales")
    if locales is not None and (
        not isinstance(locales, list) or not all(isinstance(x, str) and x for x in locales)
    ):
        return "definition.locales must be a list of locale strings."
    diar = d.get("diarization")
    if diar is not None:
        if not isinstance(diar, dict):
            return "definition.diarization must be an object."
        ms_ = diar.get("maxSpeakers")
        if ms_ is not None and (not isinstance(ms_, int) or not 2 <= ms_ <= 35):
            return "definition.diarization.maxSpeakers must be between 2 and 35."
    channels = d.get("channels")
    if channels is not None and (
        not isinstance(channels, list)
        or len(channels) > 2
        or not all(isinstance(c, int) and c >= 0 for c in channels)
    ):
        return "definition.channels must be at most two zero-based channel numbers."
    if (
        channels
        and len(channels) > 1
        and isinstance(diar, dict)
        and (diar.get("enabled") or diar.get("maxSpeakers"))
    ):
        return "Diarization cannot be combined with multiple channels."
    mode = d.get("profanityFilterMode")
    if mode is not None and str(mode) not in ("None", "Masked", "Removed", "Tags"):
        return "definition.profanityFilterMode must be None, Masked, Removed or Tags."
    pl = d.get("phraseList")
    if pl is not None:
        if not isinstance(pl, dict):
            return "definition.phraseList must be an object."
        items = pl.get("phrases") or []
        if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
            return "definition.phraseList.phrases must be non-empty strings."
        weight = pl.get("biasingWeight")
        if weight is not None and not (
            isinstance(weight, (int, float)) and 0.0 <= float(weight) <= 2.0
        ):
            return "definition.phraseList.biasingWeight must be between 0.0 and 2.0."
    return None

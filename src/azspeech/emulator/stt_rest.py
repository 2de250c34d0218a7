"""Speech to text REST API for short audio (one final result for up to 60 s of audio).

``POST /speech/recognition/{mode}/cognitiveservices/v1?language=..&format=simple|detailed``
(also under ``/stt``), body WAV/PCM or OGG/Opus, chunked upload welcome.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ._audio import AudioFormatError, decode_file, to_engine_rate
from .auth import admit_http, apply_http_faults, error_response
from .engines.base import Final, RecognitionOptions, Segment, Transcript
from .results import OutputOptions, detailed_phrase, ticks
from .state import EmulatorState

__all__ = ["MAX_SECONDS", "recognize_samples", "routes"]

MAX_SECONDS = 60.0
MAX_SECONDS_WITH_PA = 30.0
MAX_BODY = 64 * 1024 * 1024


def recognize_samples(
    state: EmulatorState, mono16k: np.ndarray[Any, Any], reco: RecognitionOptions
) -> list[Segment]:
    """Run the engine over a whole recording; the recognized segments in order."""
    stream = state.engine.open_stream(reco)
    events = stream.feed(mono16k.astype(np.float32))
    events += stream.finish()
    return [ev.segment for ev in events if isinstance(ev, Final)]


def _combine(segments: list[Segment]) -> Segment:
    texts = [s.transcript for s in segments if s.transcript is not None and s.transcript.text]
    words = [w for t in texts for w in t.words]
    transcript = None
    if texts:
        conf = float(np.mean([t.confidence for t in texts]))
        transcript = Transcript(" ".join(t.text for t in texts), words, conf)
    return Segment(segments[0].start, segments[-1].end, transcript, None, segments[0].level_db)


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The short-audio recognition routes."""

    async def recognize(request: Request) -> Response:
        entry, refused, faults = await admit_http(state, request, apply_faults=False)
        if refused is not None:
            return refused
        mode = request.path_params["mode"]
        if mode not in ("interactive", "conversation", "dictation"):
            entry.status = 404
            return error_response(404)
        q = {k.lower(): v for k, v in request.query_params.items()}
        language = q.get("language")
        if not language:
            entry.status = 400
            return error_response(400, "Missing required query parameter: language.")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                entry.status = 400
                return error_response(400, "Audio is longer than 60 seconds.")
        entry.body_size = len(body)
        if not body:
            entry.status = 400
            return error_response(400, "The request has no audio.")
        try:
            data, rate = decode_file(bytes(body))
        except AudioFormatError as exc:
            entry.status = 400
            return error_response(400, f"Unsupported audio format: {exc}")
        pa_header = request.headers.get("pronunciation-assessment")
        pa_options = None
        if pa_header:
            from .pronunciation import parse_rest_header

            try:
                pa_options = parse_rest_header(pa_header)
            except ValueError as exc:
                entry.status = 400
                return error_response(400, str(exc))
        duration = len(data) / rate
        if pa_options is not None and duration > MAX_SECONDS_WITH_PA:
            entry.status = 400
            return error_response(
                400, f"Audio is longer than 30 seconds ({duration:.1f} s) for assessment."
            )
        if duration > MAX_SECONDS:
            entry.status = 400
            return error_response(400, f"Audio is longer than 60 seconds ({duration:.1f} s).")
        mono = to_engine_rate(data.mean(axis=1).astype(np.float32), rate)
        reco = RecognitionOptions(mode="conversation", language=language)
        segments = await run_in_threadpool(recognize_samples, state, mono, reco)
        special = await apply_http_faults(request, faults)
        if special is not None:
            entry.status = special.status_code
            return special
        detailed = q.get("format", "simple").lower() == "detailed" or pa_options is not None
        out = OutputOptions(
            detailed=detailed,
            profanity=q.get("profanity", "masked").lower(),
            word_timings=pa_options is not None,
            word_confidence=pa_options is not None,
        )
        if not segments:
            result: dict[str, Any] = {
                "RecognitionStatus": "InitialSilenceTimeout",
                "Offset": 0,
                "Duration": ticks(len(mono)),
            }
        else:
            # interactive: the first utterance only; conversation/dictation: all of it
            chosen = segments[:1] if mode == "interactive" else segments
            result = detailed_phrase(_combine(chosen), out)
            if pa_options is not None:
                from .pronunciation import apply_rest

                result = apply_rest(result, pa_options)
        entry.status = 200
        return JSONResponse(result)

    paths = [
        "/speech/recognition/{mode}/cognitiveservices/v1",
        "/stt/speech/recognition/{mode}/cognitiveservices/v1",
    ]
    return [Route(p, recognize, methods=["POST"]) for p in paths]

"""The emulator's ASGI application: every route on one port, HTTP and WebSocket.

Each feature module contributes routes through a ``routes(state) ->
list[BaseRoute]`` function, and recognition-turn handlers (translation,
pronunciation assessment) are registered here, not as a side effect of
building routes. Every module is imported unconditionally: a broken feature
module fails the emulator's start with its traceback instead of turning into
404s. A new feature adds its module to :data:`FEATURE_MODULES` and its line below.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from . import (
    auth,
    batch_avatar,
    batch_synthesis,
    batch_transcription,
    custom_speech,
    fast,
    pronunciation,
    stt_rest,
    stt_webhooks,
    stt_ws,
    translation,
    tts,
    voice_live,
)
from .state import EmulatorState

__all__ = ["FEATURE_MODULES", "OPTIONAL_MODULES", "create_app"]

#: The feature modules of this package that serve routes or handle recognition turns.
FEATURE_MODULES = (
    "auth",
    "stt_ws",
    "stt_rest",
    "fast",
    "tts",
    "batch_synthesis",
    "translation",
    "pronunciation",
    "custom_speech",
    "llm",
    "batch_transcription",
    "stt_webhooks",
    "voice_live",
    "batch_avatar",
)
OPTIONAL_MODULES = FEATURE_MODULES  # the former name (every module is required now)


def feature_routes(state: EmulatorState) -> list[BaseRoute]:
    """Register the recognition-turn handlers and collect every feature's routes."""
    # The first handler that takes a turn answers it: translation before assessment.
    stt_ws.register_turn_handler(state, translation.turn_handler)
    stt_ws.register_turn_handler(state, pronunciation.turn_handler)
    routes: list[BaseRoute] = []
    routes += auth.routes(state)
    routes += stt_ws.routes(state)
    routes += stt_rest.routes(state)
    routes += fast.routes(state)
    routes += tts.routes(state)
    routes += batch_synthesis.routes(state)
    routes += custom_speech.routes(state)
    routes += translation.routes(state)
    routes += batch_transcription.routes(state)
    routes += stt_webhooks.routes(state)
    routes += voice_live.routes(state)
    routes += batch_avatar.routes(state)
    return routes


def create_app(state: EmulatorState) -> Starlette:
    """The Starlette app serving *state*'s emulator."""

    async def health(request: Request) -> Response:
        # The process id tells ``--workers`` processes apart.
        return JSONResponse(
            {"status": "ok", "engine": state.engine_name or "tones", "pid": os.getpid()}
        )

    async def not_found(request: Request) -> Response:
        state.new_request(
            request.method, request.url.path, dict(request.query_params), dict(request.headers)
        ).status = 404
        return auth.error_response(404, f"Resource not found: {request.url.path}")

    async def ws_not_found(websocket: WebSocket) -> None:
        log = state.new_session(
            "unknown", websocket.url.path, dict(websocket.query_params), dict(websocket.headers)
        )
        log.errors.append("unknown path: refused with 404")
        await auth.deny(websocket, auth.error_response(404, "Unknown WebSocket path."))

    async def ready(request: Request) -> Response:
        return PlainTextResponse("ready")

    async def status(request: Request) -> Response:
        return JSONResponse({"apiStatus": "Valid", "apiStatusMessage": "Emulator is running."})

    routes: list[BaseRoute] = [
        Route("/emulator/health", health, methods=["GET"]),
        # what Speech containers answer for readiness probes
        Route("/ready", ready, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
    ]
    routes += feature_routes(state)
    routes += [
        WebSocketRoute("/{rest:path}", ws_not_found),
        Route("/{rest:path}", not_found, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    return app

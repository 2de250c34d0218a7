"""The emulator's ASGI application: every route on one port, HTTP and WebSocket.

Feature modules contribute routes through a ``routes(state) -> list[BaseRoute]``
function. The core ones are always there (STS, speech-to-text WebSocket and
REST, fast transcription); the modules in :data:`OPTIONAL_MODULES` are
imported if present (text to speech, translation...), so each feature can add
its own file without touching this one.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from . import auth, fast, stt_rest, stt_ws
from .state import EmulatorState

__all__ = ["OPTIONAL_MODULES", "create_app"]

logger = logging.getLogger("azspeech.emulator")

#: Modules of this package whose ``routes(state)`` are added when they exist.
OPTIONAL_MODULES = (
    "tts",
    "translation",
    "batch",
    "voice_live",
    "avatar",
    "pronunciation",
    "custom_speech",
)


def _optional_routes(state: EmulatorState) -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for name in OPTIONAL_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                logger.warning("emulator module %s could not be imported: %s", name, exc)
            continue
        except Exception as exc:  # a feature module in a broken state must not take all down
            logger.warning("emulator module %s could not be imported: %r", name, exc)
            continue
        factory: Callable[[EmulatorState], list[BaseRoute]] | None = getattr(module, "routes", None)
        if factory is not None:
            try:
                out.extend(factory(state))
            except Exception as exc:
                logger.warning("emulator module %s failed to build its routes: %r", name, exc)
    return out


def create_app(state: EmulatorState) -> Starlette:
    """The Starlette app serving *state*'s emulator."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "engine": state.engine_name or "tones"})

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
    routes += auth.routes(state)
    routes += stt_ws.routes(state)
    routes += stt_rest.routes(state)
    routes += fast.routes(state)
    routes += _optional_routes(state)
    routes += [
        WebSocketRoute("/{rest:path}", ws_not_found),
        Route("/{rest:path}", not_found, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    return app

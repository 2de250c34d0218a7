"""Credentials, the STS token endpoint, and the checks every route runs first.

REST routes call :func:`guard_http` and WebSocket routes :func:`guard_ws`;
both apply the ``reject`` faults, check the key or bearer token (headers, or
query parameters the way the JS SDK sends them) and, for WebSockets, the
``X-ConnectionId``. A refusal is answered as the service does: an HTTP status
with the Cognitive Services error JSON, before any WebSocket is accepted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket

from .faults import Fault, parse_fault
from .state import EmulatorState, RequestLog

__all__ = [
    "check_credentials",
    "error_response",
    "guard_http",
    "guard_ws",
    "request_faults",
    "routes",
]

_CONNECTION_ID = re.compile(r"^[0-9a-fA-F]{32}$")

_MESSAGES = {
    400: "Bad request.",
    401: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
    "provide a valid key for an active subscription and use a correct regional API endpoint "
    "for your resource.",
    403: "Access denied: the credentials were rejected.",
    404: "Resource not found.",
    429: "Rate limit is exceeded. Try again later.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "The service is temporarily unavailable.",
    504: "Gateway timeout.",
}


def error_response(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    retry_after: float | None = None,
) -> Response:
    """The service's JSON error: ``{"error": {"code": ..., "message": ...}}``."""
    headers: dict[str, str] = {}
    text = message or _MESSAGES.get(status, "Error.")
    if status == 429 and retry_after is not None:
        headers["Retry-After"] = str(max(0, round(retry_after)))
        if message is None:
            text = f"Rate limit is exceeded. Try again in {max(0, round(retry_after))} seconds."
    err_code = code or str(status)
    headers["x-ms-error-code"] = err_code
    return JSONResponse(
        {"error": {"code": err_code, "message": text}}, status_code=status, headers=headers
    )


def _query_value(query: Mapping[str, str], name: str) -> str | None:
    lname = name.lower()
    for key, value in query.items():
        if key.lower() == lname:
            return value
    return None


def check_credentials(
    state: EmulatorState, headers: Mapping[str, str], query: Mapping[str, str]
) -> tuple[int, str] | None:
    """None if the caller may proceed, else (HTTP status, message)."""
    key = headers.get("ocp-apim-subscription-key") or _query_value(
        query, "Ocp-Apim-Subscription-Key"
    )
    authz = headers.get("authorization") or _query_value(query, "Authorization")
    if key is not None:
        if state.check_key(key.strip()):
            return None
        return 401, _MESSAGES[401]
    if authz is not None:
        scheme, _, token = authz.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return 401, "Access denied: the Authorization header is not a bearer token."
        if state.token_valid(token) or (state.key is None and token):
            return None
        return 401, "Access denied: the token is invalid or expired."
    if state.allow_anonymous:
        return None
    return 401, (
        "Access denied due to missing subscription key. Make sure to include the subscription "
        "key when making requests to an API."
    )


def request_faults(
    state: EmulatorState,
    path: str,
    protocol: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
) -> list[Fault]:
    """The faults for one request: the configured ones plus a per-connection spec, if any."""
    faults = state.faults.claim(path, "ws" if protocol == "ws" else "http")
    spec = headers.get("x-emulator-fault") or _query_value(query, "emulatorFault")
    if spec:
        for part in spec.split(";"):
            if part.strip():
                faults.append(parse_fault(part))
    return faults


def _reject_response(fault: Fault) -> Response:
    return error_response(
        fault.status, retry_after=fault.retry_after if fault.status == 429 else None
    )


async def guard_http(
    state: EmulatorState, request: Request, *, need_auth: bool = True
) -> tuple[Response | None, list[Fault]]:
    """Faults and auth for a REST request.

    Returns ``(response, faults)``: a response to send instead of handling the
    request (a refusal), and the remaining faults the handler should apply to
    its answer (see :func:`apply_http_faults`).
    """
    headers = {k.lower(): v for k, v in request.headers.items()}
    query = dict(request.query_params)
    try:
        faults = request_faults(state, request.url.path, "http", headers, query)
    except ValueError as exc:
        return error_response(400, f"Bad emulator fault spec: {exc}"), []
    for fault in faults:
        if fault.kind == "reject":
            return _reject_response(fault), []
    for fault in faults:
        if fault.kind == "delay" and fault.seconds > 0:
            await asyncio.sleep(fault.seconds)
    if need_auth:
        refused = check_credentials(state, headers, query)
        if refused is not None:
            return error_response(*refused), []
    return None, [f for f in faults if f.kind not in ("reject", "delay")]


async def guard_ws(
    state: EmulatorState, websocket: WebSocket, *, need_connection_id: bool = True
) -> tuple[bool, list[Fault]]:
    """Faults, auth and ``X-ConnectionId`` for a WebSocket upgrade.

    Returns ``(accepted, faults)``. When not accepted, the upgrade has already
    been answered with an HTTP error (the service's behaviour).
    """
    headers = {k.lower(): v for k, v in websocket.headers.items()}
    query = dict(websocket.query_params)
    path = websocket.url.path
    try:
        faults = request_faults(state, path, "ws", headers, query)
    except ValueError as exc:
        await deny(websocket, error_response(400, f"Bad emulator fault spec: {exc}"))
        return False, []
    for fault in faults:
        if fault.kind == "reject":
            await deny(websocket, _reject_response(fault))
            return False, []
    refused = check_credentials(state, headers, query)
    if refused is not None:
        await deny(websocket, error_response(*refused))
        return False, []
    if state.max_sessions is not None and state.active_sessions >= state.max_sessions:
        await deny(
            websocket,
            error_response(429, "Too many concurrent requests for this resource.", retry_after=1),
        )
        return False, []
    if need_connection_id:
        cid = (
            headers.get("x-connectionid")
            or _query_value(query, "X-ConnectionId")
            or _query_value(query, "connectionId")
        )
        if cid is None or not _CONNECTION_ID.match(cid):
            await deny(
                websocket,
                error_response(400, "X-ConnectionId header missing or not 32 hexadecimal digits."),
            )
            return False, []
    return True, faults


async def deny(websocket: WebSocket, response: Response) -> None:
    """Refuse a WebSocket upgrade with an HTTP response (or a 403 if the server can't)."""
    try:
        await websocket.send_denial_response(response)
    except RuntimeError:  # pragma: no cover - server without the denial extension
        await websocket.close(1008)


def offered_usp(websocket: WebSocket) -> str | None:
    """``"USP"`` when the client offered that subprotocol (it is then echoed)."""
    for proto in websocket.scope.get("subprotocols", []):
        if proto.lower() == "usp":
            return str(proto)
    return None


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The STS token endpoint: ``POST /sts/v1.0/issueToken`` (key in, JWT text out)."""

    async def issue_token(request: Request) -> Response:
        entry, refused, _ = await admit_http(state, request, need_auth=False)
        if refused is None:
            key = request.headers.get("ocp-apim-subscription-key")
            if key is None and state.allow_anonymous:
                key = "anonymous"
            if key is None or not state.check_key(key):
                refused = error_response(401)
        if refused is not None:
            entry.status = refused.status_code
            return refused
        entry.status = 200
        return PlainTextResponse(state.issue_token())

    return [
        Route("/sts/v1.0/issueToken", issue_token, methods=["POST"]),
        Route("/sts/v1.0/issuetoken", issue_token, methods=["POST"]),
    ]


async def admit_http(
    state: EmulatorState,
    request: Request,
    *,
    need_auth: bool = True,
    apply_faults: bool = True,
) -> tuple[RequestLog, Response | None, list[Fault]]:
    """Log a REST request, then apply the faults that refuse it and check credentials.

    Returns the request's log entry, a response to send instead of handling
    the request (its status already logged), and the faults left for the
    answer: none with *apply_faults* (``drop``/``stall``/``malformed`` are
    applied here, before the request is handled), else the handler applies
    them to its answer with :func:`apply_http_faults`.
    """
    entry = state.new_request(
        request.method, request.url.path, dict(request.query_params), dict(request.headers)
    )
    refused, faults = await guard_http(state, request, need_auth=need_auth)
    if refused is None and apply_faults:
        refused, faults = await apply_http_faults(request, faults), []
    if refused is not None:
        entry.status = refused.status_code
    return entry, refused, faults


async def apply_http_faults(request: Request, faults: list[Fault]) -> Response | None:
    """Apply ``drop``/``stall``/``malformed`` faults to a REST answer.

    Returns a response to send instead of the real one, or None to go on.
    """
    from .server import abort_connection

    for fault in faults:
        if fault.kind == "drop":
            abort_connection(request.scope)
            return Response(b"", status_code=500)
        if fault.kind == "stall":
            for _ in range(36_000):  # at most an hour
                if await request.is_disconnected():
                    break
                await asyncio.sleep(0.1)
            return Response(b"", status_code=504)
        if fault.kind == "malformed":
            return Response(b'{"RecognitionStatus": "Succ', media_type="application/json")
    return None

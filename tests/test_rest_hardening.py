"""REST calls against hostile servers on 127.0.0.1 (issue 14): each test failed before its fix.

Every test runs with the blocking and the async client where the twins could
differ. Servers are bounded: a trickle stops after a few seconds and then
completes its answer, so that a client without the fix returns (wrongly)
instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from azspeech import AsyncSpeechClient, ProtocolError, SpeechClient, SpeechError, TimeoutError
from azspeech.emulator import Emulator

from .rest_hostile import Request, hostile, read_request_rest, respond
from .stt._audio import wav

KEY = "k" * 32
JOB = {"id": "job-1", "status": "Succeeded"}
JSON = {"Content-Type": "application/json"}


def run(kind: str, url: str, fn: Callable[[Any], Any], **kw: Any) -> Any:
    """``fn(client)`` with a blocking or async client for *url* (results of iterables listed)."""
    kw.setdefault("max_retries", 0)
    if "token" not in kw:
        kw.setdefault("key", KEY)
    if kind == "sync":
        with SpeechClient(endpoint=url, **kw) as client:
            result = fn(client)
            return list(result) if hasattr(result, "by_page") else result

    async def main() -> Any:
        http_client = kw.pop("http_client", None)
        async with AsyncSpeechClient(endpoint=url, http_client=http_client, **kw) as c:
            result = fn(c)
            if hasattr(result, "by_page"):
                return [item async for item in result]
            return await result

    return asyncio.run(main())


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


# -- only 2xx is success --------------------------------------------------------------------


@KINDS
def test_rest_synthesis_answered_by_a_redirect_page_is_an_error(kind: str) -> None:
    html = b"<html><body>Moved</body></html>"

    def handler(req: Request, conn: socket.socket) -> None:
        respond(
            conn, 302, html, {"Location": "https://login.example/", "Content-Type": "text/html"}
        )

    with hostile(handler) as server, pytest.raises(SpeechError, match="302") as info:
        run(kind, server.url, lambda c: c.tts.synthesize("Hi.", transport="rest"))
    assert info.value.status_code == 302


@KINDS
def test_batch_delete_answered_by_a_redirect_is_an_error(kind: str) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 307, b"", {"Location": "/elsewhere"})

    with hostile(handler) as server, pytest.raises(SpeechError, match="307"):
        run(kind, server.url, lambda c: c.tts.batch.delete("job-1"))


# -- redirects never carry credentials ------------------------------------------------------


@KINDS
@pytest.mark.parametrize("credential", ["key", "token"])
def test_user_client_following_redirects_never_sends_credentials_elsewhere(
    kind: str, credential: str
) -> None:
    def thief(req: Request, conn: socket.socket) -> None:
        respond(conn, 200, json.dumps(JOB).encode(), JSON)

    with hostile(thief) as other:

        def handler(req: Request, conn: socket.socket) -> None:
            respond(conn, 302, b"", {"Location": other.url + req.target})

        with hostile(handler) as server:
            http_client: Any = (
                httpx.Client(follow_redirects=True)
                if kind == "sync"
                else httpx.AsyncClient(follow_redirects=True)
            )
            auth: dict[str, Any] = {"key": KEY} if credential == "key" else {"token": "tok-123"}
            with pytest.raises(SpeechError, match="302"):
                run(
                    kind,
                    server.url,
                    lambda c: c.tts.batch.get("job-1"),
                    http_client=http_client,
                    **auth,
                )
            if kind == "sync":
                http_client.close()
    sent = server.requests[0].headers
    assert (
        sent.get("ocp-apim-subscription-key") == KEY
        or sent.get("authorization") == "Bearer tok-123"
    )
    assert all("ocp-apim-subscription-key" not in r.headers for r in other.requests)
    assert all("authorization" not in r.headers for r in other.requests)


# -- a total deadline per request ----------------------------------------------------------

TRICKLE_SECONDS = 6.0


def _trickle(conn: socket.socket, piece: bytes) -> None:
    end = time.monotonic() + TRICKLE_SECONDS
    while time.monotonic() < end:
        conn.sendall(piece)
        time.sleep(0.1)


@KINDS
def test_trickled_headers_cannot_outlive_the_timeout(kind: str) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        _trickle(conn, b"X-Slow: a\r\n")
        body = json.dumps(JOB).encode()
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    with hostile(handler) as server, pytest.raises(TimeoutError, match="within 1 s"):
        run(kind, server.url, lambda c: c.tts.batch.get("job-1"), timeout=1)


@KINDS
@pytest.mark.parametrize("per_call", [False, True])
def test_trickled_body_cannot_outlive_the_timeout(kind: str, per_call: bool) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        _trickle(conn, b" ")

    with hostile(handler) as server, pytest.raises(TimeoutError, match="within 1 s"):
        if per_call:  # the client's timeout is 30 s; the call's is 1 s
            run(kind, server.url, lambda c: c.tts.batch.get("job-1", timeout=1))
        else:
            run(kind, server.url, lambda c: c.tts.batch.get("job-1"), timeout=1)


# -- gzip bombs ----------------------------------------------------------------------------

BOMB_BYTES = 96 * 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip.compress(b"{" + b" " * BOMB_BYTES + b"}", compresslevel=9)


@KINDS
def test_gzip_json_is_bounded_by_the_json_limit_when_inflated(kind: str, bomb: bytes) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 200, bomb, {**JSON, "Content-Encoding": "gzip"})

    with hostile(handler) as server:
        tracemalloc.start()
        try:
            with pytest.raises(ProtocolError, match="response body exceeds the limit of 16777216"):
                run(kind, server.url, lambda c: c.tts.batch.get("job-1"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # Before: inflated to 96 MiB (and copied) before the JSON limit applied. Now
    # about the 16 MiB limit itself (the body so far), nowhere near twice it.
    assert peak < 32 * 1024 * 1024


# -- nextLink loops ------------------------------------------------------------------------


@KINDS
@pytest.mark.parametrize("loop", ["self", "back"])
def test_next_link_loop_is_detected(kind: str, loop: str) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        base = f"http://{req.headers['host']}/texttospeech/batchsyntheses"
        if len(server.requests) > 50:  # a client without loop detection stops here
            page: dict[str, Any] = {"value": [JOB]}
        elif "page=2" in req.target or loop == "self":
            page = {"value": [JOB], "nextLink": base + "?api-version=2024-04-01&page=1"}
        else:
            page = {"value": [JOB], "nextLink": base + "?api-version=2024-04-01&page=2"}
        if loop == "self" and "page=" not in req.target:
            page["nextLink"] = base + "?api-version=2024-04-01&page=1"
        respond(conn, 200, json.dumps(page).encode(), JSON)

    with hostile(handler) as server, pytest.raises(ProtocolError, match="loop"):
        run(kind, server.url, lambda c: c.tts.batch.list())
    assert len(server.requests) <= 3


# -- request ids on success ------------------------------------------------------------------


@KINDS
def test_successful_results_carry_the_service_request_id(kind: str) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 200, json.dumps(JOB).encode(), {**JSON, "apim-request-id": "rid-42"})

    with hostile(handler) as server:
        job = run(kind, server.url, lambda c: c.tts.batch.get("job-1"))
    assert job.request_id == "rid-42"
    assert "rid-42" not in job.model_dump_json()


# -- SAS signatures in reprs -------------------------------------------------------------------


def test_batch_job_repr_redacts_the_sas_signature(
    speech_emulator: Emulator, speech_client: SpeechClient
) -> None:
    job = speech_client.tts.batch.create("Hi.", voice="en-US-AvaNeural", id="redact-sas-job")
    done = speech_client.tts.batch.wait(job, poll_interval=0.05, timeout=30)
    assert done.outputs is not None and done.outputs.result
    sig = done.outputs.result.split("sig=")[1].split("&")[0]
    assert sig and sig not in repr(done) and sig not in str(done)
    assert "sig=***" in repr(done)
    speech_client.tts.batch.delete(done)


# -- uploads that cannot be replayed --------------------------------------------------------

FAST = {"durationMilliseconds": 1000, "combinedPhrases": [{"text": "Hi."}], "phrases": []}


def _audio_part(req: Request) -> bytes:
    boundary = req.headers["content-type"].split("boundary=")[1].encode()
    for part in req.body.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b'name="audio"' in head:
            return body[:-2]
    raise AssertionError("no audio part")


@KINDS
def test_unrewindable_upload_is_retried_with_exactly_the_first_attempts_bytes(kind: str) -> None:
    audio = wav(os.urandom(2 * 16000 * 3))

    def handler(req: Request, conn: socket.socket) -> None:
        if len(server.requests) == 1:
            respond(conn, 503, b"busy", {"Retry-After": "0"})
        else:
            respond(conn, 200, json.dumps(FAST).encode(), JSON)

    read_fd, write_fd = os.pipe()

    def feed() -> None:
        with os.fdopen(write_fd, "wb") as w:
            w.write(audio)

    writer = threading.Thread(target=feed)
    writer.start()
    with hostile(handler) as server, os.fdopen(read_fd, "rb", buffering=0) as pipe:
        result = run(kind, server.url, lambda c: c.stt.transcribe(pipe), max_retries=2)
    writer.join()
    assert result.text == "Hi."
    assert len(server.requests) == 2
    assert _audio_part(server.requests[0]) == audio
    assert _audio_part(server.requests[1]) == audio


def _pipe_of(data: bytes) -> tuple[Any, threading.Thread]:
    read_fd, write_fd = os.pipe()

    def feed() -> None:
        with os.fdopen(write_fd, "wb") as w, contextlib.suppress(BrokenPipeError):
            w.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    return os.fdopen(read_fd, "rb", buffering=0), writer


@KINDS
def test_upload_dropped_midway_is_retried_from_its_first_byte(kind: str) -> None:
    audio = wav(os.urandom(2 * 16000 * 10))  # 320 kB: the first attempt is cut at 64 kB

    def handler(req: Request, conn: socket.socket) -> None:
        if len(server.requests) == 1:
            conn.close()  # a drop in the middle of the upload
            return
        rest = read_request_rest(conn, req)
        respond(conn, 200, json.dumps(FAST).encode(), JSON)
        server.requests[-1] = rest

    pipe, writer = _pipe_of(audio)
    with hostile(handler, body_limit=64 * 1024) as server, pipe:
        result = run(kind, server.url, lambda c: c.stt.transcribe(pipe), max_retries=2)
    writer.join()
    assert result.text == "Hi." and len(server.requests) == 2
    assert _audio_part(server.requests[1]) == audio


@KINDS
def test_upload_beyond_the_spool_bound_is_not_retried(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azspeech._transport import body

    monkeypatch.setattr(body, "MAX_SPOOL_BYTES", 10_000)
    audio = wav(os.urandom(2 * 16000))

    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 503, b"busy", {"Retry-After": "0"})

    pipe, writer = _pipe_of(audio)
    with hostile(handler) as server, pipe, pytest.raises(SpeechError, match="503"):
        run(kind, server.url, lambda c: c.stt.transcribe(pipe), max_retries=2)
    writer.join()
    assert len(server.requests) == 1  # the rest of the stream was never sent as a retry

"""A job wait honours the service's Retry-After between polls: on a 200 that carries it, and
on a 429 or 503 that carries it (then the wait polls again instead of failing), bounded by
the wait's deadline. A small server on 127.0.0.1 counts the polls."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import pytest

from azspeech import AsyncSpeechClient, RateLimitError, SpeechClient, SpeechError
from azspeech.errors import TimeoutError

from .rest_hostile import Request, Server, hostile, respond

KEY = "k" * 32
JSON = {"Content-Type": "application/json"}
# The job is busy this long after the first poll (by the server's clock): a client honouring
# a Retry-After of 0.4 s (or of 1 s) polls two or three times, one polling every 0.02 s about
# thirty times (more on a quiet machine: a loaded one only makes the count smaller).
BUSY_S = 0.7
POLL_S = 0.02


class Job:
    """A batch synthesis job that is busy for BUSY_S, answering each poll with *busy*."""

    def __init__(self, busy: tuple[int, dict[str, str]]) -> None:
        self.busy_status, self.busy_headers = busy
        self.polls = 0
        self.first: float | None = None
        self.lock = threading.Lock()

    def __call__(self, req: Request, conn: socket.socket) -> None:
        with self.lock:
            self.polls += 1
            now = time.monotonic()
            self.first = self.first if self.first is not None else now
            busy = now - self.first < BUSY_S
        if not busy:
            body = {"id": "job-1", "status": "Succeeded"}
            respond(conn, 200, json.dumps(body).encode(), JSON)
        elif self.busy_status == 200:
            body = {"id": "job-1", "status": "Running"}
            respond(conn, 200, json.dumps(body).encode(), {**JSON, **self.busy_headers})
        else:
            body = {"error": {"code": "Busy", "message": "come back later"}}
            headers = {**JSON, **self.busy_headers}
            respond(conn, self.busy_status, json.dumps(body).encode(), headers)


def _client(server: Server) -> SpeechClient:
    # No transport retries: the wait itself must handle the answer.
    return SpeechClient(endpoint=server.url, key=KEY, max_retries=0)


@pytest.mark.parametrize(
    "busy",
    [
        (200, {"Retry-After": "1"}),
        (200, {"retry-after-ms": "400"}),
        (429, {"retry-after-ms": "400"}),
        (503, {"Retry-After": "1"}),
    ],
    ids=["200", "200-ms", "429-ms", "503"],
)
def test_wait_polls_after_the_services_retry_after(busy: tuple[int, dict[str, str]]) -> None:
    job = Job(busy)
    with hostile(job) as server, _client(server) as client:
        done = client.tts.batch.wait("job-1", poll_interval=POLL_S, timeout=60)
    assert done.status == "Succeeded"
    assert 2 <= job.polls <= 4, job.polls


def test_async_wait_polls_after_the_services_retry_after() -> None:
    job = Job((429, {"retry-after-ms": "400"}))

    async def main() -> str | None:
        async with AsyncSpeechClient(endpoint=server.url, key=KEY, max_retries=0) as client:
            done = await client.tts.batch.wait("job-1", poll_interval=POLL_S, timeout=60)
        return done.status

    with hostile(job) as server:
        assert asyncio.run(main()) == "Succeeded"
    assert 2 <= job.polls <= 4, job.polls


def test_a_retry_after_past_the_deadline_ends_the_wait_at_once() -> None:
    job = Job((200, {"Retry-After": "100000"}))
    with (
        hostile(job) as server,
        _client(server) as client,
        pytest.raises(TimeoutError, match="still Running"),
    ):
        client.tts.batch.wait("job-1", poll_interval=POLL_S, timeout=20)
    assert job.polls == 1


def test_a_throttled_poll_past_the_deadline_is_the_throttling_error() -> None:
    job = Job((429, {"Retry-After": "100000"}))
    with hostile(job) as server, _client(server) as client, pytest.raises(RateLimitError) as caught:
        client.tts.batch.wait("job-1", poll_interval=POLL_S, timeout=20)
    assert caught.value.retry_after == 100000
    assert job.polls == 1


def test_an_error_without_retry_after_still_ends_the_wait() -> None:
    job = Job((503, {}))
    with hostile(job) as server, _client(server) as client, pytest.raises(SpeechError, match="503"):
        client.tts.batch.wait("job-1", poll_interval=POLL_S, timeout=20)
    assert job.polls == 1

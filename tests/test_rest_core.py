"""The REST core itself: per-call options, the page cursor, and a job API with
server-assigned ids (the shape of batch transcription) over real sockets."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest
from pydantic import Field

from azspeech import AsyncSpeechClient, InvalidRequestError, ProtocolError, SpeechClient
from azspeech._jobs import AsyncJobs, CreateCall, JobKind, SyncJobs
from azspeech._paging import PageCursor
from azspeech._resource import apply_options
from azspeech._transport.http import HttpRequest
from azspeech.models._base import Model

from .rest_hostile import Request, hostile, respond

KEY = "k" * 32
JSON = {"Content-Type": "application/json"}


# -- per-call options ------------------------------------------------------------------------


def test_apply_options_merges_and_checks() -> None:
    req = HttpRequest(
        "PUT", "https://h/x", headers={"A": "1"}, params={"v": "1"}, json={"a": 1, "p": {"x": 1}}
    )
    out = apply_options(
        req,
        {
            "timeout": 2,
            "extra_headers": {"B": "2"},
            "extra_query": {"q": "x"},
            "extra_body": {"b": 2, "p": {"y": 2}},
        },
    )
    assert out.timeout == 2.0 and out.headers == {"A": "1", "B": "2"}
    assert out.params == {"v": "1", "q": "x"}
    assert out.json == {"a": 1, "b": 2, "p": {"x": 1, "y": 2}}  # nested objects merged
    assert req.json == {"a": 1, "p": {"x": 1}} and req.timeout is None  # untouched
    for bad in (0, -1, float("nan"), float("inf"), True, "3"):
        with pytest.raises(InvalidRequestError, match="timeout"):
            apply_options(req, {"timeout": bad})  # type: ignore[typeddict-item]
    with pytest.raises(InvalidRequestError, match="unknown request option"):
        apply_options(req, {"timeot": 1})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(InvalidRequestError, match="extra_body"):
        apply_options(HttpRequest("GET", "https://h/x"), {"extra_body": {"a": 1}})


def test_extra_headers_cannot_replace_the_credential() -> None:
    seen: list[Request] = []

    def handler(req: Request, conn: socket.socket) -> None:
        seen.append(req)
        respond(conn, 200, json.dumps({"id": "job-1", "status": "Running"}).encode(), JSON)

    with hostile(handler) as server, SpeechClient(endpoint=server.url, key=KEY) as client:
        client.tts.batch.get("job-1", extra_headers={"Ocp-Apim-Subscription-Key": "stolen"})
    assert seen[0].headers["ocp-apim-subscription-key"] == KEY


# -- the page cursor ---------------------------------------------------------------------------


def _cursor(max_pages: int = 10) -> PageCursor[int]:
    first = HttpRequest("GET", "https://h.example/items", params={"v": "1"}, what="items")
    return PageCursor(first, int, max_pages=max_pages)


def test_cursor_follows_same_origin_links_and_stops() -> None:
    cursor = _cursor()
    page = cursor.feed({"value": [1, 2], "nextLink": "https://h.example/items?v=1&skip=2"}, "r1")
    assert page.items == [1, 2] and page.request_id == "r1"
    nxt = cursor.next_request()
    assert nxt is not None and nxt.url.endswith("skip=2") and nxt.params is None
    assert cursor.feed({"value": [3]}).next_link is None and cursor.next_request() is None


@pytest.mark.parametrize(
    "link",
    ["https://evil.example/items?skip=2", "http://h.example/items?skip=2", "//evil.example/x"],
)
def test_cursor_refuses_other_origins(link: str) -> None:
    with pytest.raises(ProtocolError, match="another host"):
        _cursor().feed({"value": [], "nextLink": link})


def test_cursor_detects_loops_and_caps_pages() -> None:
    cursor = _cursor()
    with pytest.raises(ProtocolError, match="loop"):
        cursor.feed({"value": [], "nextLink": "https://h.example/items?v=1"})  # the first page
    cursor = _cursor(max_pages=2)
    cursor.feed({"value": [], "@nextLink": "https://h.example/items?p=2"})
    with pytest.raises(ProtocolError, match="more than 2 pages"):
        cursor.feed({"value": [], "@nextLink": "https://h.example/items?p=3"})
    with pytest.raises(ProtocolError, match="'value' array"):
        _cursor().feed({"values": []})


# -- a job API with server-assigned ids -------------------------------------------------------


class Transcription(Model):
    """A stand-in for the batch transcription model (2025-10-15)."""

    self_url: str | None = Field(default=None, alias="self")
    status: str | None = None
    display_name: str | None = Field(default=None, alias="displayName")


TRANSCRIPTIONS = JobKind(
    what="batch transcription",
    path="/speechtotext/transcriptions",
    api_version="2025-10-15",
    model=Transcription,
    server_ids=True,
    create_suffix=":submit",
    items_key="values",
    page_size_param="top",
)


class Transcriptions(SyncJobs[Transcription]):
    def __init__(self, client: SpeechClient) -> None:
        super().__init__(client, TRANSCRIPTIONS)


class AsyncTranscriptions(AsyncJobs[Transcription]):
    def __init__(self, client: AsyncSpeechClient) -> None:
        super().__init__(client, TRANSCRIPTIONS)


def _transcription_service() -> Any:
    polls = {"n": 0}

    def handler(req: Request, conn: socket.socket) -> None:
        base = f"http://{req.headers['host']}/speechtotext/transcriptions"
        path = req.target.split("?")[0]
        if req.method == "POST" and path.endswith("transcriptions:submit"):
            body = {**json.loads(req.body), "self": base + "/abc", "status": "NotStarted"}
            respond(conn, 201, json.dumps(body).encode(), {**JSON, "Location": base + "/abc"})
        elif req.method == "GET" and path.endswith("/abc"):
            polls["n"] += 1
            status = "Succeeded" if polls["n"] >= 2 else "Running"
            respond(conn, 200, json.dumps({"self": base + "/abc", "status": status}).encode(), JSON)
        elif req.method == "GET" and path.endswith("/transcriptions"):
            if "skip=1" in req.target:
                page: dict[str, Any] = {"values": [{"self": base + "/def"}], "@nextLink": None}
            else:
                page = {"values": [{"self": base + "/abc"}], "@nextLink": base + "?skip=1&top=1"}
            respond(conn, 200, json.dumps(page).encode(), JSON)
        elif req.method == "DELETE":
            respond(conn, 204)
        else:
            respond(conn, 404, b"{}", JSON)

    return handler


def _check_transcription_requests(requests: list[Request]) -> None:
    post = requests[0]
    assert post.method == "POST" and post.target.startswith("/speechtotext/transcriptions:submit")
    assert "api-version=2025-10-15" in post.target
    assert json.loads(post.body) == {"displayName": "t", "locale": "en-US"}
    assert [r.method for r in requests[1:3]] == ["GET", "GET"]
    assert all(r.target.startswith("/speechtotext/transcriptions/abc") for r in requests[1:3])
    assert "top=1" in requests[3].target
    assert requests[-1].method == "DELETE"


def test_server_id_jobs_blocking() -> None:
    with (
        hostile(_transcription_service()) as server,
        SpeechClient(endpoint=server.url, key=KEY, max_retries=0) as client,
    ):
        jobs = Transcriptions(client)
        job = jobs._create(CreateCall({"displayName": "t", "locale": "en-US"}))
        assert job.self_url and job.self_url.endswith("/abc")
        done = jobs.wait(job, poll_interval=0.01, timeout=10)
        assert done.status == "Succeeded"
        listed = list(jobs.list(max_page_size=1))
        assert [j.self_url.rsplit("/", 1)[1] for j in listed if j.self_url] == ["abc", "def"]
        jobs.delete(done)
    _check_transcription_requests(server.requests)


def test_server_id_jobs_async() -> None:
    async def main(url: str) -> None:
        async with AsyncSpeechClient(endpoint=url, key=KEY, max_retries=0) as client:
            jobs = AsyncTranscriptions(client)
            job = await jobs._create(CreateCall({"displayName": "t", "locale": "en-US"}))
            done = await jobs.wait(job, poll_interval=0.01, timeout=10)
            assert done.status == "Succeeded"
            listed = [j async for j in jobs.list(max_page_size=1)]
            assert len(listed) == 2
            await jobs.delete(done)

    with hostile(_transcription_service()) as server:
        asyncio.run(main(server.url))
    _check_transcription_requests(server.requests)


def test_server_id_job_self_url_on_another_host_is_refused() -> None:
    with SpeechClient(endpoint="http://127.0.0.1:9", key=KEY) as client:
        jobs = Transcriptions(client)
        foreign = Transcription.model_validate({"self": "https://evil.example/x/abc"})
        with pytest.raises(ProtocolError, match="another host"):
            jobs.get(foreign)


# -- answers that are not what the request expects --------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "ctype"),
    [(204, b"", None), (200, b"", "audio/x-wav"), (200, b"<html>hi</html>", "text/html")],
)
def test_expected_content_type_and_body(status: int, body: bytes, ctype: str | None) -> None:
    import httpx

    from azspeech._transport.http import AsyncHttpTransport, HttpTransport
    from azspeech._transport.retry import RetryPolicy

    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, status, body, {"Content-Type": ctype} if ctype else {}, reason="OK")

    with hostile(handler) as server:
        req = HttpRequest("POST", server.url + "/x", content=b"<speak/>", expect="audio/")
        with httpx.Client() as hc, pytest.raises(ProtocolError, match="expected audio/"):
            HttpTransport(hc, auth=None, policy=RetryPolicy(0)).send(req)

        async def main() -> None:
            async with httpx.AsyncClient() as ac:
                with pytest.raises(ProtocolError, match="expected audio/"):
                    await AsyncHttpTransport(ac, auth=None, policy=RetryPolicy(0)).send(req)

        asyncio.run(main())


def test_failed_download_leaves_no_file(tmp_path: Any) -> None:
    from azspeech.models.tts import BatchSynthesis

    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 403, b"<Error>AuthenticationFailed</Error>", {"Content-Type": "text/xml"})

    with hostile(handler) as server, SpeechClient(endpoint=server.url, key=KEY) as client:
        job = BatchSynthesis.model_validate(
            {"id": "j-1", "status": "Succeeded", "outputs": {"result": server.url + "/r?sig=x"}}
        )
        with pytest.raises(Exception, match="403"):
            client.tts.batch.download(job, tmp_path / "r.zip")
    assert list(tmp_path.iterdir()) == []
    assert "ocp-apim-subscription-key" not in server.requests[0].headers


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "answer",
    [{"status": "Running"}, {"value": [{"status": "Running"}]}],
    ids=["get", "list"],
)
def test_a_job_the_model_refuses_is_a_protocol_error(kind: str, answer: dict[str, Any]) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        respond(conn, 200, json.dumps(answer).encode(), JSON)

    def call(client: Any) -> Any:
        return client.tts.batch.get("job-1") if "value" not in answer else client.tts.batch.list()

    async def acall(url: str) -> None:
        async with AsyncSpeechClient(endpoint=url, key=KEY) as client:
            result = call(client)
            if hasattr(result, "__aiter__"):
                [j async for j in result]
            else:
                await result

    with hostile(handler) as server, pytest.raises(ProtocolError, match=r"unexpected answer.*id"):
        if kind == "sync":
            with SpeechClient(endpoint=server.url, key=KEY) as client:
                list(call(client)) if "value" in answer else call(client)
        else:
            asyncio.run(acall(server.url))


def test_server_id_of_a_job_comes_from_its_self_url() -> None:
    job = Transcription.model_validate(
        {"self": "https://h.example/speechtotext/transcriptions/g-1"}
    )
    assert TRANSCRIPTIONS.id_of(job) == "g-1" and TRANSCRIPTIONS.id_of("g-2") == "g-2"
    for bad in ("", "a/b", "..", "a?b", "a b", "#x"):
        with pytest.raises(InvalidRequestError, match="invalid job id"):
            TRANSCRIPTIONS.id_of(bad)

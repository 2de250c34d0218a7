"""Per-call options and request ids on every REST method (issue 9), sync and async.

Every REST method of the client (``stt.recognize_short``, ``stt.transcribe``,
``tts.list_voices``, ``tts.get_voice``, ``tts.synthesize(transport="rest")``,
``issue_token``) takes ``timeout=``, ``extra_headers=`` and ``extra_query=``
(``extra_body=`` where the request has a JSON body) and returns the service's
request id on its result. Each test runs with the blocking and the async
client against the emulator over real sockets; the emulator sends no
``apim-request-id``, so the request-id tests use a small canned server on
127.0.0.1 that does.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azspeech import AsyncSpeechClient, InvalidRequestError, SpeechClient, TimeoutError
from azspeech._resource import request_id_of
from azspeech.audio import PcmFormat
from azspeech.emulator import Emulator

from .rest_hostile import Request, hostile, respond
from .stt._audio import phrase_audio, wav

TEXT = "Options reach the service."


def _speech() -> bytes:
    return wav(phrase_audio([TEXT])[0])


@dataclass(frozen=True)
class Method:
    """One REST method: how to call it and where its request goes."""

    name: str
    call: Callable[..., Any]  # (client, **options) -> result or awaitable
    path: str  # the emulator's URL path (a regular expression, anchored)
    json_body: bool = False


METHODS = [
    Method(
        "recognize_short",
        lambda c, **o: c.stt.recognize_short(_speech(), **o),
        r"^/speech/recognition/conversation/cognitiveservices/v1$",
    ),
    Method(
        "transcribe",
        lambda c, **o: c.stt.transcribe(_speech(), locales=["en-US"], **o),
        r"^/speechtotext/transcriptions:transcribe$",
        json_body=True,
    ),
    Method(
        "list_voices",
        lambda c, **o: c.tts.list_voices(**o),
        r"^/cognitiveservices/voices/list$",
    ),
    Method(
        "get_voice",
        lambda c, **o: c.tts.get_voice("en-US-AvaMultilingualNeural", **o),
        r"^/cognitiveservices/voices/list$",
    ),
    Method(
        "synthesize_rest",
        lambda c, **o: c.tts.synthesize(
            "Hello.", transport="rest", output_format="riff-16khz-16bit-mono-pcm", **o
        ),
        r"^/cognitiveservices/v1$",
    ),
    Method("issue_token", lambda c, **o: c.issue_token(**o), r"^/sts/v1\.0/issueToken$"),
]
BY_NAME = {m.name: m for m in METHODS}


def run(kind: str, fn: Callable[[Any], Any], make: Callable[..., Any], **kw: Any) -> Any:
    """``fn(client)`` with a fresh blocking or async client from *make* (awaited if async)."""
    kw.setdefault("max_retries", 0)
    if kind == "sync":
        with make("sync", **kw) as client:
            return fn(client)

    async def main() -> Any:
        async with make("async", **kw) as client:
            return await fn(client)

    return asyncio.run(main())


def emulator_clients(emulator: Emulator) -> Callable[..., Any]:
    def make(kind: str, **kw: Any) -> Any:
        return emulator.client(**kw) if kind == "sync" else emulator.async_client(**kw)

    return make


def last_request(emulator: Emulator, path: str) -> Any:
    matching = [r for r in emulator.requests if re.search(path, r.path)]
    assert matching, f"no request to {path}"
    return matching[-1]


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])
ALL = pytest.mark.parametrize("method", METHODS, ids=[m.name for m in METHODS])


# -- extra_headers / extra_query -------------------------------------------------------------


@KINDS
@ALL
def test_extra_headers_and_query_reach_the_service(
    kind: str, method: Method, speech_emulator: Emulator
) -> None:
    speech_emulator.script([TEXT])
    result = run(
        kind,
        lambda c: method.call(c, extra_headers={"X-Per-Call": kind}, extra_query={"perCall": "1"}),
        emulator_clients(speech_emulator),
    )
    assert result
    request = last_request(speech_emulator, method.path)
    assert request.status == 200
    assert request.headers["x-per-call"] == kind
    assert request.query["perCall"] == "1"
    if method.name == "recognize_short":  # merged into the SDK's own query, not replacing it
        assert request.query["language"] == "en-US"
    if method.name == "transcribe":
        assert request.query["api-version"]


@KINDS
def test_extra_headers_cannot_replace_the_credential(kind: str, speech_emulator: Emulator) -> None:
    token = run(
        kind,
        lambda c: c.issue_token(extra_headers={"ocp-apim-subscription-key": "stolen"}),
        emulator_clients(speech_emulator),
    )
    assert token.count(".") == 2
    request = last_request(speech_emulator, BY_NAME["issue_token"].path)
    assert request.headers["ocp-apim-subscription-key"] == speech_emulator.key


# -- timeout -----------------------------------------------------------------------------------


@KINDS
@ALL
def test_per_call_timeout_refuses_a_stalled_answer(
    kind: str, method: Method, speech_emulator: Emulator
) -> None:
    speech_emulator.script([TEXT])
    speech_emulator.faults.stall(path=method.path, protocol="http")
    started = time.monotonic()
    # The client's own timeout is a minute: only the per-call one can end this early.
    with pytest.raises(TimeoutError, match=r"0\.5 s"):
        run(
            kind,
            lambda c: method.call(c, timeout=0.5),
            emulator_clients(speech_emulator),
            timeout=60,
        )
    assert time.monotonic() - started < 30


@KINDS
@pytest.mark.parametrize("bad", [0, -1, float("nan"), "5", True])
def test_bad_timeout_is_refused_before_sending(
    kind: str, bad: object, speech_emulator: Emulator
) -> None:
    before = len(speech_emulator.requests)
    for method in METHODS:
        with pytest.raises(InvalidRequestError, match="timeout"):
            run(kind, lambda c, m=method: m.call(c, timeout=bad), emulator_clients(speech_emulator))
    assert len(speech_emulator.requests) == before


# -- extra_body ----------------------------------------------------------------------------------


@KINDS
def test_extra_body_reaches_the_transcription_definition(
    kind: str, speech_emulator: Emulator
) -> None:
    # The emulator checks the definition as the service does: the merged value reached it.
    with pytest.raises(InvalidRequestError, match="maxSpeakers must be between 2 and 35"):
        run(
            kind,
            lambda c: c.stt.transcribe(
                _speech(), diarization=True, extra_body={"diarization": {"maxSpeakers": 99}}
            ),
            emulator_clients(speech_emulator),
        )
    assert last_request(speech_emulator, BY_NAME["transcribe"].path).status == 400


@KINDS
@pytest.mark.parametrize("method", [m for m in METHODS if not m.json_body], ids=lambda m: m.name)
def test_extra_body_without_a_json_body_is_refused_before_sending(
    kind: str, method: Method, speech_emulator: Emulator
) -> None:
    before = len(speech_emulator.requests)
    with pytest.raises(InvalidRequestError, match="extra_body"):
        run(kind, lambda c: method.call(c, extra_body={"x": 1}), emulator_clients(speech_emulator))
    assert len(speech_emulator.requests) == before


@KINDS
def test_unknown_request_option_is_refused(kind: str, speech_emulator: Emulator) -> None:
    with pytest.raises((InvalidRequestError, TypeError), match="extra_header"):
        run(
            kind,
            lambda c: c.tts.list_voices(extra_header={"X": "1"}),
            emulator_clients(speech_emulator),
        )


# -- options and the voices cache, the WebSocket ---------------------------------------------------


@KINDS
def test_voices_fetched_with_extras_are_not_cached(kind: str, speech_emulator: Emulator) -> None:
    path = BY_NAME["list_voices"].path

    def count() -> int:
        return sum(1 for r in speech_emulator.requests if re.search(path, r.path))

    async def calls(c: Any) -> list[int]:
        async def call(**o: Any) -> Any:
            result = c.tts.list_voices(**o)
            return await result if asyncio.iscoroutine(result) else result

        seen = []
        for options in ({"extra_query": {"a": "1"}}, {"extra_headers": {"X-A": "1"}}, {}, {}):
            await call(**options)
            seen.append(count())
        return seen

    before = count()
    if kind == "sync":
        with speech_emulator.client(max_retries=0) as client:
            seen = asyncio.run(calls(client))
    else:

        async def main() -> list[int]:
            async with speech_emulator.async_client(max_retries=0) as client:
                return await calls(client)

        seen = asyncio.run(main())
    # Each call with extras fetched; the first plain call fetched and cached; the next did not.
    assert [n - before for n in seen] == [1, 2, 3, 3]


@KINDS
def test_per_call_options_on_websocket_synthesis_are_refused(
    kind: str, speech_emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequestError, match="transport='rest'"):
        run(kind, lambda c: c.tts.synthesize("Hi.", timeout=3), emulator_clients(speech_emulator))


# -- request ids -----------------------------------------------------------------------------------

_SHORT = {"RecognitionStatus": "Success", "DisplayText": "Hi.", "Offset": 0, "Duration": 5_000_000}
_FAST = {
    "durationMilliseconds": 500,
    "combinedPhrases": [{"text": "Hi."}],
    "phrases": [{"text": "Hi.", "offsetMilliseconds": 0, "durationMilliseconds": 400}],
}
_VOICES = [{"ShortName": "en-US-AvaMultilingualNeural", "Locale": "en-US", "Name": "Ava"}]
_AUDIO = PcmFormat(16000, 16, 1).wav_header(3200) + bytes(3200)
_ANSWERS: dict[str, tuple[str, bytes]] = {
    "/speech/recognition/conversation/cognitiveservices/v1": (
        "application/json",
        json.dumps(_SHORT).encode(),
    ),
    "/speechtotext/transcriptions:transcribe": ("application/json", json.dumps(_FAST).encode()),
    "/cognitiveservices/voices/list": ("application/json", json.dumps(_VOICES).encode()),
    "/cognitiveservices/v1": ("audio/x-wav", _AUDIO),
    "/sts/v1.0/issueToken": ("text/plain", b"a.b.c"),
}
KEY = "k" * 32


def _canned(req: Request, conn: socket.socket) -> None:
    path = req.target.split("?")[0]
    ctype, body = _ANSWERS[path]
    respond(conn, 200, body, {"Content-Type": ctype, "apim-request-id": "rid-" + path}, "OK")


def canned_clients(url: str) -> Callable[..., Any]:
    def make(kind: str, **kw: Any) -> Any:
        cls = SpeechClient if kind == "sync" else AsyncSpeechClient
        return cls(endpoint=url, key=KEY, **kw)

    return make


@KINDS
@pytest.mark.parametrize(
    "method", [m for m in METHODS if m.name != "issue_token"], ids=lambda m: m.name
)
def test_request_id_on_the_result(kind: str, method: Method) -> None:
    with hostile(_canned) as server:
        result = run(kind, method.call, canned_clients(server.url))
    path = server.requests[-1].target.split("?")[0]
    # Models and the voices list have a request_id property; a Voice from get_voice
    # carries it for request_id_of() (its class is not a Model yet).
    rid = request_id_of(result) if method.name == "get_voice" else result.request_id
    assert rid == "rid-" + path
    if method.name == "list_voices":
        assert all(request_id_of(v) == rid for v in result)
        assert result.request_id == rid and isinstance(result, list)


@KINDS
def test_a_cached_voices_list_keeps_its_request_id(kind: str) -> None:
    async def twice(c: Any) -> tuple[Any, Any]:
        async def call(**o: Any) -> Any:
            result = c.tts.list_voices(**o)
            return await result if asyncio.iscoroutine(result) else result

        return await call(), await call(locale="en-US")

    with hostile(_canned) as server:
        if kind == "sync":
            with SpeechClient(endpoint=server.url, key=KEY) as client:
                first, second = asyncio.run(twice(client))
        else:

            async def main() -> tuple[Any, Any]:
                async with AsyncSpeechClient(endpoint=server.url, key=KEY) as client:
                    return await twice(client)

            first, second = asyncio.run(main())
    assert len(server.requests) == 1
    assert first.request_id == second.request_id == "rid-/cognitiveservices/voices/list"


@KINDS
def test_extra_body_is_merged_into_the_definition_key_by_key(kind: str) -> None:
    with hostile(_canned) as server:
        result = run(
            kind,
            lambda c: c.stt.transcribe(
                _speech(),
                diarization=4,
                extra_body={"diarization": {"enabled": True, "x": 1}, "more": [1]},
            ),
            canned_clients(server.url),
        )
    assert result.text == "Hi."
    body = server.requests[-1]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + body.headers["content-type"].encode() + b"\r\n\r\n" + body.body
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
    definition = json.loads(parts["definition"].get_content())
    # The SDK's own members stay; extra_body adds and overrides key by key.
    assert definition["diarization"] == {"enabled": True, "maxSpeakers": 4, "x": 1}
    assert definition["more"] == [1]


# -- a seekable file given to transcribe() ------------------------------------------------------


@KINDS
def test_a_seekable_file_is_sought_back_on_retry_not_spooled(
    kind: str, speech_emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "speech.bin"
    prefix = b"not audio, before the caller's position"
    path.write_bytes(prefix + _speech())
    speech_emulator.script([TEXT])
    fault = speech_emulator.faults.reject(
        503, retry_after=0.01, path=BY_NAME["transcribe"].path, protocol="http"
    )
    with path.open("rb") as f:
        f.seek(len(prefix))
        result = run(
            kind,
            lambda c: c.stt.transcribe(f, locales=["en-US"]),
            emulator_clients(speech_emulator),
            max_retries=1,
        )
        assert not f.closed  # the caller's file stays the caller's
    assert fault.used == 1
    assert TEXT.rstrip(".") in result.text
    attempts = [
        r for r in speech_emulator.requests if re.search(BY_NAME["transcribe"].path, r.path)
    ]
    assert [r.status for r in attempts[-2:]] == [503, 200]
    # Both attempts sent a sized body: the file was sought back, not spooled and chunked.
    for attempt in attempts[-2:]:
        assert "content-length" in attempt.headers
        assert "chunked" not in attempt.headers.get("transfer-encoding", "")


# -- extra_query on a URL that has a query of its own ---------------------------------------------


@KINDS
def test_extra_query_keeps_the_next_links_own_query(kind: str, speech_emulator: Emulator) -> None:
    ids = [f"opts-{kind}-{i}" for i in range(3)]

    async def listed(c: Any) -> list[list[str]]:
        for job_id in ids:
            created = c.tts.batch.create("Hi.", id=job_id, voice="en-US-AvaNeural")
            if asyncio.iscoroutine(created):
                await created
        pages = c.tts.batch.list(max_page_size=1, extra_query={"perCall": "1"}).by_page()
        if hasattr(pages, "__aiter__"):
            return [[j.id for j in p.items] async for p in pages]
        return [[j.id for j in p.items] for p in pages]

    if kind == "sync":
        with speech_emulator.client(max_retries=0) as client:
            pages = asyncio.run(listed(client))
    else:

        async def main() -> list[list[str]]:
            async with speech_emulator.async_client(max_retries=0) as client:
                return await listed(client)

        pages = asyncio.run(main())
    flat = [job_id for page in pages for job_id in page]
    assert set(ids) <= set(flat) and len(flat) == len(set(flat))
    lists = [r for r in speech_emulator.requests if r.path == "/texttospeech/batchsyntheses"]
    assert len(lists) >= 3 and all(r.query.get("perCall") == "1" for r in lists[-3:])
    assert all("api-version" in r.query for r in lists[-3:])

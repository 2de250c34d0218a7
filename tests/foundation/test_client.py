"""Client lifecycle: context managers, close(), the blocking client's portal."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

import azspeech
from azspeech import AsyncSpeechClient, ConnectionError, SpeechClient
from azspeech._transport.http import HttpRequest
from azspeech._transport.portal import Portal

from .conftest import KEY

API = "https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/models"
STS = "https://westeurope.api.cognitive.microsoft.com/sts/v1.0/issueToken"


def client(**kw: Any) -> SpeechClient:
    return SpeechClient(key=KEY, region="westeurope", _environ={}, **kw)


def test_public_names() -> None:
    for name in azspeech.__all__:
        assert hasattr(azspeech, name), name
    assert issubclass(azspeech.ConfigurationError, ValueError)
    assert issubclass(azspeech.ConnectionClosedError, azspeech.ConnectionError)
    assert all(
        issubclass(getattr(azspeech, n), azspeech.SpeechError)
        for n in azspeech.__all__
        if n.endswith("Error")
    )


def test_sync_context_manager_and_idempotent_close() -> None:
    with client() as c:
        assert not c.closed
        http = c._http_client
    assert c.closed
    assert http.is_closed
    c.close()
    c.close()
    assert "closed" in repr(c)


async def test_async_context_manager_and_idempotent_close() -> None:
    async with AsyncSpeechClient(key=KEY, region="westeurope", _environ={}) as c:
        http = c._http_client
    assert c.closed and http.is_closed
    await c.close()
    await c.close()


def test_closed_client_refuses_work_with_a_clear_error() -> None:
    c = client()
    c.close()
    with pytest.raises(ConnectionError, match="closed"):
        c._http.send(HttpRequest("GET", API))
    with pytest.raises(ConnectionError, match="closed"):
        c._run(lambda a: asyncio.sleep(0))
    with pytest.raises(ConnectionError, match="closed"), c:
        pass


async def test_closed_async_client_refuses_connects() -> None:
    c = AsyncSpeechClient(key=KEY, region="westeurope", _environ={})
    await c.close()
    with pytest.raises(ConnectionError, match="closed"):
        await c._ws_connect("wss://westeurope.stt.speech.microsoft.com/x")
    with pytest.raises(ConnectionError, match="closed"):
        await c.issue_token()


def test_own_http_client_is_not_closed() -> None:
    mine = httpx.Client()
    with client(http_client=mine) as c:
        assert c._http_client is mine
    assert not mine.is_closed
    mine.close()


async def test_own_async_http_client_is_not_closed() -> None:
    mine = httpx.AsyncClient()
    async with AsyncSpeechClient(key=KEY, region="westeurope", http_client=mine, _environ={}):
        pass
    assert not mine.is_closed
    await mine.aclose()


@respx.mock
def test_own_http_client_is_used() -> None:
    route = respx.get(API).mock(return_value=httpx.Response(200))
    mine = httpx.Client(headers={"X-Mine": "yes"})
    with client(http_client=mine) as c:
        c._http.send(HttpRequest("GET", API))
    assert route.calls.last.request.headers["X-Mine"] == "yes"
    mine.close()


def test_run_executes_on_the_portal() -> None:
    with client() as c:
        caller = threading.get_ident()

        async def work(aclient: AsyncSpeechClient) -> tuple[int, str, Any]:
            await asyncio.sleep(0)
            return threading.get_ident(), repr(aclient), aclient.auth

        ident, text, auth = c._run(work)
        assert ident != caller
        assert text.startswith("AsyncSpeechClient(region='westeurope'")
        assert auth is c.auth  # the twin shares the credential
        # The same async twin is reused.
        first = c._run(lambda a: asyncio.sleep(0, result=a))
        assert c._run(lambda a: asyncio.sleep(0, result=a)) is first
    assert first.closed  # closed with its owner


def test_run_propagates_exceptions() -> None:
    with client() as c:

        async def boom(aclient: AsyncSpeechClient) -> None:
            raise azspeech.ProtocolError("bad frame")

        with pytest.raises(azspeech.ProtocolError, match="bad frame"):
            c._run(boom)
        # Still usable afterwards.
        assert c._run(lambda a: asyncio.sleep(0, result=42)) == 42


@respx.mock
def test_sync_sts_token_is_shared_with_the_portal_twin() -> None:
    sts = respx.post(STS).mock(return_value=httpx.Response(200, text="shared-token-123"))
    api = respx.get(API).mock(return_value=httpx.Response(200))
    with client(use_sts=True) as c:
        c._http.send(HttpRequest("GET", API))

        async def via_twin(aclient: AsyncSpeechClient) -> int:
            return (await aclient._http.send(HttpRequest("GET", API))).status_code

        assert c._run(via_twin) == 200
    assert sts.call_count == 1
    assert all(x.request.headers["Authorization"] == "Bearer shared-token-123" for x in api.calls)


def test_portal_iterate_and_early_exit_closes_the_generator() -> None:
    portal = Portal()
    closed = threading.Event()

    async def numbers() -> AsyncIterator[int]:
        try:
            for i in range(100):
                yield i
        finally:
            closed.set()

    assert list(portal.iterate(numbers())) == list(range(100))
    closed.clear()
    for i in portal.iterate(numbers()):
        if i == 3:
            break
    assert closed.wait(5)
    portal.close()
    portal.close()


def test_portal_call_from_inside_itself_is_refused() -> None:
    portal = Portal()

    async def inner() -> None:
        portal.call(asyncio.sleep, 0)

    with pytest.raises(RuntimeError, match="inside its own event loop"):
        portal.call(inner)
    portal.close()


def test_close_stops_the_portal_thread() -> None:
    c = client()
    c._run(lambda a: asyncio.sleep(0))
    thread = c.portal._thread
    assert thread is not None and thread.is_alive()
    c.close()
    thread.join(5)
    assert not thread.is_alive()


def test_close_cancels_pending_portal_work() -> None:
    c = client()
    started = threading.Event()

    async def forever(aclient: object) -> None:
        started.set()
        await asyncio.sleep(3600)

    future = c.portal.submit(forever, None)
    assert started.wait(5)
    c.close()
    assert future.cancelled() or future.exception(timeout=5) is not None


def test_call_in_flight_when_the_client_closes_gets_a_speech_error() -> None:
    c = client()
    started = threading.Event()
    outcome: list[BaseException] = []

    async def forever(aclient: AsyncSpeechClient) -> None:
        started.set()
        await asyncio.sleep(3600)

    def blocked() -> None:
        try:
            c._run(forever)
        except BaseException as e:
            outcome.append(e)

    t = threading.Thread(target=blocked)
    t.start()
    assert started.wait(5)
    c.close()
    t.join(5)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConnectionError)
    assert "closed while" in str(outcome[0])


def test_closed_portal_does_not_restart() -> None:
    portal = Portal()
    assert portal.call(asyncio.sleep, 0, "x") == "x"
    portal.close()
    with pytest.raises(RuntimeError, match="closed"):
        portal.call(asyncio.sleep, 0)
    assert portal._thread is None


def test_import_is_light_and_clients_load_on_first_use() -> None:
    import subprocess
    import sys

    code = (
        "import sys, azspeech\n"
        "assert 'httpx' not in sys.modules and 'asyncio' not in sys.modules, 'eager import'\n"
        "from azspeech import SpeechClient, AsyncSpeechClient, SpeechError\n"
        "assert 'httpx' in sys.modules\n"
        "assert 'SpeechClient' in dir(azspeech)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr

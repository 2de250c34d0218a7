"""Secrets never show up in str()/repr(), logs or tracebacks."""

from __future__ import annotations

import logging
import pickle
import threading
import traceback
from typing import Any

import httpx
import pytest
import respx

from azspeech import (
    AsyncSpeechClient,
    AuthenticationError,
    ConnectionError,
    ServiceError,
    SpeechClient,
    SpeechError,
)
from azspeech._transport.http import HttpRequest
from azspeech.errors import error_from_response, redact, register_secret

from .conftest import RESOURCE_ID

SECRET_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
SECRET_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzZWNyZXQiOiJ0b2tlbi12YWx1ZSJ9.c2lnbmF0dXJlLXNlY3JldA"
STS = "https://westeurope.api.cognitive.microsoft.com/sts/v1.0/issueToken"
API = "https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/models"


def assert_clean(text: str) -> None:
    assert SECRET_KEY not in text
    assert SECRET_TOKEN not in text
    # Not even a large piece of either.
    assert SECRET_KEY[:16] not in text
    assert SECRET_TOKEN[-24:] not in text


def full_traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def test_client_and_config_reprs() -> None:
    for cls in (SpeechClient, AsyncSpeechClient):
        c: Any = cls(key=SECRET_KEY, region="westeurope", _environ={})
        for text in (str(c), repr(c), repr(c.config), str(c.config), repr(c.auth), repr(vars(c))):
            assert_clean(text)
        c2: Any = cls(token=SECRET_TOKEN, region="westeurope", _environ={})
        assert_clean(repr(c2) + repr(c2.config) + repr(c2.auth))
    c3 = SpeechClient(key=SECRET_KEY, region="westeurope", use_sts=True, _environ={})
    assert_clean(repr(c3) + repr(c3.config) + repr(c3.auth))


def test_error_echoing_the_key_is_redacted() -> None:
    register_secret(SECRET_KEY)
    body = (
        '{"error": {"code": "Unauthorized", "message": "key '
        + SECRET_KEY
        + ' is not valid for this region"}}'
    )
    err = error_from_response(401, {"apim-request-id": "r1"}, body)
    for text in (str(err), repr(err), err.message, err.body or "", full_traceback(err)):
        assert_clean(text)
    assert "***" in err.message


def test_secret_cut_by_the_excerpt_is_still_removed() -> None:
    register_secret(SECRET_KEY)
    # Place the key across the 200-character message cut and the 500-character body cut.
    for at in (190, 495):
        body = "x" * at + SECRET_KEY + "y" * 600
        err = error_from_response(500, {}, body)
        assert_clean(err.message)
        assert_clean(err.body or "")


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {SECRET_TOKEN}",
        f"{{'Ocp-Apim-Subscription-Key': '{SECRET_KEY}'}}",
        f"Ocp-Apim-Subscription-Key={SECRET_KEY}",
        f"token {SECRET_TOKEN} expired",
        f"Bearer aad#{RESOURCE_ID}#{SECRET_TOKEN}",
        f"https://x.blob.core.windows.net/c?sv=2022&sig={SECRET_KEY}&se=2030",
    ],
)
def test_pattern_redaction_without_registration(text: str) -> None:
    # Secrets redact() has never seen are still caught by their shape.
    assert_clean(redact(text))


def test_redact_is_safe_under_concurrent_registration() -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def register() -> None:
        i = 0
        while not stop.is_set() and i < 5000:
            register_secret(f"concurrent-secret-{i:08d}")
            i += 1

    def use() -> None:
        try:
            for _ in range(2000):
                redact("nothing to see concurrent-secret-00000001 here")
        except BaseException as e:  # pragma: no cover - the bug this guards against
            errors.append(e)

    threads = [threading.Thread(target=register), threading.Thread(target=use)]
    for t in threads:
        t.start()
    threads[1].join(timeout=30)
    stop.set()
    threads[0].join(timeout=30)
    assert errors == []


def test_registered_secrets_are_bounded() -> None:
    from azspeech import errors

    for i in range(2000):
        register_secret(f"rotating-token-{i:010d}")
    assert len(errors._registered_secrets) <= errors._MAX_REGISTERED
    assert "rotating-token-0000001999" in errors._snapshot


@respx.mock
def test_failing_request_logs_nothing_secret(caplog: pytest.LogCaptureFixture) -> None:
    respx.post(STS).mock(return_value=httpx.Response(200, text=SECRET_TOKEN))
    respx.get(API).mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "0"}),
            httpx.Response(
                403,
                json={
                    "error": {"code": "Forbidden", "message": f"echo {SECRET_TOKEN} {SECRET_KEY}"}
                },
                headers={"apim-request-id": "rid-1"},
            ),
        ]
    )
    caplog.set_level(logging.DEBUG)
    with SpeechClient(key=SECRET_KEY, region="westeurope", use_sts=True, _environ={}) as client:
        client._http._sleep = lambda s: None  # type: ignore[attr-defined]
        with pytest.raises(AuthenticationError) as info:
            client._http.send(HttpRequest("GET", API + f"?Authorization=Bearer%20{SECRET_TOKEN}"))
    logged = "\n".join(
        r.getMessage() + repr(r.args) + repr(getattr(r, "__dict__", {})) for r in caplog.records
    )
    assert any(r.name == "azspeech" for r in caplog.records)
    assert_clean(logged)
    assert_clean(caplog.text)
    err = info.value
    assert err.request_id == "rid-1"
    assert_clean(str(err) + repr(err) + (err.body or "") + full_traceback(err))


@respx.mock
async def test_connection_error_traceback_is_clean() -> None:
    respx.get(API).mock(side_effect=httpx.ConnectError(f"proxy said no to {SECRET_KEY}"))
    async with AsyncSpeechClient(
        key=SECRET_KEY, region="westeurope", max_retries=0, _environ={}
    ) as c:
        with pytest.raises(ConnectionError) as info:
            await c._http.send(HttpRequest("GET", API))
    assert_clean(str(info.value))
    # The chained httpx exception is the caller's own object; our text is clean.
    assert_clean(info.value.message)


def test_errors_pickle() -> None:
    register_secret(SECRET_KEY)
    err = error_from_response(
        429, {"Retry-After": "3", "apim-request-id": "x"}, '{"error":{"code":"TooMany"}}'
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert back.retry_after == 3.0
    assert back.request_id == "x"
    assert str(back) == str(err)
    plain = pickle.loads(pickle.dumps(ServiceError("boom", status_code=500)))
    assert plain.status_code == 500
    assert isinstance(plain, SpeechError)


def test_http_request_repr_hides_headers() -> None:
    req = HttpRequest("POST", STS, headers={"Ocp-Apim-Subscription-Key": SECRET_KEY})
    assert_clean(repr(req))
    assert "POST" in repr(req)

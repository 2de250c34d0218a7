"""HTTP transport: retries, backoff, Retry-After, error mapping (respx)."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx
import pytest
import respx

from azspeech import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechError,
    TimeoutError,
)
from azspeech._transport.http import (
    USER_AGENT,
    AsyncHttpTransport,
    HttpRequest,
    HttpTransport,
)
from azspeech._transport.retry import RetryPolicy
from azspeech.auth import KeyAuth

from .conftest import KEY

URL = "https://westeurope.api.cognitive.microsoft.com/speechtotext/v3.2/transcriptions"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class ASleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def transport(max_retries: int = 2, **policy: Any) -> tuple[HttpTransport, Sleeps]:
    sleeps = Sleeps()
    t = HttpTransport(
        httpx.Client(),
        auth=KeyAuth(KEY),
        policy=RetryPolicy(max_retries=max_retries, **policy),
        sleep=sleeps,
    )
    return t, sleeps


def atransport(max_retries: int = 2) -> tuple[AsyncHttpTransport, ASleeps]:
    sleeps = ASleeps()
    t = AsyncHttpTransport(
        httpx.AsyncClient(),
        auth=KeyAuth(KEY),
        policy=RetryPolicy(max_retries=max_retries),
        sleep=sleeps,
    )
    return t, sleeps


# -- success and headers --------------------------------------------------------


@respx.mock
def test_success_sends_key_and_user_agent() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, json={"values": []}))
    t, sleeps = transport()
    r = t.send(HttpRequest("GET", URL, params={"top": 5, "flag": True}))
    assert r.json() == {"values": []}
    sent = route.calls.last.request
    assert sent.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert sent.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("azspeech/")
    assert sent.url.params["flag"] == "true"
    assert sleeps == []


@respx.mock
def test_request_headers_can_not_override_auth() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200))
    t, _ = transport()
    t.send(HttpRequest("GET", URL, headers={"Ocp-Apim-Subscription-Key": "other", "X-A": "1"}))
    assert route.calls.last.request.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert route.calls.last.request.headers["X-A"] == "1"


@respx.mock
def test_authenticate_false_sends_no_credentials() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, text="tok"))
    t, _ = transport()
    t.send(HttpRequest("POST", URL, authenticate=False))
    assert "Ocp-Apim-Subscription-Key" not in route.calls.last.request.headers


# -- retries --------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
@respx.mock
def test_retryable_status_is_retried_then_succeeds(status: int) -> None:
    route = respx.get(URL).mock(side_effect=[httpx.Response(status), httpx.Response(200)])
    t, sleeps = transport()
    assert t.send(HttpRequest("GET", URL)).status_code == 200
    assert route.call_count == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 501])
@respx.mock
def test_non_retryable_status_fails_at_once(status: int) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(status))
    t, sleeps = transport()
    with pytest.raises(SpeechError):
        t.send(HttpRequest("GET", URL))
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("max_retries", [0, 1, 3, 5])
@respx.mock
def test_retry_count(max_retries: int) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(503))
    t, sleeps = transport(max_retries=max_retries)
    with pytest.raises(ServiceError) as info:
        t.send(HttpRequest("GET", URL))
    assert route.call_count == max_retries + 1
    assert len(sleeps) == max_retries
    assert info.value.status_code == 503


@respx.mock
def test_per_call_max_retries_overrides_client() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(500))
    t, _ = transport(max_retries=5)
    with pytest.raises(ServiceError):
        t.send(HttpRequest("GET", URL), max_retries=1)
    assert route.call_count == 2
    route.reset()
    with pytest.raises(ServiceError):
        t.send(HttpRequest("GET", URL), max_retries=0)
    assert route.call_count == 1


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_per_call_max_retries_is_checked(bad: Any) -> None:
    t, _ = transport()
    with pytest.raises(ConfigurationError, match="max_retries"):
        t.send(HttpRequest("GET", URL), max_retries=bad)


def test_backoff_bounds() -> None:
    policy = RetryPolicy(max_retries=10, initial_backoff=0.5, max_backoff=8.0)
    for attempt in range(10):
        bound = min(8.0, 0.5 * 2**attempt)
        for _ in range(50):
            d = policy.delay(attempt)
            assert bound / 2 <= d <= bound
    assert policy.delay(10_000) <= 8.0  # no overflow for absurd attempt numbers


@respx.mock
def test_backoff_grows_and_is_capped() -> None:
    respx.get(URL).mock(return_value=httpx.Response(502))
    t, sleeps = transport(max_retries=6, initial_backoff=0.25, max_backoff=2.0)
    with pytest.raises(ServiceError):
        t.send(HttpRequest("GET", URL))
    assert len(sleeps) == 6
    for attempt, delay in enumerate(sleeps):
        bound = min(2.0, 0.25 * 2**attempt)
        assert bound / 2 <= delay <= bound


@respx.mock
def test_retry_after_seconds() -> None:
    respx.get(URL).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)]
    )
    t, sleeps = transport()
    t.send(HttpRequest("GET", URL))
    assert sleeps == [7.0]


@respx.mock
def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    respx.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200)]
    )
    t, sleeps = transport()
    t.send(HttpRequest("GET", URL))
    assert len(sleeps) == 1
    assert 25 <= sleeps[0] <= 31


@respx.mock
def test_retry_after_date_in_the_past_means_now() -> None:
    when = email.utils.formatdate(time.time() - 300, usegmt=True)
    respx.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200)]
    )
    t, sleeps = transport()
    t.send(HttpRequest("GET", URL))
    assert sleeps == [0.0]


@respx.mock
def test_retry_after_ms_wins() -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after-ms": "1500", "Retry-After": "9"}),
            httpx.Response(200),
        ]
    )
    t, sleeps = transport()
    t.send(HttpRequest("GET", URL))
    assert sleeps == [1.5]


@pytest.mark.parametrize("value", ["soon", "", "nan", "inf", "-5"])
@respx.mock
def test_garbage_retry_after_falls_back_to_backoff(value: str) -> None:
    respx.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": value}), httpx.Response(200)]
    )
    t, sleeps = transport()
    t.send(HttpRequest("GET", URL))
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= 60


@respx.mock
def test_retry_after_longer_than_we_wait_goes_to_the_caller() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
    t, sleeps = transport()
    with pytest.raises(RateLimitError) as info:
        t.send(HttpRequest("GET", URL))
    assert route.call_count == 1
    assert sleeps == []
    assert info.value.retry_after == 3600


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("garbage"),
        httpx.ReadTimeout("slow"),
    ],
)
@respx.mock
def test_connection_errors_are_retried_for_safe_requests(exc: Exception) -> None:
    route = respx.get(URL).mock(side_effect=[exc, httpx.Response(200)])
    t, sleeps = transport()
    assert t.send(HttpRequest("GET", URL)).status_code == 200
    assert route.call_count == 2
    assert len(sleeps) == 1


@respx.mock
def test_connection_errors_exhaust_into_connection_error() -> None:
    route = respx.get(URL).mock(side_effect=httpx.ConnectError("refused"))
    t, _ = transport(max_retries=2)
    with pytest.raises(ConnectionError, match="could not reach") as info:
        t.send(HttpRequest("GET", URL))
    assert route.call_count == 3
    assert isinstance(info.value.__cause__, httpx.ConnectError)


@respx.mock
def test_timeouts_become_timeout_error() -> None:
    respx.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    t, _ = transport(max_retries=0)
    with pytest.raises(TimeoutError, match=r"timed out.*timeout="):
        t.send(HttpRequest("GET", URL))
    assert issubclass(TimeoutError, ConnectionError)


# -- unsafe requests --------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 504, 408])
@respx.mock
def test_unsafe_post_is_not_retried(status: int) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(status))
    t, sleeps = transport()
    with pytest.raises(SpeechError):
        t.send(HttpRequest("POST", URL, json={"displayName": "x"}))
    assert route.call_count == 1
    assert sleeps == []


@respx.mock
def test_unsafe_post_bare_503_is_not_retried() -> None:
    # Without Retry-After a 503 may come after the work was done.
    route = respx.post(URL).mock(return_value=httpx.Response(503))
    t, _ = transport()
    with pytest.raises(ServiceError):
        t.send(HttpRequest("POST", URL, json={}))
    assert route.call_count == 1


@respx.mock
def test_unsafe_post_retried_on_429_and_503_with_retry_after() -> None:
    # 429 (throttled at the gateway) and 503 + Retry-After mean "not processed".
    route = respx.post(URL).mock(
        side_effect=[
            httpx.Response(429),
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(201, json={"self": "x"}),
        ]
    )
    t, sleeps = transport()
    assert t.send(HttpRequest("POST", URL, json={})).status_code == 201
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert sleeps[1] == 1.0


@pytest.mark.parametrize("exc", [httpx.ReadError("reset"), httpx.ReadTimeout("slow")])
@respx.mock
def test_unsafe_post_not_retried_after_it_may_have_been_sent(exc: Exception) -> None:
    route = respx.post(URL).mock(side_effect=exc)
    t, _ = transport()
    with pytest.raises(ConnectionError):
        t.send(HttpRequest("POST", URL, json={}))
    assert route.call_count == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
@respx.mock
def test_unsafe_post_retried_when_never_sent(exc: Exception) -> None:
    route = respx.post(URL).mock(side_effect=[exc, httpx.Response(201)])
    t, _ = transport()
    assert t.send(HttpRequest("POST", URL, json={})).status_code == 201
    assert route.call_count == 2


@respx.mock
def test_post_marked_retry_safe_is_retried() -> None:
    route = respx.post(URL).mock(side_effect=[httpx.Response(500), httpx.Response(200)])
    t, _ = transport()
    t.send(HttpRequest("POST", URL, content=b"audio", retry_safe=True))
    assert route.call_count == 2


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
def test_idempotent_methods_are_safe(method: str) -> None:
    assert HttpRequest(method, URL).safe
    assert not HttpRequest("POST", URL).safe
    assert not HttpRequest("PATCH", URL).safe
    assert not HttpRequest("GET", URL, retry_safe=False).safe


@respx.mock
def test_body_factory_gives_each_attempt_a_fresh_body() -> None:
    bodies: list[bytes] = []

    def record(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        return httpx.Response(503 if len(bodies) == 1 else 200)

    respx.post(URL).mock(side_effect=record)
    t, _ = transport()
    t.send(HttpRequest("POST", URL, content=lambda: iter([b"ab", b"cd"]), retry_safe=True))
    assert bodies == [b"abcd", b"abcd"]


# -- error mapping ------------------------------------------------------------------


def error_for(status: int, **kw: Any) -> SpeechError:
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(status, **kw))
        t, _ = transport(max_retries=0)
        with pytest.raises(SpeechError) as info:
            t.send(HttpRequest("GET", URL, what="listing transcriptions"))
    return info.value


def test_400_parses_service_json() -> None:
    err = error_for(
        400,
        json={"error": {"code": "InvalidRequest", "message": "Locale 'xx' is not supported."}},
        headers={"apim-request-id": "req-123"},
    )
    assert type(err) is InvalidRequestError
    assert isinstance(err, ValueError)
    assert err.status_code == 400
    assert err.code == "InvalidRequest"
    assert err.request_id == "req-123"
    assert "Locale 'xx' is not supported." in err.message
    assert "listing transcriptions failed with HTTP 400" in str(err)
    assert "request_id=req-123" in str(err)


def test_inner_error_code_is_kept() -> None:
    err = error_for(
        400,
        json={
            "error": {
                "code": "InvalidPayload",
                "message": "bad",
                "innerError": {"code": "InvalidLocale", "message": "x"},
            }
        },
    )
    assert err.code == "InvalidPayload/InvalidLocale"


def test_top_level_code_and_message_shape() -> None:
    err = error_for(400, json={"code": "BadArgument", "message": "no audio"})
    assert err.code == "BadArgument"
    assert "no audio" in err.message


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors(status: int) -> None:
    err = error_for(
        status,
        json={"error": {"code": "401", "message": "Access denied due to invalid subscription key"}},
        headers={"x-requestid": "abc"},
    )
    assert isinstance(err, AuthenticationError)  # 403 is its subclass PermissionDeniedError
    assert (type(err) is PermissionDeniedError) == (status == 403)
    assert err.status_code == status
    assert err.request_id == "abc"
    assert "check" in err.message  # says what to do


def test_409_is_a_conflict() -> None:
    err = error_for(409, json={"error": {"code": "Conflict", "message": "id in use"}})
    assert type(err) is ConflictError
    assert isinstance(err, InvalidRequestError)


def test_connection_and_timeout_errors_are_the_builtins_too() -> None:
    import builtins

    err = error_for(408, json={})
    assert isinstance(err, builtins.TimeoutError)
    assert isinstance(err, builtins.ConnectionError)
    with pytest.raises(builtins.TimeoutError):  # what `except TimeoutError:` catches
        raise err


def test_404() -> None:
    err = error_for(404, text="Resource not found")
    assert type(err) is NotFoundError
    assert "Resource not found" in err.message


def test_429_has_retry_after() -> None:
    err = error_for(429, headers={"Retry-After": "12"}, json={"error": {"code": "429"}})
    assert type(err) is RateLimitError
    assert err.retry_after == 12.0


def test_408_is_a_timeout() -> None:
    assert type(error_for(408)) is TimeoutError


@pytest.mark.parametrize("status", [500, 501, 502, 503, 504, 599])
def test_5xx_is_service_error(status: int) -> None:
    err = error_for(status, text="upstream exploded")
    assert type(err) is ServiceError
    assert err.status_code == status


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "{not json",
        '{"error": ',
        "[1, 2, 3]",
        '"just a string"',
        "null",
        "\x00\x01binary",
    ],
)
def test_non_json_error_body_gives_raw_excerpt(body: str) -> None:
    err = error_for(400, text=body)
    assert type(err) is InvalidRequestError
    assert err.body is not None
    assert err.body.startswith(body[:10])
    assert err.__cause__ is None and err.__context__ is None  # no JSON decode traceback


def test_empty_error_body() -> None:
    err = error_for(500)
    assert "no details" in err.message
    assert err.body is None


def test_huge_error_body_is_cut() -> None:
    err = error_for(500, text="x" * 1_000_000)
    assert err.body is not None
    assert len(err.body) <= 500
    assert len(err.message) < 400


@respx.mock
def test_response_body_read_error_becomes_speech_error() -> None:
    class Boom(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield b"partial"
            raise httpx.ReadError("connection reset")

    respx.get(URL).mock(return_value=httpx.Response(200, stream=Boom()))
    t, _ = transport()
    with pytest.raises(ConnectionError, match="connection reset"):
        t.send(HttpRequest("GET", URL))


@respx.mock
def test_oversized_response_is_a_protocol_error() -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"x" * 2000))
    t, _ = transport()
    with pytest.raises(ProtocolError, match="limit"):
        t.send(HttpRequest("GET", URL), max_bytes=1000)


def test_closed_client_gives_a_clear_error() -> None:
    t, _ = transport()
    t.client.close()
    with pytest.raises(ConnectionError, match="closed"):
        t.send(HttpRequest("GET", URL))


def test_unsupported_scheme_is_not_retried() -> None:
    t, sleeps = transport()
    with pytest.raises(ConfigurationError, match="unsupported URL"):
        t.send(HttpRequest("GET", "ftp://example.invalid/x"))
    assert sleeps == []


# -- async twin -----------------------------------------------------------------------


@respx.mock
async def test_async_retries_and_backoff() -> None:
    route = respx.get(URL).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(503, headers={"Retry-After": "2"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    t, sleeps = atransport()
    r = await t.send(HttpRequest("GET", URL))
    assert r.json() == {"ok": True}
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5
    assert sleeps[1] == 2.0
    await t.client.aclose()


@respx.mock
async def test_async_error_mapping_and_unsafe_post() -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(500, json={"error": {"code": "InternalServerError"}})
    )
    t, sleeps = atransport()
    with pytest.raises(ServiceError) as info:
        await t.send(HttpRequest("POST", URL, json={}))
    assert info.value.code == "InternalServerError"
    assert route.call_count == 1
    assert sleeps == []
    await t.client.aclose()


@respx.mock
async def test_async_stream_read_error_becomes_speech_error() -> None:
    class Boom(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            yield b"partial"
            raise httpx.ReadTimeout("stalled")

    respx.get(URL).mock(return_value=httpx.Response(200, stream=Boom()))
    t, _ = atransport()
    with pytest.raises(TimeoutError):
        async with t.stream(HttpRequest("GET", URL)) as response:
            async for _ in response.aiter_bytes():
                pass
    await t.client.aclose()


# -- through the clients ------------------------------------------------------------


@respx.mock
def test_client_max_retries_and_per_call_override() -> None:
    from azspeech import SpeechClient

    route = respx.get(URL).mock(return_value=httpx.Response(503))
    with SpeechClient(key=KEY, region="westeurope", max_retries=4, _environ={}) as c:
        c._http._sleep = lambda s: None  # type: ignore[attr-defined]
        with pytest.raises(ServiceError):
            c._http.send(HttpRequest("GET", URL))
        assert route.call_count == 5
        route.reset()
        with pytest.raises(ServiceError):
            c._http.send(HttpRequest("GET", URL), max_retries=0)
        assert route.call_count == 1


def test_client_timeout_reaches_httpx() -> None:
    from azspeech import AsyncSpeechClient, SpeechClient

    with SpeechClient(key=KEY, region="westeurope", timeout=7, _environ={}) as c:
        assert c._http_client.timeout.read == 7
        assert c._http_client.timeout.connect == 7
    a = AsyncSpeechClient(key=KEY, region="westeurope", timeout=45, _environ={})
    assert a._http_client.timeout.read == 45
    assert a._http_client.timeout.connect == 10  # connecting never waits longer than 10 s


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"Retry-After-Ms": "250"}, 0.25),
        ({"retry-after-ms": "soon", "Retry-After": "4"}, 4.0),
        ({"retry-after-ms": "inf", "Retry-After": "4"}, 4.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "Mon, 32 Foo 2020 99:99:99 GMT"}, None),
        ({"Retry-After": "   "}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    from azspeech.errors import parse_retry_after

    assert parse_retry_after(headers) == expected


def test_parse_retry_after_naive_http_date_is_utc() -> None:
    from azspeech.errors import parse_retry_after

    when = email.utils.formatdate(time.time() + 100)  # "-0000": parsed as naive
    value = parse_retry_after({"Retry-After": when})
    assert value is not None and 95 <= value <= 101


@respx.mock
async def test_async_huge_and_broken_error_bodies() -> None:
    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            yield b'{"error": '
            raise httpx.ReadError("reset")

    respx.get(URL).mock(
        side_effect=[
            httpx.Response(400, content=b"y" * 200_000),
            httpx.Response(500, stream=Broken()),
        ]
    )
    t, _ = atransport(max_retries=0)
    with pytest.raises(InvalidRequestError) as info:
        await t.send(HttpRequest("GET", URL))
    assert info.value.body is not None and len(info.value.body) <= 500
    with pytest.raises(ServiceError) as info2:
        await t.send(HttpRequest("GET", URL))
    assert info2.value.status_code == 500
    await t.client.aclose()

"""Property tests: error mapping and redaction hold for any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech import ConfigurationError, Endpoints, SpeechError
from azspeech.errors import error_from_response, parse_retry_after, redact, register_secret

SECRET = "Zq9fuzzsecretvalue0123456789abcd"
register_secret(SECRET)

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    status=st.integers(400, 599),
    body=st.text(max_size=2000),
    headers=st.dictionaries(
        st.sampled_from(["Retry-After", "retry-after-ms", "apim-request-id", "X-RequestId", "X"]),
        header_text,
        max_size=4,
    ),
)
def test_any_error_answer_maps_to_a_speech_error(
    status: int, body: str, headers: dict[str, str]
) -> None:
    err = error_from_response(status, headers, body)
    assert isinstance(err, SpeechError)
    assert err.status_code == status
    str(err), repr(err)
    assert err.body is None or len(err.body) <= 500


@settings(max_examples=200, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(["Retry-After", "retry-after-ms"]), header_text))
def test_retry_after_is_never_negative_or_an_exception(headers: dict[str, str]) -> None:
    value = parse_retry_after(headers)
    assert value is None or value >= 0


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=300), suffix=st.text(max_size=300), cut=st.integers(0, 1200))
def test_registered_secret_never_survives(prefix: str, suffix: str, cut: int) -> None:
    text = prefix + SECRET + suffix
    assert SECRET not in redact(text)
    err = error_from_response(500, {}, (prefix * 3)[:cut] + SECRET + suffix)
    assert SECRET[:12] not in (err.body or "")
    assert SECRET[:12] not in str(err)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=80))
def test_any_endpoint_string_is_accepted_or_a_configuration_error(value: str) -> None:
    try:
        e = Endpoints.from_endpoint(value)
    except ConfigurationError:
        return
    assert e.api_base.startswith(("http://", "https://"))
    assert e.stt("/x", websocket=True).startswith(("ws://", "wss://"))


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=40))
def test_any_region_string_is_accepted_or_a_configuration_error(value: str) -> None:
    try:
        e = Endpoints.from_region(value)
    except ConfigurationError:
        return
    assert e.region is not None and e.region.isalnum() and e.region.islower()

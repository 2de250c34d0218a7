"""Batch transcription bad input: service-side failures, deleted jobs, foreign page links,
arguments refused before sending, and the emulator holding requests to the spec."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from azspeech import (
    InvalidRequestError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechClient,
    TimeoutError,
)
from azspeech.batch import TranscriptionFailedError

from ..rest_hostile import Request, hostile, respond
from ..stt._audio import phrase_audio, wav
from ._storage import Storage, Twin

if TYPE_CHECKING:
    from azspeech.emulator import Emulator

SUBMIT = "/speechtotext/transcriptions:submit"


def _audio() -> bytes:
    return wav(phrase_audio(["Alpha bravo."])[0])


@pytest.mark.parametrize(
    ("blob", "code"),
    [
        (b"this is not audio at all" * 10, "InvalidAudioFormat"),
        (None, "InvalidRecordingsUri"),  # the URL answers 404
        (b"", "EmptyAudioFile"),
    ],
)
def test_a_failed_transcription_surfaces_the_service_code(
    twin: Twin, storage: Storage, blob: bytes | None, code: str
) -> None:
    if blob is not None:
        storage.blobs["bad.wav"] = blob
    job = twin("batch.create", storage.blob_url("bad.wav"), locale="en-US")
    done = twin("batch.wait", job, poll_interval=0.05, timeout=30)
    assert done.failed and done.error is not None and done.error.code == code
    with pytest.raises(TranscriptionFailedError) as info:
        twin("batch.results", done)
    assert info.value.code == code and isinstance(info.value, ServiceError)
    with pytest.raises(TranscriptionFailedError):
        twin("batch.results", done.id)  # fetched afresh, same answer


def test_one_bad_file_of_two_is_in_the_report_and_the_job_succeeds(
    twin: Twin, storage: Storage
) -> None:
    storage.blobs["good.wav"] = _audio()
    storage.blobs["bad.wav"] = b"garbage" * 20
    job = twin(
        "batch.create", [storage.blob_url("good.wav"), storage.blob_url("bad.wav")], locale="en-US"
    )
    done = twin("batch.wait", job, poll_interval=0.05, timeout=30)
    assert done.succeeded
    assert [r.text for r in twin("batch.results", done)] == ["Alpha bravo."]
    report = twin("batch.report", done)
    assert report.failed_transcriptions_count == 1
    assert [d.error_kind for d in report.details] == [None, "InvalidAudioFormat"]


def test_results_of_an_unfinished_job_are_refused(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    emulator.state.extra["batch_transcription_seconds"] = 30
    storage.blobs["a.wav"] = _audio()
    job = twin("batch.create", storage.blob_url("a.wav"), locale="en-US")
    with pytest.raises(InvalidRequestError, match="only a succeeded job has results"):
        twin("batch.results", job)
    with pytest.raises(TimeoutError, match="still"):
        twin("batch.wait", job, poll_interval=0.05, timeout=0.3)
    twin("batch.delete", job)


def test_a_deleted_transcription_polled_is_not_found(twin: Twin, storage: Storage) -> None:
    storage.blobs["a.wav"] = _audio()
    job = twin("batch.create", storage.blob_url("a.wav"), locale="en-US")
    twin("batch.delete", job)
    twin("batch.delete", job)  # deleting again is fine: "deleted or did not exist"
    with pytest.raises(NotFoundError) as info:
        twin("batch.wait", job, poll_interval=0.05, timeout=10)
    assert info.value.code == "NotFound" and info.value.status_code == 404
    with pytest.raises(NotFoundError):
        twin("batch.files", job.id)


@pytest.mark.parametrize("what", ["batch.list", "batch.files", "batch.webhooks.list"])
def test_a_page_link_to_another_host_is_refused(what: str, storage: Storage) -> None:
    def handler(req: Request, conn: socket.socket) -> None:
        link = f"{storage.url}/speechtotext/transcriptions?skip=1&api-version=2025-10-15"
        body = {"values": [], "@nextLink": link}
        respond(conn, 200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    with hostile(handler) as server, SpeechClient(endpoint=server.url, key="k" * 32) as client:
        target: Any = client
        for part in what.split("."):
            target = getattr(target, part)
        args = ["0f5a4e8c-1111-2222-3333-444455556666"] if what == "batch.files" else []
        with pytest.raises(ProtocolError, match="another host"):
            list(target(*args))
    assert storage.seen == []  # nothing, not even a credential-free request, went there


BAD_CREATE: list[tuple[dict[str, Any], str]] = [
    ({}, "exactly one of"),
    ({"content_urls": ["https://a/x.wav"], "content_container_url": "https://a/c"}, "exactly one"),
    ({"content_urls": []}, "1 to 1000"),
    ({"content_urls": ["https://a/x.wav"] * 1001}, "1 to 1000"),
    ({"content_urls": ["ftp://a/x.wav"]}, "content_urls\\[0\\]"),
    ({"content_urls": "relative/x.wav"}, "absolute"),
    ({"locale": ""}, "locale"),
    ({"locale": "en US"}, "locale"),
    ({"time_to_live_hours": 5}, "time_to_live_hours"),
    ({"time_to_live_hours": 745}, "time_to_live_hours"),
    ({"max_speakers": 1}, "max_speakers"),
    ({"max_speakers": 36}, "max_speakers"),
    ({"max_speakers": 3, "diarization": False}, "needs diarization"),
    ({"diarization": True, "channels": [0, 1]}, "one channel"),
    ({"channels": [2]}, "channels"),
    ({"channels": [0, 0]}, "distinct"),
    ({"channels": []}, "distinct"),
    ({"profanity": "loud"}, "profanity"),
    ({"punctuation": "some"}, "punctuation"),
    ({"language_identification": ["en-US"]}, "2 to 10"),
    ({"language_identification": ["en-US", "de-DE"], "language_identification_mode": "x"}, "mode"),
    ({"language_identification_mode": "Single"}, "need language_identification"),
    ({"language_identification": ["en-US", "de-DE"], "speech_model_mapping": {"fr-FR": "m"}},
     "not candidates"),
    ({"display_name": " "}, "display_name"),
    ({"model": "a/b"}, "invalid models id"),
    ({"custom_properties": {str(i): "v" for i in range(11)}}, "at most 10"),
    ({"destination_container_url": "container"}, "destination_container_url"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "match"), BAD_CREATE)
def test_bad_create_arguments_are_refused_before_sending(
    twin: Twin, emulator: Emulator, kwargs: dict[str, Any], match: str
) -> None:
    args: dict[str, Any] = {"locale": "en-US"}
    if not {"content_urls", "content_container_url"} & set(kwargs) and kwargs:
        args["content_urls"] = ["https://storage.invalid/a.wav"]
    args.update(kwargs)
    with pytest.raises(InvalidRequestError, match=match):
        twin("batch.create", **args)
    assert [r for r in emulator.requests if r.path == SUBMIT] == []


def test_the_emulator_refuses_unknown_and_missing_fields_like_the_service(
    twin: Twin, emulator: Emulator
) -> None:
    url = "http://127.0.0.1:1/a.wav"
    with pytest.raises(InvalidRequestError) as info:
        twin("batch.create", url, locale="en-US", extra_body={"properties": {"wordLevel": True}})
    assert info.value.status_code == 400 and info.value.code == "InvalidRequest/InvalidPayload"
    assert "properties.wordLevel" in info.value.message
    with pytest.raises(InvalidRequestError, match="minSpeakers"):
        twin("batch.create", url, locale="en-US",
             extra_body={"properties": {"diarization": {"minSpeakers": 1}}})  # fmt: skip
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}
    raw = httpx.post(
        f"{emulator.url}{SUBMIT}?api-version=2025-10-15",
        json={"displayName": "x", "locale": "en-US", "contentUrls": [url]},
        headers=headers,
    )
    assert raw.status_code == 400 and "'properties' is required" in raw.json()["message"]
    raw = httpx.post(f"{emulator.url}{SUBMIT}", json={}, headers=headers)
    assert raw.status_code == 400 and "api-version" in raw.json()["message"]
    raw = httpx.get(f"{emulator.url}/speechtotext/transcriptions?api-version=2025-10-15&top=x",
                    headers=headers)  # fmt: skip
    assert raw.status_code == 400
    with pytest.raises(InvalidRequestError, match="Unknown query parameter 'pagesize'"):
        twin("batch.list", extra_query={"pagesize": 2})
    with pytest.raises(InvalidRequestError) as unsupported:
        twin("batch.list", extra_query={"filter": "status eq 'Failed'"})
    assert unsupported.value.code == "InvalidRequest/UnsupportedFilter"
    with pytest.raises(InvalidRequestError, match="Unsupported api-version"):
        twin("batch.list", extra_query={"api-version": "v3.2"})


def test_injected_429_and_5xx(twin: Twin, storage: Storage, emulator: Emulator) -> None:
    storage.blobs["a.wav"] = _audio()
    emulator.faults.reject(429, retry_after=3, path="transcriptions:submit")
    with pytest.raises(RateLimitError) as info:
        twin("batch.create", storage.blob_url("a.wav"), locale="en-US")
    assert info.value.retry_after == 3
    job = twin("batch.create", storage.blob_url("a.wav"), locale="en-US")
    emulator.faults.reject(503, path="/speechtotext/transcriptions/")
    with pytest.raises(ServiceError) as err:
        twin("batch.get", job)
    assert err.value.status_code == 503
    assert twin("batch.wait", job, poll_interval=0.05, timeout=30).succeeded


def test_polling_rides_out_a_429_with_retries(storage: Storage, emulator: Emulator) -> None:
    storage.blobs["a.wav"] = _audio()
    emulator.faults.reject(429, retry_after=0, path="/speechtotext/transcriptions/", times=2)
    with emulator.client(max_retries=3) as client:
        job = client.batch.create(storage.blob_url("a.wav"), locale="en-US")
        assert client.batch.wait(job, poll_interval=0.05, timeout=30).succeeded
    rejected = [r for r in emulator.requests if r.status == 429]
    assert len(rejected) == 2


def test_result_links_refuse_keys_wrong_signatures_and_expired_sas(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    emulator.state.extra.pop("batch_transcription_storage_url")
    storage.blobs["a.wav"] = _audio()
    job = twin("batch.wait", twin("batch.create", storage.blob_url("a.wav"), locale="en-US"),
               poll_interval=0.05, timeout=30)  # fmt: skip
    link = next(f for f in twin("batch.files", job) if f.kind == "Transcription").content_url
    assert httpx.get(link).status_code == 200
    keyed = httpx.get(link, headers={"Ocp-Apim-Subscription-Key": emulator.key})
    assert keyed.status_code == 403 and "AuthenticationFailed" in keyed.text
    assert httpx.get(link.replace("sig=", "sig=x")).status_code == 403
    expired = next(
        f for f in twin("batch.files", job, sas_lifetime_minutes=0) if f.kind == "Transcription"
    )
    assert httpx.get(expired.content_url).status_code == 403
    with pytest.raises(InvalidRequestError):
        twin("batch.files", job, sas_lifetime_minutes=-1)


def test_a_result_link_with_credentials_would_be_refused_by_storage(
    storage: Storage, emulator: Emulator
) -> None:
    """The storage host forwards credentials: had the client sent any, the result is 403."""
    emulator.state.extra["batch_transcription_seconds"] = 0.1
    storage.blobs["a.wav"] = _audio()
    with emulator.client(max_retries=0) as client:
        job = client.batch.wait(
            client.batch.create(storage.blob_url("a.wav"), locale="en-US"),
            poll_interval=0.05,
            timeout=30,
        )
        link = next(f for f in client.batch.files(job) if f.kind == "Transcription").content_url
        assert link is not None and link.startswith(storage.url)
        forwarded = httpx.get(link, headers={"Authorization": "Bearer stolen"})
        assert forwarded.status_code == 403
        assert client.batch.results(job)[0].text == "Alpha bravo."

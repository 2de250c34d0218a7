"""Sync/async parity of every REST method, against the emulator over real sockets.

Each test runs once with the blocking client and once with the async client
(the ``api`` fixture) and checks the same public behaviour: results, errors
and what reached the service. A drift between the twins fails here.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azspeech import (
    InvalidRequestError,
    NotFoundError,
    TimeoutError,
)
from azspeech.emulator import Emulator

from .stt._audio import phrase_audio, wav

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _resolve(value: Any) -> Any:
    if inspect.isawaitable(value):
        value = await value
    if hasattr(value, "by_page") and hasattr(value, "__aiter__"):
        return [item async for item in value]
    if hasattr(value, "by_page"):
        return list(value)
    return value


class Api:
    """Runs ``fn(client)`` with a fresh blocking or async client for the emulator."""

    def __init__(self, kind: str, emulator: Emulator) -> None:
        self.kind = kind
        self.emulator = emulator

    def __call__(self, fn: Callable[[Any], Any], **client_kw: Any) -> Any:
        client_kw.setdefault("max_retries", 0)
        if self.kind == "sync":
            with self.emulator.client(**client_kw) as client:
                return asyncio.run(_resolve(fn(client)))

        async def main() -> Any:
            async with self.emulator.async_client(**client_kw) as client:
                return await _resolve(fn(client))

        return asyncio.run(main())

    def pages(self, fn: Callable[[Any], Any]) -> list[Any]:
        """The pages of the listing ``fn(client)`` returns."""

        async def collect(paged: Any) -> list[Any]:
            pages = paged.by_page()
            if hasattr(pages, "__aiter__"):
                return [p async for p in pages]
            return list(pages)

        return list(self(lambda c: collect(fn(c))))


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, speech_emulator: Emulator) -> Api:
    return Api(request.param, speech_emulator)


@pytest.fixture
def slow_batch(speech_emulator: Emulator) -> Iterator[None]:
    old = speech_emulator.state.extra.get("batch_synthesis_seconds")
    speech_emulator.state.extra["batch_synthesis_seconds"] = 120.0
    try:
        yield
    finally:
        if old is None:
            speech_emulator.state.extra.pop("batch_synthesis_seconds", None)
        else:
            speech_emulator.state.extra["batch_synthesis_seconds"] = old


def _job_id() -> str:
    return "parity-" + uuid.uuid4().hex[:12]


# -- batch synthesis ---------------------------------------------------------------------


def test_batch_lifecycle(api: Api, tmp_path: Path) -> None:
    job_id = _job_id()
    created = api(lambda c: c.tts.batch.create("Hello there.", id=job_id, voice="en-US-AvaNeural"))
    assert created.id == job_id and created.status in ("NotStarted", "Running")

    got = api(lambda c: c.tts.batch.get(job_id))
    assert got.id == job_id

    listed = api(lambda c: c.tts.batch.list())
    assert job_id in [j.id for j in listed]

    seen: list[str | None] = []
    done = api(
        lambda c: c.tts.batch.wait(
            job_id, poll_interval=0.05, timeout=30, on_progress=lambda j: seen.append(j.status)
        )
    )
    assert done.succeeded and seen and seen[-1] == "Succeeded"

    path = api(lambda c: c.tts.batch.download(done, tmp_path / f"{api.kind}.zip"))
    assert path == tmp_path / f"{api.kind}.zip"
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(".wav") for name in archive.namelist())
    assert not (tmp_path / f"{api.kind}.zip.part").exists()

    assert api(lambda c: c.tts.batch.delete(job_id)) is None
    with pytest.raises(NotFoundError):
        api(lambda c: c.tts.batch.get(job_id))


def test_batch_download_by_id_gets_the_job_first(api: Api, tmp_path: Path) -> None:
    job_id = _job_id()
    api(lambda c: c.tts.batch.create("Hi.", id=job_id, voice="en-US-AvaNeural"))
    api(lambda c: c.tts.batch.wait(job_id, poll_interval=0.05, timeout=30))
    path = api(lambda c: c.tts.batch.download(job_id, tmp_path / "r.zip"))
    assert zipfile.is_zipfile(path)
    result_gets = [
        r for r in api.emulator.requests if r.path.startswith("/emulator/batchsynthesis")
    ]
    # The SAS download carries no credential.
    assert result_gets and all(
        "ocp-apim-subscription-key" not in r.headers and "authorization" not in r.headers
        for r in result_gets
    )


def test_batch_per_call_options_reach_the_service(api: Api) -> None:
    job_id = _job_id()
    job = api(
        lambda c: c.tts.batch.create(
            "Hi.",
            id=job_id,
            voice="en-US-AvaNeural",
            timeout=10,
            extra_headers={"X-Parity": api.kind},
            extra_query={"parity": "yes"},
            output_format="riff-16khz-16bit-mono-pcm",
            extra_body={"description": "from extra_body", "properties": {"timeToLiveInHours": 48}},
        )
    )
    assert job.description == "from extra_body"
    # Merged into the SDK's own properties, not replacing them.
    assert job.properties.time_to_live_in_hours == 48
    assert job.properties.output_format == "riff-16khz-16bit-mono-pcm"
    put = [r for r in api.emulator.requests if r.method == "PUT"][-1]
    assert put.headers["x-parity"] == api.kind and put.query["parity"] == "yes"
    assert put.query["api-version"] == "2024-04-01"

    api(lambda c: c.tts.batch.get(job_id, extra_headers={"X-Get": "1"}, timeout=5))
    get = [r for r in api.emulator.requests if r.method == "GET"][-1]
    assert get.headers["x-get"] == "1"
    api(lambda c: c.tts.batch.delete(job_id, extra_query={"why": "test"}))
    delete = [r for r in api.emulator.requests if r.method == "DELETE"][-1]
    assert delete.query["why"] == "test"


def test_batch_list_pages(api: Api) -> None:
    ids = [_job_id() for _ in range(3)]
    for job_id in ids:
        api(lambda c, j=job_id: c.tts.batch.create("Hi.", id=j, voice="en-US-AvaNeural"))
    pages = api.pages(lambda c: c.tts.batch.list(max_page_size=1))
    assert len(pages) >= 3 and all(len(p.items) == 1 for p in pages)
    assert all(p.next_link for p in pages[:-1]) and pages[-1].next_link is None
    listed = [job.id for page in pages for job in page.items]
    assert set(ids) <= set(listed) and len(listed) == len(set(listed))


def test_batch_wait_timeout(api: Api, slow_batch: None) -> None:
    job_id = _job_id()
    api(lambda c: c.tts.batch.create("Hi.", id=job_id, voice="en-US-AvaNeural"))
    with pytest.raises(TimeoutError, match="still"):
        api(lambda c: c.tts.batch.wait(job_id, poll_interval=0.05, timeout=0.2))
    api(lambda c: c.tts.batch.delete(job_id))


def test_batch_bad_input_is_refused_before_sending(api: Api) -> None:
    before = len(api.emulator.requests)
    with pytest.raises(InvalidRequestError, match="invalid batch synthesis id"):
        api(lambda c: c.tts.batch.get("-bad-"))
    with pytest.raises(InvalidRequestError, match="timeout"):
        api(lambda c: c.tts.batch.get("fine-id", timeout=-1))
    with pytest.raises(InvalidRequestError, match="extra_body"):
        api(lambda c: c.tts.batch.get("fine-id", extra_body={"x": 1}))
    with pytest.raises(InvalidRequestError, match="plain-text batch synthesis needs voice"):
        api(lambda c: c.tts.batch.create("Hi."))
    with pytest.raises(InvalidRequestError, match="poll_interval"):
        api(lambda c: c.tts.batch.wait("fine-id", poll_interval=0))
    assert len(api.emulator.requests) == before


def test_batch_download_of_unfinished_job_is_refused(
    api: Api, tmp_path: Path, slow_batch: None
) -> None:
    job_id = _job_id()
    api(lambda c: c.tts.batch.create("Hi.", id=job_id, voice="en-US-AvaNeural"))
    with pytest.raises(InvalidRequestError, match="only a succeeded job has results"):
        api(lambda c: c.tts.batch.download(job_id, tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()
    api(lambda c: c.tts.batch.delete(job_id))


def test_batch_failed_job(api: Api) -> None:
    job_id = _job_id()
    api(lambda c: c.tts.batch.create("Hi.", id=job_id, voice="xx-XX-Unknown"))
    done = api(lambda c: c.tts.batch.wait(job_id, poll_interval=0.05, timeout=30))
    assert done.status == "Failed" and not done.succeeded


# -- voices, synthesis, short audio, fast transcription, tokens ----------------------------


def test_list_voices_and_get_voice(api: Api) -> None:
    voices = api(lambda c: c.tts.list_voices())
    assert voices and all(v.short_name for v in voices)
    german = api(lambda c: c.tts.list_voices("de-DE"))
    assert german and all(v.locale == "de-DE" for v in german)
    voice = api(lambda c: c.tts.get_voice(voices[0].short_name))
    assert voice.short_name == voices[0].short_name
    with pytest.raises(InvalidRequestError, match="no voice named"):
        api(lambda c: c.tts.get_voice("xx-XX-NoSuchNeural"))


def test_synthesize_over_rest(api: Api) -> None:
    audio = api(
        lambda c: c.tts.synthesize(
            "Hello there.", transport="rest", output_format="riff-16khz-16bit-mono-pcm"
        )
    )
    assert audio.sample_rate == 16000 and len(audio.data) > 1000
    req = [r for r in api.emulator.requests if r.path == "/cognitiveservices/v1"][-1]
    assert req.status == 200 and req.method == "POST"


def test_recognize_short(api: Api) -> None:
    api.emulator.script(["Parity works."])
    result = api(lambda c: c.stt.recognize_short(wav(phrase_audio(["Parity works."])[0])))
    assert result.text == "Parity works."
    with pytest.raises(InvalidRequestError):
        api(lambda c: c.stt.recognize_short(wav(phrase_audio(["x"])[0]), format="verbose"))


def test_transcribe(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(wav(phrase_audio(["Fast and parallel."])[0]))
    api.emulator.script(["Fast and parallel."])
    result = api(lambda c: c.stt.transcribe(path, locales=["en-US"]))
    assert "Fast and parallel." in result.text
    request = [r for r in api.emulator.requests if "transcriptions:transcribe" in r.path][-1]
    assert request.status == 200


def test_issue_token(api: Api) -> None:
    token = api(lambda c: c.issue_token())
    assert isinstance(token, str) and token.count(".") == 2
    # The token works as a credential.
    voices = api(lambda c: c.tts.list_voices(), key=None, token=token)
    assert voices

"""Custom speech management against the emulator over real sockets, blocking and async.

Each ``api`` test runs once with :class:`~azspeech.SpeechClient` and once with
:class:`~azspeech.AsyncSpeechClient`: projects, datasets uploaded from local
files in blocks, models trained and copied, endpoints deployed and used for
real-time recognition, evaluations with their word error rates, and the
errors (404 after a delete, 409 for an entity in use, 400 for a body the
spec does not allow, bad input refused before anything is sent).
"""

from __future__ import annotations

import asyncio
import inspect
import io
import wave
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from azspeech import (
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServiceError,
)
from azspeech.emulator import Emulator
from azspeech.emulator.custom_speech_store import store_of
from azspeech.emulator.faults import Fault
from azspeech.models.custom_speech import (
    BaseSpeechModel,
    CustomModel,
    Dataset,
    Endpoint,
    Evaluation,
    Project,
)

from .stt._audio import phrase_audio, wav

RESOURCE = "/subscriptions/0/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/src"
FAST = {"poll_interval": 0.02, "timeout": 20}


async def _resolve(value: Any) -> Any:
    if inspect.isawaitable(value):
        value = await value
    if hasattr(value, "by_page") and hasattr(value, "__aiter__"):
        return [item async for item in value]
    if hasattr(value, "by_page"):
        return list(value)
    return value


class Api:
    """Runs ``fn(client)`` with a blocking or an async client for the emulator."""

    def __init__(self, kind: str, emulator: Emulator) -> None:
        self.kind = kind
        self.emulator = emulator

    def __call__(self, fn: Callable[[Any], Any]) -> Any:
        if self.kind == "sync":
            with self.emulator.client(max_retries=0) as client:
                return asyncio.run(_resolve(fn(client)))

        async def main() -> Any:
            async with self.emulator.async_client(max_retries=0) as client:
                return await _resolve(fn(client))

        return asyncio.run(main())

    def pages(self, fn: Callable[[Any], Any]) -> list[Any]:
        async def collect(paged: Any) -> list[Any]:
            pages = paged.by_page()
            if hasattr(pages, "__aiter__"):
                return [p async for p in pages]
            return list(pages)

        return list(self(lambda c: collect(fn(c))))


@pytest.fixture
def emulator(speech_emulator: Emulator) -> Iterator[Emulator]:
    """The emulator with an empty custom speech store and quick jobs."""
    state = speech_emulator.state
    store = store_of(state)
    saved = {k: state.extra.get(k) for k in ("custom_speech_seconds", "custom_speech_page_size")}
    store.entities.clear()
    state.extra["custom_speech_seconds"] = 0.15
    yield speech_emulator
    store.entities.clear()
    for key, value in saved.items():
        if value is None:
            state.extra.pop(key, None)
        else:
            state.extra[key] = value


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, emulator: Emulator) -> Api:
    return Api(request.param, emulator)


def _wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * int(16000 * seconds))
    return buf.getvalue()


SENTENCES = [
    "the quick brown fox jumps over the lazy dog near the river bank",
    "please call the help desk if the printer on the third floor stops working",
    "our quarterly numbers beat the forecast by a comfortable margin this time",
]


@pytest.fixture
def acoustic_files(tmp_path: Path) -> list[Path]:
    """Two WAV files (1 s and 2 s) and their human transcripts."""
    files = []
    for i, seconds in enumerate((1.0, 2.0, 0.5)):
        path = tmp_path / f"utt{i}.wav"
        path.write_bytes(_wav(seconds))
        files.append(path)
    trans = tmp_path / "trans.txt"
    trans.write_text("".join(f"utt{i}.wav\t{s}\n" for i, s in enumerate(SENTENCES)))
    return [*files, trans]


def _language_file(tmp_path: Path) -> Path:
    path = tmp_path / "sentences.txt"
    path.write_text("Contoso ships widgets.\nFabrikam makes gadgets.\n\nNorthwind sells tea.\n")
    return path


def _custom_speech_requests(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if "/speechtotext/" in r.path]


# -- projects and pages ----------------------------------------------------------------------------


def test_projects_are_created_paged_updated_and_deleted(api: Api, emulator: Emulator) -> None:
    emulator.state.extra["custom_speech_page_size"] = 2
    created = [
        api(lambda c, i=i: c.custom_speech.projects.create(f"p{i}", locale="en-US"))
        for i in range(5)
    ]
    assert all(isinstance(p, Project) and p.id for p in created)
    listed = api(lambda c: c.custom_speech.projects.list())
    assert [p.display_name for p in listed] == [f"p{i}" for i in range(5)]
    pages = api.pages(lambda c: c.custom_speech.projects.list())
    assert [len(p) for p in pages] == [2, 2, 1] and pages[-1].next_link is None
    assert len(api.pages(lambda c: c.custom_speech.projects.list(max_page_size=1))) == 5

    first = created[0]
    renamed = api(lambda c: c.custom_speech.projects.update(first, display_name="renamed"))
    assert renamed.display_name == "renamed" and renamed.locale == "en-US"
    api(lambda c: c.custom_speech.projects.delete(first.id))
    with pytest.raises(NotFoundError) as info:
        api(lambda c: c.custom_speech.projects.get(first))
    assert info.value.status_code == 404 and info.value.code == "NotFound"
    api(lambda c: c.custom_speech.projects.delete(first))  # deleting again: 204, as the service


# -- datasets --------------------------------------------------------------------------------------


def test_dataset_is_uploaded_in_blocks_processed_and_its_files_downloaded(
    api: Api, emulator: Emulator, acoustic_files: list[Path], tmp_path: Path
) -> None:
    project = api(lambda c: c.custom_speech.projects.create("calls", locale="en-US"))
    emulator.state.clear_log()
    dataset = api(
        lambda c: c.custom_speech.datasets.upload(
            acoustic_files,
            display_name="calls audio",
            locale="en-US",
            kind="Acoustic",
            project=project,
            block_size=256,
        )
    )
    puts = [r for r in emulator.requests if r.method == "PUT" and r.path.endswith("/blocks")]
    commits = [r for r in emulator.requests if r.path.endswith("/blocks:commit")]
    assert len(puts) >= 3 and len(commits) == 1  # the zip went in several blocks
    assert len({r.query["blockid"] for r in puts}) == len(puts)
    assert dataset.status in ("NotStarted", "Running") and dataset.kind == "Acoustic"

    seen: list[str] = []
    done = api(
        lambda c: c.custom_speech.datasets.wait(
            dataset, on_progress=lambda d: seen.append(d.status), **FAST
        )
    )
    assert isinstance(done, Dataset) and done.succeeded and seen[-1] == "Succeeded"
    assert done.properties.accepted_line_count == 3
    assert done.properties.duration_milliseconds == 3500
    blocks = api(lambda c: c.custom_speech.datasets.blocks(done))
    assert [b.name for b in blocks.committed_blocks] == [r.query["blockid"] for r in puts]

    files = api(lambda c: c.custom_speech.datasets.files(done))
    assert sorted(f.kind for f in files) == ["AcousticDataArchive", "DatasetReport"]
    archive = next(f for f in files if f.kind == "AcousticDataArchive")
    one = api(lambda c: c.custom_speech.datasets.file(done, archive.id))
    assert one.name == archive.name and one.properties.size == archive.properties.size
    target = api(lambda c: c.custom_speech.datasets.download_file(archive, tmp_path / "x.zip"))
    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == sorted(p.name for p in acoustic_files)
    download = [r for r in emulator.requests if r.path.startswith("/emulator/customspeech")][-1]
    assert download.status == 200  # a SAS URL: the key was not sent (the emulator refuses it)
    assert "ocp-apim-subscription-key" not in {k.lower() for k in download.headers}
    members = api(lambda c: c.custom_speech.projects.datasets(project))
    assert [d.id for d in members] == [done.id]


def test_dataset_from_a_url_and_failures_with_the_services_codes(
    api: Api, emulator: Emulator, tmp_path: Path
) -> None:
    text = _language_file(tmp_path)
    uploaded = api(
        lambda c: c.custom_speech.datasets.upload(
            text, display_name="text", locale="en-US", kind="Language"
        )
    )
    uploaded = api(lambda c: c.custom_speech.datasets.wait(uploaded, **FAST))
    assert uploaded.properties.accepted_line_count == 3
    data = next(
        f
        for f in api(lambda c: c.custom_speech.datasets.files(uploaded))
        if f.kind == "LanguageData"
    )
    url = data.links.content_url if data.links else None
    assert url
    from_url = api(
        lambda c: c.custom_speech.datasets.create(
            "copy", locale="en-US", kind="Language", content_url=url
        )
    )
    assert api(lambda c: c.custom_speech.datasets.wait(from_url, **FAST)).succeeded

    missing = api(
        lambda c: c.custom_speech.datasets.create(
            "gone", locale="en-US", kind="Language", content_url=emulator.url + "/nothing-here"
        )
    )
    failed = api(lambda c: c.custom_speech.datasets.wait(missing, **FAST))
    assert failed.status == "Failed" and failed.properties.error is not None
    assert failed.properties.error.code == "DataImportFailed"

    not_audio = tmp_path / "notes.wav"
    not_audio.write_bytes(b"these are not samples")
    bad = api(
        lambda c: c.custom_speech.datasets.upload(
            not_audio, display_name="bad", locale="en-US", kind="AudioFiles"
        )
    )
    bad = api(lambda c: c.custom_speech.datasets.wait(bad, **FAST))
    assert bad.status == "Failed" and bad.properties.error
    assert bad.properties.error.code == "InvalidDataset"


# -- models, endpoints, recognition ---------------------------------------------------------------


def test_model_is_trained_deployed_and_its_endpoint_used_for_recognition(
    api: Api, emulator: Emulator, tmp_path: Path
) -> None:
    bases = api(lambda c: c.custom_speech.models.list_base())
    base = next(b for b in bases if b.locale == "en-US")
    assert isinstance(base, BaseSpeechModel) and base.properties.features.supports_endpoints
    assert api(lambda c: c.custom_speech.models.get_base(base.id)).display_name == base.display_name
    text = _language_file(tmp_path)
    dataset = api(
        lambda c: c.custom_speech.datasets.upload(
            text, display_name="domain text", locale="en-US", kind="Language"
        )
    )
    model = api(
        lambda c: c.custom_speech.models.create(
            base, display_name="domain", datasets=[dataset], custom_model_weight_percent=30
        )
    )
    assert isinstance(model, CustomModel) and model.locale == "en-US"
    assert model.base_model is not None and model.base_model.id == base.id
    model = api(lambda c: c.custom_speech.models.wait(model, **FAST))
    assert model.succeeded and model.properties.custom_model_weight_percent == 30

    manifest = api(lambda c: c.custom_speech.models.manifest(model, sas_lifetime_minutes=60))
    assert manifest.model.id == model.id and manifest.model_files
    base_manifest = api(lambda c: c.custom_speech.models.manifest(base))
    assert base_manifest.model.id == base.id
    assert [f.kind for f in api(lambda c: c.custom_speech.models.files(model))]

    endpoint = api(
        lambda c: c.custom_speech.endpoints.create(model, display_name="live", logging_enabled=True)
    )
    endpoint = api(lambda c: c.custom_speech.endpoints.wait(endpoint, **FAST))
    assert isinstance(endpoint, Endpoint) and endpoint.succeeded
    assert endpoint.properties.logging_enabled is True
    assert endpoint.links and endpoint.links.web_socket and endpoint.id in endpoint.links.web_socket
    quiet = api(lambda c: c.custom_speech.endpoints.update(endpoint, content_logging=False))
    assert quiet.properties.logging_enabled is False

    project = api(lambda c: c.custom_speech.projects.create("live", locale="en-US"))
    api(lambda c: c.custom_speech.models.update(model, project=project))
    api(lambda c: c.custom_speech.endpoints.update(endpoint, project=project.self_url))
    assert [m.id for m in api(lambda c: c.custom_speech.projects.models(project))] == [model.id]
    assert [e.id for e in api(lambda c: c.custom_speech.projects.endpoints(project.id))] == [
        endpoint.id
    ]
    assert api(lambda c: c.custom_speech.projects.evaluations(project)) == []
    languages = api(lambda c: c.custom_speech.datasets.list(filter="kind eq 'Language'"))
    assert [d.id for d in languages] == [dataset.id]
    assert api(lambda c: c.custom_speech.datasets.list(filter="kind eq 'Acoustic'")) == []
    assert "en-US" in api(lambda c: c.custom_speech.endpoints.locales())

    # The custom model's endpoint id plugs into real-time recognition.
    pcm, _ = phrase_audio(["Hello world."], seed=3)
    emulator.state.clear_log()
    result = api(lambda c: c.stt.recognize_once(wav(pcm), endpoint_id=endpoint.id))
    assert result.text == "Hello world."
    assert emulator.last_session.query.get("cid") == endpoint.id


def test_model_copy_goes_through_an_authorization_and_an_operation(
    api: Api, tmp_path: Path
) -> None:
    base = next(iter(api(lambda c: c.custom_speech.models.list_base(filter="locale eq 'de-DE'"))))
    assert base.locale == "de-DE"
    created = api(
        lambda c: c.custom_speech.models.create(base.self_url, locale="de-DE", display_name="plain")
    )
    model = api(lambda c: c.custom_speech.models.wait(created, **FAST))
    auth = api(lambda c: c.custom_speech.models.authorize_copy(RESOURCE))
    assert auth.source_resource_id == RESOURCE and auth.target_resource_endpoint
    op = api(lambda c: c.custom_speech.models.copy(model, auth))
    assert op.status in ("NotStarted", "Running")
    op = api(lambda c: c.custom_speech.models.wait_copy(op, **FAST))
    assert op.succeeded and op.result and op.result.link
    copied = api(lambda c: c.custom_speech.models.get(op.result.link.rsplit("/", 1)[-1]))
    assert copied.succeeded and copied.id != model.id and copied.display_name == "plain"


def test_evaluation_reports_typed_word_error_rates(api: Api, acoustic_files: list[Path]) -> None:
    dataset = api(
        lambda c: c.custom_speech.datasets.upload(
            acoustic_files, display_name="test set", locale="en-US", kind="Acoustic"
        )
    )
    base = next(b for b in api(lambda c: c.custom_speech.models.list_base()) if b.locale == "en-US")
    custom = api(
        lambda c: c.custom_speech.models.create(base, display_name="tuned", datasets=[dataset])
    )
    evaluation = api(
        lambda c: c.custom_speech.evaluations.create(
            base, custom, dataset, display_name="base vs tuned"
        )
    )
    assert evaluation.status == "NotStarted" and evaluation.word_error_rate1 is None
    evaluation = api(lambda c: c.custom_speech.evaluations.wait(evaluation, **FAST))
    assert isinstance(evaluation, Evaluation) and evaluation.succeeded
    one, two = evaluation.properties.model1, evaluation.properties.model2
    words = sum(len(s.split()) for s in SENTENCES)
    assert one.word_count == two.word_count == words and one.sentence_count == 3
    assert isinstance(one.word_error_rate, float) and isinstance(two.word_error_rate, float)
    assert 0 < two.word_error_rate < one.word_error_rate  # the adapted model does better
    assert evaluation.word_error_rate1 == one.word_error_rate
    errors = one.word_substitution_count + one.word_deletion_count + one.word_insertion_count  # type: ignore[operator]
    assert abs(errors / words - one.word_error_rate) < 1e-3
    kinds = [f.kind for f in api(lambda c: c.custom_speech.evaluations.files(evaluation))]
    assert kinds == ["EvaluationDetails"]


# -- errors ----------------------------------------------------------------------------------


def test_in_use_model_is_a_conflict_and_a_deleted_one_not_found(api: Api, tmp_path: Path) -> None:
    base = next(iter(api(lambda c: c.custom_speech.models.list_base())))
    model = api(lambda c: c.custom_speech.models.create(base, display_name="m"))
    model = api(lambda c: c.custom_speech.models.wait(model, **FAST))
    endpoint = api(lambda c: c.custom_speech.endpoints.create(model, display_name="e"))
    with pytest.raises(ConflictError) as info:
        api(lambda c: c.custom_speech.models.delete(model))
    assert info.value.status_code == 409 and info.value.code == "Conflict/InUseViolation"
    api(lambda c: c.custom_speech.endpoints.delete(endpoint))
    api(lambda c: c.custom_speech.models.delete(model))
    with pytest.raises(NotFoundError):
        api(lambda c: c.custom_speech.models.get(model))
    with pytest.raises(NotFoundError):
        api(lambda c: c.custom_speech.endpoints.wait(endpoint, **FAST))


def test_a_rate_limit_of_the_service_surfaces_with_its_retry_after(
    api: Api, emulator: Emulator
) -> None:
    emulator.faults.add(Fault("reject", path="/speechtotext/projects", status=429, retry_after=7))
    with pytest.raises(RateLimitError) as info:
        api(lambda c: c.custom_speech.projects.list())
    assert info.value.retry_after == 7


def test_bad_input_is_refused_before_sending(api: Api, emulator: Emulator, tmp_path: Path) -> None:
    text = _language_file(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    cases: list[tuple[Callable[[Any], Any], str]] = [
        (lambda c: c.custom_speech.projects.create("", locale="en-US"), "display_name"),
        (lambda c: c.custom_speech.projects.create("p", locale="english"), "locale"),
        (
            lambda c: c.custom_speech.projects.create(
                "p", locale="en-US", custom_properties={f"k{i}": "v" for i in range(11)}
            ),
            "custom_properties",
        ),
        (lambda c: c.custom_speech.projects.get("not-a-guid"), "project id"),
        (
            lambda c: c.custom_speech.projects.update("0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71"),
            "at least one",
        ),
        (
            lambda c: c.custom_speech.datasets.create(
                "d", locale="en-US", kind="Bogus", content_url="https://x/y"
            ),
            "kind",
        ),
        (
            lambda c: c.custom_speech.datasets.create(
                "d", locale="en-US", kind="Language", content_url="ftp://x/y"
            ),
            "content_url",
        ),
        (
            lambda c: c.custom_speech.datasets.upload(
                tmp_path / "missing.txt", display_name="d", locale="en-US", kind="Language"
            ),
            "files",
        ),
        (
            lambda c: c.custom_speech.datasets.upload(
                empty, display_name="d", locale="en-US", kind="Language"
            ),
            "files",
        ),
        (
            lambda c: c.custom_speech.datasets.upload(
                text, display_name="d", locale="en-US", kind="Language", block_size=0
            ),
            "block_size",
        ),
        (
            lambda c: c.custom_speech.datasets.files(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71", sas_lifetime_minutes=0
            ),
            "sas_lifetime_minutes",
        ),
        (lambda c: c.custom_speech.datasets.list(skip=-1), "skip"),
        (
            lambda c: c.custom_speech.models.create(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71", display_name="m"
            ),
            "locale",
        ),
        (
            lambda c: c.custom_speech.models.create(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71",
                display_name="m",
                locale="en-US",
                custom_model_weight_percent=0,
            ),
            "custom_model_weight_percent",
        ),
        (
            lambda c: c.custom_speech.models.create("bogus", display_name="m", locale="en-US"),
            "base_model",
        ),
        (lambda c: c.custom_speech.models.authorize_copy("my-resource"), "source_resource_id"),
        (
            lambda c: c.custom_speech.models.copy(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71", {"id": "x"}
            ),
            "authorization",
        ),
        (
            lambda c: c.custom_speech.endpoints.create(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71",
                display_name="e",
                locale="en-US",
                logging_enabled="yes",
            ),
            "logging_enabled",
        ),
        (
            lambda c: c.custom_speech.evaluations.create(
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71",
                "0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c72",
                "nope",
                display_name="e",
                locale="en-US",
            ),
            "dataset",
        ),
    ]
    emulator.state.clear_log()
    for call, field in cases:
        with pytest.raises(InvalidRequestError, match=field):
            api(call)
    assert _custom_speech_requests(emulator) == []  # nothing was sent


def test_the_emulator_refuses_bodies_the_spec_does_not_allow(api: Api, emulator: Emulator) -> None:
    with pytest.raises(InvalidRequestError) as info:
        api(
            lambda c: c.custom_speech.projects.create(
                "p", locale="en-US", extra_body={"colour": "blue"}
            )
        )
    assert info.value.status_code == 400 and "colour" in str(info.value)
    assert info.value.code == "InvalidArgument/InvalidPayload"
    url = f"{emulator.url}/speechtotext/datasets?api-version=2025-10-15"
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}
    missing = httpx.post(url, json={"displayName": "d", "locale": "en-US"}, headers=headers)
    assert missing.status_code == 400 and "kind is required" in missing.json()["message"]
    no_version = httpx.get(f"{emulator.url}/speechtotext/datasets", headers=headers)
    assert no_version.status_code == 400
    unknown_base = f"{emulator.url}/speechtotext/models/base/0f6ad7e2-52f6-4bda-8b2e-6c5a4c4e8c71"
    with pytest.raises(InvalidRequestError) as info:  # a base model that does not exist
        api(lambda c: c.custom_speech.models.create(unknown_base, display_name="m", locale="en-US"))
    assert info.value.code == "InvalidArgument/InvalidBaseModel"


def test_a_failed_upload_leaves_no_half_made_dataset(
    api: Api, emulator: Emulator, acoustic_files: list[Path]
) -> None:
    fault = emulator.faults.add(
        Fault("reject", path=r"/datasets/[^/]+/blocks$", status=500, times=1)
    )
    with pytest.raises(ServiceError):
        api(
            lambda c: c.custom_speech.datasets.upload(
                acoustic_files, display_name="broken", locale="en-US", kind="Acoustic"
            )
        )
    assert fault.used == 1
    assert api(lambda c: c.custom_speech.datasets.list()) == []
    deletes = [r for r in emulator.requests if r.method == "DELETE" and "/datasets/" in r.path]
    assert len(deletes) == 1 and deletes[0].status == 204


def test_a_model_trained_on_a_failed_dataset_fails_with_failed_dataset(
    api: Api, emulator: Emulator
) -> None:
    dataset = api(
        lambda c: c.custom_speech.datasets.create(
            "unreachable", locale="en-US", kind="Language", content_url=emulator.url + "/none"
        )
    )
    base = next(b for b in api(lambda c: c.custom_speech.models.list_base()) if b.locale == "en-US")
    model = api(lambda c: c.custom_speech.models.create(base, display_name="m", datasets=[dataset]))
    model = api(lambda c: c.custom_speech.models.wait(model, **FAST))
    assert model.status == "Failed" and model.properties.error is not None
    assert model.properties.error.code == "FailedDataset"
    with pytest.raises(InvalidRequestError) as info:  # a failed model cannot be deployed
        api(lambda c: c.custom_speech.endpoints.create(model, display_name="e"))
    assert info.value.code == "InvalidArgument/DeployingFailedModel"


def test_the_blocking_and_async_twins_have_the_same_calls() -> None:
    from azspeech import custom_speech as cs
    from azspeech.llm import AsyncLlmSpeech, LlmSpeech

    pairs = [
        (cs.Projects, cs.AsyncProjects),
        (cs.Datasets, cs.AsyncDatasets),
        (cs.Models, cs.AsyncModels),
        (cs.Endpoints, cs.AsyncEndpoints),
        (cs.Evaluations, cs.AsyncEvaluations),
        (cs.CustomSpeech, cs.AsyncCustomSpeech),
        (LlmSpeech, AsyncLlmSpeech),
    ]
    for sync, aio in pairs:
        names = {n for n in dir(sync) if not n.startswith("_")}
        assert names == {n for n in dir(aio) if not n.startswith("_")}, sync
        for name in names:
            a, b = getattr(sync, name), getattr(aio, name)
            if callable(a):
                assert list(inspect.signature(a).parameters) == list(
                    inspect.signature(b).parameters
                ), f"{sync.__name__}.{name}"
                assert inspect.getdoc(a) and inspect.getdoc(b), f"{sync.__name__}.{name}"

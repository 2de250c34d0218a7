"""Batch transcription end to end over real sockets: the client, the emulator, a storage host."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from azspeech.batch import BatchTranscription, BatchTranscriptionResult, TranscriptionFile

from ..stt._audio import phrase_audio, wav
from ._storage import Storage, Twin

if TYPE_CHECKING:
    from azspeech.emulator import Emulator

TEXTS = ["Alpha bravo charlie.", "Delta echo foxtrot."]


def _audio(texts: list[str] = TEXTS, seed: int = 0) -> bytes:
    pcm, _ = phrase_audio(texts, seed=seed)
    return wav(pcm)


def _submitted(emulator: Emulator) -> list[dict[str, object]]:
    return [r.query for r in emulator.requests if r.path == "/speechtotext/transcriptions:submit"]


def test_create_wait_results_with_words_and_captions(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    storage.blobs["one.wav"] = _audio()
    progress: list[str | None] = []
    job = twin(
        "batch.create",
        [storage.blob_url("one.wav")],
        locale="en-US",
        display_name="meeting",
        word_level_timestamps=True,
        display_form_word_level_timestamps=True,
        profanity="masked",
        punctuation="DictatedAndAutomatic",
        time_to_live_hours=12,
    )
    assert isinstance(job, BatchTranscription) and job.status == "NotStarted"
    assert job.id and job.display_name == "meeting"
    assert _submitted(emulator) == [{"api-version": "2025-10-15"}]
    done = twin(
        "batch.wait",
        job,
        poll_interval=0.05,
        timeout=30,
        on_progress=lambda j: progress.append(j.status),
    )
    assert done.succeeded and progress[-1] == "Succeeded"
    results = twin("batch.results", done)
    assert len(results) == 1
    result = results[0]
    assert isinstance(result, BatchTranscriptionResult) and result.file_name == "contenturl_0.json"
    assert [p.display for p in result.phrases] == TEXTS
    phrase = result.recognized_phrases[0]
    assert phrase.channel == 0 and phrase.n_best[0].lexical == "alpha bravo charlie"
    assert phrase.offset == timedelta(microseconds=phrase.offset_ticks // 10)
    assert phrase.offset_ticks > 0 and phrase.duration > timedelta(0)
    assert [w.text for w in phrase.words] == ["Alpha", "bravo", "charlie."]
    assert [w.word for w in phrase.n_best[0].words] == ["alpha", "bravo", "charlie"]
    assert result.combined_recognized_phrases[0].display == " ".join(TEXTS)
    assert result.duration > phrase.end
    srt = result.to_srt()
    assert srt.startswith("1\n00:00:00,") and "Alpha bravo charlie." in srt
    assert result.to_webvtt().startswith("WEBVTT")
    report = twin("batch.report", done)
    assert report is not None and report.successful_transcriptions_count == 1
    # Result files came from the storage host, and no Speech key or token went there.
    fetched = [s for s in storage.seen if s.path.startswith("/emulator/batchtranscription")]
    assert len(fetched) >= 2 and storage.credentials_seen() == []


def test_results_never_carry_the_key_even_to_the_emulator_host(
    twin: Twin, storage: Storage, emulator: Emulator, tmp_path: object
) -> None:
    emulator.state.extra.pop("batch_transcription_storage_url")  # links on the emulator itself
    storage.blobs["a.wav"] = _audio()
    job = twin("batch.wait", twin("batch.create", storage.blob_url("a.wav"), locale="en-US"),
               poll_interval=0.05, timeout=30)  # fmt: skip
    assert twin("batch.results", job)[0].text == " ".join(TEXTS)
    downloads = [r for r in emulator.requests if r.path.startswith("/emulator/batchtranscription")]
    assert downloads and all(r.status == 200 for r in downloads)
    assert all("ocp-apim-subscription-key" not in r.headers for r in downloads)


def test_container_diarization_channels_and_language_id(twin: Twin, storage: Storage) -> None:
    storage.blobs["x.wav"] = _audio(["Golf hotel india."], seed=1)
    storage.blobs["y.wav"] = _audio(["Kilo lima mike."], seed=2)
    job = twin(
        "batch.create",
        content_container_url=storage.container_url(),
        locale="en-US",
        max_speakers=3,
        channels=[0],
        language_identification=["en-US", "de-DE"],
        language_identification_mode="Continuous",
    )
    body = job.properties
    assert body.diarization and body.diarization.max_speakers == 3
    assert body.language_identification and body.language_identification.mode == "Continuous"
    done = twin("batch.wait", job, poll_interval=0.05, timeout=30)
    results = twin("batch.results", done)
    assert sorted(r.text for r in results) == ["Golf hotel india.", "Kilo lima mike."]
    for result in results:
        phrase = result.phrases[0]
        assert phrase.speaker == 1 and phrase.locale == "en-US" and phrase.channel == 0
    assert storage.credentials_seen() == []


def test_list_get_files_update_delete_with_small_pages(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    storage.blobs["a.wav"] = _audio(["Alpha."])
    emulator.state.extra["batch_transcription_max_page_size"] = 2
    jobs = [
        twin("batch.create", storage.blob_url("a.wav"), locale="en-US", display_name=f"job {i}")
        for i in range(3)
    ]
    listed = twin("batch.list", max_page_size=2)
    ids = [j.id for j in listed]
    assert all(j.id in ids for j in jobs) and len(ids) == len(set(ids))
    pages = twin.pages("batch.list", max_page_size=2)
    assert all(len(p) <= 2 for p in pages) and len(pages) >= 2
    done = twin("batch.wait", jobs[0].id, poll_interval=0.05, timeout=30)
    files = twin("batch.files", done, max_page_size=1)
    assert {f.kind for f in files} == {"Transcription", "TranscriptionReport"}
    assert all(isinstance(f, TranscriptionFile) and f.content_url for f in files)
    assert len(twin.pages("batch.files", done, max_page_size=1)) == 2
    renamed = twin("batch.update", done, display_name="renamed", custom_properties={"k": "v"})
    assert renamed.display_name == "renamed" and renamed.custom_properties == {"k": "v"}
    assert twin("batch.get", done.id).display_name == "renamed"
    for job in jobs:
        twin("batch.delete", job)
    remaining = {j.id for j in twin("batch.list")}
    assert not remaining & {j.id for j in jobs}


def test_download_writes_every_file(twin: Twin, storage: Storage, tmp_path: object) -> None:
    from pathlib import Path

    storage.blobs["a.wav"] = _audio()
    job = twin("batch.wait", twin("batch.create", storage.blob_url("a.wav"), locale="en-US"),
               poll_interval=0.05, timeout=30)  # fmt: skip
    out = twin("batch.download", job, Path(str(tmp_path)) / "out")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["contenturl_0.json", "report.json"]
    data = json.loads((out / "contenturl_0.json").read_text())
    assert data["combinedRecognizedPhrases"][0]["display"] == " ".join(TEXTS)
    assert storage.credentials_seen() == []


def test_model_reference_and_extra_body_reach_the_wire(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    storage.blobs["a.wav"] = _audio(["Alpha."])
    job = twin(
        "batch.create",
        storage.blob_url("a.wav"),
        locale="en-US",
        model="0f5a4e8c-1111-2222-3333-444455556666",
        extra_body={"properties": {"channels": [0]}},
    )
    assert job.model is not None and job.model.self_url == (
        f"{emulator.url}/speechtotext/models/0f5a4e8c-1111-2222-3333-444455556666"
        "?api-version=2025-10-15"
    )
    assert job.properties.channels == [0] and job.properties.time_to_live_hours == 48

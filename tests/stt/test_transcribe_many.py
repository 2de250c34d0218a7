"""``client.stt.transcribe_many``: bounded, resumable fast transcription of many files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.batch.manifest import ManifestError
from azspeech.batch.upload import Progress
from azspeech.emulator import Emulator
from azspeech.errors import AudioError, RateLimitError

from ..blob._files import make_wavs

FAST = "transcriptions:transcribe"


class SimulatedCrash(Exception):
    """Raised from a progress callback: the run stops at a known point."""


def _fast_requests(emulator: Emulator) -> list[object]:
    return [r for r in emulator.state.requests if r.path.endswith(FAST)]


async def test_files_are_transcribed_with_bounded_concurrency_and_written_as_they_finish(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path / "in", 6)
    events: list[Progress] = []
    out = await aclient.stt.transcribe_many(
        paths, concurrency=3, on_progress=events.append, output_dir=tmp_path / "out",
        manifest=tmp_path / "run.jsonl", locales=["en-US"],
    )  # fmt: skip
    assert [r.path for r in out] == paths and all(r.ok for r in out)
    for r in out:
        assert r.result_path == tmp_path / "out" / f"{r.path.name}.json"
        assert json.loads(r.result_path.read_text())["durationMilliseconds"] == r.result.duration_ms
    assert sorted(e.done for e in events) == [1, 2, 3, 4, 5, 6]
    assert {e.stage for e in events} == {"finished"}
    assert len(_fast_requests(emulator)) == 6
    lines = (tmp_path / "run.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["mode"] == "fast"
    assert sorted(json.loads(x)["file"] for x in lines[1:]) == sorted(map(str, paths))


async def test_a_crashed_run_resumes_without_sending_a_finished_file_again(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path / "in", 6)

    def crash_after_three(p: Progress) -> None:
        if p.done == 3:
            raise SimulatedCrash

    kwargs = dict(concurrency=1, output_dir=tmp_path / "out", manifest=tmp_path / "run.jsonl")
    with pytest.raises(SimulatedCrash):
        await aclient.stt.transcribe_many(paths, on_progress=crash_after_three, **kwargs)
    assert len(_fast_requests(emulator)) == 3
    out = await aclient.stt.transcribe_many(paths, **kwargs)
    assert len(_fast_requests(emulator)) == 6  # the three unfinished files only
    assert [r.resumed for r in out] == [True] * 3 + [False] * 3
    assert all(r.result is not None for r in out)
    assert out[0].result == (await aclient.stt.transcribe(paths[0]))


async def test_a_429_pauses_every_worker_for_its_retry_after(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path, 16)
    fault = emulator.faults.reject(429, times=1, retry_after=2, path=FAST)
    out = await aclient.stt.transcribe_many(paths, concurrency=4)
    assert fault.used == 1 and all(r.ok for r in out)
    log = _fast_requests(emulator)
    assert len(log) == 17
    (limited,) = [r for r in log if r.status == 429]
    # During the pause only the requests already in flight when the 429 came
    # (at most one per other worker) reach the service; per-worker pauses would
    # let the three other workers carry on with the remaining files.
    during = [r for r in log if limited.time < r.time < limited.time + 1.8]
    assert len(during) <= 3
    assert any(r.time >= limited.time + 1.8 for r in log)


async def test_a_rate_limit_that_does_not_end_stops_the_run(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path, 2)
    emulator.faults.reject(429, times=None, retry_after=0, path=FAST)
    with pytest.raises(RateLimitError):
        await aclient.stt.transcribe_many(paths, concurrency=2, max_rate_limit_waits=3)
    assert len(_fast_requests(emulator)) <= 8


async def test_a_file_that_is_not_audio_stops_the_run_before_any_request(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path, 3)
    (tmp_path / "readme.txt").write_text("not audio")
    with pytest.raises(AudioError, match=r"readme\.txt"):
        await aclient.stt.transcribe_many(tmp_path)
    assert _fast_requests(emulator) == []
    assert len(paths) == 3


async def test_a_file_the_service_refuses_fails_alone(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path / "in", 3)
    broken = tmp_path / "in" / "broken.wav"
    broken.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    out = await aclient.stt.transcribe_many(
        [*paths, broken], manifest=tmp_path / "m.jsonl", output_dir=tmp_path / "out"
    )
    assert [r.ok for r in out] == [True, True, True, False]
    assert out[3].error is not None and out[3].result is None
    states = [json.loads(x).get("state") for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert states.count("failed") == 1 and states.count("finished") == 3


async def test_a_manifest_of_another_run_or_a_corrupted_one_is_refused_before_any_request(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path / "in", 3)
    manifest = tmp_path / "run.jsonl"
    await aclient.stt.transcribe_many(paths[:2], manifest=manifest, output_dir=tmp_path / "a")
    sent = len(_fast_requests(emulator))
    with pytest.raises(ManifestError, match="another run"):  # another output folder
        await aclient.stt.transcribe_many(paths, manifest=manifest, output_dir=tmp_path / "b")
    with pytest.raises(ManifestError, match="not given"):  # files the run did not have
        await aclient.stt.transcribe_many(paths[2:], manifest=manifest, output_dir=tmp_path / "a")
    with pytest.raises(ManifestError, match="run"):
        await aclient.stt.transcribe_many(
            paths, manifest=manifest, output_dir=tmp_path / "a", run_id="someone-else"
        )
    manifest.write_text(manifest.read_text().replace('"state":"finished"', '"state":"eaten"', 1))
    with pytest.raises(ManifestError, match="line 2"):
        await aclient.stt.transcribe_many(paths, manifest=manifest, output_dir=tmp_path / "a")
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("{not json\n")
    with pytest.raises(ManifestError, match="corrupted"):
        await aclient.stt.transcribe_many(paths, manifest=garbage)
    assert len(_fast_requests(emulator)) == sent


async def test_a_line_cut_short_by_a_crash_is_dropped_and_its_file_done_again(
    tmp_path: Path, emulator: Emulator, aclient: AsyncSpeechClient
) -> None:
    paths = make_wavs(tmp_path / "in", 2)
    manifest = tmp_path / "run.jsonl"
    kwargs = dict(manifest=manifest, output_dir=tmp_path / "out", concurrency=1)
    await aclient.stt.transcribe_many(paths, **kwargs)
    text = manifest.read_text()
    manifest.write_text(text[: len(text) - 10])  # the last record torn mid-line
    out = await aclient.stt.transcribe_many(paths, **kwargs)
    assert [r.resumed for r in out] == [True, False]
    assert len(_fast_requests(emulator)) == 3
    assert manifest.read_text().endswith("\n")


def test_the_blocking_client_transcribes_many_too(
    tmp_path: Path, emulator: Emulator, client: SpeechClient
) -> None:
    paths = make_wavs(tmp_path, 4)
    seen: list[int] = []
    out = client.stt.transcribe_many(
        paths, concurrency=2, on_progress=lambda p: seen.append(p.done), output_dir=tmp_path / "o"
    )
    assert all(r.ok and r.result_path and r.result_path.exists() for r in out)
    assert sorted(seen) == [1, 2, 3, 4]
    assert len(_fast_requests(emulator)) == 4

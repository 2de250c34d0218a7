"""A batch run of 200 files in a subprocess, killed (SIGKILL) halfway, resumed here.

The child process uploads through the recording storage host on 127.0.0.2
and freezes after its 100th upload; the test kills it there and resumes
the run with the same manifest. At the storage host every file was uploaded
once (completed PUTs), and the emulator created each job once. The resume
runs on the blocking client.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from azspeech import SpeechClient
from azspeech.emulator import Emulator

from ._files import make_wavs
from .azurite import RecordingProxy

CHILD = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from azspeech import AsyncSpeechClient

    args = json.loads(sys.argv[1])

    def freeze_halfway(p):
        if p.stage == "uploaded" and p.done == 100:
            print("HALF", flush=True)
            time.sleep(3600)  # frozen here until killed

    async def main():
        async with AsyncSpeechClient(key=args["key"], endpoint=args["endpoint"]) as client:
            await client.batch.transcribe_files(
                args["folder"], container=args["container"], locale="en-US",
                storage_account_key=args["account_key"], manifest=args["manifest"],
                files_per_job=50, poll_interval=0.05, on_progress=freeze_halfway,
            )

    asyncio.run(main())
    """
)


def test_a_run_killed_halfway_resumes_with_nothing_uploaded_or_submitted_twice(
    tmp_path: Path,
    emulator: Emulator,
    client: SpeechClient,
    storage: RecordingProxy,
    container_name: str,
    account_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(emulator.state.extra, "batch_transcription_seconds", 0.05)
    make_wavs(tmp_path / "in", 200, samples=400)
    manifest = tmp_path / "run.jsonl"
    args = {
        "key": emulator.key, "endpoint": emulator.url, "folder": str(tmp_path / "in"),
        "container": storage.container_url(container_name), "account_key": account_key,
        "manifest": str(manifest),
    }  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "HALF"
    finally:
        child.kill()
        child.wait(timeout=30)
    uploaded_before = storage.count("PUT", "/azspeech/", succeeded=True)
    assert 100 <= uploaded_before < 200
    recorded = [json.loads(x) for x in manifest.read_text().splitlines()[1:]]
    assert {r["state"] for r in recorded} == {"uploaded"}

    run = client.batch.transcribe_files(
        tmp_path / "in", container=storage.container_url(container_name), locale="en-US",
        storage_account_key=account_key, manifest=manifest, files_per_job=50,
        poll_interval=0.05,
    )  # fmt: skip
    assert run.ok and len(run.files) == 200 and len(run.job_ids) == 4
    assert storage.count("PUT", "/azspeech/", succeeded=True) == 200
    posts = [r for r in emulator.state.requests if r.method == "POST" and "submit" in r.path]
    assert len(posts) == 4

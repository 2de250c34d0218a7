"""``python -m azspeech.emulator --workers 2``: several processes on one port.

Connections are spread over the worker processes; a token issued by one worker
opens the others; recognition works through the workers; stopping the parent stops
the workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from azspeech import SpeechClient

from .usp import tone_pcm, wav_header

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="--workers forks"
)

KEY = "workers-key"


@pytest.fixture
def served() -> object:
    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", "0", "--key", KEY,
         "--workers", "2", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "2 worker processes" in line, line
        base = line.split(" on ", 1)[1].split(" ", 1)[0]
        yield proc, base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(c) for c in f.read().split()]


def _pids_seen(base: str, tries: int = 300) -> set[int]:
    """Process ids answering /emulator/health on fresh connections (until two are seen)."""
    seen: set[int] = set()
    for _ in range(tries):
        with httpx.Client() as http:  # a new connection each time: a new source port
            seen.add(http.get(base + "/emulator/health").json()["pid"])
        if len(seen) >= 2:
            break
        time.sleep(0.01)  # a worker may still be starting
    return seen


def test_connections_spread_over_workers_and_tokens_open_every_worker(served: object) -> None:
    _proc, base = served  # type: ignore[misc]
    assert len(_pids_seen(base)) == 2
    token = httpx.post(
        base + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": KEY}
    ).text
    answered: set[int] = set()
    for _ in range(40):
        with httpx.Client() as http:
            r = http.get(
                base + "/cognitiveservices/voices/list",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 200, r.text
            answered.add(http.get(base + "/emulator/health").json()["pid"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, token + "\u00e9", "a.b.c", "x"):
        with httpx.Client() as http:
            r = http.get(
                base + "/cognitiveservices/voices/list",
                headers={"Authorization": f"Bearer {bad}".encode("latin-1")},  # type: ignore[dict-item]
            )
            assert r.status_code == 401
    for _ in range(10):
        with httpx.Client() as http:
            r = http.get(
                base + "/cognitiveservices/voices/list",
                headers={"Authorization": f"Bearer {forged}"},
            )
            assert r.status_code == 401


def test_recognition_through_workers_and_parent_stops_workers(served: object) -> None:
    proc, base = served  # type: ignore[misc]
    audio = wav_header() + tone_pcm("Hello from a worker.")
    with SpeechClient(key=KEY, endpoint=base, max_retries=0) as client:
        for _ in range(6):
            result = client.stt.recognize_once(audio, language="en-US")
            assert result.text == "Hello from a worker."
    workers = _children(proc.pid)
    assert len(workers) == 1
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or _zombie_or_gone(pid)


def _zombie_or_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True

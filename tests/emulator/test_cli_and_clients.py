"""The command line entry point, and the fixtures' SDK clients against the emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx

from azspeech.emulator import Emulator


def test_python_m_emulator_serves_and_stops() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "azspeech.emulator", "--port", "0", "--key", "cli-key",
         "--log-level", "warning"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "azspeech emulator on http://127.0.0.1:" in line
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        r = httpx.post(
            url + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": "cli-key"}
        )
        assert r.status_code == 200
        r = httpx.post(url + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": "x"})
        assert r.status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_cli_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "azspeech.emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert "--engine" in out.stdout and "--key" in out.stdout


def test_fixture_clients_are_configured(
    emulator: Emulator, client: object, aclient: object
) -> None:
    from azspeech import AsyncSpeechClient, SpeechClient

    assert isinstance(client, SpeechClient)
    assert isinstance(aclient, AsyncSpeechClient)
    assert client.endpoints.api_base == emulator.url
    token = client.issue_token()  # type: ignore[attr-defined]
    assert token.count(".") == 2


def test_log_records_sessions_and_requests(emulator: Emulator) -> None:
    httpx.post(
        emulator.url + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": emulator.key}
    )
    assert emulator.requests[-1].path == "/sts/v1.0/issueToken"
    assert emulator.requests[-1].status == 200
    emulator.reset()
    assert emulator.log == [] and emulator.requests == []


def test_container_probes(emulator: Emulator) -> None:
    assert httpx.get(emulator.url + "/ready").text == "ready"
    assert httpx.get(emulator.url + "/status").json()["apiStatus"] == "Valid"
    r = httpx.get(emulator.url + "/no/such/thing", headers={"Ocp-Apim-Subscription-Key": "x"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "404"

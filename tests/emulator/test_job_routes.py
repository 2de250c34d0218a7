"""The emulator's job-route skeleton (emulator/jobs.py): batch synthesis and avatar batch
synthesis answer create, read, list, delete and bad requests the same way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from azspeech.emulator import Emulator

SSML = "<speak version='1.0' xml:lang='en-US'><voice name='en-US-JennyNeural'>Hi.</voice></speak>"
APIS = {
    "synthesis": ("/texttospeech/batchsyntheses", "2024-04-01", {}),
    "avatar": (
        "/avatar/batchsyntheses",
        "2024-08-01",
        {"avatarConfig": {"talkingAvatarCharacter": "lisa", "talkingAvatarStyle": "graceful"}},
    ),
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # Its own emulator: the listings below see only this module's jobs.
    with Emulator() as emu:
        yield emu


@pytest.fixture(params=sorted(APIS))
def api(request: pytest.FixtureRequest) -> tuple[str, str, dict[str, Any]]:
    return APIS[request.param]


def test_jobs_are_created_read_paged_and_deleted(
    emulator: Emulator, api: tuple[str, str, dict[str, Any]]
) -> None:
    path, version, extra = api
    body = {"inputKind": "SSML", "inputs": [{"content": SSML}], **extra}
    q = {"api-version": version}
    headers = {"Ocp-Apim-Subscription-Key": emulator.key or "k"}
    with httpx.Client(base_url=emulator.url, headers=headers) as http:
        assert http.get(path, params=q).json()["value"] == []
        for job_id in ("job-a", "job-b", "job-c"):
            created = http.put(f"{path}/{job_id}", params=q, json=body)
            assert created.status_code == 201, created.text
            assert created.json()["status"] == "NotStarted"
        again = http.put(f"{path}/job-a", params=q, json=body)
        assert again.status_code == 400 and "already exists" in again.text
        assert http.get(f"{path}/job-a", params=q).json()["id"] == "job-a"

        page = http.get(path, params={**q, "maxpagesize": 2}).json()
        assert [j["id"] for j in page["value"]] == ["job-a", "job-b"]
        rest = http.get(page["nextLink"]).json()
        assert [j["id"] for j in rest["value"]] == ["job-c"] and "nextLink" not in rest

        assert http.delete(f"{path}/job-b", params=q).status_code == 204
        missing = http.get(f"{path}/job-b", params=q)
        assert missing.status_code == 404 and "job-b was not found" in missing.text
        assert http.delete(f"{path}/job-b", params=q).status_code == 404


@pytest.mark.parametrize(
    ("job_id", "body", "query", "problem"),
    [
        ("x", {"inputKind": "SSML"}, None, "The id must be"),
        ("job-1", [1], None, "JSON object"),
        ("job-1", {"inputKind": "Audio"}, None, "inputKind"),
        ("job-1", {"inputKind": "SSML"}, {}, "api-version query parameter is required"),
        ("job-1", {"inputKind": "SSML"}, {"api-version": "1999-01-01"}, "Unsupported"),
    ],
)
def test_bad_creates_are_refused_with_the_reason(
    emulator: Emulator,
    api: tuple[str, str, dict[str, Any]],
    job_id: str,
    body: Any,
    query: dict[str, str] | None,
    problem: str,
) -> None:
    path, version, _ = api
    params = {"api-version": version} if query is None else query
    headers = {"Ocp-Apim-Subscription-Key": emulator.key or "k"}
    with httpx.Client(base_url=emulator.url, headers=headers) as http:
        answer = http.put(f"{path}/{job_id}", params=params, json=body)
        assert answer.status_code == 400 and problem in answer.text
        listed = http.get(path, params={"api-version": version}).json()["value"]
        assert job_id not in [j["id"] for j in listed]

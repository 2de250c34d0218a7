"""Regression: a wait whose last poll runs out of the wait's time says the job is still running.

Under load the final poll of ``wait(timeout=...)`` gets only the wait's
remaining time; when that request timed out, the request's own TimeoutError
("no complete answer within 0.003 s") escaped instead of the wait's
("... still Running after 0.5 s"). Found through tests/test_rest_parity.py
failing now and then on a busy machine; the job core is shared by avatar jobs.
"""

from __future__ import annotations

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.errors import TimeoutError

VOICE = "en-US-AvaMultilingualNeural"


def test_sync_wait_reports_its_own_timeout_when_a_poll_times_out(
    client: SpeechClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(emulator.state.extra, "batch_avatar_seconds", 60)
    job = client.avatar.create("Hi.", character="lisa", voice=VOICE)
    emulator.faults.delay(seconds=2.0, path="/avatar/batchsyntheses/", times=5)
    with pytest.raises(TimeoutError, match="still"):
        client.avatar.wait(job, poll_interval=0.05, timeout=0.5)


async def test_async_wait_reports_its_own_timeout_when_a_poll_times_out(
    aclient: AsyncSpeechClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(emulator.state.extra, "batch_avatar_seconds", 60)
    job = await aclient.avatar.create("Hi.", character="lisa", voice=VOICE)
    emulator.faults.delay(seconds=2.0, path="/avatar/batchsyntheses/", times=5)
    with pytest.raises(TimeoutError, match="still"):
        await aclient.avatar.wait(job, poll_interval=0.05, timeout=0.5)

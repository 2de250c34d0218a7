"""Leaving a Voice Live session by an exception leaves no unretrieved task behind.

A newcomer's code that raised inside ``with client.voice_live.connect(...)`` printed, about one
run in two, "Task exception was never retrieved ... ConnectionClosedError: WebSocket closed with
code 1000" on top of their own traceback: the reader's pending ``recv()`` outlived the reader
task when it was cancelled, and failed when the socket closed, with nobody to look.
"""

from __future__ import annotations

import gc
import logging

import pytest

from azspeech import SpeechClient


class _UserError(Exception):
    pass


def test_an_exception_out_of_the_session_logs_no_lost_task_error(
    client: SpeechClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    for _ in range(8):  # the race lost about one time in two before the fix
        with pytest.raises(_UserError), client.voice_live.connect("gpt-realtime"):
            raise _UserError("the application failed")
        gc.collect()
    lost = [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]
    assert lost == []

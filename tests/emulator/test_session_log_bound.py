"""How many messages a session log keeps is the emulator state's to choose."""

from __future__ import annotations

import time

from azspeech.emulator.state import EmulatorState, LoggedMessage, SessionLog


def _message(i: int) -> LoggedMessage:
    return LoggedMessage("out", f"m{i}", {}, b"", 0, False, time.time())


def test_sessions_keep_5000_messages_unless_told_otherwise() -> None:
    state = EmulatorState()
    assert state.session_messages == SessionLog.max_messages == 5000
    log = state.new_session("stt", "/p", {}, {})
    assert log.max_messages == 5000


def test_a_smaller_bound_keeps_the_latest_messages() -> None:
    state = EmulatorState()
    state.session_messages = 20
    log = state.new_session("stt", "/p", {}, {})
    for i in range(100):
        log.add(_message(i))
    assert len(log.messages) <= 20
    assert log.messages[-1].path == "m99"
    assert [m.path for m in log.messages] == [f"m{i}" for i in range(100 - len(log.messages), 100)]

"""Closing the blocking client from a session callback ends the iteration promptly and cleanly."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from azspeech import SpeechError
from azspeech.models.stt import Recognized

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech.emulator import Emulator


@pytest.mark.parametrize("attempt", range(6))
def test_client_close_from_a_callback_ends_the_iteration(emulator: Emulator, attempt: int) -> None:
    pcm, _ = phrase_audio(["One.", "Two.", "Three."], seed=attempt)
    client = emulator.client(max_retries=0)
    got: list[str] = []
    outcome: list[object] = []

    def on_recognized(event: Recognized) -> None:
        got.append(event.text)
        client.close()

    def iterate() -> None:
        try:
            with client.stt.connect(interim_results=False, on_recognized=on_recognized) as session:
                session.send_file(wav(pcm))
                for _ in session:
                    pass
            outcome.append("ended")
        except SpeechError as exc:  # an azspeech error is a clean end too
            outcome.append(exc)
        except BaseException as exc:
            outcome.append(("unexpected", exc))

    worker = threading.Thread(target=iterate, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the iterating thread hangs"
    assert got[:1] == ["One."]
    assert len(outcome) == 1 and not isinstance(outcome[0], tuple), outcome

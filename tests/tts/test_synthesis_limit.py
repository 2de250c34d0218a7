"""synthesize() keeps a bounded amount of audio from the network."""

from __future__ import annotations

import pytest

from azspeech import ProtocolError, SpeechClient
from azspeech.tts import _async


def test_audio_beyond_the_limit_is_a_protocol_error(
    client: SpeechClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_async, "MAX_SYNTHESIS_BYTES", 10_000)
    with pytest.raises(ProtocolError, match="more than 10000 bytes"):
        client.tts.synthesize(
            "A sentence long enough to need more than ten kilobytes.", transport="websocket"
        )
    monkeypatch.setattr(_async, "MAX_SYNTHESIS_BYTES", 10_000_000)
    assert len(client.tts.synthesize("Hi.", transport="websocket").data) > 10_000

"""The real-time avatar's wire values without a socket (these run without aiortc too)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech._protocol.avatar import (
    avatar_speech_config,
    decode_description,
    encode_description,
    turn_start_answer,
)
from azspeech.avatar import AvatarScene, AvatarVideoConfig
from azspeech.errors import InvalidRequestError, ProtocolError

SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


def test_descriptions_travel_as_base64_json() -> None:
    encoded = encode_description({"type": "offer", "sdp": SDP})
    assert json.loads(base64.b64decode(encoded)) == {"type": "offer", "sdp": SDP}
    assert encode_description(SDP) == encoded
    answer = base64.b64encode(json.dumps({"type": "answer", "sdp": SDP}).encode()).decode()
    assert decode_description(answer) == {"type": "answer", "sdp": SDP}
    assert turn_start_answer({"webrtc": {"connectionString": answer}}) == answer
    assert turn_start_answer({"context": {}}) is None
    with pytest.raises(ProtocolError, match="base64"):
        decode_description("not base64!")
    with pytest.raises(ProtocolError, match="no SDP"):
        decode_description(None)
    with pytest.raises(ProtocolError, match="answer"):
        decode_description(encoded)  # an offer where an answer belongs


def test_the_video_section_has_the_javascript_sdks_keys() -> None:
    config = AvatarVideoConfig(
        "lisa",
        "casual-sitting",
        background_image="https://example.com/bg.jpg",
        crop=((600, 0), (1320, 1080)),
        photo_avatar_base_model="vasa-1",
        scene=AvatarScene(zoom=1.5),
    )
    servers = [{"urls": "turn:relay.example:3478", "username": "u", "credential": "p"}]
    video = config.video_section("b64", servers)
    assert video["protocol"] == {
        "name": "WebRTC",
        "webrtcConfig": {
            "clientDescription": "b64",
            "iceServers": [
                {"urls": ["turn:relay.example:3478"], "username": "u", "credential": "p"}
            ],
        },
    }
    assert video["format"]["crop"] == {
        "topLeft": {"x": 600, "y": 0},
        "bottomRight": {"x": 1320, "y": 1080},
    }
    talking = video["talkingAvatar"]
    assert talking["background"] == {
        "color": "#FFFFFFFF",
        "image": {"url": "https://example.com/bg.jpg"},
    }
    assert talking["photoAvatarBaseModel"] == "vasa-1" and talking["scene"]["zoom"] == 1.5
    body = avatar_speech_config(video)
    assert (
        body["context"]["synthesis"]["video"] == video
        and body["context"]["system"]["lang"] == "Python"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"resolution": (10, 10)}, "resolution"),
        ({"bitrate": 0}, "bitrate"),
        ({"crop": ((5, 5), (1, 1))}, "crop"),
        ({"background_image": "file:///x.png"}, "background_image"),
        ({"style": ""}, "style"),
    ],
)
def test_bad_video_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        AvatarVideoConfig("lisa", **options)  # type: ignore[arg-type]


def test_importing_the_avatar_does_not_import_aiortc() -> None:
    code = "import sys, azspeech.avatar, azspeech.voice_live; print('aiortc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_without_aiortc_connect_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "aiortc", None)  # import aiortc -> ImportError
    async with AsyncSpeechClient(endpoint="http://127.0.0.1:9", key="k") as aclient:
        with pytest.raises(ImportError, match=r"azspeech\[webrtc\]"):
            aclient.avatar.connect("lisa")
    with (
        SpeechClient(endpoint="http://127.0.0.1:9", key="k") as client,
        pytest.raises(ImportError, match=r"azspeech\[webrtc\]"),
    ):
        client.avatar.connect("lisa")

"""Microsoft's JavaScript Speech SDK (AvatarSynthesizer) as a referee of the real-time avatar.

The SDK runs in node against the emulator. Node has no RTCPeerConnection, so
the script gives the SDK a stand-in peer connection that hands it a real SDP
offer (made here by aiortc) and records the answer the SDK applies. What
the SDK sent (URL, ``speech.config`` video section, ``synthesis.context``,
the SSML) is checked against what azspeech sends for the same avatar.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator

from ..avatar.offers import real_offer
from .js_node import node_with

pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")
pytestmark = pytest.mark.interop

HERE = Path(__file__).parent / "js_avatar"


def _node_sdk() -> Path:
    return node_with("microsoft-cognitiveservices-speech-sdk")


def _video_section(emulator: Emulator, lang: str) -> tuple[Any, Any]:
    for log in reversed(emulator.log):
        if log.query.get("enableTalkingAvatar") != "true":
            continue
        config = log.received("speech.config")[0].json()
        if config["context"]["system"]["lang"] == lang:
            return log, config["context"]["synthesis"]["video"]
    raise AssertionError(f"no avatar socket from the {lang} SDK")


async def test_the_js_sdk_accepts_our_answer_and_sends_what_we_send(
    emulator: Emulator, tmp_path: Path
) -> None:
    node = _node_sdk()
    offer = real_offer()
    offer_file = tmp_path / "offer.json"
    offer_file.write_text(json.dumps(offer))
    script = str(HERE / "avatar_referee.js")
    run = await asyncio.to_thread(
        subprocess.run,
        [str(node), script, emulator.ws_url, emulator.key, str(offer_file)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result.get("error") is None, result
    assert result["start_reason"] == "SynthesizingAudioCompleted", result
    assert result["speak_reason"] == "SynthesizingAudioCompleted", result
    assert result["remote"]["type"] == "answer" and "m=video" in result["remote"]["sdp"]
    assert result["stopped_reason"] == "SynthesizingAudioCompleted", result

    js_log, js_video = _video_section(emulator, "JavaScript")
    assert js_log.path == "/tts/cognitiveservices/websocket/v1"
    assert js_log.query["enableTalkingAvatar"] == "true"
    sent_offer = json.loads(
        base64.b64decode(js_video["protocol"]["webrtcConfig"]["clientDescription"])
    )
    assert sent_offer == offer  # the offer envelope: base64 of JSON {type, sdp}

    # the same avatar through azspeech: the same section, key for key
    aclient = AsyncSpeechClient(endpoint=emulator.url, key=emulator.key)
    session = await aclient.avatar.session(
        "lisa",
        style="casual-sitting",
        background_color="#00FF00FF",
        crop=((600, 0), (1320, 1080)),
        ice_servers=[
            {"urls": ["turn:127.0.0.1:3478"], "username": "referee", "credential": "secret"}
        ],
    )
    async with aclient, session:
        await session.answer(offer)
    ours_log, ours = _video_section(emulator, "Python")
    assert ours_log.query["enableTalkingAvatar"] == "true"
    assert ours["protocol"] == js_video["protocol"]
    assert ours["format"] == js_video["format"]
    js_avatar = dict(js_video["talkingAvatar"])
    assert js_avatar.pop("background") == {"color": "#00FF00FF", "image": {}}
    ours_avatar = dict(ours["talkingAvatar"])
    assert ours_avatar.pop("background") == {"color": "#00FF00FF"}
    assert ours_avatar == js_avatar
    js_context = js_log.received("synthesis.context")[0].json()["synthesis"]["audio"]
    ours_context = ours_log.received("synthesis.context")[0].json()["synthesis"]["audio"]
    assert js_context["outputFormat"] == ours_context["outputFormat"]
    assert js_context["metadataOptions"]["sessionEndEnabled"] is True
    js_ssml = js_log.received("ssml")[0].text
    assert "<voice name='en-US-AvaMultilingualNeural'></voice>" in js_ssml
    # stopping: the same synthesis.control body as azspeech's stop()
    assert js_log.received("synthesis.control")[0].json() == {"action": "stop"}

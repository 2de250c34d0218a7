"""Microsoft's JavaScript Speech SDK with a real WebRTC stack as a referee of the avatar's media.

``js_avatar/avatar_webrtc_referee.js`` runs the SDK's ``AvatarSynthesizer`` in
node with ``@roamhq/wrtc`` (Google's libwebrtc) as Microsoft's avatar sample
does: relay token, peer connection, ``startAvatarAsync``, speak, stop, close.
Here we check that this independent WebRTC client connects to the emulator's
aiortc peer, receives video and audio RTP, hears the speech and gets the
avatar's data channel events. Without node or the npm packages the test
skips, except under CI (``CI`` set), where a missing package fails it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from azspeech.emulator import Emulator

from .js_node import HERE, node_with

pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")
pytestmark = [pytest.mark.interop, pytest.mark.timeout(120)]

PACKAGES = ("microsoft-cognitiveservices-speech-sdk", "@roamhq/wrtc")


def _node_with_wrtc() -> Path:
    node = node_with(*PACKAGES)
    probe = subprocess.run(
        [node, "-e", "require('@roamhq/wrtc').RTCPeerConnection"],
        cwd=HERE, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if probe.returncode != 0:
        if os.environ.get("CI"):
            raise AssertionError(f"@roamhq/wrtc does not load: {probe.stderr[-1000:]}")
        pytest.skip(f"@roamhq/wrtc does not load here: {probe.stderr[-300:]}")
    return Path(node)


def _ip(endpoint: str) -> Any:
    return ipaddress.ip_address(endpoint.rsplit(":", 1)[0])


async def _referee(emulator: Emulator) -> dict[str, Any]:
    node = _node_with_wrtc()
    run = await asyncio.to_thread(
        subprocess.run,
        [str(node), str(HERE / "avatar_webrtc_referee.js"), emulator.url, emulator.key],
        cwd=HERE, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout[-2000:], run.stderr[-2000:])
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert result.get("error") is None, result
    return result


async def test_a_libwebrtc_client_connects_and_receives_the_avatar_speaking(
    emulator: Emulator,
) -> None:
    result = await _referee(emulator)

    # the relay token as the sample reads it, then a connected peer, host to host
    assert result["relay_urls"][0].startswith("turn:127.0.0.1:")
    assert result["start_reason"] == "SynthesizingAudioCompleted", result
    assert result["connection_state"] == "connected", result
    assert result["ice_connection_state"] in ("connected", "completed"), result
    pair = result["stats_after_speak"]["pair"]
    assert pair["protocol"] == "udp" and pair["remote_type"] == "host", pair
    # no relay: both ends are this machine (127.0.0.1 when it has only loopback)
    assert _ip(pair["local"]) == _ip(pair["remote"]), pair
    assert sorted(result["tracks"]) == ["audio", "video"]

    before, after = result["stats_before_speak"], result["stats_after_speak"]
    for kind in ("video", "audio"):
        assert before[kind]["packets"] > 0 and before[kind]["bytes"] > 0, before
        assert after[kind]["packets"] > before[kind]["packets"], (before, after)
        assert after[kind]["bytes"] > before[kind]["bytes"], (before, after)
    assert after["video"]["codec"] in ("video/VP8", "video/H264"), after
    assert after["audio"]["codec"] == "audio/opus", after
    # video keeps coming while the avatar speaks, decoded into frames
    assert after["video"]["frames_decoded"] > before["video"]["frames_decoded"], (before, after)
    frames_before = result["sink_frames_before_speak"]
    frames_after = result["sink_frames_after_speak"]
    assert frames_after["video"] > frames_before["video"] > 0, result
    assert (frames_after["width"], frames_after["height"]) != (0, 0)
    # the speech is heard on the audio track (silence before it)
    assert frames_before["audio_loud"] == 0, frames_before
    assert result["loud_audio_frames_while_speaking"] > 0, result

    assert result["speak_reason"] == "SynthesizingAudioCompleted", result
    log = next(s for s in reversed(emulator.log) if s.query.get("enableTalkingAvatar") == "true")
    headers = {k.lower(): v for k, v in log.received("ssml")[1].headers.items()}
    assert result["speak_result_id"].lower() == headers["x-requestid"].lower()
    assert result["stopped_reason"] == "SynthesizingAudioCompleted", result
    assert log.received("synthesis.control")[0].json() == {"action": "stop"}


async def test_the_sample_hears_the_avatar_events_on_the_channel_the_service_opens(
    emulator: Emulator,
) -> None:
    # Microsoft's sample listens with ondatachannel only; the events used to go on the
    # client's own "eventChannel" and never reached it.
    result = await _referee(emulator)
    assert result["service_channel"] == {"label": "eventChannel", "state": "open"}, result
    events = result["events"]
    assert events[:2] == ["EVENT_TYPE_TURN_START", "EVENT_TYPE_SWITCH_TO_IDLE"], events

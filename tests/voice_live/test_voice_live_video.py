"""The avatar's video over the Voice Live WebSocket (``output_protocol="websocket"``), end to end
against the emulator: ``response.video.delta`` events, ``conn.avatar.video()`` and
``save_video()``, async and blocking; the default (WebRTC) path sends no video."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.emulator import Emulator
from azspeech.errors import InvalidRequestError
from azspeech.models import voice_live as m
from azspeech.voice_live import AvatarConfig

av = pytest.importorskip("av", reason="the emulator makes the avatar's video with PyAV ([video])")

SILENCE = b"\0" * 48_000  # one second of 24 kHz 16-bit silence: ends the user's turn
STREAMED = AvatarConfig(character="lisa", style="casual-sitting", output_protocol="websocket")


def _probe(path: Path) -> dict[str, Any]:
    """What PyAV reads in the file: stream kinds and codecs, duration, how the frames differ."""
    with av.open(str(path)) as container:
        kinds = {s.type: s.codec_context.name for s in container.streams}
        duration = container.duration / 1_000_000
        levels = [
            float(frame.to_ndarray(format="gray").mean()) for frame in container.decode(video=0)
        ]
    with av.open(str(path)) as container:
        sound = np.concatenate(
            [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
        ).astype(np.float32)
    return {"kinds": kinds, "duration": duration, "levels": levels, "sound": sound}


def _assert_playable(path: Path, audio_seconds: float) -> None:
    probe = _probe(path)
    assert probe["kinds"] == {"video": "h264", "audio": "aac"}
    assert probe["duration"] > 0
    # The same speech as the audio deltas (AAC adds a frame or two of padding).
    assert abs(probe["duration"] - audio_seconds) < 0.3, (probe["duration"], audio_seconds)
    assert len(set(probe["levels"])) > 1, "the avatar's frames do not change with the speech"
    assert float(np.abs(probe["sound"]).max()) > 0.05, "the video's sound track is silent"


async def test_async_spoken_turn_saves_the_avatars_answer_as_a_playable_mp4(
    aclient: AsyncSpeechClient, emulator: Emulator, tmp_path: Path
) -> None:
    speech = await aclient.tts.synthesize("Is it raining?")
    deltas: list[m.ResponseVideoDelta] = []
    audio_seconds = 0.0

    def on_audio(event: m.ServerEvent) -> None:
        nonlocal audio_seconds
        assert isinstance(event, m.ResponseAudioDelta)
        audio_seconds += event.audio.duration.total_seconds()

    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        conn.on("response.video.delta", deltas.append)  # type: ignore[arg-type]
        conn.on("response.audio.delta", on_audio)
        await conn.send_file(speech)
        await conn.send_audio(SILENCE)
        saved = await conn.avatar.save_video(tmp_path / "answer.mp4")
    assert saved == tmp_path / "answer.mp4"
    assert deltas and all(type(d) is m.ResponseVideoDelta for d in deltas)
    assert {(d.codec, d.output_index) for d in deltas} == {("h264", 0)}
    assert deltas[0].data[4:8] == b"ftyp" and deltas[0].raw["delta"]  # raw keeps the base64
    assert b"".join(d.data for d in deltas) == saved.read_bytes()
    _assert_playable(saved, audio_seconds)
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    update = log.received("session.update")[0].json()["session"]
    assert update["avatar"]["output_protocol"] == "websocket"
    assert "ice_servers" not in log.sent("session.updated")[0].json()["session"]["avatar"]


async def test_async_video_yields_the_chunks_and_a_late_reader_gets_the_whole_response(
    aclient: AsyncSpeechClient, tmp_path: Path
) -> None:
    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        assert conn.avatar.streams_video
        await conn.send_text("Tell me about the weather.")
        async for event in conn:  # the whole response has arrived before anyone reads the video
            if isinstance(event, m.ResponseDone):
                break
        chunks = [chunk async for chunk in conn.avatar.video(timeout=30)]
        await conn.send_text("And tomorrow?")
        second = [chunk async for chunk in conn.avatar.video(timeout=30)]
    assert chunks[0][4:8] == b"ftyp" and len(chunks) > 2
    assert second[0][4:8] == b"ftyp" and second != chunks
    (tmp_path / "first.mp4").write_bytes(b"".join(chunks))
    assert _probe(tmp_path / "first.mp4")["kinds"] == {"video": "h264", "audio": "aac"}


def test_blocking_video_and_save_video(client: SpeechClient, tmp_path: Path) -> None:
    with client.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        assert conn.avatar.streams_video
        conn.send_text("Good morning.")
        chunks = list(conn.avatar.video())
        conn.send_text("Good evening.")
        saved = conn.avatar.save_video(tmp_path / "evening.mp4")
    (tmp_path / "morning.mp4").write_bytes(b"".join(chunks))
    for path in (tmp_path / "morning.mp4", saved):
        probe = _probe(path)
        assert probe["kinds"] == {"video": "h264", "audio": "aac"} and probe["duration"] > 0.5


async def test_the_default_webrtc_avatar_sends_no_video_deltas(
    aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    seen: list[str] = []
    async with aclient.voice_live.connect(
        "gpt-realtime", avatar=AvatarConfig(character="lisa", style="casual-sitting")
    ) as conn:
        await conn.send_text("Hello.")
        async for event in conn:
            seen.append(event.type)
            if isinstance(event, m.ResponseDone):
                break
        assert not conn.avatar.streams_video
        with pytest.raises(InvalidRequestError, match="WebRTC"):
            conn.avatar.video()
    assert "response.audio.delta" in seen and "response.video.delta" not in seen
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    assert not log.sent("response.video.delta")
    assert log.sent("session.updated")[0].json()["session"]["avatar"]["ice_servers"]


async def test_video_needs_an_avatar_and_a_streamed_avatar_has_no_webrtc_answer(
    aclient: AsyncSpeechClient, emulator: Emulator, tmp_path: Path
) -> None:
    async with aclient.voice_live.connect("gpt-realtime") as conn:
        with pytest.raises(InvalidRequestError, match="no avatar"):
            conn.avatar.video()
        with pytest.raises(InvalidRequestError, match="no avatar"):
            await conn.avatar.save_video(tmp_path / "x.mp4")
    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        async for event in conn:
            if isinstance(event, m.SessionUpdated):
                break
        with pytest.raises(InvalidRequestError, match="over the WebSocket"):
            await conn.avatar.answer({"type": "offer", "sdp": "v=0\r\n"})
        # Sent anyway (send_event), the emulator refuses it as the service would.
        errors: list[m.ServerEvent] = []
        conn.on("error", errors.append)
        await conn.send_event("session.avatar.connect", client_sdp="e30=")
        async for event in conn:
            if isinstance(event, m.ErrorEvent):
                break
    assert "response.video.delta" in errors[0].error.message  # type: ignore[attr-defined]
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("avatar", "problem"),
    [
        (dict(video={"codec": "vp9"}), "codec must be 'h264'"),
        (dict(video={"gop_size": 0}), "gop_size must be 1 to 2000"),
        (dict(video={"bitrate": -1}), "bitrate must be a positive"),
        (dict(video={"resolution": {"width": 0, "height": 180}}), "positive width and height"),
        (dict(video={"background": {"color": "#fff", "image_url": "https://x/y.png"}}), "not both"),
        (dict(type="photo-avatar"), "model='vasa-1'"),
        (dict(character=" "), "character must not be empty"),
    ],
)
def test_avatar_configurations_the_service_refuses_are_refused_before_sending(
    client: SpeechClient, avatar: dict[str, Any], problem: str
) -> None:
    fields = {"character": "lisa", "output_protocol": "websocket", **avatar}
    with pytest.raises(ValueError, match=problem):
        AvatarConfig(**fields)
    with pytest.raises(InvalidRequestError, match=problem):
        client.voice_live.connect("gpt-realtime", avatar=fields)  # the wire object


async def test_without_pyav_the_emulator_refuses_the_streamed_avatar_naming_the_extra(
    aclient: AsyncSpeechClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # ``import av`` now fails, as when not installed
    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        async for event in conn:
            if isinstance(event, (m.ErrorEvent, m.SessionUpdated)):
                break
    assert isinstance(event, m.ErrorEvent)
    assert "azspeech[video]" in event.error.message and "PyAV" in event.error.message


async def test_a_cancelled_answer_leaves_a_playable_beginning_and_no_more_video(
    aclient: AsyncSpeechClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The agent's audio is paced only so that there is time to cancel mid-answer.
    monkeypatch.setitem(emulator.state.extra, "voice_live_chunk_delay", 0.2)
    long = "Tell me everything about the weather in Paris, London, Madrid and Rome this week."
    async with aclient.voice_live.connect("gpt-realtime", avatar=STREAMED) as conn:
        saving = asyncio.ensure_future(conn.avatar.save_video(tmp_path / "cut.mp4"))
        await conn.send_text(long)
        video = 0
        async for event in conn:
            if isinstance(event, m.ResponseVideoDelta):
                video += 1
                if video == 2:  # the initialisation segment and a first fragment
                    await conn.cancel()
            elif isinstance(event, m.ResponseDone):
                assert event.status == "cancelled"
                break
        saved = await saving
    probe = _probe(saved)
    assert probe["kinds"] == {"video": "h264", "audio": "aac"} and probe["duration"] > 0
    log = [s for s in emulator.log if s.kind == "voice_live"][-1]
    kinds = [message.path for message in log.sent()]
    done = kinds.index("response.done")
    assert "response.video.delta" not in kinds[done:]
    assert kinds[:done].count("response.video.delta") < len(fragments_of(long))


def fragments_of(text: str) -> list[bytes]:
    """The pieces of the whole answer's video, as the emulator makes them."""
    from azspeech.emulator.avatar_fmp4 import fragmented_mp4
    from azspeech.emulator.tts_render import render_text

    rendered = render_text(f"You said: {text}", 24000)
    return fragmented_mp4(rendered.samples, 24000, {})

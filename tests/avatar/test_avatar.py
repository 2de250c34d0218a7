"""Avatar batch synthesis and the relay token, over real sockets against the emulator."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.avatar import AvatarBatchSynthesis, RelayToken
from azspeech.emulator import Emulator
from azspeech.errors import AuthenticationError, InvalidRequestError

av = pytest.importorskip("av", reason="the emulator makes avatar videos with PyAV ([video] extra)")

VOICE = "en-US-AvaMultilingualNeural"


def test_create_wait_download_video_and_subtitles(
    client: SpeechClient, emulator: Emulator, tmp_path: Path
) -> None:
    progress: list[str | None] = []
    job_id = "avatar-" + uuid.uuid4().hex[:8]
    job = client.avatar.create(
        "Hello from the avatar.",
        character="lisa",
        style="casual-sitting",
        voice=VOICE,
        video_codec="h264",
        bitrate_kbps=800,
        background_color="#00FF00FF",
        crop=((600, 0), (1320, 1080)),
        subtitle_type="external_file",
        id=job_id,
    )
    assert isinstance(job, AvatarBatchSynthesis) and job.id == job_id
    assert job.avatar_config is not None and job.avatar_config.character == "lisa"
    put = [r for r in emulator.requests if r.method == "PUT"][-1]
    assert put.query["api-version"] == "2024-08-01"
    done = client.avatar.wait(
        job, poll_interval=0.05, timeout=60, on_progress=lambda j: progress.append(j.status)
    )
    assert done.succeeded and progress[-1] == "Succeeded"
    video = client.avatar.download(done, tmp_path / "avatar.mp4")
    with av.open(str(video)) as container:
        kinds = sorted((s.type, s.codec_context.name) for s in container.streams)
        frames = sum(1 for _ in container.decode(video=0))
    assert kinds == [("audio", "aac"), ("video", "h264")]
    assert frames >= 10
    subtitles = client.avatar.download_subtitles(done, tmp_path / "avatar.vtt").read_text()
    assert subtitles.startswith("WEBVTT") and "avatar" in subtitles
    downloads = [r for r in emulator.requests if f"/emulator/avatar/results/{job_id}/" in r.path]
    assert len(downloads) == 2
    for request in downloads:  # the SAS host never sees the key
        assert "ocp-apim-subscription-key" not in {k.lower() for k in request.headers}
        assert request.status == 200


async def test_async_list_get_delete_and_webm(aclient: AsyncSpeechClient, tmp_path: Path) -> None:
    ssml = (
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' xml:lang='en-US'>"
        f"<voice name='{VOICE}'>Web video.</voice></speak>"
    )
    tag = uuid.uuid4().hex[:8]
    first = await aclient.avatar.create(ssml, character="lisa", video_format="webm", id=f"a-{tag}")
    second = await aclient.avatar.create("Two.", character="harry", voice=VOICE, id=f"b-{tag}")
    pages = [[j.id for j in page] async for page in aclient.avatar.list(max_page_size=1).by_page()]
    assert all(len(page) == 1 for page in pages)
    ids = [page[0] for page in pages]
    assert ids.index(f"a-{tag}") < ids.index(f"b-{tag}")
    done = await aclient.avatar.wait(first, poll_interval=0.05, timeout=60)
    assert done.succeeded and done.input_kind == "SSML"
    path = await aclient.avatar.download(done, tmp_path / "a.webm")
    with av.open(str(path)) as container:
        assert sorted(s.codec_context.name for s in container.streams) == ["opus", "vp9"]
    with pytest.raises(InvalidRequestError, match="subtitle"):
        await aclient.avatar.download_subtitles(done, tmp_path / "none.vtt")
    await aclient.avatar.delete(second)
    left = [j.id async for j in aclient.avatar.list()]
    assert f"a-{tag}" in left and f"b-{tag}" not in left


def test_a_failed_job_reports_the_service_error(client: SpeechClient) -> None:
    job = client.avatar.create("Hi.", character="lisa", voice="en-US-NobodyNeural")
    done = client.avatar.wait(job, poll_interval=0.05, timeout=60)
    assert done.status == "Failed"
    assert done.properties.error is not None and "NobodyNeural" in str(
        done.properties.error.message
    )
    with pytest.raises(InvalidRequestError, match="only a succeeded job"):
        client.avatar.download(done, "never.mp4")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"video_format": "avi"}, "video_format"),
        ({"video_format": "webm", "video_codec": "h264"}, "does not go in webm"),
        ({"background_color": "green"}, "background_color"),
        ({"background_color": "#00FF00", "background_image": "https://x/y.png"}, "not both"),
        ({"crop": ((10, 10), (5, 20))}, "left < right"),
        ({"subtitle_type": "burned"}, "subtitle_type"),
        ({"bitrate_kbps": 0}, "bitrate_kbps"),
        ({"character": ""}, "character"),
    ],
)
def test_bad_options_fail_before_sending(
    client: SpeechClient, emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"character": "lisa", "voice": VOICE, **kwargs}
    with pytest.raises(InvalidRequestError, match=message):
        client.avatar.create("Hi.", **args)
    assert not [r for r in emulator.requests if r.path.startswith("/avatar/")]


def test_the_emulator_validates_bodies_against_the_schema(client: SpeechClient) -> None:
    # extra_body is merged into the checked body: here it blanks the character out.
    blank = {"avatarConfig": {"talkingAvatarCharacter": " "}}
    with pytest.raises(InvalidRequestError, match="talkingAvatarCharacter") as caught:
        client.avatar.create("Hi.", character="lisa", voice=VOICE, extra_body=blank)
    assert caught.value.status_code == 400


async def test_relay_token_sync_and_async(
    client: SpeechClient, aclient: AsyncSpeechClient, emulator: Emulator
) -> None:
    token = client.avatar.relay_token()
    assert isinstance(token, RelayToken) and token.username.startswith("emulator-")
    servers = token.ice_servers()
    assert servers[0].urls == [u for u in token.urls if u.startswith("turn:")]
    assert token.password not in repr(token) and token.password not in repr(servers)
    again = await aclient.avatar.relay_token()
    assert again.urls == token.urls
    request = [r for r in emulator.requests if r.path.endswith("/relay/token/v1")][-1]
    assert request.headers.get("ocp-apim-subscription-key") == emulator.key


async def test_relay_token_with_a_wrong_key(emulator: Emulator) -> None:
    async with AsyncSpeechClient(key="nope", endpoint=emulator.url, max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.avatar.relay_token()

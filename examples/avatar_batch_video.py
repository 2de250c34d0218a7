"""An avatar video in batch: text in, an MP4 of a talking avatar and its subtitles out.

    python examples/avatar_batch_video.py [--out DIR] [TEXT]

Without configuration it starts the bundled emulator, which renders a small
real video of its tone speech (needs PyAV: ``pip install 'azspeech[video]'``).
With ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION`` (or
``AZURE_SPEECH_ENDPOINT``) set it asks Azure for the avatar video.

The job is created, followed with its progress, the video and its WebVTT
subtitles are saved in DIR (default ``./avatar_output``), and the job is
deleted on the service afterwards, whatever happened.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from azspeech import SpeechClient
from azspeech.models.avatar import AvatarBatchSynthesis

TEXT = "Hello, I am your avatar. This video was made in batch."


@contextlib.contextmanager
def speech_service() -> Iterator[SpeechClient]:
    """Azure when configured, otherwise the bundled emulator."""
    if os.environ.get("AZURE_SPEECH_KEY"):
        with SpeechClient() as client:
            yield client
        return
    from azspeech.emulator import Emulator

    with Emulator() as emulator, emulator.client() as client:
        yield client


def progress(job: AvatarBatchSynthesis) -> None:
    print(f"  {job.status}")


def make_video(client: SpeechClient, text: str, out: Path) -> int:
    """Create, wait, download, delete; returns the exit status."""
    job = client.avatar.create(
        text,
        character="lisa",
        style="casual-sitting",
        voice="en-US-AvaMultilingualNeural",
        video_format="mp4",
        video_codec="h264",
        background_color="#FFFFFFFF",
        subtitle_type="external_file",
    )
    print(f"avatar job {job.id} created")
    try:
        job = client.avatar.wait(job, poll_interval=1.0, timeout=1800, on_progress=progress)
        if not job.succeeded:
            print(f"the avatar video failed: {job.properties.error}", file=sys.stderr)
            return 1
        video = client.avatar.download(job, out / "avatar.mp4")
        subtitles = client.avatar.download_subtitles(job, out / "avatar.vtt")
        print(f"saved {video} ({video.stat().st_size} bytes) and {subtitles}")
        return 0
    finally:
        client.avatar.delete(job)
        print(f"avatar job {job.id} deleted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("text", nargs="?", default=TEXT, help="what the avatar says")
    parser.add_argument("--out", type=Path, default=Path("avatar_output"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with speech_service() as client:
        return make_video(client, args.text, args.out)


if __name__ == "__main__":
    sys.exit(main())

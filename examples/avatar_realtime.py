"""A real-time talking avatar received in Python (aiortc): speak, save a few frames as PNG.

    pip install 'azspeech[webrtc,emulator]'
    python examples/avatar_realtime.py [OUT_DIR] [--service]

By default it runs against the bundled emulator (its avatar is a drawn face
whose mouth opens with the speech); with ``--service`` it uses the Speech
resource named by ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION`` (or
``AZURE_SPEECH_ENDPOINT``). It prints how long the first speech took to
arrive after ``speak()`` and saves three video frames taken while the avatar
speaks, then closes everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from azspeech import AsyncSpeechClient
from azspeech.emulator import Emulator

TEXT = "Hello! I am a real-time avatar, speaking to you over WebRTC."


def save_png(rgb: np.ndarray[Any, Any], path: Path) -> None:
    """Write an RGB image as a PNG (no imaging library needed)."""
    height, width, _ = rgb.shape
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)


async def talk(client: AsyncSpeechClient, out: Path) -> list[Path]:
    async with client.avatar.connect("lisa", style="casual-sitting") as avatar:
        first = await avatar.next_video_frame()
        print(f"connected: video {first.width}x{first.height}")
        avatar.drop_frames()
        started = time.monotonic()
        speaking = asyncio.ensure_future(avatar.speak(TEXT))
        for _ in range(500):  # 10 s of 20 ms audio frames at most
            pcm = (await avatar.next_audio_frame()).to_ndarray()
            if np.abs(pcm).max() > 1000:
                print(f"first speech {1000 * (time.monotonic() - started):.0f} ms after speak()")
                break
        saved: list[Path] = []
        n = 0
        async for frame in avatar.frames("video"):
            n += 1
            if n % 5 == 0:
                path = out / f"avatar-{len(saved) + 1}.png"
                save_png(frame.to_ndarray(format="rgb24"), path)
                saved.append(path)
            if len(saved) == 3:
                break
        spoken = await speaking
        print(
            f"spoke {spoken.duration or 0:.2f} s of audio; saved {', '.join(p.name for p in saved)}"
        )
        return saved


async def main(out: Path, service: bool) -> None:
    with contextlib.ExitStack() as stack:
        if service:
            client = AsyncSpeechClient()  # from AZURE_SPEECH_* in the environment
        else:
            emulator = stack.enter_context(Emulator())
            client = AsyncSpeechClient(endpoint=emulator.url, key=emulator.key)
        async with client:
            await talk(client, out)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    target = Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="avatar-"))
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target, "--service" in sys.argv))
    print("frames in", target)

"""The avatar's video over the Voice Live WebSocket, in the emulator (``output_protocol:
"websocket"``).

Each spoken reply becomes a small fragmented MP4 (H.264 + AAC): the avatar
batch synthesis's video of the reply audio (320x180, the configured
background, a block whose height follows the loudness, the reply's speech as
its sound track: the batch job's encoder)
remuxed into an initialisation segment (``ftyp`` + ``moov``) and
half-second fragments (``moof`` + ``mdat``). :class:`VideoDeltas` sends them
as ``response.video.delta`` events beside the reply's audio deltas, the
initialisation segment first; concatenated they are a playable file. The
video is encoded while the audio goes out; a cancelled response sends no
more of it.

PyAV (the ``video`` extra) makes the video; without it the emulator refuses
such a session (:func:`video_problem`).
"""

from __future__ import annotations

import asyncio
import base64
import io
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["CODEC", "VideoDeltas", "fragmented_mp4", "streams_video", "video_problem"]

CODEC = "h264"
_FRAGMENT_US = 500_000
_VIDEO_RATE = 24000  # the rate the batch avatar's video encoder takes its speech at
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$")
_NO_PYAV = (
    "The emulator needs PyAV to send the avatar's video over the WebSocket "
    "(output_protocol 'websocket'): pip install 'azspeech[video]'."
)

Send = Callable[..., Awaitable[None]]


def streams_video(session: Mapping[str, Any]) -> bool:
    """Whether a ``session`` object's avatar sends its video over the WebSocket."""
    avatar = session.get("avatar")
    return isinstance(avatar, Mapping) and avatar.get("output_protocol") == "websocket"


def video_problem(session: Mapping[str, Any]) -> str | None:
    """Why the emulator cannot serve this session's avatar video, if it cannot."""
    if not streams_video(session):
        return None
    try:
        import av  # noqa: F401
    except ImportError:
        return _NO_PYAV
    return None


def _background(avatar: Mapping[str, Any]) -> str:
    video = avatar.get("video")
    background = video.get("background") if isinstance(video, Mapping) else None
    color = background.get("color") if isinstance(background, Mapping) else None
    return color if isinstance(color, str) and _COLOR.match(color) else "#FFFFFFFF"


def _boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The top-level MP4 boxes of *data* as (type, bytes)."""
    out, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if size < 8:  # 0 (to the end) or 1 (64-bit size): PyAV writes neither here
            size = len(data) - at
        out.append((data[at + 4 : at + 8], data[at : at + size]))
        at += size
    return out


def fragmented_mp4(
    samples: np.ndarray[Any, Any], rate: int, avatar: Mapping[str, Any]
) -> list[bytes]:
    """The avatar speaking float32 mono *samples* (at *rate*) as fragmented MP4 pieces.

    The first piece is the initialisation segment, each other a fragment.

    Raises:
        ImportError: PyAV is not installed.
    """
    import av

    from .batch_avatar import _video as batch_video

    if rate != _VIDEO_RATE and len(samples):
        positions = np.arange(round(len(samples) * _VIDEO_RATE / rate)) * (rate / _VIDEO_RATE)
        samples = np.interp(positions, np.arange(len(samples)), samples)
    plain = batch_video(
        np.asarray(samples, dtype=np.float32),
        {"videoFormat": "mp4", "backgroundColor": _background(avatar)},
    )
    out = io.BytesIO()
    flags = "empty_moov+default_base_moof+frag_keyframe+skip_trailer"
    options = {"movflags": flags, "frag_duration": str(_FRAGMENT_US)}
    with (
        av.open(io.BytesIO(plain)) as source,
        av.open(out, mode="w", format="mp4", options=options) as target,
    ):
        streams = {s.index: target.add_stream_from_template(s) for s in source.streams}
        for packet in source.demux():
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.stream = streams[packet.stream.index]
            target.mux(packet)
    pieces: list[bytes] = []
    init = b""
    for kind, box in _boxes(out.getvalue()):
        if kind in (b"ftyp", b"moov"):
            init += box
        elif kind == b"moof":
            pieces.append(box)
        elif pieces:  # mdat (or anything else) goes with the fragment it follows
            pieces[-1] += box
    return [init, *pieces]


class VideoDeltas:
    """The video deltas of one reply, sent along with its audio chunks.

    The video is encoded in a worker thread while the audio goes out (the
    first audio does not wait for it); its pieces follow, spread over the
    audio chunks still to come, and :meth:`send_rest` waits for the rest.
    """

    def __init__(self, job: asyncio.Future[list[bytes]] | None, audio_chunks: int) -> None:
        self._job = job
        self._chunks = max(1, audio_chunks)
        self._sent = 0
        if job is not None:  # a cancelled reply never reads it: its failure is not news
            job.add_done_callback(lambda done: done.cancelled() or done.exception())

    @classmethod
    def for_reply(
        cls, session: Mapping[str, Any], samples: np.ndarray[Any, Any], rate: int, chunks: int
    ) -> VideoDeltas:
        """Start the reply's video if the session's avatar streams over the WebSocket."""
        if not streams_video(session):
            return cls(None, chunks)
        job = asyncio.ensure_future(
            asyncio.to_thread(fragmented_mp4, samples, rate, session["avatar"])
        )
        return cls(job, chunks)

    async def send_due(self, send: Send, chunk: int) -> None:
        """Send the pieces due before audio chunk number *chunk*, if the video is ready."""
        if self._job is None or not self._job.done():
            return
        pieces = self._job.result()
        due = -(-len(pieces) * (chunk + 1) // self._chunks)  # the first piece goes first
        await self._send_until(send, pieces, min(due, len(pieces)))

    async def send_rest(self, send: Send) -> None:
        """Send what is left (the reply was spoken to its end), waiting for the video."""
        if self._job is not None:
            pieces = await self._job
            await self._send_until(send, pieces, len(pieces))

    async def _send_until(self, send: Send, pieces: list[bytes], end: int) -> None:
        while self._sent < end:
            piece = pieces[self._sent]
            self._sent += 1
            delta = base64.b64encode(piece).decode("ascii")
            await send("response.video.delta", output_index=0, codec=CODEC, delta=delta)

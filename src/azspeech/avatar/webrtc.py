"""The real-time avatar's WebRTC connection in Python, with aiortc (the ``[webrtc]`` extra).

:func:`open_peer` makes the peer connection the service expects (a video and
an audio transceiver, ``sendrecv`` as Microsoft's samples offer them, and the
``eventChannel`` data channel), gathers its ICE candidates, hands the offer to
an exchange (the synthesis socket's :meth:`AsyncAvatarSession.answer` or Voice
Live's ``session.avatar.connect``) and applies the answer.
:class:`AvatarPeer` then holds the received tracks: each is read by a tap that
keeps the newest frames (older ones are dropped when nobody reads), so a
long session does not pile up frames in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from ..errors import ConnectionError, InvalidRequestError, TimeoutError

__all__ = ["AvatarPeer", "FrameTap", "open_peer", "require_webrtc"]

#: How many received frames a track keeps for a reader that is behind.
FRAME_BUFFER = 120


def require_webrtc() -> Any:
    """Import aiortc or raise an ImportError that says how to install it."""
    try:
        import aiortc
    except ImportError as exc:
        raise ImportError(
            "the avatar's WebRTC connection in Python needs aiortc: "
            "pip install 'azspeech[webrtc]' (or use client.avatar.session() with a browser)"
        ) from exc
    return aiortc


class FrameTap:
    """Reads one received track into a bounded buffer; :meth:`next` waits for a frame."""

    def __init__(self, track: Any, size: int = FRAME_BUFFER) -> None:
        self.track = track
        self.kind: str = track.kind
        self._frames: deque[Any] = deque(maxlen=size)
        self._ready = asyncio.Event()
        self.received = 0
        self.ended = False
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                frame = await self.track.recv()
                self._frames.append(frame)
                self.received += 1
                self._ready.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # MediaStreamError: the track ended
            self.ended = True
            self._ready.set()

    async def next(self, timeout: float | None = None) -> Any:
        """The oldest buffered frame, waiting up to *timeout* seconds for one.

        Raises:
            TimeoutError: no frame within *timeout*.
            ConnectionError: the track ended.
        """
        while not self._frames:
            if self.ended:
                raise ConnectionError(f"the avatar's {self.kind} track ended")
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no {self.kind} frame within {timeout:g} s") from None
        return self._frames.popleft()

    def drop(self) -> None:
        """Forget the buffered frames (e.g. before waiting for the frames of a new speak())."""
        self._frames.clear()

    async def close(self) -> None:
        """Stop reading the track."""
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


class AvatarPeer:
    """The aiortc peer connection of a real-time avatar, with its received tracks."""

    def __init__(self, pc: Any) -> None:
        self.pc = pc
        self.taps: dict[str, FrameTap] = {}
        self.events: deque[dict[str, Any]] = deque(maxlen=256)
        self.on_event: Callable[[dict[str, Any]], Any] | None = None
        self._relay: Any = None

    @property
    def video_track(self) -> Any:
        """The received video track (aiortc ``MediaStreamTrack``), or None before the answer."""
        tap = self.taps.get("video")
        return tap.track if tap else None

    @property
    def audio_track(self) -> Any:
        """The received audio track, or None before the answer."""
        tap = self.taps.get("audio")
        return tap.track if tap else None

    def subscribe(self, kind: str) -> Any:
        """A new copy of the received *kind* track (``"video"``/``"audio"``), e.g. for a
        ``MediaRecorder``; the connection's own frame buffer keeps working."""
        tap = self.taps.get(kind)
        if tap is None:
            raise InvalidRequestError(f"no {kind!r} track was received")
        if self._relay is None:
            from aiortc.contrib.media import MediaRelay

            self._relay = MediaRelay()
        return self._relay.subscribe(tap.track)

    def _tap(self, kind: str) -> FrameTap:
        tap = self.taps.get(kind)
        if tap is None:
            raise ConnectionError(f"the service sent no {kind} track")
        return tap

    async def next_video_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received video frame (PyAV ``VideoFrame``; ``.to_ndarray(format="rgb24")``)."""
        return await self._tap("video").next(timeout)

    async def next_audio_frame(self, timeout: float | None = 10.0) -> Any:
        """The next received audio frame (a PyAV ``AudioFrame``, 48 kHz)."""
        return await self._tap("audio").next(timeout)

    async def frames(
        self, kind: str = "video", *, timeout: float | None = 10.0
    ) -> AsyncIterator[Any]:
        """Iterate the received frames of *kind* until the track ends."""
        tap = self._tap(kind)
        while True:
            try:
                yield await tap.next(timeout)
            except ConnectionError:
                return

    def _event(self, message: Any) -> None:
        try:
            event = json.loads(message) if isinstance(message, str) else None
        except ValueError:
            event = None
        if not isinstance(event, dict):
            return
        self.events.append(event)
        if self.on_event is not None:
            with contextlib.suppress(Exception):
                self.on_event(event)

    async def close(self) -> None:
        """Stop the taps and close the peer connection."""
        for tap in self.taps.values():
            await tap.close()
        await self.pc.close()


async def open_peer(
    exchange: Callable[[dict[str, str]], Awaitable[Mapping[str, Any]]],
    ice_servers: Sequence[Mapping[str, Any]],
    *,
    track_timeout: float = 10.0,
) -> AvatarPeer:
    """Make the peer connection, run *exchange(offer) -> answer*, wait for the tracks.

    *ice_servers* are dicts with ``urls`` (and ``username``/``credential``);
    an empty list means host candidates only (never a public STUN server).
    """
    aiortc = require_webrtc()
    servers = [
        aiortc.RTCIceServer(
            urls=list(s["urls"]), username=s.get("username"), credential=s.get("credential")
        )
        for s in ice_servers
    ]
    pc = aiortc.RTCPeerConnection(aiortc.RTCConfiguration(iceServers=servers))
    peer = AvatarPeer(pc)
    arrived: dict[str, Any] = {}
    both = asyncio.get_running_loop().create_future()

    @pc.on("track")  # type: ignore[untyped-decorator,unused-ignore]
    def on_track(track: Any) -> None:
        arrived.setdefault(track.kind, track)
        if len(arrived) == 2 and not both.done():
            both.set_result(None)

    try:
        pc.addTransceiver("video", direction="sendrecv")
        pc.addTransceiver("audio", direction="sendrecv")
        # the service sends its events on a channel it opens; "eventChannel" gives the
        # offer its data section (Microsoft's samples do the same)
        pc.createDataChannel("eventChannel").on("message", peer._event)
        pc.on("datachannel", lambda channel: channel.on("message", peer._event))
        # aiortc gathers all candidates inside setLocalDescription
        await pc.setLocalDescription(await pc.createOffer())
        offer = {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp}
        answer = await exchange(offer)
        await pc.setRemoteDescription(
            aiortc.RTCSessionDescription(sdp=str(answer["sdp"]), type="answer")
        )
        try:
            await asyncio.wait_for(asyncio.shield(both), track_timeout)
        except asyncio.TimeoutError:
            if not arrived:
                raise TimeoutError(
                    f"the avatar sent no media track within {track_timeout:g} s"
                ) from None
        for kind, track in arrived.items():
            peer.taps[kind] = FrameTap(track)
    except BaseException:
        await pc.close()
        raise
    return peer

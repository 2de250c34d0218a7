"""The emulator's real-time avatar media: an aiortc answer with generated video and speech.

:class:`AvatarMedia` answers a WebRTC offer (aiortc, host candidates only,
127.0.0.1 among them: the emulator never contacts a STUN or TURN server), in
the video codec asked for when the offer has it, opens its own data channel
for the avatar's events (as the service does) and sends two tracks: the
synthesized speech (48 kHz mono) and small video frames of a face-like
figure on the configured background whose mouth opens with the audio level
and whose word bar counts the words spoken. :meth:`AvatarMedia.say` queues a
rendered utterance; :meth:`AvatarMedia.stop` cuts it. With aiortc missing,
:func:`webrtc_available` says so and the avatar is refused.

:func:`turn_refuser` is a UDP endpoint that answers every STUN/TURN request
with an error at once, so that a client given the emulator's relay token
does not wait for a TURN server that is not there.
"""

from __future__ import annotations

import asyncio
import fractions
import struct
import time
from collections import deque
from typing import Any

import numpy as np

__all__ = ["AUDIO_RATE", "AvatarMedia", "turn_refuser", "webrtc_available"]

AUDIO_RATE = 48000
_AUDIO_FRAME = 960  # 20 ms
_FPS = 15
_W, _H = 320, 180  # small frames whatever the resolution asked: emulator CPU is precious


def webrtc_available() -> bool:
    """Whether aiortc (and PyAV) can be imported."""
    try:
        import aiortc  # noqa: F401
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def _rgb(color: str) -> np.ndarray[Any, Any]:
    try:
        return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.uint8)
    except (ValueError, IndexError):
        return np.array([255, 255, 255], dtype=np.uint8)


class _Speech:
    """The queued utterances and how far playback got."""

    def __init__(self) -> None:
        self.queue: deque[np.ndarray[Any, Any]] = deque()
        self.level = 0.0
        self.words: list[int] = []  # sample positions of word starts in the current utterance
        self.word_index = 0
        self.played = 0
        self.finished = asyncio.Event()
        self.finished.set()

    def add(self, pcm: np.ndarray[Any, Any], words: list[int]) -> None:
        self.queue.append(pcm)
        self.words, self.word_index, self.played = words, 0, 0
        self.finished.clear()

    def clear(self) -> None:
        self.queue.clear()
        self.level = 0.0
        self.finished.set()

    def take(self, n: int) -> np.ndarray[Any, Any]:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and self.queue:
            head = self.queue[0]
            k = min(n - filled, len(head))
            out[filled : filled + k] = head[:k]
            filled += k
            if k == len(head):
                self.queue.popleft()
            else:
                self.queue[0] = head[k:]
        self.played += filled
        while self.word_index < len(self.words) and self.words[self.word_index] <= self.played:
            self.word_index += 1
        self.level = float(np.sqrt(np.mean((out.astype(np.float32) / 32768) ** 2)))
        if filled < n and not self.queue:
            self.finished.set()
        return out


def _tracks(speech: _Speech, background: str) -> tuple[Any, Any]:
    import av
    from aiortc import MediaStreamTrack

    rgb = _rgb(background)

    class _Paced(MediaStreamTrack):
        def __init__(self, period: float) -> None:
            super().__init__()
            self._period = period
            self._start: float | None = None
            self._n = 0

        async def _tick(self) -> int:
            if self._start is None:
                self._start = time.monotonic()
            else:
                self._n += 1
                wait = self._start + self._n * self._period - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            return self._n

    class AudioTrack(_Paced):
        kind = "audio"

        def __init__(self) -> None:
            super().__init__(_AUDIO_FRAME / AUDIO_RATE)

        async def recv(self) -> Any:
            n = await self._tick()
            pcm = speech.take(_AUDIO_FRAME)
            frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = AUDIO_RATE
            frame.pts = n * _AUDIO_FRAME
            frame.time_base = fractions.Fraction(1, AUDIO_RATE)
            return frame

    class VideoTrack(_Paced):
        kind = "video"

        def __init__(self) -> None:
            super().__init__(1 / _FPS)

        async def recv(self) -> Any:
            n = await self._tick()
            img = np.empty((_H, _W, 3), dtype=np.uint8)
            img[:] = rgb
            ink = 255 - rgb
            img[30:150, 110:210] = ink // 2 + 40  # the face
            img[60:72, 130:145] = rgb  # eyes
            img[60:72, 175:190] = rgb
            mouth = 4 + min(40, int(speech.level * 300))
            img[115 - mouth // 2 : 115 + mouth // 2 + 1, 135:185] = (200, 40, 40)
            for k in range(min(speech.word_index, 30)):  # one block per word spoken
                img[165:175, 10 + k * 10 : 17 + k * 10] = ink
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = n * (90000 // _FPS)
            frame.time_base = fractions.Fraction(1, 90000)
            return frame

    return AudioTrack(), VideoTrack()


def _prefer_video_codec(pc: Any, codec: str) -> None:
    from aiortc import RTCRtpSender

    capabilities = RTCRtpSender.getCapabilities("video").codecs
    wanted = [c for c in capabilities if c.mimeType.lower() == f"video/{codec.lower()}"]
    if not wanted:  # a codec aiortc cannot send (HEVC, VP9): the offer decides
        return
    order = wanted + [c for c in capabilities if c not in wanted]
    for transceiver in pc.getTransceivers():
        if transceiver.kind == "video":
            transceiver.setCodecPreferences(order)


async def _gather_loopback(pc: Any) -> None:
    """Give *pc*'s ICE agents a 127.0.0.1 host candidate before they gather the rest.

    aioice leaves loopback out of its host addresses, so on a host with only a
    loopback interface the emulator's peer had no candidate at all and a
    client on the same host (whose WebRTC stack does offer 127.0.0.1, as
    libwebrtc does) never connected. Uses aiortc/aioice internals: if they
    change, the peer simply goes without the loopback candidate.
    """
    try:
        transports = [t.receiver.transport for t in pc.getTransceivers()]
        if pc.sctp is not None:
            transports.append(pc.sctp.transport)
        gatherers = {id(g): g for g in (d.transport.iceGatherer for d in transports)}
        for gatherer in gatherers.values():
            connection = gatherer._connection
            if gatherer.state != "new" or connection.local_candidates:
                continue
            for component in sorted(connection._components):
                connection._local_candidates += await connection.get_component_candidates(
                    component=component, addresses=["127.0.0.1"]
                )
    except AttributeError:  # pragma: no cover - another aiortc/aioice layout
        return


class AvatarMedia:
    """One avatar's WebRTC peer in the emulator, speaking what it is given."""

    def __init__(self, background: str = "#FFFFFFFF") -> None:
        from aiortc import RTCConfiguration, RTCPeerConnection

        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.speech = _Speech()
        self.audio, self.video = _tracks(self.speech, background)
        self.channel: Any = None  # the data channel the events go on (the peer opens its own)
        #: The video codec asked for (``format.codec``: ``H264``...): sent when the offer
        #: has it, else the offer's first codec we can send. None: the offer's order.
        self.video_codec: str | None = None

    async def answer(self, offer_sdp: str) -> str:
        """Apply the client's offer; return the answer's SDP (after ICE gathering)."""
        from aiortc import RTCSessionDescription

        # the tracks' transceivers first, so the codec preference holds when the offer is
        # matched to them
        self.pc.addTrack(self.audio)
        self.pc.addTrack(self.video)
        if self.video_codec:
            _prefer_video_codec(self.pc, self.video_codec)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        if "m=application" in offer_sdp:
            # As the service: the events come on a channel the server opens (a client
            # listens with ondatachannel); the client's own "eventChannel" in the offer
            # is only there so the offer has a data section.
            self.channel = self.pc.createDataChannel("eventChannel")
        answer = await self.pc.createAnswer()
        await _gather_loopback(self.pc)
        await self.pc.setLocalDescription(answer)
        return str(self.pc.localDescription.sdp)

    def event(self, event_type: str) -> None:
        """Send ``{"event": {"eventType": ...}}`` on the data channel, if it is open."""
        import json

        channel = self.channel
        if channel is not None and channel.readyState == "open":
            channel.send(json.dumps({"event": {"eventType": event_type}}))

    def say(self, samples: np.ndarray[Any, Any], word_starts: list[int]) -> None:
        """Queue float32 mono speech at 48 kHz; *word_starts* are sample positions."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        self.speech.add(pcm, word_starts)
        self.event("EVENT_TYPE_TURN_START")

    async def wait_spoken(self, limit: float) -> None:
        """Until the queued speech has been played (or *limit* seconds)."""
        try:
            await asyncio.wait_for(self.speech.finished.wait(), limit)
        except asyncio.TimeoutError:
            self.speech.clear()  # nobody pulls the tracks (no peer connected): give up
        self.event("EVENT_TYPE_SWITCH_TO_IDLE")

    def stop(self) -> None:
        """Cut the speech now."""
        self.speech.clear()

    async def close(self) -> None:
        """Close the peer connection."""
        self.event("EVENT_TYPE_SESSION_END")
        await self.pc.close()


# -- a TURN server that says no at once ------------------------------------------------------

_MAGIC = 0x2112A442


class _Refuser(asyncio.DatagramProtocol):
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if len(data) < 20:
            return
        kind, _, cookie = struct.unpack("!HHI", data[:8])
        if cookie != _MAGIC or kind & 0x0110:  # not a STUN request
            return
        reason = b"Forbidden: the emulator relays nothing"
        reason += b" " * (-len(reason) % 4)
        attr = struct.pack("!HHHBB", 0x0009, 4 + len(reason), 0, 4, 3) + reason  # 403
        error = (kind & 0x3EEF) | 0x0110
        self.transport.sendto(
            struct.pack("!HHI", error, len(attr), _MAGIC) + data[8:20] + attr, addr
        )


async def turn_refuser(host: str = "127.0.0.1") -> tuple[Any, int]:
    """Start the refusing STUN/TURN endpoint on *host*; return (transport, port)."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Refuser, local_addr=(host, 0))
    return transport, int(transport.get_extra_info("sockname")[1])

"""A real WebRTC offer (made by aiortc, as a browser would make one) for the avatar tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools


@functools.cache
def real_offer() -> dict[str, str]:
    """The offer of a peer with a video and an audio transceiver and a data channel."""
    from aiortc import RTCConfiguration, RTCPeerConnection

    async def make() -> dict[str, str]:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        try:
            pc.addTransceiver("video", direction="sendrecv")
            pc.addTransceiver("audio", direction="sendrecv")
            pc.createDataChannel("eventChannel")
            await pc.setLocalDescription(await pc.createOffer())
            return {"type": "offer", "sdp": pc.localDescription.sdp}
        finally:
            await pc.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # callable from async tests too
        return pool.submit(asyncio.run, make()).result(timeout=30)

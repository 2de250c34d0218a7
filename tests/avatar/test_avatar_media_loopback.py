"""The emulator's avatar peer can be reached over 127.0.0.1 (a host with only loopback)."""

from __future__ import annotations

import pytest

from azspeech.emulator.avatar_media import AvatarMedia

from .offers import real_offer

pytest.importorskip("aiortc", reason="the emulator answers avatar offers with aiortc ([webrtc])")


async def test_the_answer_offers_a_loopback_host_candidate() -> None:
    # aioice leaves 127.0.0.1 out of its host addresses: on a loopback-only host the
    # answer had no candidate and a libwebrtc client (which offers 127.0.0.1) never
    # connected.
    media = AvatarMedia()
    try:
        sdp = await media.answer(real_offer()["sdp"])
    finally:
        await media.close()
    candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate:")]
    assert any(" 127.0.0.1 " in c and " typ host" in c for c in candidates), candidates
    # one ICE agent (BUNDLE): the loopback candidate is not repeated per media section
    loopback = {c.split()[5] for c in candidates if " 127.0.0.1 " in c}
    assert len(loopback) == 1, candidates

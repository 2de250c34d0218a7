"""Property: whatever the drop points, a simulated service's finals reach the caller once each,
at their true offsets (sans-I/O: the state and replay buffer, no sockets)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.framing import decode_frame, encode_text
from azspeech._protocol.replay import ReplayBuffer
from azspeech._protocol.stt import AudioFormat, RecognitionOptions, RecognitionState
from azspeech.models.stt import Recognized

BPS = 32000
TICKS_PER_BYTE2 = 625  # ticks per 2-byte sample


def _phrases(draw_sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) byte positions (even) of phrases separated by gaps."""
    out, pos = [], 0
    for gap, length in draw_sizes:
        start = pos + 2 * gap
        end = start + 2 * length
        out.append((start, end))
        pos = end
    return out


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.tuples(st.integers(0, 8000), st.integers(1, 8000)), min_size=1, max_size=25),
    drops=st.lists(st.integers(1, 400_000), max_size=12),
    chunk=st.sampled_from([640, 3200, 5000]),
)
def test_every_final_once_at_its_offset(
    sizes: list[tuple[int, int]], drops: list[int], chunk: int
) -> None:
    phrases = _phrases(sizes)
    total = phrases[-1][1] + 2 * 1000
    rb = ReplayBuffer(BPS, 2)
    state = RecognitionState(RecognitionOptions().checked(), AudioFormat(), rb)
    rb.append(bytes(total))
    got: list[tuple[int, int]] = []
    pending_drops = sorted(drops)
    sent_on_conn = 0
    state.start_turn()
    base = rb.cursor  # the simulated service's turn origin
    emitted = 0  # phrases the service answered on this connection
    for _ in range(100_000):
        piece = rb.next_chunk(chunk)
        if piece is None:
            break
        rb.advance(len(piece))
        sent_on_conn += len(piece)
        # The service answers every phrase fully received on this turn, relative to the turn.
        while emitted < len(phrases) and phrases[emitted][1] <= rb.cursor:
            start, end = phrases[emitted]
            emitted += 1
            if start < base:
                continue  # ended before this turn's audio began: the service never saw it
            body = {"RecognitionStatus": "Success", "DisplayText": f"p{start}",
                    "Offset": (start - base) * TICKS_PER_BYTE2 // 2,
                    "Duration": (end - start) * TICKS_PER_BYTE2 // 2}  # fmt: skip
            msg = decode_frame(
                encode_text("speech.phrase", json.dumps(body), request_id=state.request_id)
            )
            for ev in state.receive(msg):
                assert isinstance(ev, Recognized)
                got.append((ev.result.offset_ticks, ev.result.end_ticks))
        if pending_drops and sent_on_conn >= pending_drops[0]:
            pending_drops.pop(0)
            sent_on_conn = 0
            state.start_turn()  # reconnect: replay from the acknowledged point
            base = rb.cursor
            emitted = 0
    expected = [(s * TICKS_PER_BYTE2 // 2, e * TICKS_PER_BYTE2 // 2) for s, e in phrases]
    assert got == expected

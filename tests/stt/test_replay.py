"""The replay buffer: audio kept until acknowledged, replayed exactly, bounded."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech._protocol.replay import ReplayBuffer

BPS = 32000  # 16 kHz, 16-bit mono


def _drain(rb: ReplayBuffer, size: int = 3200) -> bytes:
    out = bytearray()
    for _ in range(100000):
        chunk = rb.next_chunk(size)
        if chunk is None:
            break
        assert 0 < len(chunk) <= size
        out += chunk
        rb.advance(len(chunk))
    return bytes(out)


def test_unit_conversion_is_exact_on_sample_frames() -> None:
    rb = ReplayBuffer(BPS, 2)
    assert rb.bytes_to_ticks(32000) == 10_000_000
    assert rb.ticks_to_bytes(10_000_000) == 32000
    assert rb.ticks_to_bytes(625) == 2  # one sample
    assert rb.ticks_to_bytes(624) == 0  # rounds down to a sample frame
    assert rb.ticks_to_bytes(-5) == 0


def test_send_ack_rewind_replays_from_ack() -> None:
    rb = ReplayBuffer(BPS, 2)
    data = bytes(range(256)) * 100
    rb.append(data[:10000])
    rb.append(data[10000:])
    assert _drain(rb, 3000) == data
    rb.shrink(rb.bytes_to_ticks(5000))
    assert rb.ack == 5000
    start = rb.rewind()
    assert start == 5000
    assert _drain(rb) == data[5000:]


def test_ack_never_moves_back_and_frees_memory() -> None:
    rb = ReplayBuffer(BPS, 2)
    for _ in range(10):
        rb.append(b"\x01" * 3200)
    _drain(rb)
    rb.shrink(rb.bytes_to_ticks(16000))
    assert rb.retained_bytes == 16000
    rb.shrink(rb.bytes_to_ticks(6400))  # older ack: ignored
    assert rb.ack == 16000
    assert rb.rewind() == 16000


def test_eviction_bounds_memory_and_counts_the_gap() -> None:
    rb = ReplayBuffer(BPS, 2, max_bytes=6400)
    for i in range(10):
        rb.append(bytes([i]) * 3200)
    _drain(rb)
    assert rb.unacked_bytes <= 6400
    assert rb.evicted_bytes == 32000 - 6400
    start = rb.rewind()
    assert start == 32000 - 6400
    assert _drain(rb) == bytes([8]) * 3200 + bytes([9]) * 3200


def test_unsent_audio_is_never_evicted() -> None:
    rb = ReplayBuffer(BPS, 2, max_bytes=0)
    rb.append(b"\x05" * 10000)
    assert rb.unsent_bytes == 10000
    assert _drain(rb, 4000) == b"\x05" * 10000


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(st.integers(1, 5000).map(lambda n: n - n % 2 or 2), min_size=1, max_size=30),
    ops=st.lists(st.tuples(st.sampled_from(["send", "ack", "rewind"]), st.integers(0, 10**6))),
)
def test_replay_is_exact_from_any_ack(chunks: list[int], ops: list[tuple[str, int]]) -> None:
    stream = bytearray()
    rb = ReplayBuffer(BPS, 2)
    for i, n in enumerate(chunks):
        piece = bytes([(i * 7 + j) % 251 for j in range(n)])
        stream += piece
        rb.append(piece)
    sent_upto = 0
    for op, arg in ops:
        if op == "send":
            chunk = rb.next_chunk(arg % 4000 + 1)
            if chunk is not None:
                assert chunk == bytes(stream[rb.cursor : rb.cursor + len(chunk)])
                rb.advance(len(chunk))
            sent_upto = max(sent_upto, rb.cursor)
        elif op == "ack":
            ack_bytes = min(arg % (sent_upto + 1), sent_upto)
            rb.shrink(rb.bytes_to_ticks(ack_bytes))
            assert rb.ack <= sent_upto
        else:
            start = rb.rewind()
            assert start == rb.ack
    start = rb.rewind()
    # Everything from the acknowledged point on comes out again, byte for byte.
    assert _drain(rb, 1234) == bytes(stream[start:])
    assert start % 2 == 0

"""The client's own binary frames (the audio hot path) are what websockets itself would parse."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from azspeech._transport.ws import RawWebSocket


@pytest.mark.parametrize("size", [0, 1, 125, 126, 8192 + 99, 65535, 65536, 70_000])
def test_binary_frame_round_trips_through_websockets_parser(size: int) -> None:
    ws = RawWebSocket.__new__(RawWebSocket)  # only the frame builder is exercised here
    from websockets.speedups import apply_mask

    ws._apply_mask = apply_mask
    ws._masks, ws._mask_pos = b"", 0
    payload = bytes(i % 251 for i in range(size))
    masks = set()
    for _ in range(3):
        raw = ws._binary_frame(payload)
        masks.add(raw[-size - 4 : len(raw) - size] if size else raw[-4:])
        reader = StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        parser = Frame.parse(reader.read_exact, mask=True)
        with pytest.raises(StopIteration) as done:
            next(parser)
        frame = done.value.value
        assert frame.opcode is Opcode.BINARY and frame.fin and frame.data == payload
    assert len(masks) == 3  # a fresh mask per frame

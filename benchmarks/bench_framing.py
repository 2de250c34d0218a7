"""CPU cost of framing one hour of 16 kHz 16-bit mono audio into WebSocket messages.

Frames the audio the way a recognition turn sends it: one ``audio`` message
carrying the 44-byte WAV header, then 100 ms binary ``audio`` messages built
with ``encode_binary``. No network. Prints CPU seconds (time.process_time).

    .venv/bin/python benchmarks/bench_framing.py [--minutes 60] [--source]

``--source`` also times the whole input path: open_pcm_stream over an
in-memory raw PCM buffer feeding the framer.
"""

from __future__ import annotations

import argparse
import time

from azspeech._protocol.framing import encode_binary, new_request_id
from azspeech.audio import PcmFormat, open_pcm_stream


def frame_hour(minutes: float) -> tuple[float, int, int]:
    fmt = PcmFormat()
    chunk = bytes(range(256)) * 12 + bytes(128)  # 3200 bytes, 100 ms
    n = int(minutes * 600)
    request_id = new_request_id()
    start = time.process_time()
    total = len(
        encode_binary("audio", fmt.wav_header(), request_id=request_id, content_type="audio/x-wav")
    )
    for _ in range(n):
        total += len(encode_binary("audio", chunk, request_id=request_id))
    return time.process_time() - start, n + 1, total


def stream_and_frame(minutes: float) -> tuple[float, int]:
    fmt = PcmFormat()
    pcm = bytes(fmt.duration_to_bytes(minutes * 60))
    request_id = new_request_id()
    start = time.process_time()
    stream = open_pcm_stream(pcm, input_format=fmt)
    n = 1
    encode_binary("audio", stream.wav_header(), request_id=request_id, content_type="audio/x-wav")
    for chunk in stream:
        encode_binary("audio", chunk, request_id=request_id)
        n += 1
    return time.process_time() - start, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--source", action="store_true", help="also time open_pcm_stream")
    args = parser.parse_args()
    cpu, messages, size = frame_hour(args.minutes)
    print(
        f"framing {args.minutes:g} min of 16 kHz 16-bit mono: {messages} messages, "
        f"{size / 1e6:.1f} MB, {cpu:.3f} CPU-s ({cpu / messages * 1e6:.1f} us/message)"
    )
    print(f"target < 1 CPU-s per hour: {'OK' if cpu * 60 / args.minutes < 1.0 else 'MISSED'}")
    if args.source:
        cpu, messages = stream_and_frame(args.minutes)
        print(f"open_pcm_stream + framing: {messages} messages, {cpu:.3f} CPU-s")


if __name__ == "__main__":
    main()

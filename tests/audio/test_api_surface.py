"""The public names other modules build on exist and behave at the simplest level."""

from __future__ import annotations

import numpy as np

import azspeech.audio as audio_mod
from azspeech.audio import (
    AsyncPushStream,
    Audio,
    OutputFormat,
    PcmFormat,
    PcmStream,
    PushStream,
    decode_audio,
    float_to_pcm16,
    open_pcm_stream,
    pcm_to_float,
    resample,
    wav_header,
)


def test_all_names_exported() -> None:
    for name in audio_mod.__all__:
        assert hasattr(audio_mod, name), name


def test_default_stream_of_raw_bytes() -> None:
    pcm = np.arange(16000, dtype=np.int16).tobytes()
    stream = open_pcm_stream(pcm, input_format=PcmFormat())
    assert isinstance(stream, PcmStream)
    assert stream.format == PcmFormat()
    chunks = list(stream)
    assert [len(c) for c in chunks] == [3200] * 10
    assert b"".join(chunks) == pcm


def test_basic_helpers() -> None:
    assert len(wav_header(16000)) == 44
    x = np.array([0, 1, -1, 32767, -32768], dtype=np.int16)
    assert np.array_equal(float_to_pcm16(pcm_to_float(x)), x)
    assert len(resample(np.zeros(48000, np.float32), 48000, 16000)) == 16000
    y, rate = decode_audio((np.zeros(100, np.float32), 8000))
    assert rate == 8000 and y.shape == (100,)
    assert OutputFormat.parse("riff-24khz-16bit-mono-pcm").sample_rate == 24000
    assert Audio.from_pcm(b"\x00\x00" * 10, PcmFormat()).duration.total_seconds() > 0
    assert PushStream().format is None and AsyncPushStream(PcmFormat()).format == PcmFormat()


def test_every_public_name_is_documented() -> None:
    import inspect

    missing = []
    for name in audio_mod.__all__:
        obj = getattr(audio_mod, name)
        if isinstance(obj, int) or name == "AudioInput":
            continue
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                documented_kinds = (property, classmethod, staticmethod)
                if attr.startswith("_") or not (
                    callable(value) or isinstance(value, documented_kinds)
                ):
                    continue
                if isinstance(value, (classmethod, staticmethod)):
                    value = value.__func__
                if not inspect.getdoc(value):
                    missing.append(f"{name}.{attr}")
    assert not missing


def test_large_file_is_read_incrementally(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "big.wav"
    size = 20 * 2**20  # 20 MiB, about 11 minutes at 16 kHz
    with open(path, "wb") as f:
        f.write(PcmFormat().wav_header(size))
        f.write(bytes(size))
    with open_pcm_stream(path) as stream:
        first = next(iter(stream))
        assert len(first) == 3200
        position = stream._source._f.tell()  # type: ignore[attr-defined]
    assert position < 1 * 2**20  # only a block or so has been read

"""Sample conversions, G.711 against libsndfile, and property tests."""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from azspeech.audio import (
    PcmConverter,
    PcmFormat,
    decode_audio,
    downmix,
    float_to_pcm16,
    open_pcm_stream,
    pcm_to_float,
    resample,
)
from azspeech.errors import AudioError

from .corpus import tone


def test_int16_float_exact_values() -> None:
    x = np.array([-32768, -1, 0, 1, 32767], dtype=np.int16)
    f = pcm_to_float(x)
    assert f.dtype == np.float32
    assert list(f) == [-1.0, -1 / 32768, 0.0, 1 / 32768, 32767 / 32768]
    assert np.array_equal(float_to_pcm16(f), x)


def test_float_to_pcm16_clips_and_rounds() -> None:
    y = float_to_pcm16(np.array([-2.0, -1.0, 1.0, 5.0, 0.49 / 32768, 0.51 / 32768]))
    assert list(y) == [-32768, -32768, 32767, 32767, 0, 1]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_float_to_pcm16_rejects_non_finite(bad: float) -> None:
    with pytest.raises(AudioError, match=r"NaN|infinite"):
        float_to_pcm16(np.array([0.0, bad], dtype=np.float32))


def test_pcm_to_float_bytes_and_dtypes() -> None:
    b = np.array([0, 16384, -32768], dtype="<i2").tobytes()
    assert list(pcm_to_float(b)) == [0.0, 0.5, -1.0]
    stereo = pcm_to_float(b + b"\x00\x00", PcmFormat(16000, 16, 2))
    assert stereo.shape == (2, 2)
    assert list(pcm_to_float(np.array([128, 0], np.uint8))) == [0.0, -1.0]
    assert list(pcm_to_float(np.array([2**30], np.int32))) == [0.5]
    with pytest.raises(AudioError, match="whole number"):
        pcm_to_float(b"\x00\x00\x00")
    with pytest.raises(AudioError, match="complex"):
        pcm_to_float(np.zeros(3, np.complex64))
    with pytest.raises(AudioError, match="float"):
        float_to_pcm16(np.zeros(3, np.int16))


def test_downmix_and_resample() -> None:
    assert list(downmix(np.array([[1.0, 0.0], [0.5, 0.5]], np.float32))) == [0.5, 0.5]
    x = tone(48000, 48000)
    y = resample(x, 48000, 16000)
    assert y.dtype == np.float32 and len(y) == 16000
    np.testing.assert_allclose(y[20:-20], tone(16000)[20:-20], atol=2e-3)
    assert len(resample(np.zeros((4410, 2), np.float32), 44100, 16000)) == 1600
    assert len(resample(np.zeros(100, np.int16), 16000, 16000)) == 100
    with pytest.raises(AudioError, match="positive"):
        resample(x, 0, 16000)
    with pytest.raises(AudioError, match="NaN"):
        resample(np.array([np.nan], np.float32), 8000, 16000)


@pytest.mark.parametrize("subtype", ["ULAW", "ALAW"])
def test_g711_matches_libsndfile(subtype: str) -> None:
    """Our decoder and encoder agree with libsndfile's for every code and a sweep of levels."""
    ramp = np.linspace(-1, 1, 20001, dtype=np.float64)
    buf = io.BytesIO()
    sf.write(buf, (ramp * 32767).astype(np.int16), 8000, format="WAV", subtype=subtype)
    wav = buf.getvalue()
    theirs = sf.read(io.BytesIO(wav), dtype="int16")[0]
    ours, _ = decode_audio(wav)  # decoded by azspeech (format tag 6/7)
    assert np.array_equal(np.rint(ours * 32768).astype(np.int16), theirs)
    # Encoding: our companded bytes equal libsndfile's.
    tag = 7 if subtype == "ULAW" else 6
    target = PcmFormat(8000, 8, 1, tag)
    encoded = open_pcm_stream((ramp * 32767).astype(np.int16), sample_rate=8000, target=target)
    body = wav[wav.index(b"data") + 8 :][: len(ramp)]  # (libsndfile pads odd chunks)
    ours = np.frombuffer(encoded.read_all(), np.uint8)
    theirs_codes = np.frombuffer(body, np.uint8)
    if subtype == "ULAW":
        assert np.array_equal(ours, theirs_codes)
    else:
        # libsndfile rounds negative A-law magnitudes; the ITU reference (and we) take the
        # one's complement. They differ only on step boundaries, by one quantization level.
        diff = np.flatnonzero(ours != theirs_codes)
        assert len(diff) < len(ours) // 200
        from azspeech.audio.convert import _ALAW_TABLE

        levels = np.unique(_ALAW_TABLE)
        rank_ours = np.searchsorted(levels, _ALAW_TABLE[ours[diff]])
        rank_theirs = np.searchsorted(levels, _ALAW_TABLE[theirs_codes[diff]])
        assert np.all(np.abs(rank_ours - rank_theirs) == 1)


def test_converter_carries_partial_frames_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="azspeech")
    conv = PcmConverter(PcmFormat(16000, 32, 1, 3), PcmFormat())
    data = np.array([2.0, -3.0, 0.5, 0.25], dtype="<f4").tobytes()
    out = b"".join(conv.convert(data[i : i + 3]) for i in range(0, len(data), 3)) + conv.flush()
    assert list(np.frombuffer(out, "<i2")) == [32767, -32768, 16384, 8192]
    conv.convert(data)
    assert sum("clipping" in r.getMessage() for r in caplog.records) == 1


# -- properties --------------------------------------------------------------------------


@given(hnp.arrays(np.int16, st.integers(0, 5000)))
def test_int16_float_int16_roundtrip_exact(x: np.ndarray) -> None:
    assert np.array_equal(float_to_pcm16(pcm_to_float(x)), x)


RATES = st.sampled_from([8000, 11025, 16000, 22050, 24000, 44100, 48000])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 30000),
    src=RATES,
    dst=RATES,
    chunk_ms=st.integers(1, 500),
    piece=st.integers(1, 9000),
)
def test_resample_and_chunking_preserve_duration(
    n: int, src: int, dst: int, chunk_ms: int, piece: int
) -> None:
    """Whatever the rates, chunk size and input cut, the output lasts as long as the
    input to within one output frame, and every chunk but the last is exactly chunk_ms."""
    raw = np.random.default_rng(n).integers(-3000, 3000, n, dtype=np.int16).tobytes()
    pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)]
    target = PcmFormat(dst)
    stream = open_pcm_stream(pieces, input_format=PcmFormat(src), target=target, chunk_ms=chunk_ms)
    chunks = list(stream)
    total = sum(len(c) for c in chunks) // 2
    assert abs(total - n * dst / src) <= 1
    if chunks:
        assert all(len(c) == stream.chunk_bytes for c in chunks[:-1])
        assert 0 < len(chunks[-1]) <= stream.chunk_bytes


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 20000), piece=st.integers(1, 5000), chunk_ms=st.integers(1, 300))
def test_passthrough_is_lossless_for_any_cut(n: int, piece: int, chunk_ms: int) -> None:
    raw = np.random.default_rng(piece).integers(-32768, 32767, n, dtype=np.int16).tobytes()
    pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)]
    stream = open_pcm_stream(pieces, chunk_ms=chunk_ms)
    assert stream.passthrough
    assert b"".join(stream) == raw


@settings(max_examples=25, deadline=None)
@given(n=st.integers(100, 20000), src=RATES, dst=RATES, piece=st.integers(50, 7000))
def test_streaming_resample_is_seamless(n: int, src: int, dst: int, piece: int) -> None:
    """Cutting the input differently does not change the resampled output."""
    x = tone(n, src, freq=300.0)
    raw = (x * 32768).astype("<i2").tobytes()
    whole = open_pcm_stream([raw], input_format=PcmFormat(src), target=PcmFormat(dst)).read_all()
    pieces = [raw[i : i + piece] for i in range(0, len(raw), piece)]
    cut = open_pcm_stream(pieces, input_format=PcmFormat(src), target=PcmFormat(dst)).read_all()
    a, b = np.frombuffer(whole, "<i2"), np.frombuffer(cut, "<i2")
    assert len(a) == len(b)
    assert np.max(np.abs(a.astype(int) - b.astype(int)), initial=0) <= 2

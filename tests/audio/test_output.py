"""Audio: construction, data, samples, duration, save, HTML and repr."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from azspeech.audio import Audio, OutputFormat, PcmFormat, decode_audio
from azspeech.errors import AudioError, ConfigurationError

from .corpus import pcm16, sf_bytes, tone

X24 = tone(24000, 24000)
PCM24 = pcm16(X24)


def test_raw_pcm_format() -> None:
    a = Audio(PCM24, OutputFormat.RAW_24KHZ_16BIT_MONO_PCM)
    assert a.data == PCM24 and a.pcm == PCM24 and len(a) == len(PCM24)
    assert a.sample_rate == 24000 and a.duration == dt.timedelta(seconds=1)
    np.testing.assert_allclose(a.samples, X24, atol=1 / 32768)
    assert a.samples.dtype == np.float32


def test_riff_from_raw_and_from_wav_are_equal() -> None:
    fmt = OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM
    from_raw = Audio(PCM24, fmt)
    wav = from_raw.data
    assert wav[:4] == b"RIFF" and len(wav) == 44 + len(PCM24)
    info = sf.info(io.BytesIO(wav))
    assert info.frames == 24000 and info.samplerate == 24000
    from_wav = Audio(wav, fmt)
    assert from_wav == from_raw and from_wav.pcm == PCM24
    # a header with streaming sizes (0) is fixed up
    streaming = PcmFormat(24000).wav_header() + PCM24
    assert Audio(streaming, "riff-24khz-16bit-mono-pcm").data == wav


def test_riff_header_mismatch() -> None:
    wav = PcmFormat(16000).wav_header(4) + b"\x00" * 4
    with pytest.raises(AudioError, match="header says"):
        Audio(wav, OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM)


@pytest.mark.parametrize(
    "fmt", [OutputFormat.RAW_8KHZ_8BIT_MONO_MULAW, OutputFormat.RIFF_8KHZ_8BIT_MONO_ALAW]
)
def test_g711_output(fmt: OutputFormat, tmp_path: Path) -> None:
    a = Audio(bytes(range(256)) * 8, fmt)
    assert a.duration == dt.timedelta(milliseconds=256)
    assert len(a.samples) == 2048
    wav = a.to_wav_bytes()
    assert wav[20] == fmt.pcm_format.format_tag  # type: ignore[union-attr]
    out = a.save(tmp_path / "x.wav")
    y, rate = decode_audio(out)
    assert rate == 8000
    np.testing.assert_allclose(y, a.samples, atol=1e-6)


def test_save_raw_as_wav_and_as_raw(tmp_path: Path) -> None:
    a = Audio(PCM24, OutputFormat.RAW_24KHZ_16BIT_MONO_PCM)
    p = a.save(tmp_path / "a.wav")
    y, rate = sf.read(p, dtype="int16")
    assert rate == 24000 and y.tobytes() == PCM24
    q = a.save(str(tmp_path / "a.pcm"))
    assert q.read_bytes() == PCM24
    with pytest.raises(AudioError, match="cannot save"):
        a.save(tmp_path / "missing-dir" / "a.wav")


def test_riff_save_roundtrip(tmp_path: Path) -> None:
    a = Audio(PCM24, OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM)
    p = a.save(tmp_path / "a.wav")
    assert p.read_bytes() == a.data
    y, _ = decode_audio(p)
    np.testing.assert_allclose(y, a.samples, atol=1e-7)


@pytest.mark.parametrize(
    ("fmt", "sf_format", "subtype"),
    [
        (OutputFormat.AUDIO_24KHZ_16BIT_MONO_FLAC, "FLAC", "PCM_16"),
        (OutputFormat.OGG_24KHZ_16BIT_MONO_OPUS, "OGG", "OPUS"),
        (OutputFormat.AUDIO_24KHZ_48KBITRATE_MONO_MP3, "MP3", "MPEG_LAYER_III"),
    ],
)
def test_compressed_samples_and_save(
    fmt: OutputFormat, sf_format: str, subtype: str, tmp_path: Path
) -> None:
    if sf_format not in sf.available_formats():  # pragma: no cover - depends on libsndfile
        pytest.skip(f"libsndfile here cannot write {sf_format}")
    data = sf_bytes(X24, 24000, sf_format, subtype)
    a = Audio(data, fmt)
    assert a.data == data and len(a) == len(data)
    assert abs(a.duration.total_seconds() - 1.0) < 0.1
    assert abs(len(a.samples) - 24000) < 2400
    assert 0.25 < float(np.sqrt(np.mean(a.samples**2))) < 0.45
    assert a.save(tmp_path / f"a{fmt.file_extension}").read_bytes() == data
    wav = a.save(tmp_path / "decoded.wav")
    y, rate = decode_audio(wav)
    assert rate == 24000 and len(y) == len(a.samples)
    with pytest.raises(AudioError, match="compressed"):
        _ = a.pcm


@pytest.mark.parametrize(
    "fmt",
    [
        OutputFormat.RAW_16KHZ_16BIT_MONO_TRUESILK,
        OutputFormat.AMR_WB_16000HZ,
        OutputFormat.G722_16KHZ_64KBPS,
        OutputFormat.WEBM_24KHZ_16BIT_MONO_OPUS,
        OutputFormat.AUDIO_24KHZ_16BIT_48KBPS_MONO_OPUS,
        OutputFormat.RIFF_16KHZ_16KBPS_MONO_SIREN,
    ],
)
def test_undecodable_codecs(fmt: OutputFormat) -> None:
    a = Audio(b"\x01\x02\x03" * 100, fmt)
    assert len(a) == 300
    with pytest.raises(AudioError, match="cannot decode"):
        _ = a.samples
    assert "duration=unknown" in repr(a)


def test_corrupt_compressed_audio() -> None:
    a = Audio(b"not an mp3 at all" * 10, OutputFormat.AUDIO_16KHZ_32KBITRATE_MONO_MP3)
    with pytest.raises(AudioError, match="cannot decode"):
        _ = a.samples
    with pytest.raises(AudioError, match="empty"):
        _ = Audio(b"", OutputFormat.AUDIO_24KHZ_16BIT_MONO_FLAC).samples


def test_constructors() -> None:
    a = Audio.from_pcm(PCM24, PcmFormat(24000))
    assert a.format == PcmFormat(24000) and a.data == PCM24
    b = Audio.from_samples(X24, 24000)
    assert b.pcm == PCM24
    c = Audio.from_samples(np.stack([X24, X24], 1), 24000)
    assert c.format == PcmFormat(24000, 16, 2)
    np.testing.assert_allclose(c.samples, X24, atol=1 / 32768)
    d = Audio.from_samples(np.frombuffer(PCM24, "<i2"), 24000)
    assert d.pcm == PCM24
    with pytest.raises(AudioError, match="NaN"):
        Audio.from_samples(np.array([np.nan]), 16000)
    with pytest.raises(AudioError, match="dtype"):
        Audio.from_samples(np.zeros(3, np.complex64), 16000)
    with pytest.raises(AudioError, match="positive"):
        Audio.from_samples(np.zeros(3), 0)
    with pytest.raises(AudioError, match="shape"):
        Audio.from_samples(np.zeros((2, 2, 2)), 16000)
    with pytest.raises(AudioError, match="PcmFormat"):
        Audio.from_pcm(b"", OutputFormat.RAW_16KHZ_16BIT_MONO_PCM)  # type: ignore[arg-type]
    with pytest.raises(AudioError, match="bytes"):
        Audio("text", PcmFormat())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        Audio(b"", "no-such-format")


def test_repr_html_and_len() -> None:
    a = Audio(PCM24, OutputFormat.RAW_24KHZ_16BIT_MONO_PCM)
    r = repr(a)
    assert "raw-24khz-16bit-mono-pcm" in r and "1.000s" in r and len(r) < 200
    html = a._repr_html_()
    assert html.startswith("<audio controls") and "data:audio/wav;base64," in html
    b64 = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(b64)[:4] == b"RIFF"
    mp3 = Audio(b"\xff\xfb" + b"\x00" * 10, OutputFormat.AUDIO_16KHZ_32KBITRATE_MONO_MP3)
    assert "data:audio/mpeg;base64," in mp3._repr_html_()
    assert bytes(a) == a.data
    assert a != Audio(PCM24, OutputFormat.RAW_16KHZ_16BIT_MONO_PCM)
    assert a.mime_type.startswith("audio/L16")


def test_float_pcm_format_audio() -> None:
    fmt = PcmFormat(16000, 32, 1, 3)
    a = Audio.from_pcm(np.array([0.5, 2.0, np.nan], "<f4").tobytes(), fmt)
    assert list(a.samples) == [0.5, 1.0, 0.0]
    assert a.to_wav_bytes()[20] == 3

"""PcmFormat arithmetic, WAV headers and the OutputFormat table."""

from __future__ import annotations

import datetime as dt
import io
import struct

import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from azspeech.audio import OutputFormat, PcmFormat, wav_header
from azspeech.errors import AudioError, ConfigurationError

# Every output format the service documents (text-to-speech §4), as the service spells it.
SERVICE_FORMATS = [
    "raw-8khz-8bit-mono-mulaw",
    "riff-8khz-8bit-mono-mulaw",
    "raw-8khz-8bit-mono-alaw",
    "riff-8khz-8bit-mono-alaw",
    "raw-8khz-16bit-mono-pcm",
    "riff-8khz-16bit-mono-pcm",
    "raw-16khz-16bit-mono-pcm",
    "riff-16khz-16bit-mono-pcm",
    "raw-22050hz-16bit-mono-pcm",
    "riff-22050hz-16bit-mono-pcm",
    "raw-24khz-16bit-mono-pcm",
    "riff-24khz-16bit-mono-pcm",
    "raw-44100hz-16bit-mono-pcm",
    "riff-44100hz-16bit-mono-pcm",
    "raw-48khz-16bit-mono-pcm",
    "riff-48khz-16bit-mono-pcm",
    "audio-16khz-32kbitrate-mono-mp3",
    "audio-16khz-64kbitrate-mono-mp3",
    "audio-16khz-128kbitrate-mono-mp3",
    "audio-24khz-48kbitrate-mono-mp3",
    "audio-24khz-96kbitrate-mono-mp3",
    "audio-24khz-160kbitrate-mono-mp3",
    "audio-48khz-96kbitrate-mono-mp3",
    "audio-48khz-192kbitrate-mono-mp3",
    "ogg-16khz-16bit-mono-opus",
    "ogg-24khz-16bit-mono-opus",
    "ogg-48khz-16bit-mono-opus",
    "webm-16khz-16bit-mono-opus",
    "webm-24khz-16bit-mono-opus",
    "webm-24khz-16bit-24kbps-mono-opus",
    "audio-16khz-16bit-32kbps-mono-opus",
    "audio-24khz-16bit-24kbps-mono-opus",
    "audio-24khz-16bit-48kbps-mono-opus",
    "raw-16khz-16bit-mono-truesilk",
    "raw-24khz-16bit-mono-truesilk",
    "amr-wb-16000hz",
    "g722-16khz-64kbps",
    "audio-24khz-16bit-mono-flac",
    "audio-48khz-16bit-mono-flac",
    "riff-16khz-16kbps-mono-siren",
    "audio-16khz-16kbps-mono-siren",
]


def test_pcm_format_defaults_and_sizes() -> None:
    f = PcmFormat()
    assert (f.sample_rate, f.bits_per_sample, f.channels, f.format_tag) == (16000, 16, 1, 1)
    assert f.block_align == 2 and f.bytes_per_second == 32000
    stereo24 = PcmFormat(48000, 24, 2)
    assert stereo24.block_align == 6 and stereo24.bytes_per_second == 288000
    assert str(f) == "16000 Hz 16-bit mono pcm"


def test_numpy_integers_accepted() -> None:
    import numpy as np

    f = PcmFormat(np.int64(16000), np.int32(16))  # type: ignore[arg-type]
    assert f == PcmFormat() and type(f.sample_rate) is int and hash(f) == hash(PcmFormat())


def test_ticks_and_durations() -> None:
    f = PcmFormat()
    assert f.bytes_to_ticks(32000) == 10_000_000
    assert f.bytes_to_ticks(3200) == 1_000_000
    assert f.ticks_to_bytes(1_000_000) == 3200
    assert f.ticks_to_bytes(1_000_001) == 3200  # to the nearest whole frame
    assert f.ticks_to_bytes(625) == 2  # one 16 kHz frame is 625 ticks
    assert f.ticks_to_bytes(313) == 2
    assert f.ticks_to_bytes(312) == 0
    assert f.ticks_to_bytes(-5) == 0
    assert f.ticks_to_bytes(1249, rounding="down") == 2  # the frame at or before
    assert f.ticks_to_bytes(1250, rounding="down") == 4
    assert f.ticks_to_bytes(624, rounding="down") == 0
    assert f.ticks_to_bytes(-5, rounding="down") == 0
    with pytest.raises(ValueError):
        f.ticks_to_bytes(625, rounding="up")  # type: ignore[arg-type]
    assert f.duration_to_bytes(0.1) == 3200
    assert f.duration_to_bytes(dt.timedelta(milliseconds=250)) == 8000
    assert PcmFormat(22050).duration_to_bytes(0.01) % 2 == 0
    assert f.bytes_to_seconds(16000) == 0.5
    with pytest.raises(AudioError, match="finite"):
        f.duration_to_bytes(float("nan"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample_rate": 0}, "positive"),
        ({"sample_rate": -1}, "positive"),
        ({"sample_rate": 16000.0}, "int"),
        ({"bits_per_sample": 12}, "sample width"),
        ({"bits_per_sample": 16, "format_tag": 7}, "sample width"),
        ({"bits_per_sample": 16, "format_tag": 3}, "sample width"),
        ({"channels": 0}, "channel"),
        ({"format_tag": 2}, "format tag"),
    ],
)
def test_pcm_format_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AudioError, match=message):
        PcmFormat(**kwargs)  # type: ignore[arg-type]


def test_wav_header_layout() -> None:
    h = wav_header(16000)
    assert len(h) == 44
    fields = struct.unpack("<4sI4s4sIHHIIHH4sI", h)
    assert fields == (b"RIFF", 0, b"WAVE", b"fmt ", 16, 1, 1, 16000, 32000, 2, 16, b"data", 0)
    h = PcmFormat(8000, 8, 1, 7).wav_header(8000)
    fields = struct.unpack("<4sI4s4sIHHIIHH4sI", h)
    assert fields == (b"RIFF", 8036, b"WAVE", b"fmt ", 16, 7, 1, 8000, 8000, 1, 8, b"data", 8000)
    assert struct.unpack("<I", PcmFormat(8000, 8).wav_header(3)[4:8])[0] == 40  # pad byte
    with pytest.raises(AudioError, match="fit"):
        PcmFormat().wav_header(2**32)
    with pytest.raises(AudioError):
        wav_header(0)


def test_wav_header_is_readable_by_libsndfile() -> None:
    for fmt in (PcmFormat(), PcmFormat(8000, 8, 1, 7), PcmFormat(44100, 24, 2), PcmFormat(8000, 8)):
        data = bytes(fmt.block_align * 100)
        info = sf.info(io.BytesIO(fmt.wav_header(len(data)) + data))
        assert info.samplerate == fmt.sample_rate and info.channels == fmt.channels
        assert info.frames == 100


def test_output_format_covers_every_service_string() -> None:
    assert {f.value for f in OutputFormat} == set(SERVICE_FORMATS)
    assert len(OutputFormat) == len(SERVICE_FORMATS)
    assert OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM == "riff-24khz-16bit-mono-pcm"
    assert str(OutputFormat.AMR_WB_16000HZ) == "amr-wb-16000hz"


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
def test_output_format_properties_consistent(fmt: OutputFormat) -> None:
    name = fmt.value
    assert fmt.container in {
        "riff",
        "raw",
        "mp3",
        "ogg",
        "webm",
        "opus",
        "silk",
        "amr",
        "g722",
        "flac",
        "siren",
    }
    assert fmt.sample_rate in (8000, 16000, 22050, 24000, 44100, 48000)
    assert fmt.has_header == name.startswith("riff-")
    assert fmt.streamable == (not name.startswith("riff-"))
    assert fmt.file_extension.startswith(".") and fmt.mime_type.startswith("audio/")
    req = fmt.request_format
    assert not req.has_header and req.sample_rate == fmt.sample_rate and req.codec == fmt.codec
    if fmt.has_header:
        assert req != fmt
    else:
        assert req is fmt
    pcm = fmt.pcm_format
    if fmt.codec in ("pcm", "mulaw", "alaw"):
        assert pcm is not None and pcm.sample_rate == fmt.sample_rate and pcm.channels == 1
        assert pcm.bits_per_sample == fmt.bits_per_sample
        assert fmt.bitrate is None
    else:
        assert pcm is None and fmt.bits_per_sample is None
    if "kbitrate" in name or "kbps" in name:
        assert fmt.bitrate is not None and f"{fmt.bitrate}kb" in name
    assert OutputFormat.parse(name) is fmt
    assert OutputFormat.parse(fmt.name) is fmt
    assert OutputFormat.parse(name.upper()) is fmt
    assert OutputFormat.parse(fmt) is fmt


def test_output_format_details() -> None:
    f = OutputFormat.RIFF_8KHZ_8BIT_MONO_MULAW
    assert f.codec == "mulaw" and f.pcm_format == PcmFormat(8000, 8, 1, 7)
    assert f.request_format is OutputFormat.RAW_8KHZ_8BIT_MONO_MULAW
    assert OutputFormat.RIFF_8KHZ_8BIT_MONO_ALAW.pcm_format == PcmFormat(8000, 8, 1, 6)
    assert OutputFormat.RIFF_16KHZ_16KBPS_MONO_SIREN.request_format is (
        OutputFormat.AUDIO_16KHZ_16KBPS_MONO_SIREN
    )
    mp3 = OutputFormat.AUDIO_24KHZ_48KBITRATE_MONO_MP3
    assert (mp3.container, mp3.codec, mp3.bitrate, mp3.mime_type) == (
        "mp3",
        "mp3",
        48,
        "audio/mpeg",
    )
    assert mp3.file_extension == ".mp3"
    assert OutputFormat.OGG_48KHZ_16BIT_MONO_OPUS.container == "ogg"
    assert OutputFormat.WEBM_24KHZ_16BIT_24KBPS_MONO_OPUS.bitrate == 24
    assert OutputFormat.AUDIO_16KHZ_16BIT_32KBPS_MONO_OPUS.container == "opus"
    assert OutputFormat.RAW_24KHZ_16BIT_MONO_TRUESILK.container == "silk"
    assert OutputFormat.AMR_WB_16000HZ.codec == "amr-wb"
    assert OutputFormat.G722_16KHZ_64KBPS.bitrate == 64
    assert OutputFormat.AUDIO_48KHZ_16BIT_MONO_FLAC.mime_type == "audio/flac"
    assert OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM.mime_type == "audio/wav"
    assert OutputFormat.RAW_24KHZ_16BIT_MONO_PCM.mime_type.startswith("audio/L16")
    assert OutputFormat.parse("amr-wb-16000h") is OutputFormat.AMR_WB_16000HZ  # JS spelling


def test_output_format_parse_errors() -> None:
    with pytest.raises(ConfigurationError, match="Did you mean 'riff-24khz-16bit-mono-pcm'"):
        OutputFormat.parse("riff-24khz-16bit-mono-pmc")
    with pytest.raises(ConfigurationError, match=r"Valid formats:.*raw-16khz-16bit-mono-pcm"):
        OutputFormat.parse("wav")
    with pytest.raises(ConfigurationError):
        OutputFormat.parse(16000)  # type: ignore[arg-type]
    assert issubclass(ConfigurationError, ValueError)


@given(
    frames=st.integers(0, 10**9),
    rate=st.sampled_from([8000, 11025, 16000, 22050, 24000, 44100, 48000, 96000]),
    channels=st.integers(1, 8),
    bits=st.sampled_from([8, 16, 24, 32]),
)
def test_ticks_bytes_roundtrip(frames: int, rate: int, channels: int, bits: int) -> None:
    f = PcmFormat(rate, bits, channels)
    n = frames * f.block_align
    ticks = f.bytes_to_ticks(n)
    assert f.ticks_to_bytes(ticks) == n
    # Ticks are rounded down, so rounding down again may land one frame early, never late.
    assert n - f.block_align <= f.ticks_to_bytes(ticks, rounding="down") <= n
    assert abs(ticks - frames * 10_000_000 / rate) < 1

"""Audio format descriptions: raw PCM (:class:`PcmFormat`) and the service's output formats.

:class:`PcmFormat` describes uncompressed (or G.711-companded) sample data:
rate, sample width, channel count and WAV format tag. It converts between
byte counts, seconds and the service's 100-nanosecond *ticks*, and writes
the canonical 44-byte RIFF/WAV header the Speech service expects before
streamed audio.

:class:`OutputFormat` lists every text-to-speech output format the service
accepts, with what is known about each (container, codec, rate, ...).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import enum
import numbers
import struct
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ..errors import AudioError, ConfigurationError

__all__ = [
    "FORMAT_ALAW",
    "FORMAT_FLOAT",
    "FORMAT_MULAW",
    "FORMAT_PCM",
    "TICKS_PER_SECOND",
    "OutputFormat",
    "PcmFormat",
    "bytes_to_ticks",
    "ticks_to_bytes",
    "ticks_to_timedelta",
    "wav_header",
]

#: WAV format tags understood here.
FORMAT_PCM = 1
FORMAT_FLOAT = 3
FORMAT_ALAW = 6
FORMAT_MULAW = 7

TICKS_PER_SECOND = 10_000_000
"""The service measures offsets and durations in 100-nanosecond ticks."""


def ticks_to_timedelta(ticks: int) -> _dt.timedelta:
    """100-ns ticks as a :class:`datetime.timedelta` (microsecond precision, rounded down)."""
    return _dt.timedelta(microseconds=ticks // 10)


#: How :func:`ticks_to_bytes` lands on a frame boundary.
Rounding = Literal["nearest", "down"]


def bytes_to_ticks(n_bytes: int, bytes_per_second: int) -> int:
    """Duration of *n_bytes* bytes in 100-ns ticks (rounded down, exact integer maths)."""
    return (n_bytes * TICKS_PER_SECOND) // bytes_per_second


def ticks_to_bytes(
    ticks: int, bytes_per_second: int, block_align: int, *, rounding: Rounding
) -> int:
    """Byte offset of *ticks* (100-ns units) into a stream, on a whole frame.

    ``rounding="nearest"`` takes the closest frame (``ticks_to_bytes(
    bytes_to_ticks(n)) == n`` for any whole number of frames *n*);
    ``rounding="down"`` takes the frame at or before *ticks*, for a resume
    point that must never skip audio. Negative offsets give 0. Exact integer
    maths.
    """
    if rounding not in ("nearest", "down"):
        raise ValueError(f"rounding must be 'nearest' or 'down', got {rounding!r}")
    per_frame = TICKS_PER_SECOND * block_align  # ticks x bytes/s of one frame
    half = per_frame // 2 if rounding == "nearest" else 0
    frames = (int(ticks) * bytes_per_second + half) // per_frame
    return max(0, frames) * block_align


_TAG_NAMES = {FORMAT_PCM: "pcm", FORMAT_FLOAT: "float", FORMAT_ALAW: "alaw", FORMAT_MULAW: "mulaw"}
_MAX_WAV_DATA = 0xFFFFFFFF - 36


def wav_header(
    sample_rate: int,
    bits_per_sample: int = 16,
    channels: int = 1,
    format_tag: int = FORMAT_PCM,
    data_size: int = 0,
) -> bytes:
    """Return a canonical 44-byte RIFF/WAV header.

    With ``data_size=0`` both size fields are 0, which is what the Speech
    service expects at the start of a stream of unknown length. Otherwise
    the RIFF size is ``36 + data_size`` (plus the pad byte RIFF requires
    after an odd-sized chunk) and the data size is *data_size*.

    Raises:
        AudioError: a parameter is out of range, or *data_size* does not fit
            in a WAV file (4 GiB).
    """
    fmt = PcmFormat(sample_rate, bits_per_sample, channels, format_tag)
    return fmt.wav_header(data_size)


@dataclass(frozen=True)
class PcmFormat:
    """A raw PCM stream's format: rate, sample width, channels and WAV format tag.

    Attributes:
        sample_rate: frames per second (> 0).
        bits_per_sample: 8, 16, 24 or 32 for integer PCM (8-bit is unsigned,
            as in WAV); 32 or 64 for IEEE float; 8 for A-law and µ-law.
        channels: interleaved channels per frame (>= 1).
        format_tag: 1 = PCM, 3 = IEEE float, 6 = A-law, 7 = µ-law.

    The default is the service's preferred input: 16 kHz, 16-bit, mono PCM.

    Raises:
        AudioError: on construction, if a field is out of range.
    """

    sample_rate: int = 16000
    bits_per_sample: int = 16
    channels: int = 1
    format_tag: int = FORMAT_PCM

    def __post_init__(self) -> None:
        for name in ("sample_rate", "bits_per_sample", "channels", "format_tag"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise AudioError(f"PcmFormat.{name} must be an int, not {type(value).__name__}")
            if not isinstance(value, int):  # numpy integers and the like: store a plain int
                object.__setattr__(self, name, int(value))
        if self.sample_rate <= 0:
            raise AudioError(f"sample rate must be positive, got {self.sample_rate}")
        if self.sample_rate > 1_000_000:
            raise AudioError(f"sample rate {self.sample_rate} Hz is implausibly high")
        if not 1 <= self.channels <= 64:
            raise AudioError(f"channel count must be between 1 and 64, got {self.channels}")
        allowed = {
            FORMAT_PCM: (8, 16, 24, 32),
            FORMAT_FLOAT: (32, 64),
            FORMAT_ALAW: (8,),
            FORMAT_MULAW: (8,),
        }.get(self.format_tag)
        if allowed is None:
            raise AudioError(
                f"unsupported WAV format tag {self.format_tag} "
                "(supported: 1 = PCM, 3 = IEEE float, 6 = A-law, 7 = mu-law)"
            )
        if self.bits_per_sample not in allowed:
            raise AudioError(
                f"unsupported sample width: {self.bits_per_sample} bits for "
                f"{_TAG_NAMES[self.format_tag]} audio (supported: {', '.join(map(str, allowed))})"
            )

    # -- sizes -----------------------------------------------------------------

    @property
    def bytes_per_sample(self) -> int:
        """Bytes of one sample of one channel."""
        return self.bits_per_sample // 8

    @property
    def block_align(self) -> int:
        """Bytes of one frame (one sample of every channel)."""
        return self.channels * self.bytes_per_sample

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of audio."""
        return self.sample_rate * self.block_align

    @property
    def codec(self) -> str:
        """``"pcm"``, ``"float"``, ``"alaw"`` or ``"mulaw"``."""
        return _TAG_NAMES[self.format_tag]

    @property
    def is_float(self) -> bool:
        """True for IEEE float samples."""
        return self.format_tag == FORMAT_FLOAT

    # -- conversions between bytes, seconds and ticks ----------------------------

    def frames_in(self, n_bytes: int) -> int:
        """Whole frames contained in *n_bytes* bytes."""
        return n_bytes // self.block_align

    def bytes_to_seconds(self, n_bytes: int) -> float:
        """Duration in seconds of *n_bytes* bytes of audio."""
        return n_bytes / self.bytes_per_second

    def bytes_to_ticks(self, n_bytes: int) -> int:
        """Duration of *n_bytes* bytes in 100-ns ticks (rounded down, exact integer maths)."""
        return bytes_to_ticks(n_bytes, self.bytes_per_second)

    def ticks_to_bytes(self, ticks: int, *, rounding: Rounding = "nearest") -> int:
        """Byte offset of *ticks* (100-ns units) into the stream, on a whole frame.

        At the nearest frame by default (``ticks_to_bytes(bytes_to_ticks(n))
        == n`` for any whole number of frames *n*); ``rounding="down"`` for the
        frame at or before *ticks*. Negative offsets give 0.
        """
        return ticks_to_bytes(ticks, self.bytes_per_second, self.block_align, rounding=rounding)

    def duration_to_bytes(self, duration: float | _dt.timedelta) -> int:
        """Bytes of *duration* (seconds as a number, or a timedelta), rounded to a whole frame.

        Use :meth:`ticks_to_bytes` for a duration in 100-ns ticks.
        """
        if isinstance(duration, _dt.timedelta):
            ticks = (
                duration.days * 86_400 + duration.seconds
            ) * TICKS_PER_SECOND + duration.microseconds * 10
            return self.ticks_to_bytes(ticks)
        if duration != duration or duration in (float("inf"), float("-inf")):
            raise AudioError(f"duration must be a finite number of seconds, got {duration!r}")
        frames = round(float(duration) * self.sample_rate)
        return max(0, frames) * self.block_align

    # -- headers -------------------------------------------------------------------

    def wav_header(self, data_size: int = 0) -> bytes:
        """The canonical 44-byte RIFF/WAV header for this format (see :func:`wav_header`)."""
        if data_size < 0 or data_size > _MAX_WAV_DATA:
            raise AudioError(f"{data_size} bytes of audio do not fit in a WAV file")
        riff_size = 36 + data_size + (data_size & 1) if data_size else 0
        return struct.pack(
            "<4sI4s4sIHHIIHH4sI",
            b"RIFF",
            riff_size,
            b"WAVE",
            b"fmt ",
            16,
            self.format_tag,
            self.channels,
            self.sample_rate,
            self.bytes_per_second,
            self.block_align,
            self.bits_per_sample,
            b"data",
            data_size,
        )

    def __str__(self) -> str:
        layout = "mono" if self.channels == 1 else f"{self.channels}ch"
        return f"{self.sample_rate} Hz {self.bits_per_sample}-bit {layout} {self.codec}"


# ----------------------------------------------------------------------------------
# Text-to-speech output formats
# ----------------------------------------------------------------------------------


class _Info(NamedTuple):
    container: str
    codec: str
    sample_rate: int
    bits_per_sample: int | None
    bitrate: int | None
    streamable: bool
    request_format: str | None  # None = itself


def _pcm(prefix: str, rate: int, rate_text: str, codec: str = "pcm") -> tuple[str, _Info]:
    bits = 16 if codec == "pcm" else 8
    name = f"{prefix}-{rate_text}-{bits}bit-mono-{codec}"
    twin = f"raw-{rate_text}-{bits}bit-mono-{codec}" if prefix == "riff" else None
    return name, _Info(prefix, codec, rate, bits, None, prefix == "raw", twin)


def _build_table() -> dict[str, _Info]:
    table: dict[str, _Info] = {}
    for prefix in ("raw", "riff"):
        for codec in ("mulaw", "alaw"):
            name, info = _pcm(prefix, 8000, "8khz", codec)
            table[name] = info
        for rate, text in (
            (8000, "8khz"),
            (16000, "16khz"),
            (22050, "22050hz"),
            (24000, "24khz"),
            (44100, "44100hz"),
            (48000, "48khz"),
        ):
            name, info = _pcm(prefix, rate, text)
            table[name] = info
    for rate, kbps in ((16, 32), (16, 64), (16, 128), (24, 48), (24, 96), (24, 160), (48, 96)):
        table[f"audio-{rate}khz-{kbps}kbitrate-mono-mp3"] = _Info(
            "mp3", "mp3", rate * 1000, None, kbps, True, None
        )
    table["audio-48khz-192kbitrate-mono-mp3"] = _Info("mp3", "mp3", 48000, None, 192, True, None)
    for rate in (16, 24, 48):
        table[f"ogg-{rate}khz-16bit-mono-opus"] = _Info(
            "ogg", "opus", rate * 1000, None, None, True, None
        )
    for rate in (16, 24):
        table[f"webm-{rate}khz-16bit-mono-opus"] = _Info(
            "webm", "opus", rate * 1000, None, None, True, None
        )
    table["webm-24khz-16bit-24kbps-mono-opus"] = _Info("webm", "opus", 24000, None, 24, True, None)
    for rate, kbps in ((16, 32), (24, 24), (24, 48)):
        table[f"audio-{rate}khz-16bit-{kbps}kbps-mono-opus"] = _Info(
            "opus", "opus", rate * 1000, None, kbps, True, None
        )
    for rate in (16, 24):
        table[f"raw-{rate}khz-16bit-mono-truesilk"] = _Info(
            "silk", "silk", rate * 1000, None, None, True, None
        )
    table["amr-wb-16000hz"] = _Info("amr", "amr-wb", 16000, None, None, True, None)
    table["g722-16khz-64kbps"] = _Info("g722", "g722", 16000, None, 64, True, None)
    for rate in (24, 48):
        table[f"audio-{rate}khz-16bit-mono-flac"] = _Info(
            "flac", "flac", rate * 1000, None, None, True, None
        )
    table["riff-16khz-16kbps-mono-siren"] = _Info(
        "riff", "siren", 16000, None, 16, False, "audio-16khz-16kbps-mono-siren"
    )
    table["audio-16khz-16kbps-mono-siren"] = _Info("siren", "siren", 16000, None, 16, True, None)
    return table


_TABLE = _build_table()

# Other spellings accepted by OutputFormat.parse (the JS SDK's misspelling among them).
_ALIASES = {"amr-wb-16000h": "amr-wb-16000hz"}

_MIME = {
    "riff": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "opus": "audio/opus",
    "silk": "audio/SILK",
    "amr": "audio/AMR-WB",
    "g722": "audio/G722",
    "flac": "audio/flac",
    "siren": "audio/siren",
}
_RAW_MIME = {"pcm": "audio/L16", "mulaw": "audio/PCMU", "alaw": "audio/PCMA"}
_EXT = {
    "riff": ".wav",
    "mp3": ".mp3",
    "ogg": ".ogg",
    "webm": ".webm",
    "opus": ".opus",
    "silk": ".silk",
    "amr": ".amr",
    "g722": ".g722",
    "flac": ".flac",
    "siren": ".siren",
}
_RAW_EXT = {"pcm": ".pcm", "mulaw": ".ulaw", "alaw": ".alaw"}
_TAG_OF_CODEC = {"pcm": FORMAT_PCM, "mulaw": FORMAT_MULAW, "alaw": FORMAT_ALAW}


def _member_name(value: str) -> str:
    return value.upper().replace("-", "_")


class OutputFormat(str, enum.Enum):
    """Every text-to-speech output format the service accepts.

    The value is the exact string the service expects (for example
    ``OutputFormat.RIFF_24KHZ_16BIT_MONO_PCM == "riff-24khz-16bit-mono-pcm"``);
    the properties describe the audio it produces. Use :meth:`parse` to turn
    user input into a member with a helpful error.
    """

    RAW_8KHZ_8BIT_MONO_MULAW = "raw-8khz-8bit-mono-mulaw"
    RAW_8KHZ_8BIT_MONO_ALAW = "raw-8khz-8bit-mono-alaw"
    RAW_8KHZ_16BIT_MONO_PCM = "raw-8khz-16bit-mono-pcm"
    RAW_16KHZ_16BIT_MONO_PCM = "raw-16khz-16bit-mono-pcm"
    RAW_22050HZ_16BIT_MONO_PCM = "raw-22050hz-16bit-mono-pcm"
    RAW_24KHZ_16BIT_MONO_PCM = "raw-24khz-16bit-mono-pcm"
    RAW_44100HZ_16BIT_MONO_PCM = "raw-44100hz-16bit-mono-pcm"
    RAW_48KHZ_16BIT_MONO_PCM = "raw-48khz-16bit-mono-pcm"
    RIFF_8KHZ_8BIT_MONO_MULAW = "riff-8khz-8bit-mono-mulaw"
    RIFF_8KHZ_8BIT_MONO_ALAW = "riff-8khz-8bit-mono-alaw"
    RIFF_8KHZ_16BIT_MONO_PCM = "riff-8khz-16bit-mono-pcm"
    RIFF_16KHZ_16BIT_MONO_PCM = "riff-16khz-16bit-mono-pcm"
    RIFF_22050HZ_16BIT_MONO_PCM = "riff-22050hz-16bit-mono-pcm"
    RIFF_24KHZ_16BIT_MONO_PCM = "riff-24khz-16bit-mono-pcm"
    RIFF_44100HZ_16BIT_MONO_PCM = "riff-44100hz-16bit-mono-pcm"
    RIFF_48KHZ_16BIT_MONO_PCM = "riff-48khz-16bit-mono-pcm"
    AUDIO_16KHZ_32KBITRATE_MONO_MP3 = "audio-16khz-32kbitrate-mono-mp3"
    AUDIO_16KHZ_64KBITRATE_MONO_MP3 = "audio-16khz-64kbitrate-mono-mp3"
    AUDIO_16KHZ_128KBITRATE_MONO_MP3 = "audio-16khz-128kbitrate-mono-mp3"
    AUDIO_24KHZ_48KBITRATE_MONO_MP3 = "audio-24khz-48kbitrate-mono-mp3"
    AUDIO_24KHZ_96KBITRATE_MONO_MP3 = "audio-24khz-96kbitrate-mono-mp3"
    AUDIO_24KHZ_160KBITRATE_MONO_MP3 = "audio-24khz-160kbitrate-mono-mp3"
    AUDIO_48KHZ_96KBITRATE_MONO_MP3 = "audio-48khz-96kbitrate-mono-mp3"
    AUDIO_48KHZ_192KBITRATE_MONO_MP3 = "audio-48khz-192kbitrate-mono-mp3"
    OGG_16KHZ_16BIT_MONO_OPUS = "ogg-16khz-16bit-mono-opus"
    OGG_24KHZ_16BIT_MONO_OPUS = "ogg-24khz-16bit-mono-opus"
    OGG_48KHZ_16BIT_MONO_OPUS = "ogg-48khz-16bit-mono-opus"
    WEBM_16KHZ_16BIT_MONO_OPUS = "webm-16khz-16bit-mono-opus"
    WEBM_24KHZ_16BIT_MONO_OPUS = "webm-24khz-16bit-mono-opus"
    WEBM_24KHZ_16BIT_24KBPS_MONO_OPUS = "webm-24khz-16bit-24kbps-mono-opus"
    AUDIO_16KHZ_16BIT_32KBPS_MONO_OPUS = "audio-16khz-16bit-32kbps-mono-opus"
    AUDIO_24KHZ_16BIT_24KBPS_MONO_OPUS = "audio-24khz-16bit-24kbps-mono-opus"
    AUDIO_24KHZ_16BIT_48KBPS_MONO_OPUS = "audio-24khz-16bit-48kbps-mono-opus"
    RAW_16KHZ_16BIT_MONO_TRUESILK = "raw-16khz-16bit-mono-truesilk"
    RAW_24KHZ_16BIT_MONO_TRUESILK = "raw-24khz-16bit-mono-truesilk"
    AMR_WB_16000HZ = "amr-wb-16000hz"
    G722_16KHZ_64KBPS = "g722-16khz-64kbps"
    AUDIO_24KHZ_16BIT_MONO_FLAC = "audio-24khz-16bit-mono-flac"
    AUDIO_48KHZ_16BIT_MONO_FLAC = "audio-48khz-16bit-mono-flac"
    RIFF_16KHZ_16KBPS_MONO_SIREN = "riff-16khz-16kbps-mono-siren"
    AUDIO_16KHZ_16KBPS_MONO_SIREN = "audio-16khz-16kbps-mono-siren"

    def __str__(self) -> str:
        return str(self.value)

    @property
    def _info(self) -> _Info:
        return _TABLE[self.value]

    @property
    def container(self) -> str:
        """How the audio is packaged.

        One of ``"riff"``, ``"raw"``, ``"mp3"``, ``"ogg"``, ``"webm"``,
        ``"opus"`` (bare Opus frames), ``"silk"``, ``"amr"``, ``"g722"``,
        ``"flac"``, ``"siren"``.
        """
        return self._info.container

    @property
    def codec(self) -> str:
        """The codec: ``"pcm"``, ``"mulaw"``, ``"alaw"``, ``"mp3"``, ``"opus"``, ``"silk"``,
        ``"amr-wb"``, ``"g722"``, ``"flac"`` or ``"siren"``."""
        return self._info.codec

    @property
    def sample_rate(self) -> int:
        """Samples per second of the (decoded) audio."""
        return self._info.sample_rate

    @property
    def bits_per_sample(self) -> int | None:
        """Bits per sample for PCM, µ-law and A-law formats; None for compressed ones."""
        return self._info.bits_per_sample

    @property
    def bitrate(self) -> int | None:
        """The nominal bitrate in kbit/s when the format names one, else None."""
        return self._info.bitrate

    @property
    def streamable(self) -> bool:
        """True when the audio can be played or stored as it arrives.

        ``riff-*`` formats are not: their header holds sizes only known at the end.
        """
        return self._info.streamable

    @property
    def has_header(self) -> bool:
        """True for ``riff-*`` formats, whose files start with a RIFF/WAV header."""
        return self._info.container == "riff"

    @property
    def is_pcm(self) -> bool:
        """True for uncompressed PCM and G.711 (µ-law, A-law) formats."""
        return self._info.bits_per_sample is not None

    @property
    def request_format(self) -> OutputFormat:
        """The format to ask the service for over the WebSocket.

        For ``riff-*`` formats this is the ``raw-*`` twin (the client writes
        the header itself, as Microsoft's SDKs do); otherwise the format itself.
        """
        twin = self._info.request_format
        return OutputFormat(twin) if twin else self

    @property
    def pcm_format(self) -> PcmFormat | None:
        """The :class:`PcmFormat` of the samples for PCM-like formats; None for compressed ones."""
        info = self._info
        if info.bits_per_sample is None:
            return None
        return PcmFormat(info.sample_rate, info.bits_per_sample, 1, _TAG_OF_CODEC[info.codec])

    @property
    def mime_type(self) -> str:
        """The MIME type of the audio as stored (``audio/wav``, ``audio/mpeg``, ...)."""
        info = self._info
        if info.container == "raw" and info.codec in _RAW_MIME:
            return f"{_RAW_MIME[info.codec]};rate={info.sample_rate};channels=1"
        return _MIME[info.container]

    @property
    def file_extension(self) -> str:
        """A file extension for the audio, with the dot (``".wav"``, ``".mp3"``, ...)."""
        info = self._info
        if info.container == "raw" and info.codec in _RAW_EXT:
            return _RAW_EXT[info.codec]
        return _EXT[info.container]

    @classmethod
    def parse(cls, value: str | OutputFormat) -> OutputFormat:
        """Turn a format string (or member name, any case) into an :class:`OutputFormat`.

        Raises:
            ConfigurationError: the string names no format; the message
                suggests the nearest valid name.
        """
        if isinstance(value, OutputFormat):
            return value
        if not isinstance(value, str):
            raise ConfigurationError(
                f"output format must be a string or OutputFormat, not {type(value).__name__}"
            )
        text = value.strip().lower().replace("_", "-")
        text = _ALIASES.get(text, text)
        if text in _TABLE:
            return cls(text)
        close = difflib.get_close_matches(text, list(_TABLE), n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigurationError(
            f"unknown output format {value!r}.{hint} Valid formats: {', '.join(_TABLE)}"
        )


# Every table entry must have a member and vice versa.
assert {m.value for m in OutputFormat} == set(_TABLE), "OutputFormat out of sync with its table"
assert all(_member_name(m.value) == m.name for m in OutputFormat)

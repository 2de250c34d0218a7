"""What every USP connection sends the same way, sans-I/O: ``speech.config`` and ``X-Timestamp``.

Speech to text, translation and text to speech open their connection with one
``speech.config`` message describing the client; :func:`speech_config` builds
its body for all of them (one client identity), with the audio source and
recognition mode where the feature has them. :func:`x_timestamp` formats an
``X-Timestamp`` from a time the caller passes: the clock is read in the I/O
layer (``azspeech._transport.ws.now_timestamp``), never here.
"""

from __future__ import annotations

import datetime as _dt
import functools
import platform
from collections.abc import Mapping
from typing import Any

from .._version import __version__
from ..audio.formats import PcmFormat

__all__ = ["client_identity", "speech_config", "x_timestamp"]


def x_timestamp(when: _dt.datetime) -> str:
    """An ``X-Timestamp`` value for *when*: ISO-8601 UTC with milliseconds.

    >>> x_timestamp(_dt.datetime(2026, 1, 2, 3, 4, 5, 678900, tzinfo=_dt.timezone.utc))
    '2026-01-02T03:04:05.678Z'

    A naive datetime is taken as UTC; an aware one is converted to UTC.
    """
    if when.tzinfo is not None and when.utcoffset():
        when = when.astimezone(_dt.timezone.utc)
    # An f-string, not strftime: this runs for every audio message (twice as fast).
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d}.{when.microsecond // 1000:03d}Z"
    )


@functools.cache
def _identity() -> tuple[tuple[str, str], ...]:
    # platform calls are slow-ish (uname): once per process
    return (
        ("system.name", "SpeechSDK"),
        ("system.version", __version__),
        ("system.build", "azspeech-python"),
        ("system.lang", "Python"),
        ("os.platform", "Python"),
        ("os.name", platform.system() or "unknown"),
        ("os.version", platform.release() or "unknown"),
    )


def client_identity() -> dict[str, dict[str, str]]:
    """The ``context.system`` and ``context.os`` members: who is talking.

    ``system.name`` is ``SpeechSDK``, as both official SDKs send it (mirroring
    it is the safe choice); ``build`` names this SDK.
    """
    out: dict[str, dict[str, str]] = {"system": {}, "os": {}}
    for key, value in _identity():
        section, name = key.split(".")
        out[section][name] = value
    return out


def speech_config(
    audio_format: PcmFormat | None = None,
    *,
    recognition: str | None = None,
    source: str = "Stream",
    extra_context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body of ``speech.config``, the first message of every USP connection.

    Args:
        audio_format: the format of the audio the client sends (recognition,
            translation); ``None`` for synthesis, which sends no audio.
        recognition: the recognition mode (``interactive``, ``conversation``,
            ``dictation``), as the top-level ``recognition`` member.
        source: the audio source's kind and model (``Stream``, ``File``,
            ``Microphones``...), with *audio_format*.
        extra_context: more members of ``context`` (e.g. an avatar's
            ``synthesis.video``), added after the identity.
    """
    context: dict[str, Any] = dict(client_identity())
    if audio_format is not None:
        context["audio"] = {
            "source": {
                "bitspersample": audio_format.bits_per_sample,
                "channelcount": audio_format.channels,
                "connectivity": "Unknown",
                "manufacturer": "azspeech",
                "model": source,
                "samplerate": audio_format.sample_rate,
                "type": source,
            }
        }
    if extra_context:
        context.update(extra_context)
    body: dict[str, Any] = {"context": context}
    if recognition is not None:
        body["recognition"] = recognition
    return body

"""``synthesize --play``: the speaker, checked before anything is synthesized.

Playing goes through the library's audio layer (:meth:`azspeech.audio.Audio.play`,
sounddevice from the ``[mic]`` extra). A missing extra is exit code 5, no usable
output device (or no PortAudio library) exit code 6, each one line that names
the fix.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._settings import EXIT, CliError

__all__ = ["check_speaker", "play"]

_INSTEAD = "or write a file with -o FILE"


def check_speaker() -> None:
    """Fail now, before the service is asked, when nothing could play the audio."""
    try:
        sd = importlib.import_module("sounddevice")
    except ImportError as exc:
        raise CliError(
            f"--play needs the [mic] extra: pip install 'azspeech[mic]' ({_INSTEAD})",
            EXIT["missing_extra"],
        ) from exc
    except OSError as exc:  # sounddevice is there, the PortAudio library is not
        raise CliError(
            f"--play: the PortAudio library could not be loaded ({exc}); install it "
            f"(e.g. apt install libportaudio2) {_INSTEAD}",
            EXIT["no_audio_device"],
        ) from exc
    try:
        sd.query_devices(kind="output")
    except Exception as exc:  # PortAudioError, or a ValueError when there is none
        raise CliError(
            f"--play: no audio output device ({_one_line(exc)}); connect one {_INSTEAD}",
            EXIT["no_audio_device"],
        ) from exc


def play(audio: Any) -> None:
    """Play *audio* (an :class:`~azspeech.audio.Audio`) to the end on the default device."""
    from ..errors import AudioError

    try:
        audio.play(blocking=True)
    except AudioError as exc:
        raise CliError(
            f"--play: cannot play the audio ({_one_line(exc)}) {_INSTEAD}",
            EXIT["no_audio_device"],
        ) from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

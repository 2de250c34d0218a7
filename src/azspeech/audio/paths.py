"""Audio file paths, checked before the OS sees them."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import AudioError

__all__ = ["audio_path"]


def audio_path(value: str | os.PathLike[str]) -> Path:
    """*value* as a :class:`~pathlib.Path`, or :class:`~azspeech.errors.AudioError`.

    A NUL byte makes every OS call raise a bare ``ValueError``; it is refused
    here with the path in the message instead.
    """
    text = os.fspath(value)
    if "\x00" in text:
        raise AudioError(f"audio file path {text!r} contains a NUL byte")
    return Path(text)

"""Microphone input and speaker output through the optional ``sounddevice`` package.

Install with ``pip install 'azspeech[mic]'``. The import happens on first
use, so nothing here costs anything (or fails) unless it is called.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import AudioError
from .formats import PcmFormat
from .push import DEFAULT_MAX_BUFFER, AsyncPushStream, _Done

__all__ = ["Microphone", "microphone", "play_samples"]

logger = logging.getLogger("azspeech")

_INSTALL_HINT = "install the optional extra: pip install 'azspeech[mic]'"


def _sounddevice() -> ModuleType:
    """Import sounddevice, turning its absence (or PortAudio's) into a clear AudioError."""
    try:
        return importlib.import_module("sounddevice")
    except ImportError as exc:
        raise AudioError(
            f"microphone and speaker support needs 'sounddevice'; {_INSTALL_HINT}"
        ) from exc
    except OSError as exc:  # sounddevice raises OSError when the PortAudio library is missing
        raise AudioError(
            f"sounddevice is installed but PortAudio could not be loaded: {exc}"
        ) from exc


class Microphone(AsyncPushStream):
    """Live audio from an input device, as an :class:`AsyncPushStream`.

    Recording starts when the object is made and stops at :meth:`close`
    (or leaving ``with`` / ``async with``). If nobody reads fast enough the
    oldest audio is kept and new blocks are dropped (counted in
    :attr:`dropped`), never blocking the audio thread.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        chunk_ms: int = 100,
        *,
        device: int | str | None = None,
        channels: int = 1,
        max_buffer_bytes: int = DEFAULT_MAX_BUFFER,
    ) -> None:
        fmt = PcmFormat(sample_rate, 16, channels)
        if isinstance(chunk_ms, bool) or not isinstance(chunk_ms, int) or chunk_ms <= 0:
            raise AudioError(f"chunk_ms must be a positive int, got {chunk_ms!r}")
        super().__init__(fmt, max_buffer_bytes=max_buffer_bytes)
        sd = _sounddevice()
        frames = max(1, sample_rate * chunk_ms // 1000)
        pipe = self._pipe

        def callback(indata: Any, n_frames: int, time_info: Any, status: Any) -> None:
            if status:
                logger.debug("microphone status: %s", status)
            with contextlib.suppress(AudioError):  # closed while the device still delivers
                pipe.put_nowait(bytes(indata))

        try:
            self._stream: Any = sd.RawInputStream(
                samplerate=sample_rate,
                blocksize=frames,
                channels=channels,
                dtype="int16",
                device=device,
                callback=callback,
            )
            self._stream.start()
        except Exception as exc:
            self._pipe.close()
            raise AudioError(f"cannot open the microphone (device={device!r}): {exc}") from exc

    @property
    def dropped(self) -> int:
        """Blocks dropped because the buffer was full."""
        return self._pipe.dropped

    def _stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception as exc:  # pragma: no cover - device went away
                logger.debug("closing the microphone failed: %s", exc)

    def close(self) -> _Done:
        """Stop recording; readers get what was recorded, then the end."""
        self._stop()
        return super().close()

    async def aclose(self) -> None:
        """Stop recording (coroutine form)."""
        self.close()

    def __enter__(self) -> Microphone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def microphone(
    sample_rate: int = 16000, chunk_ms: int = 100, *, device: int | str | None = None
) -> Microphone:
    """Start recording 16-bit mono audio from the default (or given) input device.

    The result can be passed anywhere an :data:`AudioInput` is accepted.

    Raises:
        AudioError: sounddevice is not installed, or no input device could be opened.
    """
    return Microphone(sample_rate, chunk_ms, device=device)


def play_samples(
    samples: npt.NDArray[np.float32], sample_rate: int, *, blocking: bool = True
) -> None:
    """Play float samples through the default output device.

    Raises:
        AudioError: sounddevice is missing or there is no output device.
    """
    sd = _sounddevice()
    try:
        sd.play(samples, sample_rate, blocking=blocking)
    except Exception as exc:
        raise AudioError(f"cannot play audio: {exc}") from exc

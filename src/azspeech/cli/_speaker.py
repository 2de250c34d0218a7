"""``synthesize --play``: the speaker, checked before anything is synthesized.

Playing goes through sounddevice (the ``[mic]`` extra). A missing extra is exit
code 5, no usable output device (or no PortAudio library) exit code 6, each one
line that names the fix. :class:`StreamingSpeaker` plays PCM as it arrives (an
output stream fed from a thread through a bounded buffer); :func:`play` plays a
whole :class:`~azspeech.audio.Audio` (compressed formats, which are decoded whole).
Both find sounddevice in ``sys.modules`` at call time, so tests can put a fake there.
"""

from __future__ import annotations

import importlib
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from ._settings import EXIT, CliError

if TYPE_CHECKING:
    from ..audio import PcmFormat

__all__ = ["BUFFER_SECONDS", "StreamingSpeaker", "check_speaker", "play"]

_INSTEAD = "or write a file with -o FILE"

#: How much audio (in seconds) may wait for the speaker before the synthesis is held back.
BUFFER_SECONDS = 20.0


def check_speaker() -> None:
    """Fail now, before the service is asked, when nothing could play the audio."""
    sd = _sounddevice()
    try:
        sd.query_devices(kind="output")
    except Exception as exc:  # PortAudioError, or a ValueError when there is none
        raise CliError(
            f"--play: no audio output device ({_one_line(exc)}); connect one {_INSTEAD}",
            EXIT["no_audio_device"],
        ) from exc


def _sounddevice() -> Any:
    try:
        return importlib.import_module("sounddevice")
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


def play(audio: Any) -> None:
    """Play *audio* (an :class:`~azspeech.audio.Audio`) to the end on the default device."""
    from ..errors import AudioError

    try:
        audio.play(blocking=True)
    except AudioError as exc:
        raise _cannot_play(exc) from exc


def _cannot_play(exc: BaseException) -> CliError:
    return CliError(
        f"--play: cannot play the audio ({_one_line(exc)}) {_INSTEAD}", EXIT["no_audio_device"]
    )


class StreamingSpeaker:
    """Plays PCM chunks on the default output device while more are still coming.

    :meth:`feed` hands a chunk over (waiting while more than *buffer_seconds*
    of audio are queued: the bound that holds a fast synthesis back);
    a thread writes the chunks to a sounddevice output stream, whose blocking
    ``write`` paces it at the speed of playback. :meth:`finish` waits until
    everything has been played; :meth:`abort` stops at once (Ctrl-C). A device
    that fails is remembered in :attr:`error` (later chunks are dropped) and
    :meth:`finish` raises it as exit code 6.
    """

    def __init__(self, fmt: PcmFormat, *, buffer_seconds: float = BUFFER_SECONDS) -> None:
        self.format = fmt
        self.error: BaseException | None = None
        self._limit = max(fmt.block_align, int(buffer_seconds * fmt.bytes_per_second))
        self._queued = 0
        self._chunks: deque[bytes | None] = deque()
        self._rest = b""  # a partial frame, completed by the next chunk
        self._stopped = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="azspeech-speaker", daemon=True)
        self._thread.start()

    def feed(self, chunk: bytes) -> None:
        """Queue *chunk* (bytes of :attr:`format`) for playing; waits while the buffer is full."""
        data = self._rest + bytes(chunk)
        whole = len(data) - len(data) % self.format.block_align
        data, self._rest = data[:whole], data[whole:]
        if not data:
            return
        with self._cond:
            while self._queued >= self._limit and not self._stopped and self.error is None:
                self._cond.wait(0.1)  # a short wait keeps Ctrl-C prompt
            if self._stopped or self.error is not None:
                return
            self._chunks.append(data)
            self._queued += len(data)
            self._cond.notify_all()

    def finish(self) -> None:
        """Wait until every fed chunk has been played; raise a device failure as exit code 6."""
        with self._cond:
            self._chunks.append(None)
            self._cond.notify_all()
        while self._thread.is_alive():
            self._thread.join(0.1)  # a short wait keeps Ctrl-C prompt
        if self.error is not None:
            raise _cannot_play(self.error) from self.error

    def abort(self) -> None:
        """Stop playing now and drop what is queued (the thread closes the device)."""
        with self._cond:
            self._stopped = True
            self._chunks.clear()
            self._queued = 0
            self._cond.notify_all()
        self._thread.join(5.0)

    def _next(self) -> bytes | None:
        with self._cond:
            while not self._chunks and not self._stopped:
                self._cond.wait()
            if self._stopped:
                return None
            data = self._chunks.popleft()
            if data is not None:
                self._queued -= len(data)
                self._cond.notify_all()
            return data

    def _run(self) -> None:
        from ..audio.convert import bytes_to_float

        stream: Any = None
        try:
            while (data := self._next()) is not None:
                if stream is None:
                    stream = _sounddevice().OutputStream(
                        samplerate=self.format.sample_rate,
                        channels=self.format.channels,
                        dtype="float32",
                    )
                    stream.start()
                stream.write(bytes_to_float(data, self.format))
            if stream is not None and not self._stopped:
                stream.stop()  # returns when the device has played what it holds
        except BaseException as exc:  # shown by the main thread
            with self._cond:
                self.error = exc
                self._chunks.clear()
                self._queued = 0
                self._cond.notify_all()
        finally:
            if stream is not None:
                try:
                    if self._stopped or self.error is not None:
                        stream.abort()
                    stream.close()
                except Exception as exc:  # the device went away while closing
                    self.error = self.error or exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

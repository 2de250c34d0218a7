"""``synthesize --play`` for PCM formats: the audio plays while it is being synthesized.

The synthesis streams (``client.tts.stream``); each chunk goes to the file
(when ``-o`` is given, written as it arrives) and to a
:class:`~._speaker.StreamingSpeaker`. The file ends up byte for byte what a
run without ``--play`` writes; Ctrl-C stops the speaker and the synthesis and
leaves a valid, shorter file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ._speaker import StreamingSpeaker

if TYPE_CHECKING:
    from ..audio import Audio, OutputFormat, PcmFormat

__all__ = ["AudioFileWriter", "synthesize_playing"]


class AudioFileWriter:
    """Writes PCM audio to *path* as it arrives; a valid file after every :meth:`close`.

    A WAV file (a ``riff-*`` format, or a path ending in ``.wav``) gets its
    header rewritten with the final sizes on close, as :meth:`Audio.save
    <azspeech.audio.Audio.save>` would have written it; otherwise the raw
    bytes are written.
    """

    def __init__(self, path: str, fmt: OutputFormat) -> None:
        from ..errors import AudioError

        self.path = Path(path)
        pcm = fmt.pcm_format
        assert pcm is not None, "AudioFileWriter takes PCM formats"
        self._pcm: PcmFormat = pcm
        self._wav = fmt.has_header or self.path.suffix.lower() == ".wav"
        self.size = 0
        try:
            self._file: BinaryIO | None = self.path.open("wb")
            if self._wav:
                self._file.write(self._pcm.wav_header(0))
        except OSError as exc:
            raise AudioError(f"cannot save audio to {path!r}: {exc.strerror or exc}") from exc

    def write(self, chunk: bytes) -> None:
        """Append *chunk* and flush it (a reader of the file sees it at once)."""
        from ..errors import AudioError

        assert self._file is not None
        try:
            self._file.write(chunk)
            self._file.flush()
        except OSError as exc:  # a full disk, a removed drive
            raise AudioError(
                f"cannot save audio to {str(self.path)!r}: {exc.strerror or exc}"
            ) from exc
        self.size += len(chunk)

    def close(self) -> None:
        """Finish the file: the pad byte and the sizes of a WAV header. Safe to call twice."""
        file, self._file = self._file, None
        if file is None:
            return
        from ..errors import AudioError

        try:
            with file:
                if self._wav:
                    if self.size & 1:
                        file.write(b"\x00")
                    file.seek(0)
                    file.write(self._pcm.wav_header(self.size))
        except OSError as exc:
            raise AudioError(
                f"cannot save audio to {str(self.path)!r}: {exc.strerror or exc}"
            ) from exc


def synthesize_playing(
    client: Any,
    text: str,
    *,
    voice: str,
    fmt: OutputFormat,
    output: str | None,
    events: list[Any] | None = None,
) -> Audio:
    """Synthesize *text* into the speaker (and *output*) as it arrives; the whole audio.

    *events*, when given, collects the word boundaries and visemes (for ``--plot``).
    """
    from ..audio import Audio
    from ..errors import AudioError
    from ..models.tts import AudioChunk

    pcm_format = fmt.pcm_format
    assert pcm_format is not None
    pcm = bytearray()
    writer = AudioFileWriter(output, fmt) if output else None
    speaker = StreamingSpeaker(pcm_format)
    try:
        stream = client.tts.stream(
            text, voice=voice, output_format=fmt, visemes=events is not None,
            word_boundary=events is not None,
        )  # fmt: skip
        with contextlib.closing(stream):
            for event in stream:
                if not isinstance(event, AudioChunk):
                    if events is not None:
                        events.append(event)
                    continue
                if writer is not None:
                    writer.write(event)
                pcm += event
                speaker.feed(event)
                if speaker.error is not None and writer is None:
                    break  # nothing to play and nothing to write: stop synthesizing
        if writer is not None:
            writer.close()
        speaker.finish()
    except BaseException:  # Ctrl-C, a failed synthesis: stop playing, keep a valid file
        speaker.abort()
        if writer is not None:
            with contextlib.suppress(AudioError):  # the first failure is the one to show
                writer.close()
        raise
    return Audio(bytes(pcm), fmt)

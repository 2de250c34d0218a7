"""Progress of an upload: how many bytes of the audio have been handed to the connection.

``client.stt.transcribe(path, on_progress=...)`` calls the callback with an
:class:`UploadProgress` each time httpx reads the next piece (64 KiB) of the
audio part to send it, so a progress bar can follow a large upload. A retry
reads the audio again from its start, so *sent* may go back to 0.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO, Any

from .fast import _NoClose

__all__ = ["UploadProgress", "UploadProgressCallback", "with_upload_progress"]


@dataclass(frozen=True)
class UploadProgress:
    """*sent* bytes of the upload of *name* so far, of *total* (None when unknown)."""

    name: str
    sent: int
    total: int | None

    @property
    def fraction(self) -> float | None:
        """*sent* / *total* in ``[0, 1]``; None when the total is unknown or zero."""
        if not self.total:
            return None
        return min(1.0, self.sent / self.total)


UploadProgressCallback = Callable[[UploadProgress], Any]
"""What ``on_progress=`` takes: a function of an :class:`UploadProgress` (its result is ignored)."""


class _Counting(_NoClose):
    """A reader that reports its position after each read (seekable when its source is).

    Unlike the view it builds on, closing it closes its source (a reader our
    own request opened).
    """

    def __init__(
        self, source: IO[bytes], name: str, total: int | None, report: UploadProgressCallback
    ) -> None:
        super().__init__(source)
        self._name = name
        self._total = total
        self._report = report
        self._sent = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if data:
            self._sent += len(data)
            sent = self.tell() if self.seekable() else self._sent
            self._report(UploadProgress(self._name, sent, self._total))
        return data

    def close(self) -> None:
        self._f.close()
        io.RawIOBase.close(self)


def with_upload_progress(part: Any, on_progress: UploadProgressCallback | None) -> Any:
    """*part* (a :class:`~azspeech.stt.fast.FastTranscriptionRequest`) reporting to *on_progress*.

    Bytes are handed out as a seekable reader so that httpx reads them in
    pieces (and still knows their length).
    """
    if on_progress is None or part is None:
        return part
    if not callable(on_progress):
        from ..errors import InvalidRequestError

        raise InvalidRequestError(f"on_progress must be callable, got {type(on_progress).__name__}")
    opener = part.opener

    def counted() -> IO[bytes]:
        opened = opener()
        source = io.BytesIO(opened) if isinstance(opened, (bytes, bytearray)) else opened
        return _Counting(source, part.filename, part.size, on_progress)  # type: ignore[return-value]

    return replace(part, opener=counted, _opened=[])

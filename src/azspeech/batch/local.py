"""Local audio files before they leave the machine: checked to be audio, sized and hashed.

:func:`inspect_file` reads a file once, in pieces (it is never held in memory
whole), and returns a :class:`LocalAudio` with its size, SHA-256 and MD5. A
file that does not start like an audio container the Speech service reads is
refused with :class:`~azspeech.errors.AudioError` (code ``NotAudio``) before
anything is uploaded or sent.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError, InvalidRequestError

__all__ = ["LocalAudio", "audio_kind", "check_audio", "inspect_file", "resolve_paths"]

_CHUNK = 1024 * 1024


def audio_kind(head: bytes) -> str | None:
    """The container format *head* (a file's first bytes) starts with, or None.

    The formats batch and fast transcription accept: WAV (RIFF/RF64/Wave64),
    MP3 (ID3 or an MPEG frame), AAC (ADTS), Ogg/Opus, FLAC, WebM/Matroska,
    MP4/M4A, AMR, WMA (ASF), Speex (in Ogg) and AU.
    """
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"riff\x2e\x91\xcf\x11"):
        return "wav"  # Sony Wave64
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        return "aac" if (head[1] & 0x06) == 0 else "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "wma"
    if head.startswith(b".snd"):
        return "au"
    return None


@dataclass(frozen=True)
class LocalAudio:
    """A local audio file as uploaded: its absolute path, size, hashes and format."""

    path: Path
    size: int
    sha256: str
    md5: bytes
    kind: str

    @property
    def key(self) -> str:
        """The file's identity in a manifest (its absolute path)."""
        return str(self.path)

    def blob_name(self, prefix: str = "") -> str:
        """A content-addressed blob name: the same bytes under the same name map to one blob."""
        return f"{prefix}{self.sha256[:16]}/{self.path.name}"


def check_audio(path: str | os.PathLike[str]) -> tuple[Path, int, str]:
    """``(absolute path, size, format)`` of an audio file, reading only its first bytes.

    :class:`~azspeech.errors.AudioError` for a missing, empty or non-audio file.
    """
    p = Path(path).expanduser().resolve()
    try:
        if not p.is_file():
            raise AudioError(f"{str(p)!r} is not a file", code="NotAFile")
        with open(p, "rb") as f:
            head = f.read(64)
            size = os.fstat(f.fileno()).st_size
    except OSError as exc:
        raise AudioError(f"cannot read audio file {str(p)!r}: {exc}") from exc
    return p, size, _kind_or_fail(p, head)


def _kind_or_fail(p: Path, head: bytes) -> str:
    if not head:
        raise AudioError(f"audio file {str(p)!r} is empty", code="EmptyAudio")
    kind = audio_kind(head)
    if kind is None:
        raise AudioError(
            f"{str(p)!r} is not an audio file the Speech service reads (no WAV, MP3, "
            "Ogg/Opus, FLAC, WebM, MP4/M4A, AMR, WMA or AAC header); nothing was sent",
            code="NotAudio",
        )
    return kind


def inspect_file(path: str | os.PathLike[str]) -> LocalAudio:
    """Check that *path* is a non-empty audio file and hash it (streamed, 1 MiB at a time)."""
    p = Path(path).expanduser().resolve()
    try:
        if not p.is_file():
            raise AudioError(f"{str(p)!r} is not a file", code="NotAFile")
        f = open(p, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise AudioError(f"cannot read audio file {str(p)!r}: {exc}") from exc
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with f:
        head = f.read(64)
        kind = _kind_or_fail(p, head)
        chunk = head
        while chunk:
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
            chunk = f.read(_CHUNK)
    return LocalAudio(p, size, sha.hexdigest(), md5.digest(), kind)


def resolve_paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Path]:
    """The absolute paths of *paths* (a directory stands for the files in it, sorted).

    Duplicates are dropped, keeping the first; an empty selection is refused.
    """
    items: Sequence[str | os.PathLike[str]]
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out: list[Path] = []
    seen: set[Path] = set()
    for item in items:
        p = Path(item).expanduser().resolve()
        found = sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p]
        for f in found:
            if f not in seen:
                seen.add(f)
                out.append(f)
    if not out:
        raise InvalidRequestError("no audio files given")
    return out

"""The run manifest: what a run of many files has done, so that a crashed run resumes.

One JSON object per line, appended and flushed as each step completes (never
rewritten in place, so a crash loses at most the line being written):

* line 1, the run: ``{"azspeech_manifest": 1, "run_id": ..., "mode": "batch"|"fast",
  "target": ...}`` (*target*: the container, or the endpoint and output folder);
* one line per file and step, the last one for a file telling where it is:
  ``{"file": "/abs/a.wav", "state": "uploaded", "size": ..., "sha256": ..., "blob": ...}``,
  then ``{"file": ..., "state": "submitted", "job": "<transcription id>"}``,
  then ``{"file": ..., "state": "finished", "result": "/abs/out/a.json"}``
  (or ``"failed"`` with ``"error"``);
* for batch jobs, ``{"job": "<name>", "state": "submitting", "files": [...]}``
  before a transcription is created and ``{"job": ..., "state": "submitted",
  "id": ...}`` after, so that a crash between the two finds the job by its
  name instead of creating it again.

Opening a manifest of another run (another mode, container, endpoint or run
id, or files this run was not given) or a corrupted one raises
:class:`ManifestError` and nothing is uploaded or submitted. A last line cut
short by a crash (no newline) is dropped: the step it recorded is checked
again (an upload is skipped if the blob is there with the same hash; a
submission is found by its job name).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import InvalidRequestError

__all__ = ["FileRecord", "JobRecord", "Manifest", "ManifestError", "RunMode"]

VERSION = 1
RunMode = Literal["batch", "fast"]
FileState = Literal["uploaded", "submitted", "finished", "failed"]
_FILE_STATES = frozenset({"uploaded", "submitted", "finished", "failed"})
_JOB_STATES = frozenset({"submitting", "submitted", "done"})


class ManifestError(InvalidRequestError):
    """The manifest belongs to another run, or is corrupted; nothing was done."""


@dataclass
class FileRecord:
    """Where one file of the run is (the fold of its lines)."""

    file: str
    state: FileState
    size: int | None = None
    sha256: str | None = None
    blob: str | None = None
    job: str | None = None
    result: str | None = None
    error: str | None = None


@dataclass
class JobRecord:
    """A batch transcription of the run: its name, id once created, and its files."""

    name: str
    state: str
    files: list[str] = field(default_factory=list)
    id: str | None = None


def _fail(path: Path, line: int, why: str) -> ManifestError:
    return ManifestError(
        f"manifest {str(path)!r}, line {line}: {why}; it is corrupted or not an azspeech "
        "manifest (nothing was uploaded or submitted; give another manifest path for a new run)"
    )


class Manifest:
    """An open run manifest (see the module docstring); open it with :meth:`open`."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = header
        self.files: dict[str, FileRecord] = {}
        self.jobs: dict[str, JobRecord] = {}
        self._lock = threading.Lock()
        self._fh: Any = None

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        mode: RunMode,
        target: str,
        run_id: str | None = None,
    ) -> Manifest:
        """Open the manifest at *path*, or start it if the file is missing or empty.

        An existing manifest must be of the same *mode* and *target* (and of
        *run_id* when given), else :class:`ManifestError`.
        """
        p = Path(path).expanduser().resolve()
        raw = p.read_bytes() if p.exists() else b""
        if not raw.strip():
            header = {
                "azspeech_manifest": VERSION,
                "run_id": run_id or uuid.uuid4().hex,
                "mode": mode,
                "target": target,
            }
            m = cls(p, header)
            p.parent.mkdir(parents=True, exist_ok=True)
            m._fh = open(p, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
            m._write(header, sync=True)
            return m
        keep = raw
        if not raw.endswith(b"\n"):  # a line cut short by a crash: drop it
            keep = raw[: raw.rfind(b"\n") + 1]
        lines = keep.decode("utf-8", "replace").splitlines()
        if not lines:
            raise _fail(p, 1, "no complete first line")
        header = cls._parse(p, 1, lines[0])
        if header.get("azspeech_manifest") != VERSION or not isinstance(header.get("run_id"), str):
            raise _fail(p, 1, "the first line is not an azspeech run header")
        for name, want in (("mode", mode), ("target", target)):
            if header.get(name) != want:
                raise ManifestError(
                    f"manifest {str(p)!r} is from another run: its {name} is "
                    f"{header.get(name)!r}, this run's is {want!r} (run {header['run_id']}); "
                    "nothing was uploaded or submitted"
                )
        if run_id is not None and header["run_id"] != run_id:
            raise ManifestError(
                f"manifest {str(p)!r} is of run {header['run_id']!r}, not {run_id!r}; "
                "nothing was uploaded or submitted"
            )
        m = cls(p, header)
        for n, text in enumerate(lines[1:], start=2):
            m._apply(n, cls._parse(p, n, text))
        if keep is not raw:
            with open(p, "r+b") as f:
                f.truncate(len(keep))
        m._fh = open(p, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        return m

    @staticmethod
    def _parse(path: Path, n: int, text: str) -> dict[str, Any]:
        try:
            obj = json.loads(text)
        except ValueError:
            raise _fail(path, n, "not JSON") from None
        if not isinstance(obj, dict):
            raise _fail(path, n, "not a JSON object")
        return obj

    def _apply(self, n: int, obj: Mapping[str, Any]) -> None:
        state = obj.get("state")
        if isinstance(obj.get("file"), str) and state in _FILE_STATES:
            key = obj["file"]
            rec = self.files.get(key) or FileRecord(key, state)
            rec.state = state
            for name in ("size", "sha256", "blob", "job", "result", "error"):
                if name in obj:
                    setattr(rec, name, obj[name])
            self.files[key] = rec
        elif isinstance(obj.get("job"), str) and state in _JOB_STATES:
            job = self.jobs.get(obj["job"]) or JobRecord(obj["job"], state)
            job.state = state
            if isinstance(obj.get("files"), list):
                job.files = [str(x) for x in obj["files"]]
            if isinstance(obj.get("id"), str):
                job.id = obj["id"]
            self.jobs[job.name] = job
        else:
            raise _fail(self.path, n, "neither a file nor a job record")

    # -- facts -----------------------------------------------------------------------

    @property
    def run_id(self) -> str:
        """The run's id (a new run gets a random one)."""
        return str(self.header["run_id"])

    def check_files(self, keys: Iterable[str], hashes: Mapping[str, tuple[int, str]]) -> None:
        """Refuse to go on if the manifest names files this run was not given, or files
        that changed since they were uploaded (*hashes*: key -> (size, sha256))."""
        given = set(keys)
        stray = sorted(k for k in self.files if k not in given)
        if stray:
            raise ManifestError(
                f"manifest {str(self.path)!r} (run {self.run_id}) lists {len(stray)} file(s) this "
                f"run was not given, e.g. {stray[0]!r}: it is from another run; nothing was "
                "uploaded or submitted"
            )
        for key, rec in self.files.items():
            if rec.sha256 is not None and key in hashes and hashes[key] != (rec.size, rec.sha256):
                raise ManifestError(
                    f"{key!r} changed since run {self.run_id} uploaded it; nothing was uploaded "
                    "or submitted (start a new run with another manifest path)"
                )

    def state(self, key: str) -> FileState | None:
        """The state of file *key*, None if the run has not touched it."""
        rec = self.files.get(key)
        return rec.state if rec else None

    # -- records -----------------------------------------------------------------------

    def _write(self, obj: Mapping[str, Any], *, sync: bool = False) -> None:
        with self._lock:
            if self._fh is None:
                raise ManifestError(f"manifest {str(self.path)!r} is closed")
            self._fh.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")
            self._fh.flush()
            if sync:
                os.fsync(self._fh.fileno())

    def record_file(self, key: str, state: FileState, *, sync: bool = False, **fields: Any) -> None:
        """Append that file *key* reached *state* (with *fields*) and apply it."""
        obj = {"file": key, "state": state, **{k: v for k, v in fields.items() if v is not None}}
        self._write(obj, sync=sync)
        self._apply(0, obj)

    def record_job(self, name: str, state: str, **fields: Any) -> None:
        """Append a batch job's step (synced to disk: it guards against double submission)."""
        obj = {"job": name, "state": state, **{k: v for k, v in fields.items() if v is not None}}
        self._write(obj, sync=True)
        self._apply(0, obj)

    def close(self) -> None:
        """Close the file (records after this raise)."""
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Progress on stderr while the command works: a rich bar, plain lines, or nothing.

* stdout and stderr both terminals, rich installed, no ``--json``: a rich bar
  (or a live status for a job without a known end); result lines printed
  meanwhile go above it (rich redirects stdout while the bar is live);
* terminals but no rich: a plain line on stderr at every tenth of the way;
* ``--json``, or output to a pipe or file: nothing, so the output stays clean.

Updates may come from any thread (an upload's callback, the audio sender).
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Literal

__all__ = ["Meter", "bar_console", "open_meter"]

Unit = Literal["bytes", "seconds", "status"]


def _terminals() -> bool:
    try:
        return sys.stdout.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def bar_console() -> Any:
    """The rich console to draw bars on (stderr), or None: no rich, or not on terminals.

    Tests replace this with a ``Console(force_terminal=True)`` of their own.
    """
    if not _terminals():
        return None
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console(stderr=True)


def _amount(value: float, unit: Unit) -> str:
    if unit == "bytes":
        for size, name in ((2**30, "GB"), (2**20, "MB"), (2**10, "kB")):
            if value >= size:
                return f"{value / size:.1f} {name}"
        return f"{value:.0f} B"
    return f"{value:.1f} s"


class Meter:
    """One piece of work's progress: ``update(done)``, ``describe(text)``; a context manager.

    This base class shows nothing (``--json``, or not on a terminal).
    """

    def __init__(self, description: str, total: float | None, unit: Unit) -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.done = 0.0
        self._lock = threading.Lock()

    def __enter__(self) -> Meter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, done: float) -> None:
        """*done* of the total so far (bytes or seconds)."""
        with self._lock:
            self.done = done
            self._show()

    def describe(self, text: str) -> None:
        """Change what the meter says (a job's status)."""
        with self._lock:
            self.description = text
            self._show(changed=True)

    def close(self) -> None:
        """Stop showing progress."""

    def _show(self, changed: bool = False) -> None:
        pass


class _PlainMeter(Meter):
    """A line on stderr at every tenth of the way, and on each change of description."""

    def __init__(self, description: str, total: float | None, unit: Unit) -> None:
        super().__init__(description, total, unit)
        self._step = -1
        self._said = ""

    def _show(self, changed: bool = False) -> None:
        if changed or self.unit == "status":
            if self.description != self._said:
                self._said = self.description
                print(self.description, file=sys.stderr, flush=True)
            return
        if self.total:
            step = int(min(1.0, self.done / self.total) * 10)
            done, total = _amount(self.done, self.unit), _amount(self.total, self.unit)
            said = f"{step * 10}% ({done} of {total})"
        else:  # no known end: a line every 10 s of audio, or every 10 MB
            step = int(self.done // (10 if self.unit == "seconds" else 10 * 2**20))
            said = _amount(self.done, self.unit)
        if step > self._step:
            self._step = step
            print(f"{self.description}: {said}", file=sys.stderr, flush=True)


class _RichMeter(Meter):
    """A rich progress bar (or spinner with a status) on *console*."""

    def __init__(self, console: Any, description: str, total: float | None, unit: Unit) -> None:
        super().__init__(description, total, unit)
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
        if unit != "status":
            columns += [BarColumn(), TaskProgressColumn()]
            columns.append(
                DownloadColumn()
                if unit == "bytes"
                else TextColumn("{task.completed:.1f}/{task.total:.1f} s")
                if total
                else TextColumn("{task.completed:.1f} s")
            )
        columns.append(TimeElapsedColumn())
        self._progress = Progress(*columns, console=console, redirect_stdout=True)
        self._task = self._progress.add_task(description, total=total)
        self._shown = -1.0
        self._progress.start()

    def _show(self, changed: bool = False) -> None:
        self._progress.update(self._task, completed=self.done, description=self.description)
        # Draw at once (not only at the next tick) when the words changed or the bar
        # moved a visible step.
        step = self.total / 100 if self.total else 0.0
        if changed or self.unit == "status" or self.done - self._shown >= step:
            self._shown = self.done
            self._progress.refresh()

    def close(self) -> None:
        with self._lock:
            if self.total:
                self._progress.update(self._task, completed=self.done)
            self._progress.refresh()
            self._progress.stop()


def open_meter(
    args: Any, description: str, total: float | None = None, unit: Unit = "bytes"
) -> Meter:
    """The meter this run shows (see the module docstring)."""
    if getattr(args, "json", False):
        return Meter(description, total, unit)
    console = bar_console()
    if console is not None:
        return _RichMeter(console, description, total, unit)
    if _terminals():
        return _PlainMeter(description, total, unit)
    return Meter(description, total, unit)

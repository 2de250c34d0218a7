"""The benchmarks ``python -m benchmarks`` runs: their scripts, settings and printed figures.

Each :class:`Benchmark` names a script of this folder and its arguments at
three sizes: ``smoke`` (seconds: keeps the suite from rotting in the tests),
``quick`` (the default: a few minutes for all of them) and ``full`` (the
script's own defaults: the figures the issues ask for). The script runs as a
subprocess; its printed lines are read back with regular expressions into
table rows (:class:`Figure`). A line that no longer matches leaves the figure
out and the row says so, rather than failing the whole run.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    """One line of the table: a measure, azspeech's figure, the official SDK's, a note."""

    benchmark: str
    measure: str
    azspeech: str = ""
    official: str = ""
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A measure read from the output: *pattern*'s named groups filled into the cells."""

    measure: str
    pattern: str
    azspeech: str = ""
    official: str = ""
    note: str = ""

    def read(self, benchmark: str, output: str) -> Row | None:
        """The row, or None when the pattern is not in *output* (the last match counts)."""
        matches = list(re.finditer(self.pattern, output, re.MULTILINE))
        if not matches:
            return None
        values = matches[-1].groupdict()

        def cell(template: str) -> str:
            # An optional part that did not print (the official SDK missing): an empty cell.
            names = re.findall(r"{(\w+)}", template)
            return "" if any(values.get(n) is None for n in names) else template.format(**values)

        return Row(
            benchmark, self.measure, cell(self.azspeech), cell(self.official), cell(self.note)
        )


NUM = r"[-+]?\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Benchmark:
    """A script of benchmarks/ and how to run and read it."""

    name: str
    script: str
    what: str
    smoke: str
    quick: str
    full: str = ""
    figures: tuple[Figure, ...] = ()
    reader: Callable[[str, str], list[Row]] | None = None  # for outputs not line by line
    needs: tuple[str, ...] = field(default=())  # what it needs beyond the dev extra

    def args(self, size: str) -> tuple[str, ...]:
        """The script's arguments for *size* (``smoke``, ``quick`` or ``full``)."""
        return tuple(
            shlex.split({"smoke": self.smoke, "quick": self.quick, "full": self.full}[size])
        )

    def rows(self, output: str) -> list[Row]:
        """The table rows read from the script's output."""
        if self.reader is not None:
            return self.reader(self.name, output)
        found = [f.read(self.name, output) for f in self.figures]
        return [r for r in found if r is not None]


def _many_files_rows(name: str, output: str) -> list[Row]:
    """bench_many_files.py prints one JSON document (a member for batch, one for fast)."""
    start = output.find("{")
    try:
        report = json.loads(output[start:]) if start >= 0 else {}
    except json.JSONDecodeError:
        return []
    rows = []
    b = report.get("batch_transcribe_files") or report.get("batch")
    if b:
        rows.append(
            Row(
                name,
                "batch over Azurite: wall time",
                f"{b['wall_s']} s",
                note=f"{b['files']} files x {b['audio_seconds_each']} s, {b['jobs']} jobs",
            )
        )
        rows.append(
            Row(
                name,
                "batch: client peak RSS",
                f"{b['peak_rss_mib']} MiB",
                note=f"+{b['rss_growth_mib']} MiB over the baseline",
            )
        )
    f = report.get("fast_transcribe_many") or report.get("fast")
    if f:
        rows.append(
            Row(
                name,
                "transcribe_many (fast)",
                f"{f['files_per_s']} files/s",
                note=f"{f['files']} files, concurrency {f['concurrency']}, {f['wall_s']} s",
            )
        )
    return rows


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "stt-cpu",
        "bench_stt.py",
        "STT client CPU per audio hour and peak RSS, azspeech and Microsoft's SDK side by side",
        smoke="--skip-concurrency --minutes 0.2 --repeat 1",
        quick="--skip-concurrency --minutes 15 --repeat 3",
        full="--skip-concurrency",
        figures=(
            Figure(
                "CPU per audio hour",
                rf"^azspeech:\s+.*?= (?P<ours>{NUM}) CPU-s per audio-hour"
                rf"(?:[\s\S]*?^official SDK:\s+.*?= (?P<theirs>{NUM}) CPU-s per audio-hour)?",
                "{ours} CPU-s",
                "{theirs} CPU-s",
            ),
            Figure(
                "CPU ratio azspeech / official",
                rf"^ratio azspeech/official = (?P<ratio>{NUM})",
                "{ratio}",
                note="target <= 0.10",
            ),
            Figure(
                "client peak RSS (STT run)",
                rf"peak RSS of this process (?P<rss>{NUM}) MB",
                "{rss} MB",
            ),
            Figure(
                "official SDK did not run",
                r"^official SDK: (?P<why>not installed|failed: .*)$",
                official="-",
                note="{why:.80}",
            ),
            Figure(
                "audio used", rf"^audio: (?P<min>{NUM}) min, (?P<n>\d+) phrases", note="{min} min"
            ),
        ),
    ),
    Benchmark(
        "stt-streams",
        "bench_stt.py",
        "concurrent real-time STT streams one client process sustains",
        smoke="--skip-cpu --levels 5 --stream-seconds 2",
        quick="--skip-cpu --levels 50,100,250 --stream-seconds 10",
        full="--skip-cpu",
        figures=(
            Figure(
                "real-time streams sustained",
                r"streams sustained by one process: (?P<n>\d+)",
                "{n}",
                note="target 1000",
            ),
            Figure(
                "client CPU at the last level sustained",
                r"^\s*(?P<n>\d+) real-time streams: sustained;.*?\((?P<pct>\d+)% of one core\)",
                "{pct}% of a core",
                note="{n} streams",
            ),
        ),
    ),
    Benchmark(
        "tts",
        "bench_tts.py",
        "TTS time to first audio (async, blocking, bare websockets, official SDK)",
        smoke="--runs 3 --cold-runs 2 --official-runs 2",
        quick="--runs 40 --cold-runs 10 --official-runs 10",
        figures=(
            Figure(
                "first audio, warm (async)",
                rf"^\s*warm\s+azspeech median (?P<ours>{NUM}).*?bare websockets median "
                rf"(?P<bare>{NUM})(?:[\s\S]*official SDK, reused connection, first synthesizing"
                rf" event: median (?P<theirs>{NUM}))?",
                "{ours} ms",
                "{theirs} ms",
                "bare websockets {bare} ms",
            ),
            Figure(
                "first audio, cold (async)",
                rf"^\s*cold\s+azspeech median (?P<ours>{NUM}).*?"
                rf"bare websockets median (?P<bare>{NUM})",
                "{ours} ms",
                note="bare websockets {bare} ms",
            ),
            Figure(
                "official SDK did not run",
                r"^\s*official SDK: (?P<why>(?!reused).*)$",
                official="-",
                note="{why:.80}",
            ),
            Figure(
                "first audio, warm (blocking)",
                rf"blocking SpeechClient median (?P<ours>{NUM})",
                "{ours} ms",
            ),
        ),
    ),
    Benchmark(
        "tts-blocking",
        "bench_tts_blocking.py",
        "blocking client's time to first audio against the async client's",
        smoke="--runs 4",
        quick="--runs 60",
        figures=(
            Figure(
                "blocking overhead to first audio",
                rf"async (?P<a>{NUM})\s+blocking (?P<b>{NUM})\s+blocking overhead "
                rf"\(paired median\) (?P<d>{NUM})",
                "{d} ms",
                note="async {a} ms, blocking {b} ms",
            ),
        ),
    ),
    Benchmark(
        "emulator",
        "bench_emulator.py",
        "concurrent real-time STT sessions the emulator sustains",
        smoke="--step 5 --max-sessions 5 --max-seconds 20 --settle 1 --window 4",
        quick="--step 50 --max-sessions 400 --max-seconds 120 --settle 2 --window 4",
        figures=(
            Figure(
                "emulator sessions sustained",
                r"sustained (?P<n>\d+) concurrent real-time STT sessions",
                "{n}",
            ),
            Figure(
                "emulator CPU per session-second",
                rf"^sessions\s+(?P<n>\d+):.*?emulator CPU (?P<cpu>{NUM}) ms/session-s"
                r"(?!.*not sustained).*$",
                "{cpu} ms",
                note="at {n} sessions (steadier than the count on a busy machine)",
            ),
        ),
    ),
    Benchmark(
        "framing",
        "bench_framing.py",
        "CPU of framing one hour of audio into USP messages",
        smoke="--minutes 1 --source",
        quick="--minutes 60 --source",
        full="--source",
        figures=(
            Figure(
                "framing audio",
                rf"^framing (?P<min>{NUM}) min .*?(?P<cpu>{NUM}) CPU-s \((?P<us>{NUM}) us/message",
                "{cpu} CPU-s",
                note="{min} min of audio, {us} us/message",
            ),
            Figure(
                "open_pcm_stream + framing",
                rf"^open_pcm_stream \+ framing: .*?(?P<cpu>{NUM}) CPU-s",
                "{cpu} CPU-s",
            ),
        ),
    ),
    Benchmark(
        "audio",
        "bench_audio.py",
        "peak memory of streaming a large WAV file through open_pcm_stream",
        smoke="--size-mb 4",
        quick="--size-mb 128",
        figures=(
            Figure(
                "stream a WAV file: peak RSS",
                rf"^peak RSS: (?P<rss>{NUM}) MiB; baseline after imports (?P<base>{NUM}) MiB",
                "{rss} MiB",
                note="baseline {base} MiB",
            ),
            Figure("WAV size", rf"^wrote (?P<mib>{NUM}) MiB WAV", note="{mib} MiB, 48 kHz stereo"),
        ),
    ),
    Benchmark(
        "many-files",
        "bench_many_files.py",
        "many local files: batch over Azurite, and transcribe_many",
        smoke="--batch-files 3 --fast-files 5 --seconds 1 --fast-seconds 1",
        quick="--batch-files 20 --fast-files 100",
        reader=_many_files_rows,
        needs=("node and npm (Azurite)",),
    ),
    Benchmark(
        "avatar",
        "bench_avatar.py",
        "real-time avatar over aiortc: connect and speak() to the first speech audio and video",
        smoke="--runs 1",
        quick="--runs 10",
        figures=(
            Figure(
                "avatar: connect to first video frame",
                rf"^connect to first video frame: (?P<ms>{NUM}) ms",
                "{ms} ms",
            ),
            Figure(
                "avatar: speak() to first speech audio",
                rf"^speak\(\) -> first speech audio: median (?P<ms>{NUM}) ms",
                "{ms} ms",
                note="median",
            ),
            Figure(
                "avatar: speak() to first speaking video",
                rf"^speak\(\) -> first speaking video: median (?P<ms>{NUM}) ms",
                "{ms} ms",
                note="median",
            ),
        ),
        needs=("the [webrtc] extra (aiortc)",),
    ),
)

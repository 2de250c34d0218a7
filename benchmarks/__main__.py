"""Run every benchmark and print one table: ``python -m benchmarks`` (or ``bash scripts/bench.sh``).

    python -m benchmarks                      # quick settings: a few minutes in all
    python -m benchmarks --full               # the scripts' own defaults: the real figures
    python -m benchmarks --only tts,framing   # some of them (--skip to leave some out)
    python -m benchmarks --set stt-cpu="--skip-concurrency --minutes 30"   # your own arguments
    python -m benchmarks --list               # what would run, and how; runs nothing

Each benchmark is a script of this folder run as a subprocess from the
repository root with this Python (the emulator, Azurite and Microsoft's SDK
run in processes of their own, as the scripts' docstrings explain). Their
output is kept in ``--log-dir`` (default: a new temporary folder, printed)
and read back into the table: azspeech's figure, the official SDK's beside
it where the benchmark runs both, and a note. ``--verbose`` shows the
scripts' output as it comes. Settings: ``--smoke`` (seconds, for the test
suite), ``--quick`` (the default), ``--full``.

The exit status is 0 when every benchmark ran and gave its figures, 1
otherwise (the table says which did not).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks._suite import BENCHMARKS, Benchmark, Row

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def command(bench: Benchmark, args: tuple[str, ...]) -> list[str]:
    """The command line that runs *bench* with *args*."""
    return [sys.executable, str(HERE / bench.script), *args]


def run_one(
    bench: Benchmark, args: tuple[str, ...], timeout: float, log: Path, verbose: bool
) -> tuple[int | None, str, float]:
    """Run one script: (exit status or None on timeout, its output, seconds)."""
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as sink:
        sink.write("$ " + shlex.join(command(bench, args)) + "\n")
        sink.flush()
        proc = subprocess.Popen(
            command(bench, args),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # its own process group: a timeout ends its children too
        )
        assert proc.stdout is not None
        timer = threading.Timer(timeout, _end_group, (proc,))  # the bound, even when silent
        timer.start()
        lines: list[str] = []
        try:
            for line in proc.stdout:  # until the script ends (or is ended by the timer)
                lines.append(line)
                sink.write(line)
                if verbose:
                    print(f"    | {line}", end="", flush=True)
            status: int | None = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                _end_group(proc)
            proc.stdout.close()
        if time.perf_counter() - started >= timeout:
            status = None
    return status, "".join(lines), time.perf_counter() - started


def _end_group(proc: subprocess.Popen[str]) -> None:
    """End the script's process group (it and what it started): TERM, then KILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def render(rows: list[Row]) -> str:
    """The table, columns as wide as their widest cell."""
    head = Row("benchmark", "measure", "azspeech", "official SDK", "note")
    cells = [[r.benchmark, r.measure, r.azspeech, r.official, r.note] for r in [head, *rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(5)).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_sets(values: list[str]) -> dict[str, tuple[str, ...]]:
    """``NAME="ARGS"`` pairs of ``--set``."""
    out = {}
    names = {b.name for b in BENCHMARKS}
    for value in values:
        name, sep, args = value.partition("=")
        if not sep or name not in names:
            raise SystemExit(f"--set wants NAME=ARGS with NAME one of {', '.join(sorted(names))}")
        out[name] = tuple(shlex.split(args))
    return out


def select(only: str | None, skip: str | None) -> list[Benchmark]:
    """The benchmarks *only* names (all by default) minus those *skip* names."""
    names = {b.name for b in BENCHMARKS}
    wanted = set(only.split(",")) if only else names
    dropped = set(skip.split(",")) if skip else set()
    unknown = (wanted | dropped) - names
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(sorted(unknown))}; --list shows them")
    return [b for b in BENCHMARKS if b.name in wanted - dropped]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:8]),
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--smoke",
        dest="size",
        action="store_const",
        const="smoke",
        help="the smallest settings (seconds each; for the tests)",
    )
    size.add_argument(
        "--quick",
        dest="size",
        action="store_const",
        const="quick",
        help="a few minutes in all (the default)",
    )
    size.add_argument(
        "--full",
        dest="size",
        action="store_const",
        const="full",
        help="the scripts' own defaults: the figures the issues ask for",
    )
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--skip", help="comma-separated benchmark names to leave out")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=ARGS",
        help="run NAME with these arguments instead",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per benchmark (default 300 smoke, 900 quick, 7200 full)",
    )
    parser.add_argument("--log-dir", type=Path, help="keep each script's output here")
    parser.add_argument("--list", action="store_true", help="show what would run, run nothing")
    parser.add_argument("--verbose", "-v", action="store_true", help="show the scripts' output")
    opts = parser.parse_args(argv)  # fmt: skip
    size_name = opts.size or "quick"
    chosen = select(opts.only, opts.skip)
    custom = parse_sets(opts.set)
    timeout = opts.timeout or {"smoke": 300.0, "quick": 900.0, "full": 7200.0}[size_name]

    if opts.list:
        for bench in chosen:
            args = custom.get(bench.name, bench.args(size_name))
            needs = f" (needs {', '.join(bench.needs)})" if bench.needs else ""
            print(f"{bench.name}: {bench.what}{needs}")
            print(f"    {shlex.join(command(bench, args))}")
        return 0

    log_dir = opts.log_dir or Path(tempfile.mkdtemp(prefix="azspeech-bench-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"{len(chosen)} benchmarks, {size_name} settings; output kept in {log_dir}", flush=True)
    rows: list[Row] = []
    failures = 0
    for bench in chosen:
        args = custom.get(bench.name, bench.args(size_name))
        print(f"  {bench.name}: {shlex.join(args)} ...", end="" if not opts.verbose else "\n",
              flush=True)  # fmt: skip
        status, output, took = run_one(
            bench, args, timeout, log_dir / f"{bench.name}.log", opts.verbose
        )
        found = bench.rows(output)
        print(f" {took:.0f} s" + ("" if status == 0 else f", {_status(status)}"), flush=True)
        if status != 0 or not found:
            failures += 1
            why = _status(status) if status != 0 else "printed none of its figures"
            tail = next((ln for ln in reversed(output.splitlines()) if ln.strip()), "")
            rows.append(Row(bench.name, "FAILED", note=f"{why}; last line: {tail[:80]}"))
        rows.extend(found)
    loads = os.getloadavg()
    print()
    print(render(rows))
    print(
        f"\n{size_name} settings; {os.cpu_count()} CPUs, load average {loads[0]:.2f}; "
        f"python {sys.version.split()[0]}; logs in {log_dir}"
    )
    return 1 if failures else 0


def _status(status: int | None) -> str:
    return "timed out" if status is None else f"exit status {status}"


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks`` runs every benchmark script and reads their figures into one table.

The benchmarks run with their smallest settings (``--smoke``: seconds each), so
that a script whose options or printed lines change breaks here rather than on
the day someone wants the figures. No figure is compared with a speed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"


def run_entry_point(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def table_rows(stdout: str) -> dict[str, list[str]]:
    """benchmark name -> the table lines of that benchmark."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("benchmark "))
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        rows.setdefault(line.split()[0], []).append(line)
    return rows


def test_list_names_every_benchmark_script() -> None:
    done = run_entry_point("--list")
    assert done.returncode == 0, done.stderr
    listed = set(re.findall(r"benchmarks/(bench_\w+\.py)", done.stdout))
    assert listed == {p.name for p in BENCH_DIR.glob("bench_*.py")}
    assert "bench_stt.py --skip-concurrency --minutes 15" in done.stdout  # quick by default
    full = run_entry_point("--list", "--full", "--only", "stt-cpu")
    assert full.stdout.strip().endswith("bench_stt.py --skip-concurrency")


def test_an_unknown_name_is_one_line() -> None:
    done = run_entry_point("--only", "nope")
    assert done.returncode != 0
    assert "unknown benchmark nope" in done.stderr and "Traceback" not in done.stderr


def test_a_failing_benchmark_is_a_row_and_the_exit_status(tmp_path: Path) -> None:
    done = run_entry_point(
        "--only", "framing", "--set", "framing=--minutes not-a-number", "--log-dir", str(tmp_path)
    )
    assert done.returncode == 1
    (row,) = table_rows(done.stdout)["framing"]
    assert "FAILED" in row and "exit status 2" in row
    assert "invalid float value" in (tmp_path / "framing.log").read_text(encoding="utf-8")


@pytest.mark.timeout(900)
def test_smoke_run_of_every_benchmark_gives_its_figures(tmp_path: Path) -> None:
    skip = []
    have_azurite = (ROOT / "tests/blob/azurite/node_modules/.bin/azurite-blob").exists() or (
        shutil.which("npm") is not None
    )
    if not have_azurite and not os.environ.get("CI"):
        skip = ["--skip", "many-files"]  # it needs Azurite, installed with npm
    done = run_entry_point("--smoke", "--log-dir", str(tmp_path), *skip, timeout=840)
    logs = "\n".join(p.read_text(encoding="utf-8")[-1500:] for p in sorted(tmp_path.glob("*.log")))
    context = done.stdout + logs  # every failure below shows what the scripts printed
    assert done.returncode == 0, context
    rows = table_rows(done.stdout)
    expected = {
        "stt-cpu",
        "stt-streams",
        "tts",
        "tts-blocking",
        "emulator",
        "framing",
        "audio",
        "avatar",
    }
    assert expected | ({"many-files"} if not skip else set()) == set(rows), context
    stt = "\n".join(rows["stt-cpu"])
    tts = "\n".join(rows["tts"])
    patterns = [
        (stt, r"CPU per audio hour\s+\d+\.\d+ CPU-s"),
        (stt, r"client peak RSS \(STT run\)\s+\d+ MB"),
        (tts, r"first audio, warm \(async\)\s+\d+\.\d+ ms"),
        (tts, r"first audio, warm \(blocking\)\s+\d+\.\d+ ms"),
        ("\n".join(rows["emulator"]), r"emulator sessions sustained\s+\d+"),
    ]
    try:
        import azure.cognitiveservices.speech  # noqa: F401
    except ImportError:
        pass
    else:  # Microsoft's SDK side by side
        patterns += [
            (stt, r"CPU ratio azspeech / official\s+\d+\.\d+"),
            (tts, r"first audio, warm \(async\)\s+\S+ ms\s+\d+\.\d+ ms"),
        ]
    for text, pattern in patterns:
        assert re.search(pattern, text), f"{pattern!r} not in the table:\n{context}"
    assert sorted(p.name for p in tmp_path.glob("*.log")) == sorted(f"{n}.log" for n in rows)


def test_a_run_without_the_official_sdk_says_so_in_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks._suite import BENCHMARKS

    stt = next(b for b in BENCHMARKS if b.name == "stt-cpu")
    output = (
        "audio: 5.0 min, 120 phrases, 9.6 MB\n"
        "azspeech:     0.16 CPU-s for the file = 1.92 CPU-s per audio-hour (median of 1: 0.16;"
        " wall 3.1 s, 120 finals, 900 partials); peak RSS of this process 76 MB\n"
        "official SDK: not installed\n"
    )
    rows = {r.measure: r for r in stt.rows(output)}
    assert (rows["CPU per audio hour"].azspeech, rows["CPU per audio hour"].official) == (
        "1.92 CPU-s",
        "",
    )
    assert rows["official SDK did not run"].note == "not installed"
    assert "CPU ratio azspeech / official" not in rows

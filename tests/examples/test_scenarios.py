"""Every scenario script of examples/ runs against the emulator and writes what it says.

Each script runs as a user runs it: ``python examples/<name>.py --out DIR`` in a
subprocess, with no ``AZURE_SPEECH_*`` variables (so it starts its own emulator),
a bounded time, and ``TMPDIR`` pointed at a folder that must be empty again
afterwards (the scripts clean up after themselves).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from azspeech import SpeechClient

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCENARIO_TIMEOUT = 240.0  # seconds per script, generous for a loaded 2-core machine
pytestmark = pytest.mark.timeout(300)


def run_example(
    name: str, tmp_path: Path, *args: str | Path, extra_env: dict[str, str] | None = None
) -> str:
    """Run examples/<name> with ``--out tmp_path/out``; its stdout (the run must succeed)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AZURE_SPEECH_", "AZURE_STORAGE_"))
    }
    env.update({"TMPDIR": str(scratch), "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"})
    env.update(extra_env or {})
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--out", str(tmp_path / "out"), *map(str, args)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert "using the bundled emulator" in done.stderr  # a notice, not output
    assert list(scratch.iterdir()) == [], f"{name} left temporary files behind"
    return done.stdout


def test_readme_lists_every_example() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in EXAMPLES.glob("*.py") if f"({p.name})" not in readme]
    assert missing == []


def test_captioning_makes_srt_and_webvtt(tmp_path: Path) -> None:
    out = run_example("captioning.py", tmp_path)
    srt = (tmp_path / "out" / "talk.srt").read_text(encoding="utf-8")
    vtt = (tmp_path / "out" / "talk.vtt").read_text(encoding="utf-8")
    assert re.search(
        r"^1\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nWelcome to this short talk", srt, re.M
    )
    assert srt.count(" --> ") == 4
    assert vtt.startswith("WEBVTT") and "Thank you for watching." in vtt
    assert "Thank you for watching." in out  # the captions are shown


def test_captioning_reads_the_sound_track_of_a_video(
    tmp_path: Path, speech_client: SpeechClient
) -> None:
    av = pytest.importorskip("av", reason="the [video] extra is not installed")
    import numpy as np

    speech = speech_client.tts.synthesize(
        "A video with a sound track.", output_format="riff-16khz-16bit-mono-pcm"
    )
    pcm = (np.clip(speech.samples, -1, 1) * 32767).astype("<i2").reshape(1, -1)
    video = tmp_path / "clip.mkv"
    with av.open(str(video), "w") as container:
        picture = container.add_stream("mpeg4", rate=5)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream("pcm_s16le", rate=16000, layout="mono")
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            container.mux(picture.encode(frame))
        container.mux(picture.encode(None))
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 16000
        container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
    out = run_example("captioning.py", tmp_path, video)
    assert "extracted the sound track of clip.mkv" in out
    assert "A video with a sound track." in (tmp_path / "out" / "clip.srt").read_text(
        encoding="utf-8"
    )


def _check_call_summary(out_dir: Path) -> None:
    with open(out_dir / "summary.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["call"] for r in rows] == ["call-1.wav", "call-2.wav", "call-3.wav"]
    assert all(r["speakers"] == "2" and int(r["phrases"]) >= 4 for r in rows)
    assert rows[2]["customer first said"] == "I was charged twice for my last order."
    lines = (out_dir / "call-1.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("Speaker 1: Thank you for calling Contoso.")
    assert any(line.endswith("Speaker 2: Hi.") for line in lines)


def test_call_center_over_loopback_urls(tmp_path: Path) -> None:
    out = run_example("call_center.py", tmp_path)
    _check_call_summary(tmp_path / "out")
    assert re.search(r"deleted job [0-9a-f-]{36}", out)
    assert "customer first said" in out  # the table is printed


def test_call_center_through_blob_storage(tmp_path: Path) -> None:
    pytest.importorskip("azure.storage.blob", reason="the [blob] extra is not installed")
    from tests.blob.azurite import Azurite, AzuriteUnavailable

    try:
        azurite = Azurite().start()
    except AzuriteUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Azurite unavailable: {exc}")
    try:
        out = run_example(
            "call_center.py", tmp_path, "--container", "calls",
            extra_env={"AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string},
        )  # fmt: skip
        _check_call_summary(tmp_path / "out")
        assert "blobs deleted" in out
        assert sorted(p.name for p in (tmp_path / "out" / "results").glob("*.json")) == [
            "call-1.wav.json", "call-2.wav.json", "call-3.wav.json",
        ]  # fmt: skip
        from azure.storage.blob import ContainerClient

        container = ContainerClient.from_connection_string(azurite.connection_string, "calls")
        assert list(container.list_blobs()) == []  # the uploads were deleted
    finally:
        azurite.stop()


def test_pronunciation_drill_scores_and_words_to_practise(tmp_path: Path) -> None:
    plot = True
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        plot = False
    out = run_example("pronunciation_drill.py", tmp_path, *(["--picture"] if plot else []))
    rows = json.loads((tmp_path / "out" / "drill.json").read_text(encoding="utf-8"))
    assert len(rows) == 4
    assert all(0 <= r["pronunciation"] <= 100 for r in rows)
    assert rows[0]["practise"] == []  # read as written
    assert "sea (Omission)" in rows[2]["practise"]
    assert rows[2]["pronunciation"] < rows[0]["pronunciation"]
    assert "drill score:" in out
    if plot:
        for n in range(1, 5):
            assert (tmp_path / "out" / f"phrase-{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_audiobook_chapters_index_and_escaping(tmp_path: Path) -> None:
    book = tmp_path / "book.txt"
    book.write_text(
        "# Opening\n\nTom & Jerry <really> ran.\n\nThen they stopped.\n\n"
        "Chapter Two\n\nThe end is near.\n",
        encoding="utf-8",
    )
    out = run_example("audiobook.py", tmp_path, book)
    folder = tmp_path / "out"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in index] == ["Opening", "Chapter Two"]
    words = [w["word"] for w in index[0]["words"]]
    assert words[:5] == ["Opening", "Tom", "Jerry", "really", "ran"]  # "&" and "<>" were escaped
    assert words[-2:] == ["they", "stopped"]
    assert [w["word"] for w in index[1]["words"]] == ["Chapter", "Two", "The", "end", "is", "near"]
    assert all(c["bookmark_at"] is not None and c["word_count"] > 0 for c in index)
    total = 0.0
    for chapter in index:
        with wave.open(str(folder / chapter["file"])) as w:
            seconds = w.getnframes() / w.getframerate()
        assert seconds == pytest.approx(chapter["duration"], abs=0.01)
        assert chapter["start_in_book"] == pytest.approx(total, abs=0.01)
        total += seconds
    with wave.open(str(folder / "book.wav")) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(total, abs=0.01)
    vtt = (folder / "chapters.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == 2 and "Chapter Two" in vtt
    assert "2 chapters" in out


def test_live_subtitles_update_then_settle(tmp_path: Path) -> None:
    out = run_example("live_subtitles.py", tmp_path, "--to", "de,fr")
    assert re.search(r"^~ \[de\] ", out, re.M) and re.search(r"^= \[fr\] ", out, re.M)
    # Interim lines come before the final line of the same phrase.
    first_final = out.index("= [de]")
    assert out.index("~ [de]") < first_final
    for lang in ("en-US", "de", "fr"):
        srt = (tmp_path / "out" / f"subtitles.{lang}.srt").read_text(encoding="utf-8")
        assert srt.count(" --> ") == 3, srt
    en = (tmp_path / "out" / "subtitles.en-US.srt").read_text(encoding="utf-8")
    assert "Good evening and welcome to the show." in en

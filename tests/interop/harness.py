"""Harness for the interop tests: run Microsoft's official Speech SDK in a child
process against an emulator running in the test process.

The official SDK is a native library whose callbacks run on native threads; an
interpreter that exits with callbacks connected can abort, and a protocol
mismatch can make it wait forever. So every scenario runs in its own child
process (``_sdk_child.py``) with a timeout, and reports one JSON object on
stdout that the test asserts on.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CHILD = Path(__file__).with_name("_sdk_child.py")
SDK_MODULE = "azure.cognitiveservices.speech"
#: Hard limit for one child process; the child's own watchdog (2 x _sdk_child.WAIT_S)
#: normally reports a hang first.
CHILD_TIMEOUT_S = 60.0
SAMPLE_RATE = 16000
TICKS_PER_SECOND = 10_000_000


@functools.cache
def sdk_unavailable_reason() -> str | None:
    """None if the official SDK imports and loads its native core here, else why not."""
    try:
        spec = importlib.util.find_spec(SDK_MODULE)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        return f"{SDK_MODULE} is not installed (manylinux x86_64/aarch64 only)"
    # libuuid1 missing: the import fails. libssl3 missing: the import works but
    # every connection fails ("Failed to initialize platform (azure-c-shared)"),
    # even to ws://, because the SDK dlopens libssl.so.3/libcrypto.so.3 itself.
    # libasound2 and libgstreamer1.0-0 are optional (microphone/speaker,
    # compressed input), as is ca-certificates (wss:// only).
    probe = (
        "import ctypes, azure.cognitiveservices.speech as s; "
        "s.SpeechConfig(host='ws://127.0.0.1:9', subscription='k'); "
        "[ctypes.CDLL(n) for n in ('libssl.so.3', 'libcrypto.so.3')]; print('ok')"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return f"{SDK_MODULE} hangs on import"
    if proc.returncode != 0 or "ok" not in proc.stdout:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        hint = ""
        if "libssl" in tail[0] or "libcrypto" in tail[0]:
            hint = " (Debian: apt-get install libssl3)"
        elif "libuuid" in tail[0]:
            hint = " (Debian: apt-get install libuuid1)"
        return f"{SDK_MODULE} does not load here: {tail[0]}{hint}"
    return None


class SdkRunError(AssertionError):
    """The child process crashed, timed out or printed no result."""


def ws_host(url: str) -> str:
    """The emulator's ``http://127.0.0.1:PORT`` as the SDK's ``ws://127.0.0.1:PORT`` host."""
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :].rstrip("/")
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :].rstrip("/")
    return url.rstrip("/")


def run_sdk(
    scenario: str, url: str, key: str, timeout: float = CHILD_TIMEOUT_S, **params: Any
) -> dict[str, Any]:
    """Run one scenario of ``_sdk_child.py`` in a child process and return its JSON result.

    ``subprocess.run`` kills the child when *timeout* expires; that becomes a test
    failure with the child's output, never a hang.
    """
    cmd = [sys.executable, str(CHILD), scenario, ws_host(url), key, json.dumps(params)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        raise SdkRunError(
            f"official SDK scenario {scenario!r} did not finish within {timeout} s "
            f"(killed); stderr tail: {(err or '')[-2000:]}"
        ) from None
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if lines and '"watchdog"' in lines[-1]:
        raise SdkRunError(
            f"official SDK: {json.loads(lines[-1])['watchdog']} (child killed); "
            f"stderr tail: {proc.stderr[-2000:]}"
        )
    if proc.returncode != 0 or not lines:
        raise SdkRunError(
            f"official SDK scenario {scenario!r} exited with {proc.returncode}; "
            f"stdout tail: {proc.stdout[-2000:]!r}; stderr tail: {proc.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# --------------------------------------------------------------------------- audio


def write_wav(path: Path, pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write 16-bit mono PCM as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm16)
    return path


def to_pcm16(samples: np.ndarray[Any, Any]) -> bytes:
    clipped = np.clip(samples.astype(np.float64), -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


@dataclass(frozen=True)
class SpokenWord:
    """A word the emulator is meant to hear, with its position in ticks."""

    text: str
    offset: int
    duration: int
    sentence_end: bool


@dataclass(frozen=True)
class ToneAudio:
    path: Path
    words: list[SpokenWord]
    duration_ticks: int

    def sentences(self) -> list[list[SpokenWord]]:
        """The words grouped into sentences (what the emulator reports as phrases)."""
        out: list[list[SpokenWord]] = [[]]
        for w in self.words:
            out[-1].append(w)
            if w.sentence_end:
                out.append([])
        return [s for s in out if s]


def _ticks(samples: int, sample_rate: int) -> int:
    return round(samples * TICKS_PER_SECOND / sample_rate)


def tone_wav(
    path: Path,
    segments: list[tuple[str, float]] | str,
    *,
    lead_ms: float = 300.0,
    tail_ms: float = 1000.0,
    gap_ms: float = 900.0,
) -> ToneAudio:
    """A 16 kHz mono WAV of tone-coded text (the emulator's default engine decodes it).

    *segments* is a text, or a list of ``(text, gain)`` pieces separated by
    *gap_ms* of silence (different gains = different speakers for the
    emulator's diarization). Returns the words with their true offsets.
    """
    from azspeech.emulator.engines import tones

    if isinstance(segments, str):
        segments = [(segments, 1.0)]
    sr = SAMPLE_RATE
    parts: list[np.ndarray[Any, Any]] = [np.zeros(round(sr * lead_ms / 1000), np.float32)]
    pos = len(parts[0])
    words: list[SpokenWord] = []
    for i, (text, gain) in enumerate(segments):
        if i:
            gap = np.zeros(round(sr * gap_ms / 1000), np.float32)
            parts.append(gap)
            pos += len(gap)
        enc = tones.encode(text, sr, gain=gain)
        for w in enc.words:
            words.append(
                SpokenWord(
                    w.text, _ticks(pos + w.start, sr), _ticks(w.end - w.start, sr), w.sentence_end
                )
            )
        parts.append(enc.samples)
        pos += len(enc.samples)
    parts.append(np.zeros(round(sr * tail_ms / 1000), np.float32))
    samples = np.concatenate(parts)
    write_wav(path, to_pcm16(samples), sr)
    return ToneAudio(path, words, _ticks(len(samples), sr))


def silence_wav(path: Path, seconds: float = 2.0) -> Path:
    return write_wav(path, b"\x00\x00" * round(SAMPLE_RATE * seconds))

"""Render the documentation's pictures into docs/images (or the directory given).

    python scripts/pictures.py [OUT_DIR]

Every picture is drawn by the library (``azspeech.plot``, ``report.plot()``)
from results of the bundled emulator started in-process, except the
architecture diagram, drawn here from the layers of docs/architecture.md. The
emulator is deterministic, and the PNGs carry no date or version metadata, so
running the script again gives the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.emulator import Emulator
from azspeech.plot import synthesis_timeline

ROOT = Path(__file__).resolve().parents[1]
DPI = 100
PNG_METADATA = {"Software": None}  # no matplotlib version: the same bytes on every machine

#: A support call: (speaker, line). The emulator tells speakers apart by loudness.
CALL = [
    (1, "Thanks for calling Contoso, how can I help?"),
    (2, "Hi, my order has not arrived yet."),
    (1, "Sorry to hear that. What is the order number?"),
    (2, "It is four two seven."),
    (1, "Thank you. It ships tomorrow morning."),
    (2, "Great, thanks a lot."),
]
SPEAKER_GAIN = {1: 1.0, 2: 0.35}

READING_REFERENCE = "Hello, world. The quick brown fox jumps over the lazy dog."
READING_SPOKEN = ["Hello, world.", "The quick brown box.", "Jumps over the dog."]


def _spoken(client: SpeechClient, lines: list[tuple[float, str]], gap: float = 0.4) -> Audio:
    """Each line synthesized at its gain, with *gap* seconds of silence after it."""
    rate, parts = 16000, []
    for gain, text in lines:
        audio = client.tts.synthesize(text, output_format="riff-16khz-16bit-mono-pcm")
        parts += [audio.samples * gain, np.zeros(int(gap * rate), dtype=np.float32)]
    return Audio.from_samples(np.concatenate(parts), rate)


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    print(f"wrote {path}")
    return path


def diarization(client: SpeechClient, out: Path, work: Path) -> Path:
    """The support call, fast-transcribed with diarization, as a who-spoke-when timeline."""
    call = work / "support-call.wav"
    _spoken(client, [(SPEAKER_GAIN[s], text) for s, text in CALL]).save(call)
    result = client.stt.transcribe(call, diarization=True)
    return _save(result.plot(title="Who spoke when: a support call"), out / "diarization.png")


def synthesis(client: SpeechClient, out: Path) -> Path:
    """A sentence's waveform with its word boundaries and visemes."""
    events = list(
        client.tts.stream("Hello there! Nice to meet you. How are you today?", visemes=True)
    )
    return _save(synthesis_timeline(events), out / "synthesis.png")


def pronunciation(client: SpeechClient, out: Path, work: Path) -> Path:
    """A reading with one word said wrong ("box") and two left out."""
    reading = work / "reading.wav"
    _spoken(client, [(1.0, line) for line in READING_SPOKEN], gap=0.8).save(reading)
    report = client.pronunciation.assess(reading, reference_text=READING_REFERENCE)
    return _save(report.plot(), out / "pronunciation.png")


# -- the architecture diagram ---------------------------------------------------------------

#: (layer title, colour, boxes) from the top of the stack down; docs/architecture.md "Layers".
LAYERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "your code",
        "#eeeeee",
        [
            ("azspeech command", "cli/ (rich), demo"),
            ("your application", "blocking or asyncio"),
            ("pictures", "plot/ (matplotlib)"),
        ],
    ),
    (
        "clients",
        "#d6e9f8",
        [("SpeechClient · AsyncSpeechClient", "_client.py, _state.py: resources are views")],
    ),
    (
        "features",
        "#d9f0e3",
        [
            ("stt", "real time, fast"),
            ("tts", "synthesize, stream"),
            ("translation", ""),
            ("pronunciation", ""),
            ("language_id", ""),
            ("voice_live", "avatar"),
            ("batch", "custom_speech, llm"),
        ],
    ),
    (
        "cores",
        "#fbe7c6",
        [
            ("_session/usp.py", "USP sessions: reconnect, replay"),
            ("_session/base.py", "duplex JSON sessions"),
            ("_resource · _paging · _jobs", "REST, pages, long jobs"),
        ],
    ),
    (
        "sans-I/O and values",
        "#ece2f4",
        [
            ("_protocol/", "codecs, framing, replay"),
            ("options/ · models/", "frozen values, pydantic"),
            ("ssml/ · captions", "builders"),
        ],
    ),
    (
        "I/O",
        "#f8d9d9",
        [
            ("_transport/", "httpx, websockets: the only network"),
            ("audio/", "files, microphone, speaker"),
        ],
    ),
]


def architecture(out: Path) -> Path:
    """The layers of the SDK as stacked bands of boxes; dependencies point downwards."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    width, band, gap = 12.0, 1.0, 0.35
    height = len(LAYERS) * (band + gap) + 1.6
    fig = Figure(figsize=(width, height * 0.62))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    left, right = 1.9, width - 0.2
    y = height - 0.4
    for title, colour, boxes in LAYERS:
        y -= band
        ax.text(left - 0.15, y + band / 2, title, ha="right", va="center", fontsize=10,
                fontweight="bold", color="#444444")  # fmt: skip
        slot = (right - left) / len(boxes)
        for i, (name, note) in enumerate(boxes):
            x = left + i * slot + 0.06
            ax.add_patch(
                FancyBboxPatch(
                    (x, y + 0.06), slot - 0.12, band - 0.12,
                    boxstyle="round,pad=0,rounding_size=0.12",
                    facecolor=colour, edgecolor="#7a7a7a", linewidth=0.9,
                )
            )  # fmt: skip
            centre = x + (slot - 0.12) / 2
            size = 10 if len(boxes) < 5 else 8.5
            ax.text(centre, y + band / 2 + (0.13 if note else 0), name, ha="center",
                    va="center", fontsize=size, fontweight="bold", color="#222222")  # fmt: skip
            if note:
                ax.text(centre, y + band / 2 - 0.2, note, ha="center", va="center",
                        fontsize=size - 1.5, color="#555555")  # fmt: skip
        y -= gap
        if title != LAYERS[-1][0]:
            ax.add_patch(
                FancyArrowPatch((width / 2, y + gap - 0.02), (width / 2, y + 0.02),
                                arrowstyle="-|>", mutation_scale=14, color="#666666")
            )  # fmt: skip
    # The far side of the wire: the service, or the emulator standing in for it.
    y -= 0.85
    half = (right - left) / 2
    for i, (name, note, colour) in enumerate(
        [
            ("Azure Speech", "REST and WebSocket (USP, JSON)", "#ffffff"),
            ("emulator/", "the same protocols on 127.0.0.1 (tests, demo)", "#f4f4f4"),
        ]
    ):
        x = left + i * half + 0.06
        ax.add_patch(
            FancyBboxPatch(
                (x, y), half - 0.12, 0.8, boxstyle="round,pad=0,rounding_size=0.12",
                facecolor=colour, edgecolor="#7a7a7a", linewidth=0.9, linestyle="--",
            )
        )  # fmt: skip
        ax.text(x + (half - 0.12) / 2, y + 0.52, name, ha="center", va="center", fontsize=10,
                fontweight="bold", color="#222222")  # fmt: skip
        ax.text(x + (half - 0.12) / 2, y + 0.22, note, ha="center", va="center", fontsize=8.5,
                color="#555555")  # fmt: skip
    ax.text(left - 0.15, y + 0.4, "the wire", ha="right", va="center", fontsize=10,
            fontweight="bold", color="#444444")  # fmt: skip
    return _save(fig, out / "architecture.png")


def main(argv: list[str]) -> int:
    """Render every picture into ``argv[0]`` (default docs/images)."""
    out = Path(argv[0]) if argv else ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    work = out / ".work"
    work.mkdir(exist_ok=True)
    try:
        with Emulator() as emulator, emulator.client() as client:
            diarization(client, out, work)
            synthesis(client, out)
            pronunciation(client, out, work)
        architecture(out)
    finally:
        for file in work.iterdir():
            file.unlink()
        work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

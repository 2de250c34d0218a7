"""Call center: batch transcription of recorded calls, who said what, and a summary table.

    python examples/call_center.py [CALL.wav ...] [--out DIR]
        [--connection-string CONN --container NAME]

With no CALL files the script makes three calls of its own: an agent and a
customer taking turns, spoken by text to speech (two voices; the customer a
little quieter, which is how the emulator tells speakers apart).

The calls are transcribed by **batch transcription** with diarization (two
speakers) and word timestamps. Batch transcription reads audio from URLs, so
local files have to be put where the service can fetch them:

* with a storage account (``--connection-string`` or
  ``AZURE_STORAGE_CONNECTION_STRING``, container ``--container`` or
  ``AZURE_STORAGE_CONTAINER``, default ``call-center``; Azurite works too),
  ``client.batch.transcribe_files`` uploads them to Blob Storage, gives the
  service read-only SAS URLs, and deletes the blobs afterwards
  (``pip install 'azspeech[blob]'``);
* against the emulator without one, the files are served from 127.0.0.1 by a
  small HTTP server in this process (the emulator fetches content URLs from
  loopback hosts) and submitted with ``client.batch.create``.

Every transcription job is deleted at the end. Prints a table (duration,
speakers, phrases, each speaker's share of talk time, the first thing the
customer said) and one call's transcript, and writes ``summary.csv`` and one
``<call>.txt`` transcript with speaker labels per call into ``--out``
(default ``./call-center-output``).

Runs against the bundled emulator unless ``AZURE_SPEECH_KEY`` and
``AZURE_SPEECH_REGION`` are set (then Azure, with a storage account).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import numpy as np

from azspeech import SpeechClient
from azspeech.audio import Audio
from azspeech.emulator import azure_configured, azure_or_emulator
from azspeech.models.batch import BatchTranscriptionResult

AGENT_VOICE = "en-US-AvaMultilingualNeural"
CUSTOMER_VOICE = "en-US-AndrewNeural"
CALLS = [
    [
        "Thank you for calling Contoso. My name is Ava. How can I help?",
        "Hi. My internet has been down since this morning.",
        "I am sorry to hear that. Let me check your line.",
        "Thanks. I work from home so it is urgent.",
        "I reset the connection. It should work again now.",
    ],
    [
        "Contoso support, this is Ava speaking.",
        "Hello. I would like to change my billing address.",
        "Of course. What is the new address?",
        "It is twelve Main Street in Springfield.",
    ],
    [
        "Good afternoon, Contoso. How may I help you today?",
        "I was charged twice for my last order.",
        "I can see the double charge. I will refund one of them.",
        "Great. How long does the refund take?",
        "About three business days.",
        "Perfect. Thank you very much.",
    ],
]


def make_call(client: SpeechClient, turns: Sequence[str], path: Path) -> Path:
    """Agent and customer taking turns: one WAV, the customer at -10 dB."""
    pieces = []
    for i, text in enumerate(turns):
        customer = i % 2 == 1
        said = client.tts.synthesize(
            text,
            voice=CUSTOMER_VOICE if customer else AGENT_VOICE,
            output_format="riff-16khz-16bit-mono-pcm",
        )
        pieces += [said.samples * (0.3 if customer else 1.0), np.zeros(16000, np.float32)]
    return Audio.from_samples(np.concatenate(pieces), 16000).save(path)


@contextlib.contextmanager
def served_from_loopback(folder: Path) -> Iterator[str]:
    """*folder* over HTTP on 127.0.0.1 (a free port) while in ``with``: the base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def transcribe_from_loopback(
    client: SpeechClient, calls: Sequence[Path]
) -> dict[Path, BatchTranscriptionResult]:
    """Serve the files on 127.0.0.1 and submit their URLs (the emulator's way)."""
    folder = calls[0].parent
    if any(c.parent != folder for c in calls):
        sys.exit("without a storage account, give calls from one folder")
    with served_from_loopback(folder) as base:
        urls = {f"{base}/{quote(c.name)}": c for c in calls}
        job = client.batch.create(
            list(urls), locale="en-US", max_speakers=2, word_level_timestamps=True,
            display_name="call center example",
        )  # fmt: skip
        print(f"submitted job {job.id} with {len(urls)} calls")
        try:
            job = client.batch.wait(
                job, poll_interval=0.5, timeout=300, on_progress=lambda j: print(f"  {j.status}")
            )
            return {urls[r.source]: r for r in client.batch.results(job) if r.source in urls}
        finally:
            client.batch.delete(job)
            print(f"deleted job {job.id}")


def transcribe_through_blob_storage(
    client: SpeechClient,
    calls: Sequence[Path],
    connection_string: str,
    container: str,
    out: Path,
    poll_interval: float,
) -> dict[Path, BatchTranscriptionResult]:
    """Upload to Blob Storage, transcribe, delete the blobs and the jobs."""
    fields = dict(part.split("=", 1) for part in connection_string.split(";") if "=" in part)
    account = fields.get("AccountName", "")
    endpoint = fields.get("BlobEndpoint") or (
        f"{fields.get('DefaultEndpointsProtocol', 'https')}://{account}.blob."
        f"{fields.get('EndpointSuffix', 'core.windows.net')}"
    )
    container_url = f"{endpoint.rstrip('/')}/{container}"
    if "SharedAccessSignature" in fields:
        container_url += "?" + fields["SharedAccessSignature"].lstrip("?")
    print(f"uploading {len(calls)} calls to {container_url.split('?')[0]}")
    run = client.batch.transcribe_files(
        calls, container=container_url, storage_account_key=fields.get("AccountKey"),
        locale="en-US", max_speakers=2, word_level_timestamps=True,
        output_dir=out / "results", poll_interval=poll_interval,
        timeout=3600, delete_blobs=True, delete_transcriptions=True,
        on_progress=lambda p: print(f"  {p.stage}: {p.path.name}"),
    )  # fmt: skip
    print(f"jobs {', '.join(run.job_ids)} done and deleted; blobs deleted")
    failed = [f for f in run.files if not f.ok]
    for f in failed:
        print(f"  {f.path.name} failed: {f.error}")
    return {f.path: f.result for f in run.files if f.result is not None}


def summarize(call: Path, result: BatchTranscriptionResult) -> dict[str, object]:
    """One row of the summary table (the first voice heard is taken to be the agent's)."""
    talk: dict[int | None, float] = {}
    for phrase in result.phrases:
        talk[phrase.speaker] = talk.get(phrase.speaker, 0.0) + phrase.duration.total_seconds()
    total = sum(talk.values()) or 1.0
    agent = result.phrases[0].speaker if result.phrases else None
    customer = next((p.display for p in result.phrases if p.speaker != agent), "")
    shares = [f"agent {100 * talk.get(agent, 0.0) / total:.0f}%"] + [
        f"speaker {s} {100 * t / total:.0f}%" for s, t in talk.items() if s != agent
    ]
    return {
        "call": call.name,
        "seconds": round(result.duration.total_seconds(), 1),
        "speakers": len(talk),
        "phrases": len(result.phrases),
        "talk time": ", ".join(shares),
        "customer first said": customer,
    }


def print_table(rows: Sequence[dict[str, object]]) -> None:
    """A plain text table, columns as wide as their widest cell."""
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))


def transcript(result: BatchTranscriptionResult) -> str:
    """Speaker-labelled lines: ``[0:03.2] Speaker 1: text``."""
    lines = []
    for p in result.phrases:
        seconds = p.offset.total_seconds()
        lines.append(
            f"[{int(seconds // 60)}:{seconds % 60:04.1f}] Speaker {p.speaker}: {p.display}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls", nargs="*", type=Path, help="recorded calls (default: made here)")
    parser.add_argument("--out", type=Path, default=Path("call-center-output"))
    parser.add_argument(
        "--connection-string", default=os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
    )
    parser.add_argument(
        "--container", default=os.environ.get("AZURE_STORAGE_CONTAINER", "call-center")
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    emulated = not azure_configured()
    with (
        tempfile.TemporaryDirectory(prefix="azspeech-calls-") as tmp,
        azure_or_emulator() as client,
    ):
        calls = list(args.calls)
        if not calls:
            for n, turns in enumerate(CALLS, 1):
                calls.append(make_call(client, turns, Path(tmp) / f"call-{n}.wav"))
            print(f"made {len(calls)} calls in {tmp}")
        if args.connection_string:
            results = transcribe_through_blob_storage(
                client,
                calls,
                args.connection_string,
                args.container,
                args.out,
                0.5 if emulated else 10,
            )
        elif emulated:
            results = transcribe_from_loopback(client, calls)
        else:
            sys.exit(
                "batch transcription reads audio from Blob Storage: give --connection-string "
                "(or set AZURE_STORAGE_CONNECTION_STRING)"
            )

    results = {path.resolve(): result for path, result in results.items()}
    calls = [call.resolve() for call in calls]
    rows = [summarize(call, results[call]) for call in calls if call in results]
    if not rows:
        sys.exit("no call was transcribed")
    print()
    print_table(rows)
    with open(args.out / "summary.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for call in calls:
        if call in results:
            (args.out / f"{call.stem}.txt").write_text(transcript(results[call]), encoding="utf-8")
    first = calls[0]
    print(f"\n{first.name}:\n{transcript(results[first])}")
    print(f"{len(rows)} calls in {time.perf_counter() - started:.1f} s; written to {args.out}")
    return 0 if len(rows) == len(calls) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Every Python snippet in README.md and docs/ runs as written, against the emulator.

Each block runs alone (a fresh namespace: no names from an earlier block), in a scratch directory
holding the audio files the guides name, with ``AZURE_SPEECH_ENDPOINT`` and ``AZURE_SPEECH_KEY``
pointing at the test session's emulator, as a reader who exported them would run it.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import os
import shutil
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from azspeech import SpeechClient
from azspeech.emulator import Emulator

from .snippets import ROOT, Snippet, all_snippets

SNIPPETS = all_snippets()

# The files the guides read, made once per session from the emulator's own speech.
_FIXTURE_FILES = {
    "hello.wav": "Hello world.",
    "call.wav": "Thanks for calling. How can I help?",
    "meeting.wav": "Welcome to the meeting. Let us begin.",
    "speech.wav": "The quick brown fox.",
    "audio.wav": "Testing one two three.",
    "long.wav": "This is a longer recording. It has several sentences. Here is the third.",
    "question.wav": "What is the weather like today?",
    "command.wav": "Turn on the lights.",
    "talk.wav": "Thank you all for coming to this talk.",
    "a.wav": "First file.",
    "b.wav": "Second file.",
    "reading.wav": "Hello, world. The quick brown fox jumps over the lazy dog.",
    "weather.wav": "Get weather for Paris.",
}
# Names whose extension the guides use; libsndfile reads the WAV inside whatever the name says.
_COPIES = {"meeting.mp3": "meeting.wav", "talk.mp3": "talk.wav", "talk.mp4": "talk.wav"}


@pytest.fixture(scope="session")
def snippet_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory of the audio files the guides use (WAV, plus an MP3-named copy)."""
    folder = tmp_path_factory.mktemp("snippet-files")
    with Emulator() as emulator, emulator.client() as client:
        for name, text in _FIXTURE_FILES.items():
            client.tts.synthesize(text).save(folder / name)
    for copy, source in _COPIES.items():
        shutil.copy(folder / source, folder / copy)
    (folder / "recordings").mkdir()
    for name in ("a.wav", "b.wav"):
        shutil.copy(folder / name, folder / "recordings" / name)
    (folder / "trans.txt").write_text("a.wav\tFirst file.\nb.wav\tSecond file.\n")
    # The testing guide's application module, which its test module imports.
    module = next(s for s in SNIPPETS if s.code.startswith("# voicemail.py"))
    (folder / "voicemail.py").write_text(module.code, encoding="utf-8")
    (folder / "chapter1.txt").write_text("It was a dark and stormy night.\n", encoding="utf-8")
    yield folder


# Pages whose snippets use the names a reader fills in for a storage account and a web hook
# (ENDPOINT, KEY, sas_url_1, sas_url_2, CONTAINER_URL, STORAGE_KEY, WEBHOOK_URL, SECRET): the
# runner defines them first, as Azurite (the storage emulator), a receiver on 127.0.0.1 and
# the session's speech emulator.
_BLOB_PAGES = {"docs/guide/batch-transcription.md", "docs/guide/many-files.md"}


@pytest.fixture(scope="session")
def snippet_storage(snippet_files: Path) -> Iterator[dict[str, str]]:
    """Azurite with two of the guides' audio files behind read-only SAS URLs."""
    blob = pytest.importorskip("azure.storage.blob", reason="the [blob] extra is not installed")
    from ..blob.azurite import ACCOUNT, ACCOUNT_KEY, Azurite, AzuriteUnavailable

    try:
        server = Azurite().start()
    except AzuriteUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Azurite unavailable: {exc}")
    try:
        container = blob.ContainerClient.from_connection_string(server.connection_string, "audio")
        container.create_container()
        expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        urls = []
        for name in ("call.wav", "meeting.wav"):
            container.upload_blob(name, (snippet_files / name).read_bytes())
            sas = blob.generate_blob_sas(
                ACCOUNT, "audio", name, account_key=ACCOUNT_KEY, expiry=expiry,
                permission=blob.BlobSasPermissions(read=True),
            )  # fmt: skip
            urls.append(f"{server.container_url('audio')}/{name}?{sas}")
        container.close()
        yield {
            "sas_url_1": urls[0],
            "sas_url_2": urls[1],
            "CONTAINER_URL": server.container_url("uploads"),
            "STORAGE_KEY": ACCOUNT_KEY,
        }
    finally:
        server.stop()


@pytest.fixture(scope="session")
def snippet_webhook_url() -> Iterator[str]:
    """A web hook receiver on 127.0.0.1 that answers the service's challenge with its token."""

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            body = query.get("validationToken", [""])[0].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/speech-events"
    finally:
        server.shutdown()
        server.server_close()


def test_snippets_were_found() -> None:
    assert len(SNIPPETS) >= 60
    assert all(s.skip is None or s.skip.strip() for s in SNIPPETS)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_snippet_runs(
    snippet: Snippet,
    snippet_files: Path,
    speech_emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if snippet.skip:
        pytest.skip(snippet.skip)
    tree = ast.parse(snippet.code, filename=snippet.id)  # a syntax error or top-level await fails
    shutil.copytree(snippet_files, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("AZURE_SPEECH_REGION", "SPEECH_REGION", "SPEECH_ENDPOINT", "SPEECH_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", speech_emulator.url)
    monkeypatch.setenv("AZURE_SPEECH_KEY", speech_emulator.key)
    namespace: dict[str, object] = {"__name__": "__main__"}
    if snippet.path.relative_to(ROOT).as_posix() in _BLOB_PAGES:
        namespace.update(request.getfixturevalue("snippet_storage"))
        namespace.update(ENDPOINT=speech_emulator.url, KEY=speech_emulator.key)
        namespace.update(WEBHOOK_URL=request.getfixturevalue("snippet_webhook_url"))
        namespace.setdefault("SECRET", "a secret shared with the service")
    exec(compile(tree, snippet.id, "exec"), namespace)
    # A snippet must not leave an event loop running or a client open behind it.
    for value in namespace.values():
        if isinstance(value, SpeechClient):
            value.close()
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    sys.modules.pop("voicemail", None)

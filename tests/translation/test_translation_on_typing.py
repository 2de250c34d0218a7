"""``on()`` of the translation sessions is typed per event (as speech to text's is): mypy,
run through its API on a small user snippet, sees each callback's own event class and refuses
a callback for the wrong event. Kept as a test so the overloads cannot rot."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

SNIPPET = """
from typing_extensions import assert_type

from azspeech import AsyncSpeechClient, SpeechClient
from azspeech.models.stt import Canceled, NoMatch, SessionStarted, SpeechEvent
from azspeech.models.translation import (
    Synthesized, Synthesizing, Translated, Translating, TranslationResult,
)


def on_translated(event: Translated) -> None:
    assert_type(event.result, TranslationResult)


def on_synthesized(event: Synthesized) -> None: ...
def on_synthesizing(event: Synthesizing) -> None: ...
def on_translating(event: Translating) -> None: ...
def on_no_match(event: NoMatch) -> None: ...
def on_canceled(event: Canceled) -> None: ...
def on_started(event: SessionStarted) -> None: ...
def on_any(event: SpeechEvent) -> None: ...
async def on_translated_async(event: Translated) -> None: ...


def blocking(client: SpeechClient) -> None:
    with client.translation.connect(target_languages=["de"]) as session:
        session.on("translated", on_translated)
        session.on("translating", on_translating)
        session.on("synthesized", on_synthesized)
        session.on("synthesizing", on_synthesizing)
        session.on("no_match", on_no_match)
        session.on("canceled", on_canceled)
        session.on("session_started", on_started)
        session.on("*", on_any).remove()
        session.on("translated", lambda event: print(event.result.translations))
        session.on("synthesized", on_translated)  # WRONG-BLOCKING


async def asynchronous(client: AsyncSpeechClient) -> None:
    async with client.translation.connect(target_languages=["de"]) as session:
        session.on("translated", on_translated)
        session.on("translated", on_translated_async)
        session.on("synthesizing", on_synthesizing)
        session.on("translated", lambda event: print(event.result.translations))
        session.on("translated", on_synthesized)  # WRONG-ASYNC
"""


def test_translation_session_callbacks_are_typed_per_event(tmp_path: Path) -> None:
    snippet = tmp_path / "user_code.py"
    snippet.write_text(textwrap.dedent(SNIPPET))
    # mypy's cache is safe to reuse across runs (it rechecks what changed): a second run of
    # the suite pays seconds instead of a full analysis of azspeech and its dependencies.
    cache = Path(tempfile.gettempdir()) / "azspeech-typing-test-mypy-cache"
    out, err, status = api.run(
        [
            "--strict",
            "--cache-dir",
            str(cache),
            "--follow-imports=silent",
            "--show-error-codes",
            str(snippet),
        ]
    )
    lines = textwrap.dedent(SNIPPET).splitlines()
    wrong = {number for number, line in enumerate(lines, start=1) if "# WRONG-" in line}
    errors = [line for line in out.splitlines() if ": error:" in line]
    flagged = {int(line.split(":")[1]) for line in errors}
    assert flagged == wrong, out + err
    assert status == 1

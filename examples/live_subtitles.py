"""Live translated subtitles: speech translated as it is spoken, one subtitle track per language.

    python examples/live_subtitles.py [SPEECH.wav] [--to de,fr] [--from en-US] [--out DIR] [--fast]

The audio goes to a translation session at the pace of a live source (``--fast``
sends it as fast as the connection takes it). While someone speaks, the
subtitle line of each language updates with the interim translation; when
the phrase is over it settles into its final form, as on a live stream. At
the end one SubRip file per target language, ``subtitles.<lang>.srt``, and
the source language's ``subtitles.<from>.srt`` are written into ``--out``
(default ``./live-subtitles-output``).

With no SPEECH file the script makes one with text to speech. On a terminal
the interim lines are rewritten in place; piped, each update is its own line
(``~`` interim, ``=`` final).

Runs against the bundled emulator unless ``AZURE_SPEECH_KEY`` and
``AZURE_SPEECH_REGION`` are set, then against Azure. Temporary files are
removed on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from azspeech import SpeechClient
from azspeech.captions import LiveCaption, LiveCaptioner
from azspeech.models.stt import Recognized, Recognizing
from azspeech.models.translation import Translated, Translating
from azspeech.translation import TranslationCaptioner

SPEECH = (
    "Good evening and welcome to the show. "
    "Tonight we talk about the future of public transport. "
    "Our first guest drives a tram in the city centre."
)


@contextlib.contextmanager
def speech_client() -> Iterator[SpeechClient]:
    """Azure when ``AZURE_SPEECH_KEY`` and a region or endpoint are set, else the emulator."""
    if os.environ.get("AZURE_SPEECH_KEY") and (
        os.environ.get("AZURE_SPEECH_REGION") or os.environ.get("AZURE_SPEECH_ENDPOINT")
    ):
        with SpeechClient() as client:
            yield client
        return
    from azspeech.emulator import Emulator

    print("(no AZURE_SPEECH_KEY/AZURE_SPEECH_REGION: using the bundled emulator)")
    with Emulator() as emulator, emulator.client() as client:
        yield client


class SubtitleDisplay:
    """One subtitle line per language, rewritten in place on a terminal."""

    def __init__(self, languages: list[str]) -> None:
        self.languages = languages
        self.tty = sys.stdout.isatty()
        self.lines = dict.fromkeys(languages, "")
        self.drawn = False

    def show(self, language: str, caption: LiveCaption) -> None:
        text = " ".join(caption.lines)
        if not self.tty:
            print(f"{'=' if caption.is_final else '~'} [{language}] {text}", flush=True)
            return
        self.lines[language] = text
        if self.drawn:  # back to the first of our lines
            sys.stdout.write(f"\x1b[{len(self.languages)}F")
        for lang in self.languages:
            sys.stdout.write(f"\x1b[2K[{lang}] {self.lines[lang]}\n")
        self.drawn = True
        if caption.is_final and all(self.lines.values()) and language == self.languages[-1]:
            self.drawn = False  # a settled block: the next phrase starts below it
            self.lines = dict.fromkeys(self.languages, "")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speech", nargs="?", type=Path, help="a WAV file (default: made here)")
    parser.add_argument("--to", default="de,fr", help="target languages, comma-separated")
    parser.add_argument("--from", dest="source", default="en-US", help="the spoken language")
    parser.add_argument("--out", type=Path, default=Path("live-subtitles-output"))
    parser.add_argument("--fast", action="store_true", help="do not pace the audio in real time")
    args = parser.parse_args()
    targets = [t.strip() for t in args.to.split(",") if t.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    tracks = {lang: TranslationCaptioner(lang) for lang in targets}
    source_track = LiveCaptioner()
    display = SubtitleDisplay([args.source, *targets])
    started = time.perf_counter()

    with (
        tempfile.TemporaryDirectory(prefix="azspeech-subtitles-") as tmp,
        speech_client() as client,
    ):
        speech = args.speech or client.tts.synthesize(SPEECH).save(Path(tmp) / "speech.wav")
        with client.translation.connect(
            source_language=args.source, target_languages=targets, interim_results=True
        ) as session:
            session.send_file(speech, realtime=not args.fast)
            for event in session:
                for lang, track in tracks.items():
                    caption = track.update(event)
                    if caption is not None:
                        display.show(lang, caption)
                # The source language's line: the recognized text the translations come from.
                if isinstance(event, (Translating, Translated)):
                    kind = Recognizing if isinstance(event, Translating) else Recognized
                    caption = source_track.update(
                        kind(session_id=event.session_id, result=event.result)
                    )
                    if caption is not None:
                        display.show(args.source, caption)

    print()
    for lang, track in [(args.source, source_track), *tracks.items()]:
        path = args.out / f"subtitles.{lang}.srt"
        path.write_text(track.to_srt(), encoding="utf-8")
        print(f"{path}: {len(track.captions)} subtitles")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

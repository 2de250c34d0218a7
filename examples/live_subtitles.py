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
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from azspeech.captions import LiveCaption, LiveCaptioner
from azspeech.emulator import async_azure_or_emulator
from azspeech.models.stt import Recognized, Recognizing
from azspeech.models.translation import Translated, Translating
from azspeech.translation import TranslationCaptioner

SPEECH = (
    "Good evening and welcome to the show. "
    "Tonight we talk about the future of public transport. "
    "Our first guest drives a tram in the city centre."
)


class SubtitleDisplay:
    """One subtitle line per language, rewritten in place on a terminal."""

    def __init__(self, languages: list[str]) -> None:
        self.languages = languages
        self.tty = sys.stdout.isatty()
        self.lines = dict.fromkeys(languages, "")
        self.drawn = False

    def show(self, updates: dict[str, LiveCaption], final: bool) -> None:
        """Draw one event's caption updates; *final*: the phrase is settled."""
        if not self.tty:
            for lang, caption in updates.items():
                mark = "=" if caption.is_final else "~"
                print(f"{mark} [{lang}] {' '.join(caption.lines)}", flush=True)
            return
        for lang, caption in updates.items():
            self.lines[lang] = " ".join(caption.lines)
        if self.drawn:  # back up to the first line of the block being updated
            sys.stdout.write(f"\x1b[{len(self.languages)}F")
        for lang in self.languages:
            sys.stdout.write(f"\x1b[2K[{lang}] {self.lines[lang]}\n")
        sys.stdout.flush()
        self.drawn = not final  # a settled block stays; the next phrase starts below it
        if final:
            self.lines = dict.fromkeys(self.languages, "")


async def subtitles(
    args: argparse.Namespace, targets: list[str], tmp: Path
) -> list[tuple[str, LiveCaptioner]]:
    """Translate the speech live, showing the subtitles; the caption tracks."""
    tracks: dict[str, LiveCaptioner] = {args.source: LiveCaptioner()}
    tracks.update({lang: TranslationCaptioner(lang) for lang in targets})
    display = SubtitleDisplay(list(tracks))
    async with async_azure_or_emulator() as client:
        speech = args.speech
        if speech is None:
            speech = (await client.tts.synthesize(SPEECH)).save(tmp / "speech.wav")
        async with client.translation.connect(
            source_language=args.source, target_languages=targets, interim_results=True
        ) as session:
            # The audio goes out (at the pace of a live source) while the results come in.
            sender = asyncio.create_task(session.send_file(speech, realtime=not args.fast))
            async for event in session:
                if not isinstance(event, (Translating, Translated)):
                    continue
                final = isinstance(event, Translated)
                # The source line: the recognized text the translations come from.
                kind = Recognized if final else Recognizing
                source = kind(session_id=event.session_id, result=event.result)
                updates = {}
                for lang, track in tracks.items():
                    caption = track.update(source if lang == args.source else event)
                    if caption is not None:
                        updates[lang] = caption
                if updates:
                    display.show(updates, final)
            await sender
    return list(tracks.items())


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
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="azspeech-subtitles-") as tmp:
        tracks = asyncio.run(subtitles(args, targets, Path(tmp)))
    print()
    for lang, track in tracks:
        path = args.out / f"subtitles.{lang}.srt"
        path.write_text(track.to_srt(), encoding="utf-8")
        print(f"{path}: {len(track.captions)} subtitles")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

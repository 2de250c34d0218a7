"""Captions (SubRip and WebVTT) from timed phrases, and live captions from a stream.

:func:`to_srt` / :func:`to_webvtt` accept any sequence of
:class:`TimedPhrase`: ``.text``, ``.offset``, ``.duration`` (``timedelta``),
``.words`` (each a :class:`TimedWord` with ``.offset`` and ``.duration``;
empty when unknown) and ``.speaker`` (``None`` when unknown). Fast-transcription
phrases, recognition results and a session's transcript are all of them; the
result types also have ``.to_srt()`` and ``.to_webvtt()``.

Rules (:class:`CaptionOptions`): lines of at most 42 characters, at most two
lines per caption, long phrases split at word boundaries (at word times when
the phrase has them, else in proportion to the characters), every caption
shown at least 1 s (unless the next one starts earlier) and at most 7 s,
captions never overlap, and a speaker label when the phrases carry speakers.

:class:`LiveCaptioner` turns the events of a recognition session into
partial captions that are replaced by the final caption, the way the
captioning scenario of the official docs works.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .models.stt import SpeechEvent

__all__ = [
    "Caption",
    "CaptionOptions",
    "LiveCaption",
    "LiveCaptioner",
    "TimedPhrase",
    "TimedWord",
    "build_captions",
    "live_captions",
    "to_srt",
    "to_webvtt",
    "wrap_lines",
]

_ZERO = timedelta(0)


@runtime_checkable
class TimedWord(Protocol):
    """A word with its place in the audio (``Word``, ``TranscribedWord``)."""

    @property
    def offset(self) -> timedelta:
        """When the word starts."""

    @property
    def duration(self) -> timedelta:
        """How long it lasts."""


@runtime_checkable
class TimedPhrase(Protocol):
    """What captions are made of: a phrase with its text, timing, words and speaker.

    ``RecognitionResult``, ``TranscribedPhrase`` (and so the phrases of a
    ``Transcript`` or ``TranscriptionResult``) implement it; so can your own
    types. ``words`` is empty when the phrase has no word timings (then the
    split times are shared by characters); ``speaker`` is ``None`` without
    diarization.
    """

    @property
    def text(self) -> str:
        """The phrase's text."""

    @property
    def offset(self) -> timedelta:
        """When the phrase starts."""

    @property
    def duration(self) -> timedelta:
        """How long it lasts."""

    @property
    def words(self) -> Sequence[TimedWord]:
        """Its words with their times (empty when unknown)."""

    @property
    def speaker(self) -> object:
        """Who spoke it (``None`` when unknown)."""


@dataclass(frozen=True)
class CaptionOptions:
    """How captions are laid out and timed."""

    max_line_length: int = 42
    max_lines: int = 2
    min_duration: timedelta = timedelta(seconds=1)
    max_duration: timedelta = timedelta(seconds=7)
    speaker_labels: bool | None = None  # None: when any phrase has a speaker

    def __post_init__(self) -> None:
        if self.max_line_length < 8:
            raise ValueError("max_line_length must be at least 8")
        if self.max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        if self.min_duration < _ZERO or self.max_duration <= _ZERO:
            raise ValueError("durations must be positive")
        if self.min_duration > self.max_duration:
            raise ValueError("min_duration must not exceed max_duration")


@dataclass
class Caption:
    """One caption: a time span and its lines."""

    index: int
    start: timedelta
    end: timedelta
    lines: list[str]
    speaker: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Token:
    text: str
    start: timedelta
    end: timedelta


def _speaker_label(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"Speaker {value}"
    text = str(value).strip()
    if not text or text.lower() == "unknown":
        return None
    return text


def _split_long(word: str, width: int) -> list[str]:
    return [word[i : i + width] for i in range(0, len(word), width)] or [word]


def wrap_lines(text: str, width: int = 42) -> list[str]:
    """Greedy word wrap at *width* characters (words longer than a line are cut)."""
    lines: list[str] = []
    current = ""
    for raw in text.split():
        for word in _split_long(raw, width):
            if not current:
                current = word
            elif len(current) + 1 + len(word) <= width:
                current += " " + word
            else:
                lines.append(current)
                current = word
    if current:
        lines.append(current)
    return lines


def _tokens(phrase: TimedPhrase) -> list[_Token]:
    text = (phrase.text or "").strip()
    start = phrase.offset or _ZERO
    duration = phrase.duration or _ZERO
    parts = text.split()
    if not parts:
        return []
    words = list(phrase.words or ())
    if len(words) == len(parts):
        out = []
        for part, w in zip(parts, words, strict=True):
            out.append(_Token(part, w.offset, w.offset + w.duration))
        # Keep the token times inside the phrase and non-decreasing.
        prev = start
        for tok in out:
            tok.start = max(tok.start, prev)
            tok.end = max(tok.end, tok.start)
            prev = tok.start
        return out
    # Proportional timing: each word gets time by its share of the characters.
    total = sum(len(p) + 1 for p in parts)
    out = []
    pos = 0
    for part in parts:
        a = start + duration * (pos / total)
        pos += len(part) + 1
        b = start + duration * (pos / total)
        out.append(_Token(part, a, b))
    return out


def _split_tokens(tokens: list[_Token], width: int) -> list[_Token]:
    """Cut words longer than a line into line-sized pieces (time shared by length)."""
    out: list[_Token] = []
    for tok in tokens:
        if len(tok.text) <= width:
            out.append(tok)
            continue
        pieces = _split_long(tok.text, width)
        span = tok.end - tok.start
        pos = 0
        for piece in pieces:
            a = tok.start + span * (pos / len(tok.text))
            pos += len(piece)
            out.append(_Token(piece, a, tok.start + span * (pos / len(tok.text))))
    return out


def _blocks(tokens: list[_Token], opts: CaptionOptions, prefix: str) -> list[list[_Token]]:
    """Group tokens into captions: ≤ max_lines lines of ≤ max_line_length, ≤ max_duration."""
    blocks: list[list[_Token]] = []
    current: list[_Token] = []

    def fits(candidate: list[_Token]) -> bool:
        text = prefix + " ".join(t.text for t in candidate)
        if len(wrap_lines(text, opts.max_line_length)) > opts.max_lines:
            return False
        return candidate[-1].end - candidate[0].start <= opts.max_duration or len(candidate) == 1

    for tok in tokens:
        if current and not fits([*current, tok]):
            blocks.append(current)
            current = []
        current.append(tok)
        if len(current) == 1 and not fits(current):
            # A single token too long for a caption: it gets a caption of its own.
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def build_captions(
    phrases: Iterable[TimedPhrase], options: CaptionOptions | None = None
) -> list[Caption]:
    """Lay out *phrases* as captions (see the module docstring for the rules)."""
    opts = options or CaptionOptions()
    items = [p for p in phrases if (p.text or "").strip()]
    items.sort(key=lambda p: p.offset or _ZERO)
    labels = opts.speaker_labels
    if labels is None:
        labels = any(_speaker_label(p.speaker) for p in items)
    raw: list[Caption] = []
    for phrase in items:
        speaker = _speaker_label(phrase.speaker) if labels else None
        prefix = f"{speaker}: " if speaker else ""
        for block in _blocks(_split_tokens(_tokens(phrase), opts.max_line_length), opts, prefix):
            text = " ".join(t.text for t in block)
            lines = wrap_lines(prefix + text, opts.max_line_length)
            if len(lines) > opts.max_lines:  # a single over-long token
                lines = lines[: opts.max_lines]
            raw.append(Caption(0, block[0].start, block[-1].end, lines, speaker))
    # Timing rules: minimum and maximum duration, no overlap.
    for i, cap in enumerate(raw):
        nxt = raw[i + 1].start if i + 1 < len(raw) else None
        if cap.end - cap.start < opts.min_duration:
            cap.end = cap.start + opts.min_duration
        if cap.end - cap.start > opts.max_duration:
            cap.end = cap.start + opts.max_duration
        if nxt is not None and cap.end > nxt > cap.start:
            cap.end = nxt  # no overlap (captions starting together, e.g. two channels, may)
        cap.index = i + 1
    return raw


def _stamp(t: timedelta, sep: str) -> str:
    ms = max(0, round(t.total_seconds() * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(phrases: Iterable[TimedPhrase], options: CaptionOptions | None = None) -> str:
    """SubRip (``.srt``) captions for *phrases*."""
    return _render_srt(build_captions(phrases, options))


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(phrases: Iterable[TimedPhrase], options: CaptionOptions | None = None) -> str:
    """WebVTT (``.vtt``) captions for *phrases*; speakers as ``<v Name>`` voice spans."""
    return _render_vtt(build_captions(phrases, options))


def _render_vtt(caps: Sequence[Caption]) -> str:
    out = ["WEBVTT"]
    for cap in caps:
        lines = list(cap.lines)
        if cap.speaker:
            label = f"{cap.speaker}: "
            if lines and lines[0].startswith(label):
                lines[0] = lines[0][len(label) :]
            body = f"<v {_vtt_escape(cap.speaker)}>" + "\n".join(_vtt_escape(x) for x in lines)
        else:
            body = "\n".join(_vtt_escape(x) for x in lines)
        out.append(f"{_stamp(cap.start, '.')} --> {_stamp(cap.end, '.')}\n{body}")
    return "\n\n".join(out) + "\n"


def _render_srt(caps: Sequence[Caption]) -> str:
    out = [
        f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(c.lines)
        for i, c in enumerate(caps, 1)
    ]
    return "\n\n".join(out) + ("\n" if out else "")


# -- live captions ----------------------------------------------------------------------------


@dataclass
class LiveCaption:
    """What a live caption display should show now.

    ``is_final`` False: a partial caption, to be replaced by the next update.
    ``is_final`` True: the settled caption(s) of one phrase (``captions``).
    """

    lines: list[str]
    start: timedelta
    end: timedelta
    is_final: bool
    speaker: str | None = None
    captions: list[Caption] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class LiveCaptioner:
    """Turn ``Recognizing``/``Recognized`` events into partial-then-final captions.

    Partial captions show the last ``max_lines`` lines of the partial text
    (the words still being spoken); a final replaces them with the phrase's
    caption blocks laid out by the offline rules.
    """

    def __init__(self, options: CaptionOptions | None = None) -> None:
        self.options = options or CaptionOptions()
        self.captions: list[Caption] = []

    def update(self, event: SpeechEvent) -> LiveCaption | None:
        """The caption update for *event*, or ``None`` for events without text."""
        from .models.stt import Recognized, Recognizing

        if not isinstance(event, (Recognizing, Recognized)):
            return None
        etype = event.type
        result = event.result
        opts = self.options
        speaker = _speaker_label(result.speaker)
        if opts.speaker_labels is False:
            speaker = None
        if etype == "recognizing":
            prefix = f"{speaker}: " if speaker else ""
            lines = wrap_lines(prefix + result.text, opts.max_line_length)[-opts.max_lines :]
            if not lines:
                return None
            return LiveCaption(lines, result.offset, result.end, False, speaker)
        caps = build_captions([result], opts)
        if not caps:
            return None
        base = len(self.captions)
        for i, cap in enumerate(caps):
            cap.index = base + i + 1
        # Keep the new captions from overlapping the previous final one.
        if self.captions and self.captions[-1].end > caps[0].start:
            self.captions[-1].end = max(caps[0].start, self.captions[-1].start)
        self.captions.extend(caps)
        return LiveCaption(caps[-1].lines, caps[0].start, caps[-1].end, True, speaker, caps)

    def feed(self, events: Iterable[SpeechEvent]) -> Iterator[LiveCaption]:
        """Updates for a (blocking) stream of events."""
        for ev in events:
            cap = self.update(ev)
            if cap is not None:
                yield cap

    def to_srt(self) -> str:
        """The final captions so far, as SubRip."""
        return _render_srt(self.captions)

    def to_webvtt(self) -> str:
        """The final captions so far, as WebVTT."""
        return _render_vtt(self.captions)


async def live_captions(
    session: AsyncIterator[SpeechEvent], options: CaptionOptions | None = None
) -> AsyncIterator[LiveCaption]:
    """Live caption updates from an async recognition session's events."""
    captioner = LiveCaptioner(options)
    async for ev in session:
        cap = captioner.update(ev)
        if cap is not None:
            yield cap

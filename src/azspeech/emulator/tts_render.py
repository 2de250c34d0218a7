"""Text to speech in the emulator: rendering items into audio and events, and encoding.

Speech is written with the tone codec (:mod:`.engines.tones`) unless another
encoder is given, so the emulator's own speech to text reads it back. Word,
punctuation and sentence boundaries, bookmarks and visemes are computed from
the same layout, so their offsets agree with the audio. :func:`encode_audio`
writes PCM formats (raw, RIFF, µ-law, A-law) exactly and MP3, Ogg/Opus and
FLAC through libsndfile; other formats are :class:`UnsupportedFormat`.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..audio.convert import float_to_bytes
from ..audio.formats import TICKS_PER_SECOND, OutputFormat
from ..errors import ConfigurationError
from .engines import tones
from .tts_ssml import BreakItem, SynthesisError, TextItem, parse_ssml

__all__ = [
    "Encoder",
    "Ev",
    "FloatArray",
    "Rendered",
    "UnsupportedFormat",
    "content_type",
    "encode_audio",
    "parse_format",
    "render_ssml",
    "render_text",
]

#: The service cuts synthesized audio at ten minutes.
MAX_AUDIO_SECONDS = 600
#: Silence before the first word and after the last one.
LEAD_MS = 50.0
TAIL_MS = 100.0
Encoder = Callable[..., tones.Encoded]
FloatArray = npt.NDArray[np.float32]


class UnsupportedFormat(SynthesisError):
    """An output format the emulator cannot encode."""


# -- rendering ---------------------------------------------------------------------------


@dataclass
class Ev:
    """A metadata event at a sample position of the rendered audio."""

    start: int
    kind: str  # WordBoundary, PunctuationBoundary, SentenceBoundary, Bookmark, Viseme
    duration: int = 0
    text: str = ""
    viseme: int = 0
    animation: str | None = None
    last: bool | None = None


@dataclass
class Rendered:
    """Synthesized audio (float32 mono) and its events (sample positions)."""

    samples: FloatArray
    sample_rate: int
    events: list[Ev]

    @property
    def duration_ticks(self) -> int:
        return len(self.samples) * TICKS_PER_SECOND // self.sample_rate


def _symbols(ch: str) -> int:
    return 1 if 33 <= ord(ch) <= 126 else 4


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P") or ch in "$+<=>^`|~"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _viseme_of(ch: str) -> int:
    c = ch.lower()
    table = {"a": 2, "e": 4, "i": 6, "o": 8, "u": 7, "b": 21, "m": 21, "p": 21, "f": 18, "v": 18}
    if c in table:
        return table[c]
    return 1 + (ord(c) % 20)


class _Renderer:
    def __init__(
        self, sample_rate: int, viseme_type: str | None, encoder: Encoder = tones.encode
    ) -> None:
        self.encoder = encoder
        self.rate = sample_rate
        self.viseme_type = viseme_type
        self.pieces: list[FloatArray] = []
        self.pos = 0
        self.events: list[Ev] = []
        self.sentence: list[tuple[str, int, int]] = []
        self.last_word_sentence_end = True
        self.had_words = False
        self.face_words: list[tuple[int, int, int]] = []

    def silence(self, ms: float) -> None:
        n = round(self.rate * ms / 1000.0)
        if n > 0:
            self.pieces.append(np.zeros(n, dtype=np.float32))
            self.pos += n

    def text(self, text: str, speed: float) -> None:
        enc = self.encoder(text, self.rate, rate=speed)
        if not enc.words:
            return
        if self.had_words:
            gap = tones.SENTENCE_GAP_MS if self.last_word_sentence_end else tones.WORD_GAP_MS
            self.silence(gap / speed)
        base = self.pos
        self.pieces.append(enc.samples)
        self.pos += len(enc.samples)
        self.had_words = True
        for word in enc.words:
            self._word(word.text, base + word.start, base + word.end, word.sentence_end)

    def _word(self, token: str, start: int, end: int, sentence_end: bool) -> None:
        total = sum(_symbols(c) for c in token)
        per = (end - start) / total if total else 0.0
        i = 0
        while i < len(token) and _is_punct(token[i]):
            i += 1
        j = len(token)
        while j > i and _is_punct(token[j - 1]):
            j -= 1

        def at(k: int) -> int:
            return start + round(per * sum(_symbols(c) for c in token[:k]))

        if i > 0:
            self.events.append(
                Ev(start, "PunctuationBoundary", at(i) - start, _xml_escape(token[:i]))
            )
        if j > i:
            core = token[i:j]
            self.events.append(Ev(at(i), "WordBoundary", at(j) - at(i), _xml_escape(core)))
            self._visemes(core, at(i), at(j), [at(k) for k in range(i, j)])
        if j < len(token):
            self.events.append(
                Ev(at(j), "PunctuationBoundary", end - at(j), _xml_escape(token[j:]))
            )
        self.sentence.append((token, start, end))
        if sentence_end:
            self._end_sentence()
        self.last_word_sentence_end = sentence_end

    def _end_sentence(self) -> None:
        if not self.sentence:
            return
        text = " ".join(t for t, _, _ in self.sentence)
        start, end = self.sentence[0][1], self.sentence[-1][2]
        self.events.append(Ev(start, "SentenceBoundary", end - start, _xml_escape(text)))
        self.sentence = []

    def _visemes(self, core: str, start: int, end: int, starts: list[int]) -> None:
        if self.viseme_type == "FacialExpression":
            # frames are laid out over the whole audio in finish()
            self.face_words.append((start, end, _viseme_of(core[0])))
            return
        for ch, pos in zip(core, starts, strict=True):
            vid = _viseme_of(ch)
            if self.viseme_type == "redlips_front":
                svg = f'<svg width="1200px" height="1200px"><path d="M{vid},0 L0,{vid}"/></svg>'
                half = len(svg) // 2
                self.events.append(Ev(pos, "Viseme", viseme=vid, animation=svg[:half], last=False))
                self.events.append(Ev(pos, "Viseme", viseme=vid, animation=svg[half:], last=True))
            else:
                self.events.append(Ev(pos, "Viseme", viseme=vid))

    def _blend_shapes(self, total: int) -> None:
        """Blend-shape frames at 60 fps over the whole audio, one chunk per viseme.

        Frames are contiguous from ``FrameIndex`` 0 and cover the silences too
        (a neutral pose), so ``round(duration * 60)`` frames in all; the chunk
        of the viseme at offset *t* starts at frame ``round(t * 60)``.
        """
        n_frames = round(total / self.rate * 60)
        if n_frames <= 0:
            return
        spans = [
            (round(a / self.rate * 60), round(b / self.rate * 60)) for a, b, _ in self.face_words
        ]
        moving = np.zeros(n_frames, dtype=bool)
        for a, b in spans:
            moving[a : max(b, a + 1)] = True
        anchors: list[tuple[int, int, int]] = [(0, 0, 0)]  # (frame, sample, viseme id)
        for (start, _end, vid), (f, _) in zip(self.face_words, spans, strict=True):
            if f >= n_frames:
                continue
            if f == anchors[-1][0]:
                anchors[-1] = (f, start, vid)
            elif f > anchors[-1][0]:
                anchors.append((f, start, vid))
        bounds = [a[0] for a in anchors] + [n_frames]
        for (frame, sample, vid), end_frame in zip(anchors, bounds[1:], strict=True):
            shapes = [
                [round(0.5 + 0.5 * math.sin((i / 7.0) + k / 9.0), 3) if moving[i] else 0.0
                 for k in range(55)]
                for i in range(frame, end_frame)
            ]  # fmt: skip
            anim = json.dumps({"FrameIndex": frame, "BlendShapes": shapes}, separators=(",", ":"))
            self.events.append(Ev(sample, "Viseme", viseme=vid, animation=anim, last=True))

    def finish(self) -> Rendered:
        self._end_sentence()
        samples = np.concatenate(self.pieces) if self.pieces else np.zeros(0, dtype=np.float32)
        limit = MAX_AUDIO_SECONDS * self.rate
        if len(samples) > limit:  # the service truncates at ten minutes
            samples = samples[:limit]
            self.events = [e for e in self.events if e.start < limit]
            self.face_words = [w for w in self.face_words if w[0] < limit]
        if self.viseme_type == "FacialExpression":
            self._blend_shapes(len(samples))
        else:
            self.events.insert(0, Ev(0, "Viseme", viseme=0))
        order = {"SentenceBoundary": 0, "Bookmark": 1, "WordBoundary": 2}
        self.events.sort(key=lambda e: (e.start, order.get(e.kind, 3)))
        return Rendered(samples.astype(np.float32, copy=False), self.rate, self.events)


def render_ssml(
    ssml: str, sample_rate: int, *, any_voice: bool = False, encoder: Encoder = tones.encode
) -> Rendered:
    """Synthesize an SSML document with *encoder* (the tone codec unless told otherwise)."""
    doc = parse_ssml(ssml, any_voice=any_voice)
    r = _Renderer(sample_rate, doc.viseme_type, encoder)
    r.silence(LEAD_MS)
    pending: list[str] = []
    speed = 1.0
    for item in doc.items:
        if isinstance(item, TextItem):
            if pending and item.rate != speed:
                r.text("".join(pending), speed)
                pending = []
            speed = item.rate
            pending.append(item.text)
            continue
        if pending:
            r.text("".join(pending), speed)
            pending = []
        if isinstance(item, BreakItem):
            r.silence(item.ms)
        else:
            r.events.append(Ev(r.pos, "Bookmark", text=item.name))
    if pending:
        r.text("".join(pending), speed)
    r.silence(_tail_ms(r))
    return r.finish()


def render_text(text: str, sample_rate: int, *, encoder: Encoder = tones.encode) -> Rendered:
    """Synthesize plain *text* (streamed pieces, custom-voice plain text)."""
    r = _Renderer(sample_rate, None, encoder)
    r.text(text, 1.0)
    r.silence(_tail_ms(r))
    return r.finish()


def _tail_ms(r: _Renderer) -> float:
    # Like the service, a request that ends a sentence ends in a sentence's pause, so
    # audio of consecutive requests joins into separate phrases, not one run-on phrase.
    if r.had_words and r.last_word_sentence_end:
        return max(TAIL_MS, tones.SENTENCE_GAP_MS - LEAD_MS)
    return TAIL_MS


# -- formats -----------------------------------------------------------------------------

_SOUNDFILE = {"mp3": ("MP3", "MPEG_LAYER_III"), "ogg": ("OGG", "OPUS"), "flac": ("FLAC", "PCM_16")}


def parse_format(value: str) -> OutputFormat:
    """The format named *value*; :class:`UnsupportedFormat` if unknown or not encodable here."""
    try:
        fmt = OutputFormat.parse(value)
    except ConfigurationError:
        raise UnsupportedFormat(f"Unsupported output format: {value}") from None
    if fmt.pcm_format is None and fmt.container not in _SOUNDFILE:
        raise UnsupportedFormat(f"Output format {fmt.value} is not supported by the emulator")
    return fmt


def encode_audio(samples: FloatArray, fmt: OutputFormat, *, header: bool) -> bytes:
    """*samples* (at ``fmt.sample_rate``) in *fmt*; with *header*, RIFF formats get theirs."""
    pcm = fmt.pcm_format
    if pcm is not None:
        data = float_to_bytes(np.clip(samples, -1.0, 1.0).astype(np.float32), pcm)
        if header and fmt.has_header:
            data = pcm.wav_header(len(data)) + data
        return data
    import soundfile as sf

    container, subtype = _SOUNDFILE[fmt.container]
    buf = io.BytesIO()
    sf.write(buf, samples, fmt.sample_rate, format=container, subtype=subtype)
    return buf.getvalue()


def content_type(fmt: OutputFormat) -> str:
    """The Content-Type of audio frames and REST answers for *fmt*."""
    if fmt.pcm_format is not None:
        return "audio/x-wav"
    return {"mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac"}[fmt.container]

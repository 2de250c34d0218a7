"""The speech-to-text engine interface and the energy segmenter every engine shares.

An engine sees exactly the audio the emulator received, as float32 mono
samples at 16 kHz (the emulator converts whatever format the client declared).
:class:`SegmentingStream` cuts it into phrases by energy (a phrase ends after
``segmentation_silence_ms`` of silence, or at ``max_segment_ms``) and asks the
engine for the text of each phrase (:meth:`SttEngine.recognize`) and for
interim text while the phrase is still going (:meth:`SttEngine.partial`).
Positions are sample indices at 16 kHz counted from the start of the stream,
so lost or repeated audio moves every offset the client sees.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "ENGINE_RATE",
    "Event",
    "Final",
    "Hypothesis",
    "InitialSilence",
    "RecognitionOptions",
    "Segment",
    "SegmentingStream",
    "SpeechStarted",
    "SttEngine",
    "Transcript",
    "WordResult",
]

ENGINE_RATE = 16000
FRAME = ENGINE_RATE // 100  # 10 ms
SPEECH_RMS = 0.01  # about -40 dBFS
MARGIN = ENGINE_RATE // 50  # 20 ms of context around a segment
_VOICED = float(np.float32(SPEECH_RMS * SPEECH_RMS))  # frame energy above this is speech

Float32Array = npt.NDArray[np.float32]
_F32 = np.dtype(np.float32)
_NO_SAMPLES = np.zeros(0, dtype=np.float32)

try:  # einsum's C core: the same sums, without the Python wrapper's argument handling
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:  # pragma: no cover - other numpy layouts
    _einsum = np.einsum


@dataclass
class RecognitionOptions:
    """What a recognition asked for (from the URL, ``speech.context`` or a REST definition)."""

    mode: str = "conversation"
    language: str | None = "en-US"
    segmentation_silence_ms: float = 500.0
    initial_silence_ms: float | None = None
    max_segment_ms: float = 30_000.0
    hypothesis_interval_ms: float = 300.0
    phrases: list[str] = field(default_factory=list)
    diarization: bool = False
    max_speakers: int = 35
    candidate_languages: list[str] = field(default_factory=list)
    #: per-stream scratch space engines may use as a cache (not an option)
    scratch: dict[object, object] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class WordResult:
    """A recognized word; ``start``/``end`` are absolute sample indices at 16 kHz."""

    text: str
    start: int
    end: int
    confidence: float = 0.9


@dataclass
class Transcript:
    """The text of one phrase, as an engine returns it."""

    text: str
    words: list[WordResult]
    confidence: float = 0.9
    language: str | None = None


@dataclass
class Segment:
    """A finished phrase: where it is, what was said (None = nothing recognized), who spoke."""

    start: int
    end: int
    transcript: Transcript | None
    speaker: int | None = None
    level_db: float = -100.0


@dataclass
class SpeechStarted:
    """Speech began at sample *offset*."""

    offset: int


@dataclass
class Hypothesis:
    """Interim text of the phrase running from *start* to *end*."""

    start: int
    end: int
    text: str
    speaker: int | None = None


@dataclass
class Final:
    """A phrase ended."""

    segment: Segment


@dataclass
class InitialSilence:
    """No speech within the initial-silence timeout (*duration* samples of silence)."""

    duration: int


Event = SpeechStarted | Hypothesis | Final | InitialSilence


class SttEngine(ABC):
    """A pluggable recognizer. Subclasses say what a stretch of speech contains."""

    name = "engine"
    #: True for engines that take long per phrase (run off the event loop)
    slow = False

    @abstractmethod
    def recognize(
        self, audio: Float32Array, offset: int, options: RecognitionOptions
    ) -> Transcript | None:
        """Text of one phrase; *audio* starts at absolute sample *offset*. None = no match."""

    def partial(self, audio: Float32Array, offset: int, options: RecognitionOptions) -> str:
        """Interim text of a phrase still in progress (default: nothing)."""
        return ""

    def open_stream(self, options: RecognitionOptions) -> SegmentingStream:
        """A streaming recognition over this engine."""
        return SegmentingStream(self, options)


class SegmentingStream:
    """Feed audio in, get recognition events out (deterministic, driven by the audio only)."""

    #: Move a phrase's counters over a whole message at once when no event can fall in it
    #: (False: always frame by frame, the reference the tests compare with).
    bulk_frames = True

    def __init__(self, engine: SttEngine, options: RecognitionOptions) -> None:
        self.engine = engine
        self.options = options
        # Received audio still needed: absolute samples [_buf_start, _buf_start + _buffered)
        # sit in _buf from index _buf_start - _origin on. The buffer only grows at its end
        # and is replaced (never overwritten) when it must move, so the slices handed to
        # engines stay valid and no slice copies the phrase so far.
        self._buf = np.zeros(0, dtype=np.float32)
        self._origin = 0  # absolute index of _buf[0]
        self._buf_start = 0
        self._buffered = 0
        self._tail = np.zeros(0, dtype=np.float32)  # samples not yet framed (< one frame)
        self._pos = 0  # absolute index of the next unprocessed frame
        self.total = 0  # samples received
        self._in_speech = False
        self._seg_start = 0
        self._last_voiced = 0
        self._voiced_energy = 0.0
        self._voiced_frames = 0
        self._hyp_next = 0
        self._last_hyp = ""
        self.any_speech = False
        self.timed_out = False
        self.initial_silence_reported = False
        self._levels: list[float] = []
        self._seg_silence = max(1, round(options.segmentation_silence_ms * ENGINE_RATE / 1000))
        self._max_seg = max(FRAME, round(options.max_segment_ms * ENGINE_RATE / 1000))
        self._hyp_step = max(FRAME, round(options.hypothesis_interval_ms * ENGINE_RATE / 1000))
        ism = options.initial_silence_ms
        self._initial = round(ism * ENGINE_RATE / 1000) if ism else None

    # -- public ------------------------------------------------------------------------

    def feed(self, samples: Float32Array) -> list[Event]:
        """Add samples (float32 mono 16 kHz); returns the events they cause."""
        if self.timed_out or len(samples) == 0:
            self.total += len(samples)
            return []
        if samples.dtype is not _F32:
            samples = samples.astype(np.float32)
        self._store(samples)
        self.total += len(samples)
        events: list[Event] = []
        x = np.concatenate((self._tail, samples)) if len(self._tail) else samples
        n = len(x) // FRAME
        if n * FRAME == len(x):  # whole frames: what 10 ms multiples of audio give
            self._tail = _NO_SAMPLES
            frames = x.reshape(n, FRAME)
        else:
            self._tail = x[n * FRAME :]
            if n <= 0:
                return events
            frames = x[: n * FRAME].reshape(n, FRAME)
        energy_l: list[float] = (_einsum("ij,ij->i", frames, frames) / FRAME).tolist()
        # Compared as Python floats: the same answers as numpy's float32 comparison
        # (both sides are exact in float64), without two more arrays per message.
        pos = self._pos
        end = pos + n * FRAME
        if (
            self._in_speech
            and end < self._hyp_next
            and end - self._seg_start < self._max_seg
            and self.bulk_frames
        ):
            # Inside a phrase, most messages only move counters: no interim result is due
            # and no silence long enough to end the phrase. Checked over the voiced frames
            # (the longest silence ends just before one of them, or at the end) and done
            # in one step; otherwise the frame-by-frame loop below decides.
            last = self._last_voiced
            energy = self._voiced_energy
            count = self._voiced_frames
            seg_silence = self._seg_silence
            quiet = True
            for i, e in enumerate(energy_l):
                if e > _VOICED:
                    if pos + i * FRAME - last >= seg_silence:
                        quiet = False
                        break
                    last = pos + (i + 1) * FRAME
                    energy += e
                    count += 1
            if quiet and end - last < seg_silence:
                self._last_voiced = last
                self._voiced_energy = energy
                self._voiced_frames = count
                self._pos = end
                self._trim()
                return events
        voiced_l = [e > _VOICED for e in energy_l]
        if not self._in_speech and True not in voiced_l:
            # silence only: nothing happens unless the initial-silence timeout passes
            if not self.any_speech and self._initial is not None and end >= self._initial:
                done = max(self._initial, self._pos + FRAME)
                done = self._pos + -(-(done - self._pos) // FRAME) * FRAME
                self._initial_silence(done, events)
            self._pos = end
            self._trim()
            return events
        for i in range(n):
            p = pos + i * FRAME
            if self._in_speech:
                # _frame's speech branch, inlined: most frames of a phrase change counters only
                now = p + FRAME
                if voiced_l[i]:
                    self._last_voiced = now
                    self._voiced_energy += energy_l[i]
                    self._voiced_frames += 1
                if (
                    now - self._last_voiced < self._seg_silence
                    and now - self._seg_start < self._max_seg
                    and now < self._hyp_next
                ):
                    continue
                self._speech_frame_end(now, events)
            else:
                self._frame(p, voiced_l[i], energy_l[i], events)
            if self.timed_out:
                break
        self._pos += n * FRAME
        self._trim()
        return events

    def finish(self) -> list[Event]:
        """End of audio: close the running phrase, if any."""
        events: list[Event] = []
        if self._in_speech:
            self._finalize(self._last_voiced, events)
        return events

    # -- internals -------------------------------------------------------------------------

    def _frame(self, p: int, voiced: bool, energy: float, events: list[Event]) -> None:
        if not self._in_speech:
            if voiced:
                self._in_speech = True
                self._seg_start = p
                self._last_voiced = p + FRAME
                self._voiced_energy = energy
                self._voiced_frames = 1
                self._hyp_next = p + self._hyp_step
                self._last_hyp = ""
                self.any_speech = True
                events.append(SpeechStarted(p))
            elif not self.any_speech and self._initial is not None and p + FRAME >= self._initial:
                self._initial_silence(p + FRAME, events)
            return
        if voiced:
            self._last_voiced = p + FRAME
            self._voiced_energy += energy
            self._voiced_frames += 1
        self._speech_frame_end(p + FRAME, events)

    def _speech_frame_end(self, now: int, events: list[Event]) -> None:
        """At the end (*now*) of a frame of a phrase: end it, or an interim result if due."""
        if now - self._last_voiced >= self._seg_silence:
            self._finalize(self._last_voiced, events)
        elif now - self._seg_start >= self._max_seg:
            self._finalize(now, events)
        elif now >= self._hyp_next:
            self._hyp_next = now + self._hyp_step
            audio, off = self._slice(self._seg_start, now, margin_after=False)
            text = self.engine.partial(audio, off, self.options)
            if text and text != self._last_hyp:
                self._last_hyp = text
                end = self._last_voiced
                events.append(Hypothesis(self._seg_start, end, text, self._speaker(peek=True)))

    def _initial_silence(self, at: int, events: list[Event]) -> None:
        """Report the timeout; interactive recognition stops, continuous keeps listening."""
        events.append(InitialSilence(at))
        self.initial_silence_reported = True
        self._initial = None
        if self.options.mode == "interactive":
            self.timed_out = True

    def _store(self, samples: Float32Array) -> None:
        """Append *samples* to the buffer (moving the live part to a larger one when full)."""
        live = self._buf_start - self._origin
        end = live + self._buffered
        need = end + len(samples)
        if need > len(self._buf):
            keep = self._buf[live:end]
            grown = np.empty(max(ENGINE_RATE, 2 * (self._buffered + len(samples))), np.float32)
            grown[: self._buffered] = keep
            self._buf = grown
            self._origin = self._buf_start
            end = self._buffered
            need = end + len(samples)
        self._buf[end:need] = samples
        self._buffered += len(samples)

    def _slice(
        self, start: int, end: int, *, margin_after: bool = True
    ) -> tuple[Float32Array, int]:
        a = max(self._buf_start, start - MARGIN)
        b = min(self._buf_start + self._buffered, end + (MARGIN if margin_after else 0))
        return self._buf[a - self._origin : max(a, b) - self._origin], a

    def _level(self) -> float:
        mean = self._voiced_energy / max(1, self._voiced_frames)
        return 10 * math.log10(mean) if mean > 0 else -100.0

    def _speaker(self, *, peek: bool = False) -> int | None:
        """Speakers are told apart by loudness: within 3 dB of a known level = same speaker."""
        if not self.options.diarization:
            return None
        level = self._level()
        best, best_d = None, 1e9
        for i, known in enumerate(self._levels):
            d = abs(known - level)
            if d < best_d:
                best, best_d = i, d
        if best is not None and (best_d <= 3.0 or len(self._levels) >= self.options.max_speakers):
            return best
        if peek:
            return len(self._levels)
        self._levels.append(level)
        return len(self._levels) - 1

    def _finalize(self, end: int, events: list[Event]) -> None:
        start = self._seg_start
        audio, off = self._slice(start, end)
        transcript = self.engine.recognize(audio, off, self.options)
        seg = Segment(start, end, transcript, self._speaker(), self._level())
        self._in_speech = False
        events.append(Final(seg))

    def _trim(self) -> None:
        keep_from = (self._seg_start if self._in_speech else self._pos) - MARGIN
        cut = min(keep_from - self._buf_start, self._buffered)
        if cut > 0:
            self._buf_start += cut
            self._buffered -= cut

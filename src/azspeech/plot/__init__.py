"""Pictures of results, drawn with matplotlib (``pip install 'azspeech[plot]'``).

* :func:`transcription_timeline`: who spoke when, with the captions, for a
  fast or batch transcription (also ``result.plot()`` on
  :class:`~azspeech.stt.TranscriptionResult` and
  :class:`~azspeech.batch.BatchTranscriptionResult`) or any list of phrases;
* :func:`synthesis_timeline`: the waveform of a synthesis with its word
  boundaries and visemes, from the events of ``client.tts.stream(...)``.

The pronunciation report draws itself
(:meth:`~azspeech.pronunciation.PronunciationReport.plot`). Each function
returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
backend state; it works headless): ``fig.savefig("timeline.png")``. Pass
``ax=`` to draw into axes of your own instead.
"""

from __future__ import annotations

from .synthesis import synthesis_timeline
from .transcription import transcription_timeline

__all__ = ["synthesis_timeline", "transcription_timeline"]

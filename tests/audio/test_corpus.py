"""Every corpus file, read as a path, as bytes and as a file object, gives an AudioError
naming the problem or the right samples."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from azspeech.audio import decode_audio, open_pcm_stream
from azspeech.errors import AudioError

from .corpus import CASES, Case, write_corpus

KINDS = ["path", "bytes", "fileobj"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def _input(case: Case, kind: str, corpus: dict[str, Path]) -> Any:
    path = corpus[case.name]
    if kind == "path":
        return path
    if kind == "bytes":
        return path.read_bytes()
    return io.BytesIO(path.read_bytes())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_decode(
    case: Case, kind: str, corpus: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="azspeech")
    audio = _input(case, kind, corpus)
    if case.error is not None:
        with pytest.raises(AudioError, match=case.error) as info:
            decode_audio(audio)
        # The message is about the audio, not a numpy/libsndfile internal.
        assert "Traceback" not in str(info.value)
        return
    samples, rate = decode_audio(audio)
    assert rate == case.rate
    assert samples.dtype == np.float32 and samples.ndim == 1
    if case.expected is None:
        assert len(samples) > 0
    else:
        assert len(samples) == len(case.expected)
        np.testing.assert_allclose(samples, case.expected, atol=case.tol)
    if case.warning is not None:
        assert any(case.warning in r.getMessage() for r in caplog.records), caplog.text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_stream(case: Case, corpus: dict[str, Path]) -> None:
    """Through open_pcm_stream: the error comes at open or while iterating, never a hang."""
    if case.error is not None:
        with pytest.raises(AudioError, match=case.error), open_pcm_stream(corpus[case.name]) as s:
            for _ in s:
                pass
        return
    with open_pcm_stream(corpus[case.name]) as stream:
        data = stream.read_all()
    assert len(data) > 0 and len(data) % 2 == 0
    if case.expected is not None:
        assert len(data) == 2 * len(case.expected)

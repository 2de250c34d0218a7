"""The recognizer's caches (what makes many sessions cheap) never change what it reports."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from azspeech.emulator import Emulator
from azspeech.emulator.engines import tone_stt, tones
from azspeech.emulator.engines.base import RecognitionOptions
from azspeech.emulator.engines.tone_stt import ToneEngine

from .usp import connect, phrases, send_turn, stt_url, tone_pcm, until_turn_end

RATE = 16000


def _words(got: list[tones.DecodedWord] | None) -> list[tuple[str, int, int, float]] | None:
    return None if got is None else [(w.text, w.start, w.end, w.confidence) for w in got]


def test_content_cache_gives_what_decoding_gives_wherever_the_word_sits() -> None:
    word = tones.encode("Contoso!", RATE).samples
    rng = np.random.default_rng(7)
    for lead in (0, 5, 40, 63, 64, 65, 1000):  # runs at the edge of the audio and inside it
        for tail in (0, 10, 64, 500):
            for noise in (0.0, 0.003):
                audio = np.concatenate(
                    [np.zeros(lead, np.float32), word, np.zeros(tail, np.float32)]
                )
                audio += rng.normal(0, noise, len(audio)).astype(np.float32) if noise else 0
                for a, b in tones.find_runs(audio, RATE):
                    expected = _words(tones.decode_run(audio, RATE, a, b))
                    first = _words(tone_stt._decode_by_content(audio, a, b))
                    again = _words(tone_stt._decode_by_content(audio.copy(), a, b))
                    assert first == expected
                    assert again == expected


def test_content_cache_tells_apart_audio_that_differs_next_to_the_run() -> None:
    word = tones.encode("Fabrikam", RATE).samples
    audio = np.concatenate([np.zeros(400, np.float32), word, np.zeros(400, np.float32)])
    ((a, b),) = tones.find_runs(audio, RATE)
    clean = _words(tone_stt._decode_by_content(audio, a, b))
    assert clean is not None and clean[0][0] == "Fabrikam"
    spoiled = audio.copy()
    spoiled[a + 100 : a + 400] = 0.5  # the run's own samples changed: a new decoding
    assert _words(tone_stt._decode_by_content(spoiled, a, b)) == _words(
        tones.decode_run(spoiled, RATE, a, b)
    )


def test_levels_of_a_growing_phrase_are_those_of_the_whole() -> None:
    audio = tones.encode("One two three. Four five.", RATE, lead_ms=100).samples
    cache: dict[object, object] = {}
    for end in range(0, len(audio), 1234):
        assert tone_stt._runs(cache, audio[:end], 77) == tones.find_runs(audio[:end], RATE)
    # another phrase (another offset) starts afresh; a shorter audio too
    assert tone_stt._runs(cache, audio[500:], 500) == tones.find_runs(audio[500:], RATE)
    assert tone_stt._runs(cache, audio[500:900], 500) == tones.find_runs(audio[500:900], RATE)


def _events(audio: np.ndarray[Any, Any], chunk: int) -> list[Any]:
    stream = ToneEngine(lambda: None).open_stream(
        RecognitionOptions(diarization=True, hypothesis_interval_ms=170)
    )
    out: list[Any] = []
    for i in range(0, len(audio), chunk):
        out += stream.feed(audio[i : i + chunk])
    return out + stream.finish()


def test_stream_events_do_not_depend_on_how_the_audio_is_cut() -> None:
    text = "The quick brown fox. Jumps over! The lazy dog? " * 3
    audio = tones.encode(text, RATE, lead_ms=250, tail_ms=900).samples
    reference = _events(audio, len(audio))
    assert [e.segment.transcript.text for e in reference if hasattr(e, "segment")] == [
        "The quick brown fox.", "Jumps over!", "The lazy dog?"
    ] * 3  # fmt: skip
    for chunk in (1600, 333, 4096, 16000):
        assert _events(audio, chunk) == reference


async def test_sessions_streaming_the_same_audio_get_the_same_results(emulator: Emulator) -> None:
    pcm = tone_pcm("Same words again. And again!", lead_ms=300, tail_ms=800)

    async def one() -> list[dict[str, Any]]:
        url = stt_url(emulator.url, "conversation")
        async with await connect(url, emulator.key) as ws:
            await send_turn(ws, pcm)
            return phrases(await until_turn_end(ws))

    results = await asyncio.gather(*(one() for _ in range(4)))
    texts = [p.get("DisplayText") for p in results[0]]
    assert texts[:2] == ["Same words again.", "And again!"]
    assert all(r == results[0] for r in results[1:])

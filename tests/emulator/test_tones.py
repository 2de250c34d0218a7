"""The tone codec round trip (what makes the emulator's results depend on the audio)."""

from __future__ import annotations

import numpy as np
import soxr
from hypothesis import given, settings
from hypothesis import strategies as st

from azspeech.emulator.engines import tones

ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF), max_size=12
)


def _norm(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=60, deadline=None)
@given(ascii_text)
def test_round_trip_ascii(text: str) -> None:
    enc = tones.encode(text, 16000)
    assert tones.decode(enc.samples, 16000).text == _norm(text)


@settings(max_examples=40, deadline=None)
@given(ascii_text)
def test_round_trip_after_resampling_24k_to_16k(text: str) -> None:
    enc = tones.encode(text, 24000)
    x = soxr.resample(enc.samples, 24000, 16000)
    assert tones.decode(x, 16000).text == _norm(text)


@settings(max_examples=30, deadline=None)
@given(any_text)
def test_round_trip_unicode_through_pcm16(text: str) -> None:
    enc = tones.encode(text, 16000)
    pcm = np.frombuffer(enc.pcm16(), dtype="<i2").astype(np.float32) / 32768
    assert tones.decode(pcm, 16000).text == _norm(text)


def test_word_timings_and_text_offsets() -> None:
    text = "  Hello, brave world. Next!"
    enc = tones.encode(text, 24000, lead_ms=100)
    assert [w.text for w in enc.words] == ["Hello,", "brave", "world.", "Next!"]
    assert [w.text_offset for w in enc.words] == [2, 9, 15, 22]
    assert enc.words[0].start == 2400
    assert [w.sentence_end for w in enc.words] == [False, False, True, True]
    gap = enc.words[3].start - enc.words[2].end
    assert gap == round(24000 * tones.SENTENCE_GAP_MS / 1000)
    dec = tones.decode(enc.samples, 24000)
    for d, w in zip(dec.words, enc.words, strict=True):
        assert abs(d.start - w.start) <= 24 * 2
        assert abs(d.end - w.end) <= 24 * 2


def test_noise_and_silence_are_not_tones() -> None:
    rng = np.random.default_rng(0)
    assert not tones.decode((rng.standard_normal(16000) * 0.3).astype(np.float32), 16000).ok
    silent = tones.decode(np.zeros(16000, np.float32), 16000)
    assert silent.text == "" and silent.words == []


def test_gain_and_rate() -> None:
    loud = tones.encode("abc def", 16000)
    quiet = tones.encode("abc def", 16000, gain=0.3)
    assert np.max(np.abs(quiet.samples)) < np.max(np.abs(loud.samples)) * 0.31
    assert tones.decode(quiet.samples, 16000).text == "abc def"
    fast = tones.encode("abc def", 16000, rate=1.5)
    assert len(fast.samples) < len(loud.samples)


@settings(max_examples=40, deadline=None)
@given(ascii_text, st.sampled_from([0.5, 0.8, 1.25, 2.0, 3.0, 10.0]))
def test_any_speaking_rate_decodes(text: str, rate: float) -> None:
    enc = tones.encode(text, 24000, rate=rate)
    assert tones.decode(enc.samples, 24000).text == _norm(text)


def test_words_joined_by_short_pauses_still_split() -> None:
    a = tones.encode("alpha", 16000).samples
    b = tones.encode("beta", 16000).samples
    x = np.concatenate([a, np.zeros(16 * 20, np.float32), b])  # a 20 ms pause
    dec = tones.decode(x, 16000)
    assert dec.text == "alpha beta"
    assert dec.words[1].start == len(a) + 16 * 20


def test_survives_lossy_codecs() -> None:
    import io

    import soundfile as sf

    text = "Hello, brave new world. Codecs: 123 ?!"
    for fmt, subtype, rate in (("OGG", "OPUS", 24000), ("MP3", "MPEG_LAYER_III", 16000)):
        enc = tones.encode(text, rate, lead_ms=100, tail_ms=300)
        buf = io.BytesIO()
        try:
            sf.write(buf, enc.samples, rate, format=fmt, subtype=subtype)
        except Exception:  # pragma: no cover - libsndfile without this codec
            continue
        buf.seek(0)
        x, r = sf.read(buf, dtype="float32")
        assert tones.decode(x, r).text == text

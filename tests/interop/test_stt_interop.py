"""Microsoft's official Speech SDK recognizes speech from our emulator.

The audio is tone-coded text (``azspeech.emulator.engines.tones``), so what
the emulator is meant to hear, and where each word sits, is known exactly.
Offsets are compared within a small tolerance (the emulator finds words by
energy in 1 ms frames; the SDK reports 100-ns ticks).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .conftest import KEY
from .harness import SpokenWord, ToneAudio, run_sdk, silence_wav, tone_wav

#: Allowed difference between a reported and a true offset/duration (40 ms).
TOL = 400_000


def _norm(word: str) -> str:
    """Lexical form of a word: lower case without surrounding punctuation."""
    return re.sub(r"^\W+|\W+$", "", word).lower()


def _phrase_text(words: list[SpokenWord]) -> str:
    return " ".join(w.text for w in words)


def _phrase_span(words: list[SpokenWord]) -> tuple[int, int]:
    return words[0].offset, words[-1].offset + words[-1].duration - words[0].offset


def _events(out: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in out["events"] if e["event"] == name]


def _assert_phrases(finals: list[dict[str, Any]], audio: ToneAudio) -> None:
    sentences = audio.sentences()
    assert [f["text"] for f in finals] == [_phrase_text(s) for s in sentences]
    for final, sentence in zip(finals, sentences, strict=True):
        offset, duration = _phrase_span(sentence)
        assert abs(final["offset"] - offset) <= TOL, (final, sentence)
        assert abs(final["duration"] - duration) <= TOL, (final, sentence)


def _assert_finished(out: dict[str, Any]) -> None:
    assert not out["timed_out"], "no session_stopped from the official SDK"
    bad = [e for e in out["events"] if "handler_error" in e]
    assert not bad, bad
    canceled = _events(out, "canceled")
    # a file input ends the session with EndOfStream; anything else is an error
    assert all(c["reason"] == "EndOfStream" for c in canceled), canceled
    assert out["events"][-1]["event"] == "session_stopped"


def _assert_whole_audio_acknowledged(
    out: dict[str, Any], emulator: Any, final: str, ok: str = "RecognizedSpeech"
) -> None:
    """The session ended without a replay of unacknowledged audio (finding 1).

    At the end of the audio the service acknowledges everything it received
    (``EndOfDictation``); otherwise the SDK opens a continuation turn, sends
    the tail again and reports an extra NoMatch result.
    """
    others = [e for e in _events(out, final) if e["reason"] != ok]
    assert others == [], f"extra non-speech results: {others}"
    contexts = _received_contexts(emulator)
    assert len(contexts) == 1, f"the SDK replayed audio in {len(contexts) - 1} continuation turn(s)"


def test_recognize_once(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Hello from the emulator.")
    out = run_sdk("recognize_once", emulator.url, KEY, wav=str(audio.path))
    assert out["reason"] == "RecognizedSpeech", out
    assert out["text"] == "Hello from the emulator."
    offset, duration = _phrase_span(audio.words)
    assert abs(out["offset"] - offset) <= TOL
    assert abs(out["duration"] - duration) <= TOL
    assert out["json"]["RecognitionStatus"] == "Success"


def test_continuous_with_interim_results(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(
        tmp_path / "a.wav", "The quick brown fox. Jumps over the lazy dog. Then it sleeps."
    )
    out = run_sdk("continuous", emulator.url, KEY, wav=str(audio.path))
    _assert_finished(out)
    _assert_whole_audio_acknowledged(out, emulator, "recognized")
    finals = [e for e in _events(out, "recognized") if e["reason"] == "RecognizedSpeech"]
    _assert_phrases(finals, audio)
    # offsets strictly increase, phrases do not overlap
    ends = [f["offset"] + f["duration"] for f in finals]
    assert all(ends[i] <= finals[i + 1]["offset"] for i in range(len(finals) - 1))
    # interim results: at least one recognizing event before each final, each a
    # prefix of the phrase it belongs to, inside that phrase's time span
    events = [e for e in out["events"] if e["event"] in ("recognizing", "recognized")]
    pending: list[dict[str, Any]] = []
    seen = 0
    for e in events:
        if e["event"] == "recognizing":
            pending.append(e)
            continue
        if e["reason"] != "RecognizedSpeech":
            continue
        assert pending, f"no recognizing event before {e['text']!r}"
        for p in pending:
            assert _norm(e["text"]).startswith(_norm(p["text"]).split(" ")[0]), (p, e)
            assert p["offset"] == e["offset"], (p, e)
            assert p["duration"] <= e["duration"] + TOL
        seen += 1
        pending = []
    assert seen == len(audio.sentences())


def test_detailed_output_with_word_timings(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Seven bright words arrive right on time.")
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(audio.path),
        detailed=True,
        word_timestamps=True,
    )
    assert out["reason"] == "RecognizedSpeech", out
    body = out["json"]
    assert body["RecognitionStatus"] == "Success"
    best = body["NBest"][0]
    assert best["Display"] == "Seven bright words arrive right on time."
    assert best["Lexical"] == " ".join(_norm(w.text) for w in audio.words)
    assert 0.0 <= best["Confidence"] <= 1.0
    words = best["Words"]
    assert [_norm(w["Word"]) for w in words] == [_norm(w.text) for w in audio.words]
    for got, want in zip(words, audio.words, strict=True):
        assert abs(got["Offset"] - want.offset) <= TOL, (got, want)
        assert abs(got["Duration"] - want.duration) <= TOL, (got, want)


def test_phrase_list_reaches_the_service(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Call Contoso now.")
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(audio.path),
        phrases=["Contoso", "azspeech interop"],
    )
    assert out["reason"] == "RecognizedSpeech", out
    assert out["text"] == "Call Contoso now."
    contexts = [c for c in _received_contexts(emulator) if "dgi" in c]
    assert contexts, "the emulator logged no speech.context with a dgi section"
    groups = contexts[0]["dgi"]["Groups"]
    items = [i["Text"] for g in groups for i in g["Items"]]
    assert items == ["Contoso", "azspeech interop"]


def test_dictation_mode(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Dear team, the build is green. See you soon.")
    out = run_sdk("continuous", emulator.url, KEY, wav=str(audio.path), dictation=True)
    _assert_finished(out)
    _assert_whole_audio_acknowledged(out, emulator, "recognized")
    finals = [e for e in _events(out, "recognized") if e["reason"] == "RecognizedSpeech"]
    _assert_phrases(finals, audio)
    assert any("/dictation/" in p for p in _received_paths(emulator))


def test_conversation_transcription_has_speakers(emulator: Any, tmp_path: Path) -> None:
    # two speakers told apart by loudness (the emulator's diarization)
    audio = tone_wav(
        tmp_path / "a.wav",
        [("Good morning everyone.", 1.0), ("Morning, shall we start?", 0.35)],
    )
    out = run_sdk("transcribe", emulator.url, KEY, wav=str(audio.path))
    _assert_finished(out)
    _assert_whole_audio_acknowledged(out, emulator, "transcribed")
    finals = [e for e in _events(out, "transcribed") if e["reason"] == "RecognizedSpeech"]
    _assert_phrases(finals, audio)
    speakers = [f.get("speaker_id", "") for f in finals]
    assert all(s and s != "Unknown" for s in speakers), speakers
    assert speakers[0] != speakers[1], speakers
    # without DiarizeIntermediateResults, partials have no speaker yet
    assert {p["speaker_id"] for p in _events(out, "transcribing")} <= {"Unknown", ""}


def test_recognize_once_on_silence_is_no_match(emulator: Any, tmp_path: Path) -> None:
    wav = silence_wav(tmp_path / "silence.wav", 3.0)
    out = run_sdk("recognize_once", emulator.url, KEY, wav=str(wav), timeout=45)
    assert out["reason"] == "NoMatch", out
    assert out["no_match"] in ("InitialSilenceTimeout", "NotRecognized")
    assert out["elapsed_s"] < 15, "the SDK waited for its own timeout: no final from the emulator"


def test_wrong_key_is_an_authentication_error(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Nobody hears this.")
    out = run_sdk("recognize_once", emulator.url, "wrong-key", wav=str(audio.path))
    assert out["reason"] == "Canceled", out
    assert out["cancel"]["reason"] == "Error"
    assert out["cancel"]["code"] == "AuthenticationFailure", out["cancel"]
    assert out["elapsed_s"] < 15


# --------------------------------------------------------------------------- emulator log


def _received_contexts(emulator: Any) -> list[dict[str, Any]]:
    """Every ``speech.context`` the emulator received, parsed."""
    return [m.json() for s in emulator.log for m in s.received("speech.context")]


def _received_paths(emulator: Any) -> list[str]:
    """The URL paths of the WebSocket sessions the emulator accepted."""
    return [s.path for s in emulator.log]


def test_language_identification_at_start(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Grüße aus München.")
    out = run_sdk(
        "recognize_once", emulator.url, KEY, wav=str(audio.path), languages=["en-US", "de-DE"]
    )
    assert out["reason"] == "RecognizedSpeech", out
    assert out["text"] == "Grüße aus München."
    assert out["language"] == "de-DE"
    (session,) = emulator.log
    assert session.query.get("lidEnabled") == "en-US,de-DE"
    assert _received_contexts(emulator)[0]["languageId"]["mode"] == "DetectAtAudioStart"


def test_recognize_once_turn_by_turn(emulator: Any, tmp_path: Path) -> None:
    # each recognize_once on the same recognizer is a new turn on the same
    # socket; the SDK resumes the file where the previous phrase ended
    audio = tone_wav(
        tmp_path / "a.wav", "The quick brown fox. Jumps over the lazy dog. Then it sleeps."
    )
    out = run_sdk("recognize_once", emulator.url, KEY, wav=str(audio.path), more=3)
    results = [out, *out["more"]]
    _assert_phrases([r for r in results[:3]], audio)
    assert all(r["reason"] == "RecognizedSpeech" for r in results[:3]), results
    assert results[3]["reason"] == "NoMatch", results[3]  # only trailing silence left
    (session,) = emulator.log
    assert len(session.received("speech.context")) == 4
    assert len(session.received("speech.config")) == 1


def test_profanity_options(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Oh damn, it broke.")
    expected = {
        "Masked": "Oh ****, it broke.",
        "Removed": "Oh it broke.",
        "Raw": "Oh damn, it broke.",
    }
    for option, display in expected.items():
        out = run_sdk(
            "recognize_once",
            emulator.url,
            KEY,
            wav=str(audio.path),
            profanity=option,
            detailed=True,
            word_timestamps=True,
        )
        assert out["reason"] == "RecognizedSpeech", out
        assert out["text"] == display, option
        session = emulator.last_session
        assert session.query["profanity"] == option.lower()
        ctx = session.received("speech.context")[0].json()
        assert ctx["phraseDetection"]["enrichment"]["profanity"] == option.lower()
        # Words[] is the lexical form: no punctuation, masked or not (finding 2)
        words = [w["Word"] for w in out["json"]["NBest"][0]["Words"]]
        assert all(w == _norm(w) or set(w) == {"*"} for w in words), words


def test_long_file_paced_by_the_sdk(emulator: Any, tmp_path: Path) -> None:
    # ~10 s of audio: the SDK sends the first 5 s at once, then paces at 2x
    # real time, so the emulator recognizes while audio is still arriving
    audio = tone_wav(
        tmp_path / "a.wav",
        "One two three four. Five six seven eight. Nine ten eleven twelve. "
        "Thirteen fourteen. Fifteen sixteen seventeen. Eighteen nineteen twenty.",
    )
    assert audio.duration_ticks > 90_000_000
    out = run_sdk("continuous", emulator.url, KEY, wav=str(audio.path))
    _assert_finished(out)
    _assert_whole_audio_acknowledged(out, emulator, "recognized")
    _assert_phrases(_events(out, "recognized"), audio)


def test_push_stream_stopped_mid_audio(emulator: Any, tmp_path: Path) -> None:
    # a push stream fed at 2x real time and never closed; the test stops the
    # recognizer as soon as the first phrase is final
    audio = tone_wav(
        tmp_path / "a.wav", "One two three four. Five six seven eight. Nine ten eleven twelve."
    )
    out = run_sdk(
        "continuous",
        emulator.url,
        KEY,
        wav=str(audio.path),
        push=True,
        push_delay=0.05,
        push_keep_open=True,
        stop_after_first_final=True,
    )
    assert not out["timed_out"]
    finals = [e for e in _events(out, "recognized") if e["reason"] == "RecognizedSpeech"]
    sentences = [_phrase_text(s) for s in audio.sentences()]
    assert finals and finals[0]["text"] == sentences[0]
    # whatever was said until the stop is reported, possibly cut short
    for final, sentence in zip(finals[1:], sentences[1:], strict=False):
        assert sentence.startswith(final["text"].rstrip(".")), (final, sentence)
    assert out["events"][-1]["event"] == "session_stopped"
    assert not _events(out, "canceled")
    (session,) = emulator.log
    assert session.errors == []
    assert session.closed_by == "client" and session.close_code == 1000
    assert session.received("audio")[-1].size == 0  # the SDK ended the audio properly


def test_silence_timeouts(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "One two three. Four five six.")  # 800 ms between
    # segmentation silence longer than the pause: one phrase
    out = run_sdk(
        "continuous",
        emulator.url,
        KEY,
        wav=str(audio.path),
        properties={"Speech_SegmentationSilenceTimeoutMs": 1500},
    )
    _assert_finished(out)
    assert [e["text"] for e in _events(out, "recognized")] == ["One two three. Four five six."]
    ctx = _received_contexts(emulator)[-1]["phraseDetection"]
    assert ctx["CONVERSATION"]["segmentation"]["segmentationSilenceTimeoutMs"] == 1500
    # shorter: two phrases
    out = run_sdk(
        "continuous",
        emulator.url,
        KEY,
        wav=str(audio.path),
        properties={"Speech_SegmentationSilenceTimeoutMs": 300},
    )
    _assert_finished(out)
    _assert_phrases(_events(out, "recognized"), audio)
    # initial silence timeout shorter than the leading silence: NoMatch
    late = tone_wav(tmp_path / "late.wav", "Late words.", lead_ms=3000)
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(late.path),
        properties={"SpeechServiceConnection_InitialSilenceTimeoutMs": 1000},
    )
    assert out["reason"] == "NoMatch", out
    assert out["no_match"] == "InitialSilenceTimeout"
    assert emulator.last_session.query["initialSilenceTimeoutMs"] == "1000"


def test_continuous_language_identification(emulator: Any, tmp_path: Path) -> None:
    # continuous LID needs the universal v2 endpoint (SpeechConfig(endpoint=...))
    audio = tone_wav(tmp_path / "a.wav", "Grüße aus München. Hello from London. Très bien, merci.")
    out = run_sdk(
        "continuous",
        emulator.url,
        KEY,
        wav=str(audio.path),
        path="/speech/universal/v2",
        languages=["en-US", "de-DE", "fr-FR"],
        properties={"SpeechServiceConnection_LanguageIdMode": "Continuous"},
    )
    _assert_finished(out)
    finals = _events(out, "recognized")
    _assert_phrases(finals, audio)
    assert [f["language"] for f in finals] == ["de-DE", "en-US", "fr-FR"]
    (session,) = emulator.log
    assert session.path == "/speech/universal/v2"
    assert _received_contexts(emulator)[0]["languageId"]["mode"] == "DetectContinuous"


def test_conversation_transcription_diarized_intermediates(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(
        tmp_path / "a.wav",
        [("Good morning everyone.", 1.0), ("Morning, shall we start?", 0.35), ("Yes.", 1.0)],
    )
    out = run_sdk(
        "transcribe",
        emulator.url,
        KEY,
        wav=str(audio.path),
        properties={"SpeechServiceResponse_DiarizeIntermediateResults": "true"},
    )
    _assert_finished(out)
    finals = _events(out, "transcribed")
    _assert_phrases(finals, audio)
    speakers = [f["speaker_id"] for f in finals]
    # the first speaker is recognized again after the second one
    assert speakers[0] == speakers[2] != speakers[1], speakers
    # partials carry the speaker of the phrase they belong to
    for partial in _events(out, "transcribing"):
        final = next(f for f in finals if f["offset"] == partial["offset"])
        assert partial["speaker_id"] == final["speaker_id"], (partial, final)
    diar = _received_contexts(emulator)[0]["phraseDetection"]["speakerDiarization"]
    assert str(diar["diarizeIntermediates"]).lower() == "true"


def test_translation(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Good morning. See you tomorrow. Nice weather.")
    out = run_sdk("translate", emulator.url, KEY, wav=str(audio.path), targets=["de", "fr"])
    _assert_finished(out)
    _assert_whole_audio_acknowledged(out, emulator, "recognized", ok="TranslatedSpeech")
    finals = [e for e in _events(out, "recognized") if e["reason"] == "TranslatedSpeech"]
    _assert_phrases(finals, audio)
    # the emulator's deterministic "translation" (a few real phrases, else "[lang] text")
    assert [f["translations"] for f in finals] == [
        {"de": "Guten Morgen.", "fr": "Bonjour."},
        {"de": "Bis morgen.", "fr": "À demain."},
        {"de": "[de] Nice weather.", "fr": "[fr] Nice weather."},
    ]
    partials = _events(out, "recognizing")
    assert partials and all(p["reason"] == "TranslatingSpeech" for p in partials)
    assert all(set(p["translations"]) == {"de", "fr"} for p in partials)
    session = emulator.last_session
    assert session.path == "/stt/speech/universal/v2"
    assert session.query == {}
    assert _received_contexts(emulator)[0]["translation"]["targetLanguages"] == ["de", "fr"]


def test_custom_endpoint_id_and_language(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Custom model here.")
    cid = "0b5f7c0e-1111-2222-3333-444455556666"
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(audio.path),
        properties={"SpeechServiceConnection_EndpointId": cid},
    )
    assert out["reason"] == "RecognizedSpeech", out
    assert out["text"] == "Custom model here."
    assert emulator.last_session.query == {"cid": cid}  # cid replaces language
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(audio.path),
        properties={"SpeechServiceConnection_RecoLanguage": "de-DE"},
    )
    assert out["text"] == "Custom model here."
    assert emulator.last_session.query == {"language": "de-DE"}


def test_other_input_sample_rates(emulator: Any, tmp_path: Path) -> None:
    # the SDK sends a file's own rate (WAV header and speech.config); offsets
    # stay in 100-ns ticks of real time
    from azspeech.emulator.engines import tones

    from .harness import to_pcm16, write_wav

    for rate in (8000, 48000):
        enc = tones.encode("Rate check here.", rate, lead_ms=300, tail_ms=500)
        wav = write_wav(tmp_path / f"r{rate}.wav", to_pcm16(enc.samples), rate)
        out = run_sdk("recognize_once", emulator.url, KEY, wav=str(wav))
        assert out["reason"] == "RecognizedSpeech", (rate, out)
        assert out["text"] == "Rate check here.", rate
        assert abs(out["offset"] - 3_000_000) <= TOL, (rate, out["offset"])
        source = emulator.last_session.received("speech.config")[0].json()
        assert source["context"]["audio"]["source"]["samplerate"] == str(rate)


def test_translation_target_added_mid_session(emulator: Any, tmp_path: Path) -> None:
    # add_target_language during recognition: the SDK sends an ``event``
    # message (updateLanguage); later results carry the new language too
    audio = tone_wav(tmp_path / "a.wav", "Good morning. See you tomorrow. Thank you. Hello.")
    out = run_sdk(
        "translate",
        emulator.url,
        KEY,
        wav=str(audio.path),
        targets=["de"],
        push=True,
        push_delay=0.05,
        add_target_after_first_final="es",
    )
    _assert_finished(out)
    finals = [e for e in _events(out, "recognized") if e["reason"] == "TranslatedSpeech"]
    _assert_phrases(finals, audio)
    keys = [sorted(f["translations"]) for f in finals]
    assert keys[0] == ["de"]
    assert keys[-1] == ["de", "es"]
    first_es = keys.index(["de", "es"])
    assert all(k == ["de", "es"] for k in keys[first_es:]), keys
    assert finals[-1]["translations"]["es"] == "Hola."
    (event,) = emulator.last_session.received("event")
    assert event.json() == {"id": "translation", "name": "updateLanguage", "to": ["de", "es"]}


def test_pronunciation_assessment(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", "Hello world.")
    out = run_sdk(
        "recognize_once",
        emulator.url,
        KEY,
        wav=str(audio.path),
        pronunciation={"reference_text": "Hello big world.", "miscue": True},
    )
    assert out["reason"] == "RecognizedSpeech", out
    pa = out["pronunciation"]
    for name in ("accuracy", "fluency", "completeness", "pron"):
        assert pa[name] is not None and 0 <= pa[name] <= 100, (name, pa)
    assert pa["completeness"] < 100  # "big" was not said
    words = {w["word"].lower(): w for w in pa["words"]}
    assert words["big"]["error_type"] == "Omission", pa["words"]
    assert words["hello"]["error_type"] == "None"
    assert words["world"]["error_type"] == "None"
    ctx = _received_contexts(emulator)[0]
    assessment = ctx["phraseDetection"]["enrichment"]["pronunciationAssessment"]
    assert assessment["referenceText"] == "Hello big world."

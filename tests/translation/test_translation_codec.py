"""The translation codec, sans-I/O: both result vintages, translated speech, duplicates."""

from __future__ import annotations

import json
from typing import Any

from azspeech._protocol.framing import Message
from azspeech._protocol.recognition import RecognitionState
from azspeech._protocol.replay import ReplayBuffer
from azspeech._protocol.translation import TranslationCodec
from azspeech.audio import Audio, PcmFormat
from azspeech.errors import CanceledError
from azspeech.models.stt import Canceled, NoMatch
from azspeech.models.translation import Synthesized, Synthesizing, Translated, Translating
from azspeech.options import TranslationOptions

FMT = PcmFormat()


def _state(**kwargs: Any) -> tuple[RecognitionState[Any], TranslationCodec]:
    codec = TranslationCodec(TranslationOptions(target_languages=["de", "fr"], **kwargs))
    state = RecognitionState(codec, FMT, ReplayBuffer(FMT.bytes_per_second))
    state.start_turn()
    return state, codec


def _text(state: RecognitionState[Any], path: str, body: Any, **headers: str) -> list[Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    return state.receive(Message(path, raw, {"X-RequestId": state.request_id, **headers}))


def _binary(state: RecognitionState[Any], path: str, data: bytes, **headers: str) -> list[Any]:
    msg = Message(path, data, {"X-RequestId": state.request_id, **headers}, binary=True)
    return state.receive(msg)


def test_v1_hypothesis_and_phrase() -> None:
    state, _ = _state()
    (part,) = _text(state, "translation.hypothesis", {
        "Text": "good", "Offset": 1000, "Duration": 2000,
        "Translation": {"TranslationStatus": "Success",
                        "Translations": [{"Language": "de", "Text": "gut"}]},
    })  # fmt: skip
    assert isinstance(part, Translating) and part.result.translations == {"de": "gut"}
    (final,) = _text(state, "translation.phrase", {
        "RecognitionStatus": "Success", "Text": "Good morning.", "Offset": 1000,
        "Duration": 5000, "Translation": {"TranslationStatus": "Success", "Translations": [
            {"Language": "de", "Text": "Guten Morgen."},
            {"Language": "fr", "DisplayText": "Bonjour."}]},
    })  # fmt: skip
    assert isinstance(final, Translated)
    assert final.result.text == "Good morning."
    assert final.result.translations == {"de": "Guten Morgen.", "fr": "Bonjour."}
    assert final.result.offset_ticks == 1000 and final.result.duration_ticks == 5000
    assert state.acked_ticks == 6000


def test_v1_top_level_translation_fields_are_accepted() -> None:
    state, _ = _state()
    (final,) = _text(state, "translation.phrase", {
        "RecognitionStatus": "Success", "Text": "Hi.", "Offset": 0, "Duration": 10,
        "TranslationStatus": "Success", "Translations": [{"Language": "de", "Text": "Hallo."}],
    })  # fmt: skip
    assert final.result.translations == {"de": "Hallo."}


def test_v2_response_partial_then_final() -> None:
    state, _ = _state()
    (part,) = _text(state, "translation.response", {
        "SpeechHypothesis": {"Text": "what was", "Offset": 100, "Duration": 200,
                             "PrimaryLanguage": {"Language": "en-US", "Confidence": "High"}},
        "TranslationStatus": "Success",
        "Translations": [{"Language": "de", "DisplayText": "Was war"}],
    })  # fmt: skip
    assert isinstance(part, Translating)
    assert part.result.translations == {"de": "Was war"} and part.result.language == "en-US"
    (final,) = _text(state, "translation.response", {
        "SpeechPhrase": {"RecognitionStatus": "Success", "DisplayText": "What is it?",
                         "Offset": 100, "Duration": 900},
        "TranslationStatus": "Success",
        "Translations": [{"Language": "de", "DisplayText": "Was ist es?"},
                         {"Language": "fr", "DisplayText": "Qu'est-ce que c'est ?"}],
        "FailureReason": None,
    })  # fmt: skip
    assert isinstance(final, Translated) and final.result.text == "What is it?"
    assert final.result.translations["fr"] == "Qu'est-ce que c'est ?"
    assert state.finals == 1 and state.acked_ticks == 1000


def test_translation_failure_still_delivers_the_recognition() -> None:
    state, _ = _state()
    (final,) = _text(state, "translation.phrase", {
        "RecognitionStatus": "Success", "Text": "Hello.", "Offset": 0, "Duration": 10,
        "Translation": {"TranslationStatus": "Error", "FailureReason": "quota"},
    })  # fmt: skip
    assert isinstance(final, Translated)
    assert final.result.text == "Hello." and final.result.translation_error == "quota"


def test_no_match_and_cancel() -> None:
    state, _ = _state()
    (nm,) = _text(state, "translation.phrase", {"RecognitionStatus": "InitialSilenceTimeout",
                                                "Offset": 0, "Duration": 50})  # fmt: skip
    assert isinstance(nm, NoMatch) and nm.result.translations == {}
    (canceled,) = _text(state, "translation.phrase", {"RecognitionStatus": "Error"})
    assert isinstance(canceled, Canceled)
    assert isinstance(state.error, CanceledError)


def test_plain_speech_results_are_not_taken() -> None:
    state, _ = _state()
    body = {"RecognitionStatus": "Success", "DisplayText": "Hi.", "Offset": 0, "Duration": 9}
    assert _text(state, "speech.phrase", body) == []
    assert state.finals == 0


def _wav_bytes() -> bytes:
    pcm = b"\x01\x00" * 1600
    return FMT.wav_header(len(pcm)) + pcm


def _phrase(state: RecognitionState[Any], offset: int) -> list[Any]:
    return _text(state, "translation.phrase", {
        "RecognitionStatus": "Success", "Text": "Hi.", "Offset": offset, "Duration": 100,
        "Translation": {"TranslationStatus": "Success",
                        "Translations": [{"Language": "de", "Text": "Hallo."}]},
    })  # fmt: skip


def test_v1_synthesis_chunks_then_audio() -> None:
    state, _ = _state(voice="de-DE-KatjaNeural")
    _phrase(state, 0)
    data = _wav_bytes()
    chunks = _binary(state, "translation.synthesis", data[:1000])
    chunks += _binary(state, "translation.synthesis", data[1000:])
    assert all(isinstance(c, Synthesizing) and c.language == "de" for c in chunks)
    (done,) = _text(state, "translation.synthesis.end", {"SynthesisStatus": "Success"})
    assert isinstance(done, Synthesized) and done.error is None
    assert isinstance(done.audio, Audio) and done.audio.pcm == data[44:]


def test_synthesis_error() -> None:
    state, _ = _state(voice="de-DE-KatjaNeural")
    _phrase(state, 0)
    (done,) = _text(state, "translation.synthesis.end",
                    {"SynthesisStatus": "Error", "FailureReason": "busy"})  # fmt: skip
    assert done.error == "busy" and done.audio is None


def test_v2_audio_is_demultiplexed_by_stream() -> None:
    state, _ = _state(voice="de-DE-KatjaNeural")
    _phrase(state, 0)
    assert _text(state, "audio.start", {"TranslationLanguage": "de"}, **{"X-StreamId": "7"}) == []
    assert _text(state, "audio.start", {"TranslationLanguage": "fr"}, **{"X-StreamId": "8"}) == []
    data = _wav_bytes()
    _binary(state, "audio", data, **{"X-StreamId": "8"})
    _binary(state, "audio", data[:44], **{"X-StreamId": "7"})
    (fr,) = _text(state, "audio.end", {"Status": "Success"}, **{"X-StreamId": "8"})
    (de,) = _text(state, "audio.end", {"Status": "Success"}, **{"X-StreamId": "7"})
    assert fr.language == "fr" and fr.audio.pcm == data[44:]
    assert de.language == "de" and de.audio is not None and de.audio.pcm == b""


def test_speech_of_a_duplicate_final_is_not_delivered_twice() -> None:
    state, _ = _state(voice="de-DE-KatjaNeural")
    assert len(_phrase(state, 0)) == 1
    _binary(state, "translation.synthesis", _wav_bytes())
    assert len(_text(state, "translation.synthesis.end", {"SynthesisStatus": "Success"})) == 1
    state.start_turn()  # a reconnect replays the same audio: the final comes again
    assert _phrase(state, 0) == []
    assert _binary(state, "translation.synthesis", _wav_bytes()) == []
    assert _text(state, "translation.synthesis.end", {"SynthesisStatus": "Success"}) == []


def test_update_languages_body_and_later_contexts() -> None:
    codec = TranslationCodec(TranslationOptions(target_languages=["de"], voice="de-DE-KatjaNeural"))
    body = codec.update_languages(["de", "ja"])
    assert body == {
        "id": "translation",
        "name": "updateLanguage",
        "synthesis": {"defaultVoices": {"de": "de-DE-KatjaNeural"}},
        "to": ["de", "ja"],
    }
    ctx = codec.context(audio_offset_ms=0, audio_session_id="x")
    assert ctx["translation"]["targetLanguages"] == ["de", "ja"]
    plain = TranslationCodec(TranslationOptions(target_languages=["de"]))
    assert plain.update_languages("fr") == {"id": "translation", "name": "updateLanguage",
                                            "to": ["fr"]}  # fmt: skip


def test_speech_lost_with_the_connection_is_reported_once() -> None:
    """A drop between a final and the end of its speech: the speech is never sent again
    (the replay resumes after the acknowledged final), so its Synthesized reports the loss
    (found as a 39-of-40 flake of the translation reliability test)."""
    state, codec = _state(voice="de-DE-KatjaNeural")
    assert len(_phrase(state, 0)) == 1
    _binary(state, "translation.synthesis", _wav_bytes()[:500])  # part of it, then the drop
    (lost,) = codec.connection_lost(state.session_id)
    assert isinstance(lost, Synthesized) and lost.language == "de"
    assert lost.error is not None and "connection dropped" in lost.error and lost.audio is None
    assert codec.connection_lost(state.session_id) == []  # reported once


def test_no_loss_reported_when_the_speech_had_ended_or_no_voice() -> None:
    state, codec = _state(voice="de-DE-KatjaNeural")
    _phrase(state, 0)
    _binary(state, "translation.synthesis", _wav_bytes())
    _text(state, "translation.synthesis.end", {"SynthesisStatus": "Success"})
    assert codec.connection_lost(state.session_id) == []
    state, codec = _state()  # no voice: no speech is owed
    _phrase(state, 0)
    assert codec.connection_lost(state.session_id) == []

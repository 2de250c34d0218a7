"""Child-process driver for the interop tests: Microsoft's official Speech SDK
against our emulator.

Run as ``python _sdk_child.py SCENARIO HOST KEY PARAMS_JSON``; HOST is
``ws://127.0.0.1:PORT``. It prints exactly one JSON object on the last line of
stdout. It never imports pytest or azspeech: it is the official SDK alone,
as a user would run it.

Every scenario waits for its terminal event with a bounded wait, disconnects
every callback it connected (the native SDK can abort the interpreter at exit
otherwise) and reports ``timed_out`` instead of hanging; a watchdog reports
and exits if a blocking SDK call never returns.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import azure.cognitiveservices.speech as speechsdk

WAIT_S = 15.0


def _json(result: Any) -> dict[str, Any]:
    """The service's JSON for a recognition result, parsed."""
    raw = result.json
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {"unparsed": raw}


def _reco_result(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "reason": result.reason.name,
        "text": result.text,
        "offset": result.offset,
        "duration": result.duration,
        "json": _json(result),
    }
    if result.reason == speechsdk.ResultReason.Canceled:
        details = result.cancellation_details
        out["cancel"] = {
            "reason": details.reason.name,
            "code": details.code.name,
            "details": details.error_details,
        }
    if result.reason == speechsdk.ResultReason.NoMatch:
        out["no_match"] = result.no_match_details.reason.name
    language = _language(result)
    if language:
        out["language"] = language
    speaker = getattr(result, "speaker_id", None)
    if speaker is not None:
        out["speaker_id"] = speaker
    return out


def _speech_config(host: str, key: str, params: dict[str, Any]) -> Any:
    """Key auth, or with ``params["token"]`` a bearer token (STS) instead of the key.

    ``params["path"]`` switches from ``host=`` to ``endpoint=host + path``.
    """
    if params.get("path"):
        return speechsdk.SpeechConfig(endpoint=host + params["path"], subscription=key)
    if params.get("token"):
        cfg = speechsdk.SpeechConfig(host=host)
        cfg.authorization_token = params["token"]
        return cfg
    return speechsdk.SpeechConfig(host=host, subscription=key)


def _config(host: str, key: str, params: dict[str, Any]) -> Any:
    cfg = _speech_config(host, key, params)
    if params.get("detailed"):
        cfg.output_format = speechsdk.OutputFormat.Detailed
    if params.get("word_timestamps"):
        cfg.request_word_level_timestamps()
    if params.get("dictation"):
        cfg.enable_dictation()
    for name, value in params.get("properties", {}).items():
        cfg.set_property(getattr(speechsdk.PropertyId, name), str(value))
    if params.get("profanity"):
        cfg.set_profanity(getattr(speechsdk.ProfanityOption, params["profanity"]))
    return cfg


class _Signals:
    """Connects callbacks and remembers the signals so all can be disconnected."""

    def __init__(self) -> None:
        self.signals: list[Any] = []
        self.events: list[dict[str, Any]] = []
        self.done = threading.Event()
        self.lock = threading.Lock()

    def on(self, signal: Any, name: str, fn: Callable[[Any], dict[str, Any]] | None = None) -> None:
        def handler(evt: Any) -> None:
            try:
                item = {"event": name, **(fn(evt) if fn else {})}
            except Exception as exc:  # report, never raise on a native thread
                item = {"event": name, "handler_error": repr(exc)}
            with self.lock:
                self.events.append(item)

        signal.connect(handler)
        self.signals.append(signal)

    def stop_on(self, signal: Any) -> None:
        signal.connect(lambda _evt: self.done.set())
        self.signals.append(signal)

    def wait(self, timeout: float = WAIT_S) -> bool:
        return self.done.wait(timeout)

    def disconnect(self) -> None:
        for s in self.signals:
            s.disconnect_all()


def _canceled(evt: Any) -> dict[str, Any]:
    return {
        "reason": evt.cancellation_details.reason.name,
        "code": evt.cancellation_details.code.name,
        "details": evt.cancellation_details.error_details,
    }


def _audio(params: dict[str, Any]) -> Any:
    if not params.get("push"):
        return speechsdk.audio.AudioConfig(filename=params["wav"])
    # a push stream fed from the WAV's PCM by a thread, 100 ms per write
    import wave

    with wave.open(params["wav"], "rb") as w:
        pcm = w.readframes(w.getnframes())
    stream = speechsdk.audio.PushAudioInputStream()
    delay = float(params.get("push_delay", 0.0))

    def feed() -> None:
        for i in range(0, len(pcm), 3200):
            stream.write(pcm[i : i + 3200])
            if delay:
                time.sleep(delay)
        if not params.get("push_keep_open"):
            stream.close()

    threading.Thread(target=feed, daemon=True).start()
    return speechsdk.audio.AudioConfig(stream=stream)


# --------------------------------------------------------------------------- STT


def recognize_once(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = _config(host, key, params)
    reco = speechsdk.SpeechRecognizer(cfg, audio_config=_audio(params), **_auto_detect(params))
    phrases = params.get("phrases")
    grammar = None
    if phrases:
        grammar = speechsdk.PhraseListGrammar.from_recognizer(reco)
        for p in phrases:
            grammar.addPhrase(p)
    pa = params.get("pronunciation")
    if pa:
        pa_config = speechsdk.PronunciationAssessmentConfig(
            reference_text=pa["reference_text"],
            grading_system=speechsdk.PronunciationAssessmentGradingSystem.HundredMark,
            granularity=speechsdk.PronunciationAssessmentGranularity.Phoneme,
            enable_miscue=bool(pa.get("miscue")),
        )
        if pa.get("prosody"):
            pa_config.enable_prosody_assessment()
        pa_config.apply_to(reco)
    t0 = time.monotonic()
    result = reco.recognize_once_async().get()
    out = _reco_result(result)
    if pa and result.reason == speechsdk.ResultReason.RecognizedSpeech:
        scores = speechsdk.PronunciationAssessmentResult(result)
        # the SDK leaves attributes unset when the service sent no scores
        out["pronunciation"] = {
            name: getattr(scores, attr, None)
            for name, attr in [
                ("accuracy", "accuracy_score"),
                ("fluency", "fluency_score"),
                ("completeness", "completeness_score"),
                ("pron", "pronunciation_score"),
                ("prosody", "prosody_score"),
            ]
        }
        out["pronunciation"]["words"] = [
            {
                "word": w.word,
                "accuracy": getattr(w, "accuracy_score", None),
                "error_type": getattr(w, "error_type", None),
            }
            for w in (getattr(scores, "words", None) or [])
        ]
    out["elapsed_s"] = round(time.monotonic() - t0, 3)
    # more calls on the same recognizer continue in the same audio (new turns)
    out["more"] = [
        _reco_result(reco.recognize_once_async().get()) for _ in range(params.get("more", 0))
    ]
    del grammar, reco
    return out


def _auto_detect(params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("languages"):
        return {}
    config = speechsdk.languageconfig.AutoDetectSourceLanguageConfig(languages=params["languages"])
    return {"auto_detect_source_language_config": config}


def _language(result: Any) -> str | None:
    lang = result.properties.get(
        speechsdk.PropertyId.SpeechServiceConnection_AutoDetectSourceLanguageResult
    )
    return lang or None


def continuous(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = _config(host, key, params)
    reco = speechsdk.SpeechRecognizer(cfg, audio_config=_audio(params), **_auto_detect(params))
    sig = _Signals()
    sig.on(reco.session_started, "session_started")
    sig.on(reco.speech_start_detected, "speech_start_detected", lambda e: {"offset": e.offset})
    sig.on(reco.speech_end_detected, "speech_end_detected", lambda e: {"offset": e.offset})
    sig.on(reco.recognizing, "recognizing", lambda e: _reco_result(e.result))
    sig.on(reco.recognized, "recognized", lambda e: _reco_result(e.result))
    sig.on(reco.canceled, "canceled", _canceled)
    sig.on(reco.session_stopped, "session_stopped")
    sig.stop_on(reco.session_stopped)
    first_final = threading.Event()
    reco.recognized.connect(lambda _evt: first_final.set())
    sig.signals.append(reco.recognized)
    reco.start_continuous_recognition_async().get()
    # stop while audio is still flowing: the SDK ends the audio and waits for the last final
    if params.get("stop_after_first_final") and first_final.wait(WAIT_S):
        reco.stop_continuous_recognition_async().get()
    finished = sig.wait()
    reco.stop_continuous_recognition_async().get()
    sig.disconnect()
    del reco
    return {"timed_out": not finished, "events": sig.events}


def transcribe(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = _config(host, key, params)
    tr = speechsdk.transcription.ConversationTranscriber(cfg, audio_config=_audio(params))
    sig = _Signals()
    sig.on(tr.session_started, "session_started")
    sig.on(tr.transcribing, "transcribing", lambda e: _reco_result(e.result))
    sig.on(tr.transcribed, "transcribed", lambda e: _reco_result(e.result))
    sig.on(tr.canceled, "canceled", _canceled)
    sig.on(tr.session_stopped, "session_stopped")
    sig.stop_on(tr.session_stopped)
    tr.start_transcribing_async().get()
    finished = sig.wait()
    tr.stop_transcribing_async().get()
    sig.disconnect()
    del tr
    return {"timed_out": not finished, "events": sig.events}


def translate(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = speechsdk.translation.SpeechTranslationConfig(host=host, subscription=key)
    cfg.speech_recognition_language = params.get("language", "en-US")
    for target in params["targets"]:
        cfg.add_target_language(target)
    reco = speechsdk.translation.TranslationRecognizer(
        translation_config=cfg, audio_config=_audio(params)
    )

    def result(evt: Any) -> dict[str, Any]:
        return {**_reco_result(evt.result), "translations": dict(evt.result.translations)}

    sig = _Signals()
    sig.on(reco.session_started, "session_started")
    sig.on(reco.recognizing, "recognizing", result)
    sig.on(reco.recognized, "recognized", result)
    sig.on(reco.canceled, "canceled", _canceled)
    sig.on(reco.session_stopped, "session_stopped")
    sig.stop_on(reco.session_stopped)
    first_final = threading.Event()
    reco.recognized.connect(lambda _evt: first_final.set())
    reco.start_continuous_recognition_async().get()
    added = params.get("add_target_after_first_final")
    if added and first_final.wait(WAIT_S):
        reco.add_target_language(added)  # mid-session: the SDK tells the service
    finished = sig.wait()
    reco.stop_continuous_recognition_async().get()
    sig.disconnect()
    del reco
    return {"timed_out": not finished, "events": sig.events}


# --------------------------------------------------------------------------- TTS


def _synth_result(result: Any) -> dict[str, Any]:
    data = bytes(result.audio_data or b"")
    out: dict[str, Any] = {
        "reason": result.reason.name,
        "audio_len": len(data),
        "audio_head_hex": data[:64].hex(),
        "audio_duration_ticks": int(result.audio_duration.total_seconds() * 10_000_000),
    }
    if result.reason == speechsdk.ResultReason.Canceled:
        d = result.cancellation_details
        out["cancel"] = {
            "reason": d.reason.name,
            "code": d.error_code.name,
            "details": d.error_details,
        }
    return out


def synthesize(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = _speech_config(host, key, params)
    fmt = params.get("format")
    if fmt:
        cfg.set_speech_synthesis_output_format(getattr(speechsdk.SpeechSynthesisOutputFormat, fmt))
    if params.get("voice"):
        cfg.speech_synthesis_voice_name = params["voice"]
    if params.get("sentence_boundary"):
        cfg.set_property(speechsdk.PropertyId.SpeechServiceResponse_RequestSentenceBoundary, "true")
    for name, value in params.get("properties", {}).items():
        cfg.set_property(getattr(speechsdk.PropertyId, name), str(value))
    synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
    sig = _Signals()
    sig.on(synth.synthesis_started, "synthesis_started")
    sig.on(
        synth.synthesis_word_boundary,
        "word_boundary",
        lambda e: {
            "text": e.text,
            "audio_offset": e.audio_offset,
            "duration_ticks": int(e.duration.total_seconds() * 10_000_000),
            "text_offset": e.text_offset,
            "word_length": e.word_length,
            "boundary_type": e.boundary_type.name,
        },
    )
    sig.on(
        synth.viseme_received,
        "viseme",
        lambda e: {
            "audio_offset": e.audio_offset,
            "viseme_id": e.viseme_id,
            "animation": e.animation,
        },
    )
    sig.on(
        synth.bookmark_reached,
        "bookmark",
        lambda e: {"audio_offset": e.audio_offset, "text": e.text},
    )
    sig.on(synth.synthesizing, "synthesizing", lambda e: {"bytes": len(e.result.audio_data)})
    sig.on(synth.synthesis_completed, "synthesis_completed")
    sig.on(synth.synthesis_canceled, "synthesis_canceled")
    finals = threading.Semaphore(0)
    for s in (synth.synthesis_completed, synth.synthesis_canceled):
        s.connect(lambda _evt: finals.release())
    first_audio = threading.Event()
    synth.synthesizing.connect(lambda _evt: first_audio.set())
    sig.signals.append(synth.synthesizing)
    text_stream_info: dict[str, Any] = {}
    outputs: list[dict[str, Any]] = []
    audio_out: list[str] = []
    for i, item in enumerate(params["inputs"]):
        if params.get("text_stream"):
            # text arriving piece by piece (v2 endpoint): one write per word
            request = speechsdk.SpeechSynthesisRequest(
                input_type=speechsdk.SpeechSynthesisRequestInputType.TextStream
            )
            task = synth.speak_async(request)
            sentence_done = False
            for piece in item.split(" "):
                request.input_stream.write(piece + " ")
                if not sentence_done and piece.endswith((".", "!", "?")):
                    # before sending more text: does audio for the first sentence come?
                    sentence_done = True
                    text_stream_info["audio_before_rest"] = first_audio.wait(WAIT_S / 2)
            request.input_stream.close()
            result = task.get()
        elif item.startswith("<speak"):
            result = synth.speak_ssml_async(item).get()
        else:
            result = synth.speak_text_async(item).get()
        outputs.append(_synth_result(result))
        if params.get("audio_dir"):
            path = f"{params['audio_dir']}/out{i}.bin"
            with open(path, "wb") as f:
                f.write(bytes(result.audio_data or b""))
            audio_out.append(path)
    # the completed/canceled events may fire after .get() returned
    timed_out = not all(finals.acquire(timeout=WAIT_S) for _ in params["inputs"])
    sig.disconnect()
    del synth
    return {
        "timed_out": timed_out,
        "results": outputs,
        "events": sig.events,
        "audio_files": audio_out,
        **text_stream_info,
    }


def stop_then_speak(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    """start_speaking a long text, stop_speaking at its first audio, then speak again.

    No callbacks but ``synthesizing`` (so the SDK asks for no boundary metadata).
    """
    cfg = _speech_config(host, key, params)
    synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
    first_audio = threading.Event()
    synth.synthesizing.connect(lambda _evt: first_audio.set())
    started = synth.start_speaking_text_async(params["long_text"]).get()
    got_audio = first_audio.wait(WAIT_S)
    synth.stop_speaking_async().get()
    result = synth.speak_text_async(params["text"]).get()
    out = {
        "started": started.reason.name,
        "got_audio": got_audio,
        "after": _synth_result(result),
    }
    path = f"{params['audio_dir']}/after.bin"
    with open(path, "wb") as f:
        f.write(bytes(result.audio_data or b""))
    out["after"]["file"] = path
    synth.synthesizing.disconnect_all()
    del synth
    return out


def formats(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    """One synthesis per output format (no callbacks), audio written to ``audio_dir``."""
    out: dict[str, Any] = {}
    for name in params["formats"]:
        cfg = _speech_config(host, key, params)
        cfg.set_speech_synthesis_output_format(getattr(speechsdk.SpeechSynthesisOutputFormat, name))
        synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
        result = synth.speak_text_async(params["text"]).get()
        item = _synth_result(result)
        path = f"{params['audio_dir']}/{name}.bin"
        with open(path, "wb") as f:
            f.write(bytes(result.audio_data or b""))
        item["file"] = path
        out[name] = item
        del synth
    return {"formats": out}


def voices(host: str, key: str, params: dict[str, Any]) -> dict[str, Any]:
    cfg = _speech_config(host, key, params)
    synth = speechsdk.SpeechSynthesizer(speech_config=cfg, audio_config=None)
    result = synth.get_voices_async(params.get("locale", "")).get()
    out: dict[str, Any] = {"reason": result.reason.name}
    if result.reason == speechsdk.ResultReason.VoicesListRetrieved:
        out["voices"] = [
            {
                "short_name": v.short_name,
                "locale": v.locale,
                "gender": v.gender.name,
                "voice_type": v.voice_type.name,
                "style_list": list(v.style_list),
            }
            for v in result.voices
        ]
    else:
        out["error"] = result.error_details
    del synth
    return out


SCENARIOS: dict[str, Callable[[str, str, dict[str, Any]], dict[str, Any]]] = {
    "recognize_once": recognize_once,
    "continuous": continuous,
    "transcribe": transcribe,
    "translate": translate,
    "synthesize": synthesize,
    "voices": voices,
    "formats": formats,
    "stop_then_speak": stop_then_speak,
}


def _watchdog(scenario: str, seconds: float) -> None:
    """Report and exit if the scenario hangs (e.g. ``recognize_once().get()`` never returns).

    ``os._exit`` skips the native SDK's teardown, which could hang as well.
    """

    def fire() -> None:
        msg = {"watchdog": f"scenario {scenario!r} gave no result within {seconds} s"}
        sys.stdout.write("\n" + json.dumps(msg) + "\n")
        sys.stdout.flush()
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def main() -> None:
    scenario, host, key = sys.argv[1:4]
    params = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    _watchdog(scenario, float(params.get("watchdog_s", 2 * WAIT_S)))
    t0 = time.monotonic()
    out = SCENARIOS[scenario](host, key, params)
    out["wall_s"] = round(time.monotonic() - t0, 3)
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

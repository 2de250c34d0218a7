"""Microsoft's official Speech SDK synthesizes speech with our emulator.

The emulator's default voice writes tone-coded text, so the audio the SDK
returns can be decoded back (``tones.decode``): the text must round-trip, and
every word-boundary event must sit where that word's tones start.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from .conftest import KEY
from .harness import TICKS_PER_SECOND, run_sdk

#: Allowed difference between an event offset and where the word really starts (40 ms).
TOL = 400_000
VOICE = "en-US-AvaMultilingualNeural"


def _ssml(inner: str, voice: str = VOICE) -> str:
    return (
        '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" '
        'xmlns:mstts="http://www.w3.org/2001/mstts" xml:lang="en-US">'
        f'<voice name="{voice}">{inner}</voice></speak>'
    )


def _norm(word: str) -> str:
    return re.sub(r"^\W+|\W+$", "", word)


def _events(out: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in out["events"] if e["event"] == name]


def _decode_file(data: bytes) -> Any:
    import soundfile as sf

    from azspeech.emulator.engines import tones

    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return tones.decode(np.asarray(samples, dtype=np.float32), int(rate))


def _completed(out: dict[str, Any], n: int = 1) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = out["results"]
    assert len(results) == n
    for r in results:
        assert r["reason"] == "SynthesizingAudioCompleted", r
        assert r["audio_len"] > 0
    assert len(_events(out, "synthesis_completed")) == n
    assert not [e for e in out["events"] if "handler_error" in e]
    return results


def _audio(out: dict[str, Any], i: int = 0) -> bytes:
    return Path(out["audio_files"][i]).read_bytes()


def test_speak_ssml_word_boundaries(emulator: Any, tmp_path: Path) -> None:
    text = "Hello brave new world, from the emulator."
    ssml = _ssml(text)
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[ssml], audio_dir=str(tmp_path))
    _completed(out)
    decoded = _decode_file(_audio(out))  # default output: RIFF 16 kHz
    assert decoded.text == text
    words = [e for e in _events(out, "word_boundary") if e["boundary_type"] == "Word"]
    assert [e["text"] for e in words] == [_norm(w) for w in text.split()]
    rate = 16000
    for event, heard in zip(words, decoded.words, strict=True):
        start = round(heard.start * TICKS_PER_SECOND / rate)
        assert abs(event["audio_offset"] - start) <= TOL, (event, heard)
        # the SDK locates each word in the SSML itself
        assert (
            ssml[event["text_offset"] : event["text_offset"] + event["word_length"]]
            == (event["text"])
        )
    offsets = [e["audio_offset"] for e in words]
    assert offsets == sorted(offsets)


def test_viseme_and_bookmark_events(emulator: Any, tmp_path: Path) -> None:
    ssml = _ssml('One two <bookmark mark="middle"/> three four.')
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[ssml], audio_dir=str(tmp_path))
    (result,) = _completed(out)
    decoded = _decode_file(_audio(out))
    assert decoded.text == "One two three four."
    bookmarks = _events(out, "bookmark")
    assert [b["text"] for b in bookmarks] == ["middle"]
    # the bookmark sits between "two" and "three"
    rate = 16000
    two_end = round(decoded.words[1].end * TICKS_PER_SECOND / rate)
    three_start = round(decoded.words[2].start * TICKS_PER_SECOND / rate)
    assert two_end - TOL <= bookmarks[0]["audio_offset"] <= three_start + TOL
    visemes = _events(out, "viseme")
    assert visemes, "no viseme events"
    assert all(0 <= v["viseme_id"] <= 21 for v in visemes)
    offsets = [v["audio_offset"] for v in visemes]
    assert offsets == sorted(offsets)
    assert offsets[-1] <= result["audio_duration_ticks"] + TOL


def test_mp3_output_format(emulator: Any, tmp_path: Path) -> None:
    text = "Compressed speech."
    out = run_sdk(
        "synthesize",
        emulator.url,
        KEY,
        inputs=[_ssml(text)],
        format="Audio24Khz48KBitRateMonoMp3",
        audio_dir=str(tmp_path),
    )
    _completed(out)
    data = _audio(out)
    (ctx,) = emulator.last_session.received("synthesis.context")
    assert ctx.json()["synthesis"]["audio"]["outputFormat"] == "audio-24khz-48kbitrate-mono-mp3"
    assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0), data[:8].hex()
    assert _decode_file(data).text == text


def test_speak_text_default_riff(emulator: Any, tmp_path: Path) -> None:
    # speak_text with the default format: the SDK asks the service for
    # raw-16khz-16bit-mono-pcm and writes the RIFF header itself; a second
    # request reuses the socket without a new speech.config
    texts = ["First sentence here.", "And a second one!"]
    out = run_sdk("synthesize", emulator.url, KEY, inputs=texts, audio_dir=str(tmp_path))
    _completed(out, n=2)
    for i, text in enumerate(texts):
        data = _audio(out, i)
        assert data.startswith(b"RIFF") and data[8:12] == b"WAVE"
        assert _decode_file(data).text == text
    (session,) = emulator.log  # one socket for both requests
    assert len(session.received("speech.config")) == 1
    contexts = [m.json() for m in session.received("synthesis.context")]
    assert len(contexts) == 2
    assert {c["synthesis"]["audio"]["outputFormat"] for c in contexts} == {
        "raw-16khz-16bit-mono-pcm"
    }


def test_wrong_key_cancels_synthesis(emulator: Any) -> None:
    out = run_sdk("synthesize", emulator.url, "wrong-key", inputs=[_ssml("Nobody hears this.")])
    (result,) = out["results"]
    assert result["reason"] == "Canceled", result
    assert result["cancel"]["code"] == "AuthenticationFailure", result["cancel"]
    assert out["wall_s"] < 15


def test_unknown_voice_is_a_bad_request(emulator: Any) -> None:
    out = run_sdk(
        "synthesize", emulator.url, KEY, inputs=[_ssml("Hi.", voice="xx-XX-NobodyNeural")]
    )
    (result,) = out["results"]
    assert result["reason"] == "Canceled", result
    assert result["cancel"]["code"] == "BadRequest", result["cancel"]
    assert "xx-XX-NobodyNeural" in result["cancel"]["details"]


def test_sentence_boundaries_and_voice_name(emulator: Any) -> None:
    text = "First one. Second one!"
    out = run_sdk(
        "synthesize",
        emulator.url,
        KEY,
        inputs=[text],
        voice="en-US-JennyNeural",
        sentence_boundary=True,
    )
    _completed(out)
    bounds = _events(out, "word_boundary")
    sentences = [e for e in bounds if e["boundary_type"] == "Sentence"]
    assert [e["text"] for e in sentences] == ["First one.", "Second one!"]
    assert [e["text_offset"] for e in sentences] == [0, 11]
    words = [e for e in bounds if e["boundary_type"] == "Word"]
    # each sentence starts with its first word and lasts until its punctuation ends
    assert sentences[0]["audio_offset"] == words[0]["audio_offset"]
    assert sentences[1]["audio_offset"] == words[2]["audio_offset"]
    (ssml,) = emulator.last_session.received("ssml")
    assert "en-US-JennyNeural" in ssml.text
    (ctx,) = emulator.last_session.received("synthesis.context")
    assert ctx.json()["synthesis"]["audio"]["metadataOptions"]["sentenceBoundaryEnabled"] is True


def test_speak_text_with_xml_characters(emulator: Any, tmp_path: Path) -> None:
    # the SDK escapes plain text into SSML; the service reports boundary text
    # XML-escaped, and the SDK un-escapes it again for speak_text
    text = 'Tom & Jerry <3 say "hi".'
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[text], audio_dir=str(tmp_path))
    _completed(out)
    assert _decode_file(_audio(out)).text == text
    bounds = _events(out, "word_boundary")
    for e in bounds:
        assert text[e["text_offset"] : e["text_offset"] + e["word_length"]] == e["text"], e
    assert [e["text"] for e in bounds if e["boundary_type"] == "Word"] == [
        "Tom",
        "Jerry",
        "3",
        "say",
        "hi",
    ]


def test_streamed_chunks_and_audio_duration(emulator: Any) -> None:
    text = "Streaming audio arrives piece by piece, long before the end."
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[_ssml(text)])
    (result,) = _completed(out)
    chunks = [e["bytes"] for e in _events(out, "synthesizing")]
    assert len(chunks) > 1, "the audio arrived in one piece"
    # the SDK puts a 46-byte RIFF header on every synthesizing chunk and on the result
    header = 46
    assert sum(c - header for c in chunks) == result["audio_len"] - header
    # the SessionEnd offset the emulator sent is the audio's true length
    (session_end,) = [
        item["Data"]["Offset"]
        for m in emulator.last_session.sent("audio.metadata")
        for item in m.json()["Metadata"]
        if item["Type"] == "SessionEnd"
    ]
    pcm_ticks = (result["audio_len"] - header) // 2 * TICKS_PER_SECOND // 16000
    assert session_end == pcm_ticks
    assert result["audio_duration_ticks"] == pcm_ticks


def test_text_streaming_v2(emulator: Any, tmp_path: Path) -> None:
    # SpeechSynthesisRequest(TextStream) on the v2 endpoint: text.piece per
    # word, text.end at the end; audio must start before the text is complete
    text = "Text arrives word by word from a model. Then a second sentence!"
    out = run_sdk(
        "synthesize",
        emulator.url,
        KEY,
        inputs=[text],
        text_stream=True,
        path="/cognitiveservices/websocket/v2",
        audio_dir=str(tmp_path),
    )
    _completed(out)
    assert out["audio_before_rest"], "no audio until the whole text was sent"
    assert _decode_file(_audio(out)).text == text
    words = [e["text"] for e in _events(out, "word_boundary") if e["boundary_type"] == "Word"]
    assert words == [_norm(w) for w in text.split()]
    session = emulator.last_session
    assert session.path == "/cognitiveservices/websocket/v2"
    (ctx,) = session.received("synthesis.context")
    assert ctx.json()["synthesis"]["input"]["bidirectionalStreamingMode"] is True
    pieces = session.received("text.piece")
    assert "".join(p.text for p in pieces).split() == text.split()
    assert len(session.received("text.end")) == 1


#: Output formats the emulator encodes, with how to read the SDK's result back:
#: (sample rate, soundfile RAW subtype) for headerless PCM/G.711, None for files.
ENCODED_FORMATS: dict[str, tuple[int, str] | None] = {
    "Raw8Khz16BitMonoPcm": (8000, "PCM_16"),
    "Raw16Khz16BitMonoPcm": (16000, "PCM_16"),
    "Raw22050Hz16BitMonoPcm": (22050, "PCM_16"),
    "Raw24Khz16BitMonoPcm": (24000, "PCM_16"),
    "Raw44100Hz16BitMonoPcm": (44100, "PCM_16"),
    "Raw48Khz16BitMonoPcm": (48000, "PCM_16"),
    "Raw8Khz8BitMonoMULaw": (8000, "ULAW"),
    "Raw8Khz8BitMonoALaw": (8000, "ALAW"),
    "Riff8Khz16BitMonoPcm": None,
    "Riff16Khz16BitMonoPcm": None,
    "Riff22050Hz16BitMonoPcm": None,
    "Riff24Khz16BitMonoPcm": None,
    "Riff44100Hz16BitMonoPcm": None,
    "Riff48Khz16BitMonoPcm": None,
    "Riff8Khz8BitMonoMULaw": None,
    "Riff8Khz8BitMonoALaw": None,
    "Audio16Khz32KBitRateMonoMp3": None,
    "Audio16Khz128KBitRateMonoMp3": None,
    "Audio24Khz96KBitRateMonoMp3": None,
    "Audio48Khz192KBitRateMonoMp3": None,
    "Ogg16Khz16BitMonoOpus": None,
    "Ogg24Khz16BitMonoOpus": None,
    "Ogg48Khz16BitMonoOpus": None,
}
#: Formats the emulator refuses by design (no encoder here): a clean 1007 close.
REFUSED_FORMATS = ["Webm24Khz16BitMonoOpus", "Audio24Khz16Bit48KbpsMonoOpus", "AmrWb16000Hz"]


def test_every_encoded_output_format(emulator: Any, tmp_path: Path) -> None:
    import soundfile as sf

    from azspeech.emulator.engines import tones

    text = "Format check, one two."
    out = run_sdk(
        "formats",
        emulator.url,
        KEY,
        text=text,
        formats=[*ENCODED_FORMATS, *REFUSED_FORMATS],
        audio_dir=str(tmp_path),
    )
    results = out["formats"]
    bad: dict[str, str] = {}
    for name, raw in ENCODED_FORMATS.items():
        r = results[name]
        if r["reason"] != "SynthesizingAudioCompleted":
            bad[name] = f"{r['reason']}: {r.get('cancel')}"
            continue
        data = Path(r["file"]).read_bytes()
        if raw is None:
            samples, rate = sf.read(io.BytesIO(data), dtype="float32")
        else:
            rate, subtype = raw
            samples, rate = sf.read(
                io.BytesIO(data),
                dtype="float32",
                format="RAW",
                subtype=subtype,
                samplerate=rate,
                channels=1,
            )
        heard = tones.decode(np.asarray(samples, dtype=np.float32), int(rate)).text
        if heard != text:
            bad[name] = f"decoded {heard!r}"
    assert bad == {}
    for name in REFUSED_FORMATS:
        r = results[name]
        assert r["reason"] == "Canceled", (name, r)
        assert r["cancel"]["code"] == "BadRequest", (name, r)
        assert "not supported by the emulator" in r["cancel"]["details"], (name, r)


def test_viseme_blend_shapes_cover_the_audio(emulator: Any) -> None:
    # FacialExpression visemes: the animation chunks are 60 fps blend-shape
    # frames (55 values each); frame i of a chunk plays at (FrameIndex + i)/60 s,
    # so the chunks must be contiguous and span the whole audio (finding 3)
    ssml = _ssml('<mstts:viseme type="FacialExpression"/>Smile now, please.')
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[ssml])
    (result,) = _completed(out)
    chunks = [json.loads(v["animation"]) for v in _events(out, "viseme") if v["animation"]]
    assert chunks, "no animation with FacialExpression"
    assert all(len(frame) == 55 for c in chunks for frame in c["BlendShapes"])
    expected_index = 0
    for c in chunks:
        assert c["FrameIndex"] == expected_index, [(c["FrameIndex"]) for c in chunks]
        expected_index += len(c["BlendShapes"])
    audio_frames = result["audio_duration_ticks"] * 60 / TICKS_PER_SECOND
    assert abs(expected_index - audio_frames) <= 3, (expected_index, audio_frames)


def test_ssml_elements_voices_and_breaks(emulator: Any, tmp_path: Path) -> None:
    # two <voice> elements with nothing between them, a <break>, prosody and
    # express-as: words must not run together across elements (finding 4),
    # the break must show as silence, and boundaries must match the audio
    ssml = (
        '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" '
        'xmlns:mstts="http://www.w3.org/2001/mstts" xml:lang="en-US">'
        '<voice name="en-US-AvaNeural">Slow start <break time="700ms"/> then '
        '<prosody pitch="high">much higher words</prosody>.</voice>'
        '<voice name="en-US-AndrewNeural"><mstts:express-as style="cheerful">Second voice'
        "</mstts:express-as> here.</voice></speak>"
    )
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[ssml], audio_dir=str(tmp_path))
    _completed(out)
    decoded = _decode_file(_audio(out))
    assert decoded.text == "Slow start then much higher words. Second voice here."
    words = [e for e in _events(out, "word_boundary") if e["boundary_type"] == "Word"]
    assert [e["text"] for e in words] == [
        "Slow",
        "start",
        "then",
        "much",
        "higher",
        "words",
        "Second",
        "voice",
        "here",
    ]
    assert all(e["text_offset"] >= 0 for e in words), "the SDK could not find a word in the SSML"
    for event, heard in zip(words, decoded.words, strict=True):
        start = round(heard.start * TICKS_PER_SECOND / 16000)
        assert abs(event["audio_offset"] - start) <= TOL, (event, heard)
    # the 700 ms break: "start" ends, silence, then "then"
    gap = decoded.words[2].start - decoded.words[1].end
    assert gap >= 0.7 * 16000, gap


def test_stop_speaking_then_speak_again(emulator: Any, tmp_path: Path) -> None:
    # stop_speaking closes the socket mid-turn; the next request opens a new one
    out = run_sdk(
        "stop_then_speak",
        emulator.url,
        KEY,
        long_text=" ".join(["This is a long sentence that keeps going."] * 20),
        text="After the stop.",
        audio_dir=str(tmp_path),
    )
    assert out["started"] == "SynthesizingAudioStarted"
    assert out["got_audio"]
    after = out["after"]
    assert after["reason"] == "SynthesizingAudioCompleted", after
    assert _decode_file(Path(after["file"]).read_bytes()).text == "After the stop."
    assert all(not s.errors for s in emulator.log), [s.errors for s in emulator.log]
    # no boundary callbacks connected: the SDK asks for no metadata but SessionEnd,
    # and the emulator sends none
    last = emulator.last_session
    (ctx,) = last.received("synthesis.context")
    options = ctx.json()["synthesis"]["audio"]["metadataOptions"]
    assert options["wordBoundaryEnabled"] is False and options["visemeEnabled"] is False
    kinds = {i["Type"] for m in last.sent("audio.metadata") for i in m.json()["Metadata"]}
    assert kinds <= {"SessionEnd"}, kinds


def test_ssml_over_64_kb_is_refused(emulator: Any) -> None:
    # the service takes at most 64 KB of SSML per WebSocket turn (finding 5);
    # an XML comment makes the document big without making the audio long
    ssml = _ssml("<!-- " + "x" * (65 * 1024) + " -->Too big.")
    out = run_sdk("synthesize", emulator.url, KEY, inputs=[ssml])
    (result,) = out["results"]
    assert result["reason"] == "Canceled", result
    assert result["cancel"]["code"] == "BadRequest", result["cancel"]


def test_custom_voice_deployment(emulator: Any, tmp_path: Path) -> None:
    # endpoint_id on a synthesizer = a custom voice deployment: ?deploymentId=,
    # and the deployment's own voice name is accepted
    ssml = _ssml("My own voice.", voice="MyCustomVoiceNeural")
    out = run_sdk(
        "synthesize",
        emulator.url,
        KEY,
        inputs=[ssml],
        properties={"SpeechServiceConnection_EndpointId": "abc-123"},
        audio_dir=str(tmp_path),
    )
    _completed(out)
    assert _decode_file(_audio(out)).text == "My own voice."
    assert emulator.last_session.query == {"deploymentId": "abc-123"}

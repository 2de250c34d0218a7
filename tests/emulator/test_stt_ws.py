"""Speech to text over raw WebSockets against the emulator."""

from __future__ import annotations

import uuid

import pytest

from azspeech._protocol.framing import decode_frame, encode_binary
from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones

from .usp import connect, paths, phrases, send_turn, stt_url, tone_pcm, until_turn_end

TICKS = 625  # per 16 kHz sample


async def test_interactive_one_phrase(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        assert ws.subprotocol == "USP"
        await send_turn(ws, tone_pcm("Hello world. Not this one.", lead_ms=500))
        msgs = await until_turn_end(ws)
    got = paths(msgs)
    assert got[0] == "turn.start"
    assert got[1] == "speech.startDetected"
    assert "speech.hypothesis" in got
    assert got[-3:] == ["speech.endDetected", "speech.phrase", "turn.end"]
    (phrase,) = phrases(msgs)
    assert phrase["RecognitionStatus"] == "Success"
    assert phrase["DisplayText"] == "Hello world."
    enc = tones.encode("Hello world.", 16000, lead_ms=500)
    assert abs(phrase["Offset"] - enc.words[0].start * TICKS) <= 10 * 16 * TICKS
    assert (
        abs(phrase["Duration"] - (enc.words[-1].end - enc.words[0].start) * TICKS)
        <= 20 * 16 * TICKS
    )
    rid = msgs[0].request_id
    assert all(m.request_id == rid for m in msgs)
    assert msgs[0].json()["context"]["serviceTag"]


async def test_conversation_phrases_and_offsets(emulator: Emulator) -> None:
    text = "First sentence here. Second one! And a third?"
    enc = tones.encode(text, 16000, lead_ms=300, tail_ms=700)
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, enc.pcm16())
        msgs = await until_turn_end(ws)
    got = [p for p in phrases(msgs) if p["RecognitionStatus"] == "Success"]
    assert [p["DisplayText"] for p in got] == [
        "First sentence here.",
        "Second one!",
        "And a third?",
    ]
    end = phrases(msgs)[-1]
    assert end["RecognitionStatus"] == "EndOfDictation"
    assert end["Offset"] == len(enc.samples) * TICKS
    starts = [w.start for w in enc.words if w.text in ("First", "Second", "And")]
    for p, s in zip(got, starts, strict=True):
        assert abs(p["Offset"] - s * TICKS) <= 160 * TICKS
    assert paths(msgs).count("speech.startDetected") == 1
    assert paths(msgs)[-3:] == ["speech.phrase", "speech.endDetected", "turn.end"]


async def test_detailed_word_timings(emulator: Emulator) -> None:
    ctx = {
        "phraseOutput": {
            "format": "Detailed",
            "detailed": {"options": ["WordTimings", "WordConfidence"]},
        }
    }
    enc = tones.encode("Good morning, Dave.", 16000, lead_ms=300, tail_ms=700)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, enc.pcm16(), context=ctx)
        msgs = await until_turn_end(ws)
    (p,) = phrases(msgs)
    best = p["NBest"][0]
    assert best["Display"] == "Good morning, Dave."
    assert best["Lexical"] == "good morning dave"
    assert [w["Word"] for w in best["Words"]] == ["good", "morning", "dave"]
    for w, tw in zip(best["Words"], enc.words, strict=True):
        assert abs(w["Offset"] - tw.start * TICKS) <= 16 * 5 * TICKS
        assert 0 < w["Confidence"] <= 1
    assert 0 < best["Confidence"] <= 1


async def test_format_from_query(emulator: Emulator) -> None:
    url = stt_url(emulator.url, query="language=en-US&format=detailed&wordLevelTimestamps=true")
    async with await connect(url, emulator.key) as ws:
        await send_turn(ws, tone_pcm("Hi there."))
        (p,) = phrases(await until_turn_end(ws))
    assert "Words" in p["NBest"][0]


async def test_silence_gives_initial_silence_timeout(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, bytes(32000))
        msgs = await until_turn_end(ws)
    assert paths(msgs) == ["turn.start", "speech.phrase", "turn.end"]
    assert phrases(msgs)[0]["RecognitionStatus"] == "InitialSilenceTimeout"


async def test_script_for_undecodable_speech(emulator: Emulator) -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    noise = (rng.standard_normal(16000) * 0.2 * 32767).astype("<i2").tobytes()
    emulator.script(["What's the weather like?"])
    pcm = bytes(6400) + noise + bytes(16000)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, pcm)
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "What's the weather like?"
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, pcm)
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "Speech of 1000 milliseconds."


async def test_two_turns_on_one_socket(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("One."))
        first = await until_turn_end(ws)
        await send_turn(ws, tone_pcm("Two."), config=False)
        second = await until_turn_end(ws)
    assert phrases(first)[0]["DisplayText"] == "One."
    assert phrases(first)[-1]["RecognitionStatus"] == "EndOfDictation"
    assert phrases(second)[0]["DisplayText"] == "Two."
    assert first[0].request_id != second[0].request_id
    # offsets are relative to each turn's audio
    assert phrases(first)[0]["Offset"] == phrases(second)[0]["Offset"]


async def test_lost_audio_shows_in_result(emulator: Emulator) -> None:
    pcm = tone_pcm("abcdef ghijkl.")
    cut = pcm[: 16000 * 2 // 10 * 3 + 9600] + pcm[16000 * 2 // 10 * 3 + 9600 + 960 :]
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, cut)
        (p,) = phrases(await until_turn_end(ws))
    assert p.get("DisplayText") != "abcdef ghijkl."


@pytest.mark.parametrize("rate", [8000, 24000, 48000])
async def test_other_sample_rates(emulator: Emulator, rate: int) -> None:
    pcm = tone_pcm("Rate test.", rate=rate)
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, pcm, rate=rate, chunk=rate // 5)
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "Rate test."


async def test_late_audio_after_interactive_end_is_ignored(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        rid = await send_turn(ws, tone_pcm("Done. More words after.", tail_ms=0), end=False)
        msgs = await until_turn_end(ws)
        await ws.send(encode_binary("audio", bytes(3200), request_id=rid))
        await ws.send(encode_binary("audio", b"", request_id=rid))
        # the socket still serves a next turn
        await send_turn(ws, tone_pcm("Next."), config=False)
        nxt = await until_turn_end(ws)
    assert phrases(msgs)[0]["DisplayText"] == "Done."
    assert phrases(nxt)[0]["DisplayText"] == "Next."


async def test_telemetry_is_accepted(emulator: Emulator) -> None:
    from azspeech._protocol.framing import encode_text

    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        rid = await send_turn(ws, tone_pcm("Yes."))
        await until_turn_end(ws)
        await ws.send(encode_text("telemetry", {"Metrics": []}, request_id=rid))
        await send_turn(ws, tone_pcm("No."), config=False)
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "No."
    assert emulator.last_session.received("telemetry")


def test_request_id_reuse_closes_1002(emulator: Emulator) -> None:
    import asyncio

    async def go() -> int | None:
        async with await connect(stt_url(emulator.url), emulator.key) as ws:
            rid = uuid.uuid4().hex
            await send_turn(ws, tone_pcm("A."), request_id=rid)
            await until_turn_end(ws)
            await send_turn(ws, tone_pcm("B."), request_id=rid, config=False)
            try:
                while True:
                    decode_frame(await ws.recv())
            except Exception:
                pass
            return ws.close_code

    assert asyncio.run(go()) == 1002


async def test_warnings_for_sloppy_clients(emulator: Emulator) -> None:
    rid = uuid.uuid4().hex
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Tidy."))
        await until_turn_end(ws)
        assert emulator.last_session.warnings == []
        await ws.send(
            "Path:speech.context\r\nX-RequestId:" + rid + "\r\nX-Timestamp:yesterday\r\n\r\n{}"
        )
        await ws.send(encode_binary("audio", bytes(9000), request_id=rid))
    warnings = emulator.last_session.warnings
    assert any("malformed X-Timestamp" in w for w in warnings)
    assert any("first audio message without Content-Type" in w for w in warnings)


@pytest.mark.parametrize(("tag", "name"), [(6, "alaw"), (7, "ulaw")])
async def test_g711_telephony_audio(emulator: Emulator, tag: int, name: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")
    from azspeech._protocol.framing import encode_text

    from .usp import wav_header

    pcm = tone_pcm("Phone call.", rate=8000)
    coded = audioop.lin2alaw(pcm, 2) if name == "alaw" else audioop.lin2ulaw(pcm, 2)
    rid = uuid.uuid4().hex
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await ws.send(encode_text("speech.config", {}))
        await ws.send(encode_text("speech.context", {}, request_id=rid))
        hdr = wav_header(8000, bits=8, tag=tag)
        await ws.send(encode_binary("audio", hdr, request_id=rid, content_type="audio/x-wav"))
        for i in range(0, len(coded), 800):
            await ws.send(encode_binary("audio", coded[i : i + 800], request_id=rid))
        await ws.send(encode_binary("audio", b"", request_id=rid))
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "Phone call."


async def test_long_stream_every_phrase_once_in_order(emulator: Emulator) -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(120))
    enc = tones.encode(text, 16000, tail_ms=800)  # about 3.6 minutes of audio
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, enc.pcm16())
        msgs = await until_turn_end(ws, timeout=60)
    got = [p for p in phrases(msgs) if p["RecognitionStatus"] == "Success"]
    assert [p["DisplayText"] for p in got] == [f"Sentence number {i} is here." for i in range(120)]
    starts = [w.start for w in enc.words if w.text == "Sentence"]
    for p, s in zip(got, starts, strict=True):
        assert abs(p["Offset"] - s * TICKS) <= 160 * TICKS

"""Recognition options sent in the URL and in speech.context reach the results."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from azspeech.emulator import Emulator
from azspeech.emulator.engines import tones
from azspeech.emulator.stt_ws import parse_options

from .usp import connect, paths, phrases, send_turn, stt_url, tone_pcm, until_turn_end


def _success(msgs: list) -> list[dict]:  # type: ignore[type-arg]
    return [p for p in phrases(msgs) if p["RecognitionStatus"] == "Success"]


async def test_diarization_speaker_ids(emulator: Emulator) -> None:
    a = tones.encode("Hello Bob.", 16000, lead_ms=200, tail_ms=800).samples
    b = tones.encode("Hi Alice.", 16000, tail_ms=800, gain=0.25).samples
    pcm = (np.concatenate([a, b, a]) * 32767).astype("<i2").tobytes()
    ctx = {
        "phraseDetection": {
            "mode": "Conversation",
            "speakerDiarization": {"mode": "Anonymous", "audioSessionId": "0" * 32,
                                   "audioOffsetMs": 0, "diarizeIntermediates": False},
            "language": "en-US",
        },
        "phraseOutput": {},
    }  # fmt: skip
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, pcm, context=ctx)
        msgs = await until_turn_end(ws)
    got = [(p["DisplayText"], p["SpeakerId"]) for p in _success(msgs)]
    assert got == [("Hello Bob.", "Guest-1"), ("Hi Alice.", "Guest-2"), ("Hello Bob.", "Guest-1")]
    hyps = [m.json() for m in msgs if m.path == "speech.hypothesis"]
    assert hyps and all(h["SpeakerId"] == "Unknown" for h in hyps)


async def test_language_identification(emulator: Emulator) -> None:
    ctx = {
        "phraseDetection": {"mode": "Conversation", "enrichment": {}},
        "languageId": {"languages": ["en-US", "de-DE"], "mode": "DetectContinuous",
                       "onSuccess": {"action": "Recognize"}, "priority": "PrioritizeLatency"},
        "phraseOutput": {"interimResults": {"resultType": "Auto"},
                         "phraseResults": {"resultType": "Always"}},
    }  # fmt: skip
    url = stt_url(emulator.url, "conversation", "language=en-us&lidEnabled=true")
    async with await connect(url, emulator.key) as ws:
        await send_turn(ws, tone_pcm("Good morning. Schöne Grüße."), context=ctx)
        msgs = await until_turn_end(ws)
    langs = [p["PrimaryLanguage"]["Language"] for p in _success(msgs)]
    assert langs == ["en-US", "de-DE"]


@pytest.mark.parametrize(
    ("query", "context_profanity", "expected"),
    [
        ("", None, "Oh **** it."),
        ("&profanity=raw", None, "Oh damn it."),
        ("&profanity=removed", None, "Oh it."),
        ("&profanity=raw", "Masked", "Oh **** it."),
    ],
)
async def test_profanity(
    emulator: Emulator, query: str, context_profanity: str | None, expected: str
) -> None:
    ctx = (
        {"phraseDetection": {"enrichment": {"profanity": context_profanity}}}
        if context_profanity
        else {}
    )
    url = stt_url(emulator.url, query="language=en-US" + query)
    async with await connect(url, emulator.key) as ws:
        await send_turn(ws, tone_pcm("Oh damn it."), context=ctx)
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == expected


@pytest.mark.parametrize("pascal", [False, True])
async def test_phrase_list_in_either_casing(emulator: Emulator, pascal: bool) -> None:
    if pascal:
        dgi = {"Groups": [{"Type": "Generic", "Items": [{"Text": "Contoso"}]}], "bias": "1.000000"}
    else:
        dgi = {"groups": [{"type": "Generic", "items": [{"text": "Contoso"}]}], "bias": 1}
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("welcome to contoso."), context={"dgi": dgi})
        (p,) = phrases(await until_turn_end(ws))
    assert p["DisplayText"] == "welcome to Contoso."


async def test_universal_v2_mode_from_context(emulator: Emulator) -> None:
    base = "ws" + emulator.url[4:]
    for path in ("/speech/universal/v2", "/stt/speech/universal/v2"):
        ctx = {"phraseDetection": {"mode": "Interactive", "language": "en-US"}, "phraseOutput": {}}
        async with await connect(base + path, emulator.key) as ws:
            await send_turn(ws, tone_pcm("One. Two."), context=ctx)
            msgs = await until_turn_end(ws)
        assert [p["DisplayText"] for p in phrases(msgs)] == ["One."]


async def test_dictation_ends_with_end_of_dictation(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url, "dictation"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Dear Sir. Regards."))
        msgs = await until_turn_end(ws)
    statuses = [p["RecognitionStatus"] for p in phrases(msgs)]
    assert statuses == ["Success", "Success", "EndOfDictation"]


async def test_segmentation_silence_merges_sentences(emulator: Emulator) -> None:
    ctx = {
        "phraseDetection": {
            "mode": "Conversation",
            "conversation": {
                "segmentation": {"mode": "Custom", "segmentationSilenceTimeoutMs": 1500}
            },
        }
    }
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("One. Two.", tail_ms=1600), context=ctx)
        msgs = await until_turn_end(ws)
    assert [p["DisplayText"] for p in _success(msgs)] == ["One. Two."]


async def test_initial_silence_timeout_in_interactive(emulator: Emulator) -> None:
    ctx = {"phraseDetection": {"initialSilenceTimeout": 1000}}
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, bytes(16000 * 2 * 2) + tone_pcm("Too late."), context=ctx, end=False)
        msgs = await until_turn_end(ws)
    assert paths(msgs) == ["turn.start", "speech.phrase", "turn.end"]
    p = phrases(msgs)[0]
    assert p["RecognitionStatus"] == "InitialSilenceTimeout"
    assert p["Duration"] == 10_000_000


async def test_hypotheses_grow(emulator: Emulator) -> None:
    async with await connect(stt_url(emulator.url), emulator.key) as ws:
        await send_turn(ws, tone_pcm("one two three four five six."))
        msgs = await until_turn_end(ws)
    hyps = [m.json()["Text"] for m in msgs if m.path == "speech.hypothesis"]
    assert len(hyps) >= 3
    assert all(b.startswith(a) for a, b in itertools.pairwise(hyps))
    assert all(
        m.json()["Offset"] == phrases(msgs)[0]["Offset"]
        for m in msgs
        if m.path == "speech.hypothesis"
    )


def test_parse_options_query_and_context() -> None:
    reco, out = parse_options(
        "interactive",
        {"language": "de-DE", "format": "detailed", "wordLevelTimestamps": "true",
         "profanity": "removed", "initialSilenceTimeoutMs": "2500", "endSilenceTimeoutMs": "700"},
    )  # fmt: skip
    assert reco.mode == "interactive" and reco.language == "de-DE"
    assert reco.initial_silence_ms == 2500 and reco.segmentation_silence_ms == 700
    assert out.detailed and out.word_timings and out.profanity == "removed"
    reco, out = parse_options(
        None,
        {"format": "simple"},
        {"recognition": "dictation"},
        {"phraseOutput": {"format": "Detailed", "detailed": {"options": ["DisplayWords", "SNR"]}}},
    )
    assert reco.mode == "dictation" and out.detailed and out.display_words and out.snr


@pytest.mark.parametrize(
    ("profanity", "words", "masked_itn"),
    [
        ("masked", ["oh", "****", "it", "broke"], "oh **** it broke"),
        ("raw", ["oh", "damn", "it", "broke"], "oh **** it broke"),
        ("removed", ["oh", "it", "broke"], "oh **** it broke"),
    ],
)
async def test_profanity_in_detailed_forms(
    emulator: Emulator, profanity: str, words: list[str], masked_itn: str
) -> None:
    url = stt_url(
        emulator.url,
        query=f"language=en-US&format=detailed&wordLevelTimestamps=true&profanity={profanity}",
    )
    async with await connect(url, emulator.key) as ws:
        await send_turn(ws, tone_pcm("Oh damn, it broke."))
        (p,) = phrases(await until_turn_end(ws))
    best = p["NBest"][0]
    assert [w["Word"] for w in best["Words"]] == words
    assert best["Lexical"] == " ".join(words)
    assert best["MaskedITN"] == masked_itn


async def test_turn_handler_hook_rewrites_results(emulator: Emulator) -> None:
    from azspeech.emulator.stt_ws import TurnHandler, register_turn_handler

    class Shout(TurnHandler):
        def phrase(self, body: dict) -> list:  # type: ignore[type-arg]
            out = dict(body)
            if "DisplayText" in out:
                out["DisplayText"] = out["DisplayText"].upper()
            return [("custom.phrase", out)]

    def factory(ctx: object, query: object) -> TurnHandler | None:
        return Shout() if isinstance(ctx, dict) and "shout" in ctx else None

    register_turn_handler(emulator.state, factory)
    try:
        async with await connect(stt_url(emulator.url), emulator.key) as ws:
            await send_turn(ws, tone_pcm("Quiet."), context={"shout": True})
            msgs = await until_turn_end(ws)
            await send_turn(ws, tone_pcm("Quiet."), config=False)
            plain = await until_turn_end(ws)
    finally:
        emulator.state.extra["stt_turn_handlers"].remove(factory)
    assert [m.json()["DisplayText"] for m in msgs if m.path == "custom.phrase"] == ["QUIET."]
    assert phrases(plain)[0]["DisplayText"] == "Quiet."


async def test_initial_silence_timeout_in_conversation_keeps_listening(emulator: Emulator) -> None:
    ctx = {"phraseDetection": {"mode": "Conversation", "initialSilenceTimeout": 1000}}
    async with await connect(stt_url(emulator.url, "conversation"), emulator.key) as ws:
        await send_turn(ws, bytes(16000 * 2 * 2) + tone_pcm("Finally."), context=ctx)
        msgs = await until_turn_end(ws)
    statuses = [(p["RecognitionStatus"], p.get("DisplayText")) for p in phrases(msgs)]
    assert statuses == [
        ("InitialSilenceTimeout", None),
        ("Success", "Finally."),
        ("EndOfDictation", None),
    ]

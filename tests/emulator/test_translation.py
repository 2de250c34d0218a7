"""Speech translation results on the recognition socket."""

from __future__ import annotations

from azspeech._protocol.framing import encode_text
from azspeech.emulator import Emulator
from azspeech.emulator.translation import translate

from .usp import connect, send_turn, tone_pcm, until_turn_end

CTX = {
    "phraseDetection": {
        "mode": "Conversation",
        "onSuccess": {"action": "Translate"},
        "onInterim": {"action": "Translate"},
        "language": "en-US",
    },
    "translation": {
        "output": {"includePassThroughResults": True, "interimResults": {"mode": "Always"}},
        "targetLanguages": ["de", "fr"],
    },
    "phraseOutput": {},
}


def _ws(emulator: Emulator, path: str) -> str:
    return "ws" + emulator.url[4:] + path


async def test_universal_v2_translation(emulator: Emulator) -> None:
    async with await connect(_ws(emulator, "/stt/speech/universal/v2"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Good morning. Nice weather today."), context=CTX)
        msgs = await until_turn_end(ws)
    finals = [m.json() for m in msgs if m.path == "translation.phrase"]
    assert [f["Text"] for f in finals] == ["Good morning.", "Nice weather today."]
    assert finals[0]["Translation"] == {
        "TranslationStatus": "Success",
        "Translations": [
            {"Language": "de", "Text": "Guten Morgen."},
            {"Language": "fr", "Text": "Bonjour."},
        ],
    }
    assert finals[1]["Translation"]["Translations"][0]["Text"] == "[de] Nice weather today."
    partials = [m.json() for m in msgs if m.path == "translation.hypothesis"]
    assert partials and all(len(p["Translation"]["Translations"]) == 2 for p in partials)
    assert not [m for m in msgs if m.path in ("speech.hypothesis",)]
    assert [m.json()["RecognitionStatus"] for m in msgs if m.path == "speech.phrase"] == [
        "EndOfDictation"
    ]


async def test_update_language_event(emulator: Emulator) -> None:
    async with await connect(_ws(emulator, "/speech/universal/v2"), emulator.key) as ws:
        rid = await send_turn(ws, tone_pcm("Hello.", tail_ms=0), context=CTX, end=False)
        await ws.send(
            encode_text(
                "event", {"id": "translation", "name": "updateLanguage", "to": ["es"]},
                request_id=rid,
            )
        )  # fmt: skip
        from azspeech._protocol.framing import encode_binary

        await ws.send(encode_binary("audio", bytes(32000), request_id=rid))
        await ws.send(encode_binary("audio", b"", request_id=rid))
        msgs = await until_turn_end(ws)
    (final,) = [m.json() for m in msgs if m.path == "translation.phrase"]
    assert final["Translation"]["Translations"] == [{"Language": "es", "Text": "Hola."}]


async def test_legacy_path_with_query_targets(emulator: Emulator) -> None:
    url = _ws(emulator, "/speech/translation/cognitiveservices/v1?from=en-US&to=de")
    async with await connect(url, emulator.key) as ws:
        await send_turn(ws, tone_pcm("Thank you."))
        msgs = await until_turn_end(ws)
    (final,) = [m.json() for m in msgs if m.path == "translation.phrase"]
    assert final["Translation"]["Translations"] == [{"Language": "de", "Text": "Danke."}]


async def test_silence_gives_a_translation_phrase_without_translation(emulator: Emulator) -> None:
    async with await connect(_ws(emulator, "/stt/speech/universal/v2"), emulator.key) as ws:
        await send_turn(ws, bytes(16000), context=CTX)
        msgs = await until_turn_end(ws)
    (final,) = [m.json() for m in msgs if m.path == "translation.phrase"]
    assert final["RecognitionStatus"] == "InitialSilenceTimeout"
    assert "Translation" not in final


def test_translate_is_deterministic() -> None:
    assert translate("Good morning.", "de-DE") == "Guten Morgen."
    assert translate("Anything else", "ja") == "[ja] Anything else"


async def test_translated_speech(emulator: Emulator) -> None:
    import io

    import soundfile as sf

    from azspeech.emulator.engines import tones

    ctx = {**CTX, "translation": {**CTX["translation"], "onSuccess": {"action": "Synthesize"}}}
    async with await connect(_ws(emulator, "/stt/speech/universal/v2"), emulator.key) as ws:
        await send_turn(ws, tone_pcm("Thank you."), context=ctx)
        msgs = await until_turn_end(ws)
    got = [m.path for m in msgs if m.path.startswith("translation.")]
    assert got[-2:] == ["translation.synthesis", "translation.synthesis.end"] or (
        "translation.synthesis.end" in got
    )
    audio = b"".join(m.body for m in msgs if m.path == "translation.synthesis")
    x, rate = sf.read(io.BytesIO(audio), dtype="float32")
    assert tones.decode(x, rate).text == "Danke."
    first = next(m for m in msgs if m.path == "translation.synthesis")
    assert first.header("Content-Type") == "audio/x-wav"

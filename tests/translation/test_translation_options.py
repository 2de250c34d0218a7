"""Translation options: validation before anything is sent, and what goes on the wire."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from azspeech.errors import InvalidRequestError
from azspeech.options import (
    LanguageIdentification,
    OutputOptions,
    RecognitionOptions,
    TranslationOptions,
)
from azspeech.options.translation import MAX_TARGET_LANGUAGES, validate_target_language

from ..stt._audio import phrase_audio, wav

if TYPE_CHECKING:
    from azspeech import AsyncSpeechClient, SpeechClient
    from azspeech.emulator import Emulator


@pytest.mark.parametrize(
    ("given", "expected"),
    [("de", "de"), ("zh-Hans", "zh-Hans"), ("ZH-HANS", "zh-Hans"), ("pt_pt", "pt-PT"),
     ("sr-Latn-RS", "sr-Latn-RS"), ("es-419", "es-419"), ("fil", "fil")],
)  # fmt: skip
def test_valid_target_languages(given: str, expected: str) -> None:
    assert validate_target_language(given) == expected


@pytest.mark.parametrize(
    "bad", ["", " ", "german", "d", "de-", "de--DE", "12", "de-DE-x-y", None, 5]
)
def test_malformed_target_languages(bad: object) -> None:
    with pytest.raises(InvalidRequestError):
        validate_target_language(bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_languages": []}, "empty"),
        ({"target_languages": "de"}, "list"),
        ({"target_languages": ["de", "de"]}, "duplicates"),
        ({"target_languages": ["german"]}, "not a language code"),
        ({"target_languages": [f"x{chr(97 + i)}" for i in range(11)]}, "at most 10"),
        ({"target_languages": ["de", "fr"], "voice": "ja-JP-NanamiNeural"}, "not among"),
        ({"target_languages": ["de"], "voice": "Katja"}, "voice name"),
        ({"target_languages": ["de"], "category": ""}, "category"),
        ({"target_languages": ["de"], "stable_translation": "yes"}, "True or False"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        TranslationOptions(**kwargs)  # type: ignore[arg-type]


def test_limit_is_ten() -> None:
    assert MAX_TARGET_LANGUAGES == 10
    TranslationOptions(target_languages=[f"x{chr(97 + i)}" for i in range(10)])


def test_stt_locale_validator_is_not_bent() -> None:
    # A region-less code is a valid target but still not a recognition locale.
    with pytest.raises(InvalidRequestError):
        RecognitionOptions(language="de")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target_languages": ["de", "xx_yy_zz"]},
        {"target_languages": []},
        {"target_languages": ["de"], "voice": "fr-FR-DeniseNeural"},
        {"target_languages": [f"x{chr(97 + i)}" for i in range(11)]},
        {"target_languages": ["de"], "source_language": "english"},
        {"target_languages": ["de"], "candidate_languages": ["en-US"] * 5},
    ],
)
async def test_bad_input_fails_before_connecting(
    aclient: AsyncSpeechClient, client: SpeechClient, emulator: Emulator, kwargs: dict[str, object]
) -> None:
    audio = wav(phrase_audio(["Hello."])[0])
    with pytest.raises(InvalidRequestError):
        await aclient.translation.recognize_once(audio, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError):
        aclient.translation.connect(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError):
        client.translation.recognize_once(audio, **kwargs)
    with pytest.raises(InvalidRequestError):
        client.translation.connect(**kwargs)
    assert emulator.log == []  # nothing was sent


async def test_bad_mid_session_change_is_refused_and_changes_nothing(
    aclient: AsyncSpeechClient,
) -> None:
    async with aclient.translation.connect(
        target_languages=["de"], voice="de-DE-KatjaNeural"
    ) as session:
        for bad in ([], ["german"], ["fr"]):  # empty, malformed, drops the voice's language
            with pytest.raises(InvalidRequestError):
                await session.set_target_languages(bad)
        assert session.target_languages == ["de"]
        await session.end_audio()


def test_unknown_keyword_is_a_type_error(client: SpeechClient, aclient: AsyncSpeechClient) -> None:
    with pytest.raises(TypeError):
        client.translation.connect(target_languages=["de"], on_recognised=print)
    with pytest.raises(TypeError):
        client.translation.recognize_once(b"", target_languages=["de"], targets=["fr"])


def test_query_and_context_as_the_sdks_build_them() -> None:
    opts = TranslationOptions(
        target_languages=["de", "fr"],
        voice="de-DE-KatjaNeural",
        recognition=RecognitionOptions(
            language="en-US", phrases=["Contoso"], output=OutputOptions(profanity="raw")
        ),
    )
    q = opts.query(scenario="conversation")
    assert q["from"] == "en-US" and q["to"] == "de,fr" and "language" not in q
    assert q["voice"] == "de-DE-KatjaNeural" and q["features"] == "requireVoice"
    assert q["profanity"] == "raw" and q["scenario"] == "conversation"
    ctx = opts.context()
    assert ctx["phraseDetection"]["onSuccess"] == {"action": "Translate"}
    assert ctx["phraseDetection"]["onInterim"] == {"action": "Translate"}
    assert ctx["translation"]["targetLanguages"] == ["de", "fr"]
    assert ctx["translation"]["onSuccess"] == {"action": "Synthesize"}
    assert ctx["translation"]["output"]["interimResults"] == {"mode": "Always"}
    assert ctx["synthesis"] == {"defaultVoices": {"de": "de-DE-KatjaNeural"}}
    assert ctx["dgi"]["groups"][0]["items"] == [{"text": "Contoso"}]


def test_language_id_context_asks_for_translation_messages_only() -> None:
    opts = TranslationOptions(
        target_languages=["fr"],
        recognition=RecognitionOptions(
            language_id=LanguageIdentification(candidates=["en-US", "de-DE"])
        ),
    )
    ctx = opts.context()
    assert "language" not in ctx["phraseDetection"]
    assert ctx["languageId"]["languages"] == ["en-US", "de-DE"]
    assert ctx["phraseOutput"]["phraseResults"] == {"resultType": "None"}
    assert "synthesis" not in ctx and ctx["translation"]["onSuccess"] == {"action": "None"}


async def test_wire_of_a_session(aclient: AsyncSpeechClient, emulator: Emulator) -> None:
    audio = wav(phrase_audio(["Hello."])[0])
    await aclient.translation.recognize_once(
        audio, source_language="en-GB", target_languages=["de", "zh-Hans"], phrases=["Hello"],
        profanity="removed", detailed=True,
    )  # fmt: skip
    (log,) = emulator.log
    assert log.path == "/speech/universal/v2"
    ctx = next(m.json() for m in log.received("speech.context"))
    assert ctx["translation"]["targetLanguages"] == ["de", "zh-Hans"]
    assert ctx["phraseDetection"]["language"] == "en-GB"
    assert ctx["phraseDetection"]["mode"] == "Interactive"
    q = log.query
    assert q["from"] == "en-GB" and q["to"] == "de,zh-Hans" and q["scenario"] == "interactive"
    assert q["profanity"] == "removed" and q["format"] == "detailed"
    assert "language" not in q and "voice" not in q

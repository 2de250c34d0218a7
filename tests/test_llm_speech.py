"""LLM speech (``client.llm``, the enhanced mode of fast transcription) against the emulator.

Over real sockets, with the blocking and the async client: transcription
(the prompt reaches the model), translation into a target language, the
typed fast-transcription result, bad input refused before sending, and the
emulator's 400 for an ``enhancedMode`` the spec does not allow.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azspeech import InvalidRequestError
from azspeech.emulator import Emulator
from azspeech.llm import enhanced_mode
from azspeech.models.stt import TranscriptionResult

from .stt._audio import phrase_audio, wav


class Api:
    """Runs ``fn(client)`` with a blocking or an async client for the emulator."""

    def __init__(self, kind: str, emulator: Emulator) -> None:
        self.kind = kind
        self.emulator = emulator

    def __call__(self, fn: Callable[[Any], Any]) -> Any:
        if self.kind == "sync":
            with self.emulator.client(max_retries=0) as client:
                return fn(client)

        async def main() -> Any:
            async with self.emulator.async_client(max_retries=0) as client:
                value = fn(client)
                return await value if inspect.isawaitable(value) else value

        return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, speech_emulator: Emulator) -> Api:
    return Api(request.param, speech_emulator)


@pytest.fixture(scope="module")
def speech() -> bytes:
    pcm, _ = phrase_audio(["Good morning.", "Hello world."], gap_ms=(800, 800), seed=11)
    return wav(pcm)


def _fast_requests(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.requests if r.path.endswith("transcriptions:transcribe")]


def test_transcribe_returns_the_fast_transcription_phrase_model(
    api: Api, speech: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "meeting.wav"
    path.write_bytes(speech)
    result = api(lambda c: c.llm.transcribe(path))
    assert isinstance(result, TranscriptionResult)
    assert [p.text for p in result.phrases] == ["Good morning.", "Hello world."]
    assert result.text == "Good morning. Hello world."
    assert all(p.confidence == 0 and p.locale == "en-us" for p in result.phrases)
    assert result.phrases[0].words and result.phrases[0].words[0].text == "Good"
    assert result.phrases[1].offset > result.phrases[0].offset


def test_the_prompt_and_model_options_reach_the_model(api: Api, speech: bytes) -> None:
    result = api(
        lambda c: c.llm.transcribe(
            speech,
            prompt="Output must be in lexical format.",
            timestamps="segment",
            style="verbatim",
            model="emulated-llm",
        )
    )
    assert [p.text for p in result.phrases] == ["good morning", "hello world"]
    assert all(p.words == [] for p in result.phrases)  # segment timestamps: no words


def test_translate_into_a_target_language(api: Api, speech: bytes) -> None:
    result = api(lambda c: c.llm.translate(speech, target_language="de", profanity="masked"))
    assert [p.text for p in result.phrases] == ["Guten Morgen.", "[de] Hello world."]
    assert all(p.locale == "de" and p.words == [] and p.speaker is None for p in result.phrases)
    assert result.combined_phrases[0].text == "Guten Morgen. [de] Hello world."


def test_enhanced_mode_on_fast_transcription(api: Api, speech: bytes) -> None:
    mode = enhanced_mode("translate", target_language="fr", prompt=["Keep names as spoken."])
    assert mode.to_wire() == {
        "enabled": True,
        "task": "translate",
        "targetLanguage": "fr",
        "prompt": ["Keep names as spoken."],
    }
    result = api(
        lambda c: c.stt.transcribe(speech, extra_definition={"enhancedMode": mode.to_wire()})
    )
    assert result.phrases[0].text == "Bonjour."


def test_bad_input_is_refused_before_sending(api: Api, speech: bytes) -> None:
    cases: list[tuple[Callable[[Any], Any], str]] = [
        (lambda c: c.llm.translate(speech, target_language=""), "target_language"),
        (lambda c: c.llm.translate(speech, target_language="German"), "target_language"),
        (lambda c: c.llm.transcribe(speech, prompt=["ok", ""]), "prompt"),
        (lambda c: c.llm.transcribe(speech, prompt="x" * 4097), "prompt"),
        (lambda c: c.llm.transcribe(speech, timestamps="phoneme"), "timestamps"),
        (lambda c: c.llm.transcribe(speech, style="fancy"), "style"),
        (lambda c: c.llm.transcribe(speech, model=""), "model"),
        (lambda c: c.llm.transcribe(speech, diarization=40), "diarization"),
        (lambda c: c.llm.transcribe(speech, channels=[2]), "channels"),
        (lambda c: c.llm.transcribe(), "audio"),
        (lambda c: c.llm.transcribe(speech, audio_url="https://x/a.wav"), "either audio"),
        (lambda c: c.llm.transcribe(b""), "empty"),
    ]
    api.emulator.state.clear_log()
    for call, field in cases:
        with pytest.raises((InvalidRequestError, ValueError), match=field):
            api(call)
    with pytest.raises(InvalidRequestError, match="target_language applies"):
        enhanced_mode("transcribe", target_language="de")
    with pytest.raises(InvalidRequestError, match="task"):
        enhanced_mode("summarize")
    assert _fast_requests(api.emulator) == []  # nothing was sent


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ({"task": "translate"}, "targetLanguage is required"),
        ({"task": "summarize"}, "task must be"),
        ({"task": "transcribe", "temperature": 0.2}, "unknown member 'temperature'"),
        ({"modelOptions": {"timestamps": "phoneme"}}, "timestamps must be one of"),
    ],
)
def test_the_emulator_refuses_an_enhanced_mode_the_spec_does_not_allow(
    api: Api, speech: bytes, mode: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message) as info:
        api(lambda c: c.stt.transcribe(speech, extra_definition={"enhancedMode": mode}))
    assert info.value.status_code == 400


def test_translation_with_diarization_is_refused_by_the_service_too(
    api: Api, speech: bytes
) -> None:
    mode = {"task": "translate", "targetLanguage": "es"}
    with pytest.raises(InvalidRequestError, match="Diarization") as info:
        api(
            lambda c: c.stt.transcribe(
                speech, diarization=True, extra_definition={"enhancedMode": mode}
            )
        )
    assert info.value.status_code == 400


def test_the_guide_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    example = Path(__file__).resolve().parents[1] / "examples" / "guide_custom_speech.py"
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert "dataset: Succeeded 2 utterances" in out
    assert "recognized with the custom endpoint: Good morning." in out
    assert "LLM translate to de: [de] Hello world." in out

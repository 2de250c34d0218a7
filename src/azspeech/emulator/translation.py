"""Speech translation on the recognition WebSocket, with translated speech on request.

A turn whose ``speech.context`` has a ``translation`` section (or, on the
legacy ``/speech/translation/cognitiveservices/v1`` path, a ``to`` query
parameter) gets ``translation.hypothesis`` and ``translation.phrase`` instead
of the ``speech.*`` results, with the translations nested under
``Translation`` the way the SDKs read them. The "translation" is deterministic
and marks its language: ``"[de] Good morning."``; a few common phrases have
real translations so demos read naturally. ``event`` messages
(``updateLanguage``) change the targets for the following results.

When the context asks for synthesis (``translation.onSuccess.action`` =
``Synthesize``, or ``features``/``voice`` in the query), each translated final
is followed by ``translation.synthesis`` audio (a 16 kHz 16-bit mono WAV of
the tone-coded translation, header in the first chunk) and
``translation.synthesis.end``. The speech is in the first target that
``synthesis.defaultVoices`` gives a voice (else the first target).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from ..audio.formats import wav_header
from .auth import guard_ws
from .state import EmulatorState
from .stt_ws import SttSession, TurnHandler
from .wsbase import Channel

__all__ = ["TranslationHandler", "routes", "translate", "turn_handler"]

_PHRASES: dict[str, dict[str, str]] = {
    "good morning.": {"de": "Guten Morgen.", "fr": "Bonjour.", "es": "Buenos días."},
    "hello.": {"de": "Hallo.", "fr": "Bonjour.", "es": "Hola."},
    "thank you.": {"de": "Danke.", "fr": "Merci.", "es": "Gracias."},
    "see you tomorrow.": {"de": "Bis morgen.", "fr": "À demain.", "es": "Hasta mañana."},
}


def translate(text: str, language: str) -> str:
    """The emulator's deterministic translation of *text* into *language*."""
    known = _PHRASES.get(text.strip().lower(), {}).get(language.split("-")[0].lower())
    return known if known is not None else f"[{language}] {text}"


def _targets(context: Mapping[str, Any], query: Mapping[str, str]) -> list[str] | None:
    section = context.get("translation")
    if isinstance(section, Mapping):
        langs = section.get("targetLanguages")
        if isinstance(langs, list):
            return [str(x) for x in langs]
    legacy = context.get("translationcontext")
    if isinstance(legacy, Mapping) and isinstance(legacy.get("to"), list):
        return [str(x) for x in legacy["to"]]
    to = query.get("to")
    if to:
        return [x for x in to.split(",") if x]
    return None


def _wants_audio(context: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    section = context.get("translation")
    if isinstance(section, Mapping):
        action = section.get("onSuccess")
        if isinstance(action, Mapping) and str(action.get("action", "")).lower() == "synthesize":
            return True
    return bool(query.get("voice")) or query.get("features", "").lower() in (
        "requirevoice",
        "texttospeech",
    )


def _voices(section: Any) -> dict[str, str]:
    """``synthesis.defaultVoices`` (target language -> voice) of a context or event body."""
    synth = section.get("synthesis") if isinstance(section, Mapping) else None
    voices = synth.get("defaultVoices") if isinstance(synth, Mapping) else None
    return {str(k): str(v) for k, v in voices.items()} if isinstance(voices, Mapping) else {}


def _wav(pcm: bytes, rate: int = 16000) -> bytes:
    return wav_header(rate, data_size=len(pcm)) + pcm


class TranslationHandler(TurnHandler):
    """Turns recognition results into translation results for *targets*."""

    def __init__(
        self, targets: list[str], synthesize: bool = False, voices: Mapping[str, str] | None = None
    ) -> None:
        self.targets = targets
        self.synthesize = synthesize
        self.voices = dict(voices or {})

    def spoken_language(self) -> str | None:
        """The target the translated speech is in: the first with a voice, else the first."""
        voiced = [t for t in self.targets if t in self.voices] or self.targets
        return voiced[0] if voiced else None

    def _audio(self, text: str) -> list[Any]:
        """Translated speech of the first target: audio chunks, then the end message."""
        from .engines import tones

        wav = _wav(tones.encode(text, 16000, tail_ms=100).pcm16())
        chunk = 8192
        out: list[Any] = [
            ("translation.synthesis", wav[i : i + chunk], {"Content-Type": "audio/x-wav"})
            if i == 0
            else ("translation.synthesis", wav[i : i + chunk], {})
            for i in range(0, len(wav), chunk)
        ]
        out.append(("translation.synthesis.end", {"SynthesisStatus": "Success"}))
        return out

    def event(self, body: Any) -> None:
        if isinstance(body, Mapping) and body.get("name") == "updateLanguage":
            to = body.get("to")
            if isinstance(to, list):
                self.targets = [str(x) for x in to]
            if _voices(body):
                self.voices = _voices(body)

    def _translation(self, text: str) -> dict[str, Any]:
        return {
            "TranslationStatus": "Success",
            "Translations": [
                {"Language": lang, "Text": translate(text, lang)} for lang in self.targets
            ],
        }

    def hypothesis(self, body: dict[str, Any]) -> list[Any]:
        out = dict(body)
        out["Translation"] = self._translation(str(body.get("Text", "")))
        return [("translation.hypothesis", out)]

    def phrase(self, body: dict[str, Any]) -> list[Any]:
        status = body.get("RecognitionStatus")
        if status == "EndOfDictation":
            return [("speech.phrase", body)]  # end-of-audio acknowledgement, not a result
        out: dict[str, Any] = {
            "RecognitionStatus": status,
            "Offset": body.get("Offset", 0),
            "Duration": body.get("Duration", 0),
        }
        for key in ("PrimaryLanguage", "SpeakerId"):
            if key in body:
                out[key] = body[key]
        if status == "Success":
            text = body.get("DisplayText")
            if text is None and body.get("NBest"):
                text = body["NBest"][0].get("Display", "")
            out["Text"] = text or ""
            out["Translation"] = self._translation(out["Text"])
            language = self.spoken_language()
            if self.synthesize and language is not None:
                spoken = translate(out["Text"], language)
                return [("translation.phrase", out), *self._audio(spoken)]
        return [("translation.phrase", out)]


def turn_handler(context: Mapping[str, Any], query: Mapping[str, str]) -> TurnHandler | None:
    """The translation handler of a recognition turn that asks for target languages, else None.

    The app registers it (:func:`~azspeech.emulator.stt_ws.register_turn_handler`).
    """
    targets = _targets(context, query)
    if not targets:
        return None
    return TranslationHandler(targets, _wants_audio(context, query), _voices(context))


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The legacy translation path (translation on the universal path is :func:`turn_handler`)."""

    async def legacy(websocket: WebSocket) -> None:
        accepted, faults = await guard_ws(state, websocket)
        if not accepted:
            return
        async with Channel.open(state, websocket, "translation", faults) as ch:
            scenario = websocket.query_params.get("scenario") or None
            await SttSession(state, ch, scenario).run()

    return [
        WebSocketRoute("/speech/translation/cognitiveservices/v1", legacy),
        WebSocketRoute("/stt/speech/translation/cognitiveservices/v1", legacy),
    ]

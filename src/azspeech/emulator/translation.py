"""Speech translation on the recognition WebSocket (text results; no translated audio yet).

A turn whose ``speech.context`` has a ``translation`` section (or, on the
legacy ``/speech/translation/cognitiveservices/v1`` path, a ``to`` query
parameter) gets ``translation.hypothesis`` and ``translation.phrase`` instead
of the ``speech.*`` results, with the translations nested under
``Translation`` the way the SDKs read them. The "translation" is deterministic
and marks its language: ``"[de] Good morning."``; a few common phrases have
real translations so demos read naturally. ``event`` messages
(``updateLanguage``) change the targets for the following results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from .auth import guard_ws
from .state import EmulatorState
from .stt_ws import SttSession, TurnHandler, register_turn_handler
from .wsbase import Channel

__all__ = ["TranslationHandler", "routes", "translate"]

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


class TranslationHandler(TurnHandler):
    """Turns recognition results into translation results for *targets*."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets

    def event(self, body: Any) -> None:
        if isinstance(body, Mapping) and body.get("name") == "updateLanguage":
            to = body.get("to")
            if isinstance(to, list):
                self.targets = [str(x) for x in to]

    def _translation(self, text: str) -> dict[str, Any]:
        return {
            "TranslationStatus": "Success",
            "Translations": [
                {"Language": lang, "Text": translate(text, lang)} for lang in self.targets
            ],
        }

    def hypothesis(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        out = dict(body)
        out["Translation"] = self._translation(str(body.get("Text", "")))
        return [("translation.hypothesis", out)]

    def phrase(self, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
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
        return [("translation.phrase", out)]


def _factory(context: Mapping[str, Any], query: Mapping[str, str]) -> TurnHandler | None:
    targets = _targets(context, query)
    return TranslationHandler(targets) if targets else None


def routes(state: EmulatorState) -> list[BaseRoute]:
    """Register the translation turn handler; serve the legacy translation path."""
    register_turn_handler(state, _factory)

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

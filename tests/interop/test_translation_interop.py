"""The official SDK's TranslationRecognizer and azspeech's translation agree on the emulator.

Microsoft's SDK (two targets) runs against the emulator and must pass on its
own terms (translated finals, partials with both languages, the whole audio
acknowledged); then azspeech translates the same audio and must report the
same source texts, translations, offsets and durations, and ask the service
for the same translation in ``speech.context``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from azspeech import SpeechClient
from azspeech.models.translation import Translated, Translating

from .conftest import KEY
from .harness import run_sdk, tone_wav

#: Allowed difference between two reported offsets/durations (40 ms), as in the STT interop.
TOL = 400_000
TEXT = "Good morning. See you tomorrow. Nice weather."


def _events(out: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in out["events"] if e["event"] == name]


def _contexts(emulator: Any) -> list[dict[str, Any]]:
    return [m.json() for s in emulator.log for m in s.received("speech.context")]


def test_official_translation_recognizer_and_azspeech_agree(emulator: Any, tmp_path: Path) -> None:
    audio = tone_wav(tmp_path / "a.wav", TEXT)
    out = run_sdk("translate", emulator.url, KEY, wav=str(audio.path), targets=["de", "fr"])
    assert not out["timed_out"], "no session_stopped from the official SDK"
    assert not [e for e in out["events"] if "handler_error" in e]
    assert all(c["reason"] == "EndOfStream" for c in _events(out, "canceled"))
    sdk_finals = [e for e in _events(out, "recognized") if e["reason"] == "TranslatedSpeech"]
    assert len(sdk_finals) == 3
    sdk_partials = _events(out, "recognizing")
    assert sdk_partials and all(set(p["translations"]) == {"de", "fr"} for p in sdk_partials)
    sdk_context = _contexts(emulator)[0]

    emulator.reset()
    client = SpeechClient(key=KEY, endpoint=emulator.url, max_retries=0)
    with client, client.translation.connect(target_languages=["de", "fr"]) as session:
        session.send_file(audio.path)
        events = list(session)
    ours = [e.result for e in events if isinstance(e, Translated)]
    assert any(isinstance(e, Translating) for e in events)

    assert [r.text for r in ours] == [f["text"] for f in sdk_finals]
    assert [r.translations for r in ours] == [f["translations"] for f in sdk_finals]
    assert ours[0].translations == {"de": "Guten Morgen.", "fr": "Bonjour."}
    for r, f in zip(ours, sdk_finals, strict=True):
        assert abs(r.offset_ticks - f["offset"]) <= TOL, (r, f)
        assert abs(r.duration_ticks - f["duration"]) <= TOL, (r, f)

    our_context = _contexts(emulator)[0]
    assert (
        our_context["translation"]["targetLanguages"]
        == sdk_context["translation"]["targetLanguages"]
    )
    for key in ("onSuccess", "onInterim"):
        assert our_context["phraseDetection"][key] == sdk_context["phraseDetection"][key]
    assert our_context["phraseDetection"]["language"] == sdk_context["phraseDetection"]["language"]

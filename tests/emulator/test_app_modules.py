"""The emulator's feature modules fail loudly, and a missing extra says how to install it."""

from __future__ import annotations

import sys

import pytest
from starlette.routing import BaseRoute

from azspeech.emulator import Emulator, EmulatorState, app, pronunciation, translation


def _paths(routes: list[BaseRoute]) -> set[str]:
    return {getattr(r, "path", "") for r in routes}


def test_every_feature_module_is_real_and_contributes() -> None:
    import importlib

    for name in app.FEATURE_MODULES:  # no phantom entries
        importlib.import_module(f"azspeech.emulator.{name}")
    paths = _paths(app.feature_routes(EmulatorState()))
    assert "/cognitiveservices/websocket/v1" in paths  # tts
    assert any(p.startswith("/texttospeech/batchsyntheses") for p in paths)  # batch synthesis
    assert "/speech/translation/cognitiveservices/v1" in paths  # translation (legacy path)


def test_turn_handlers_are_registered_by_the_app_not_by_routes() -> None:
    state = EmulatorState()
    translation.routes(state)
    assert state.turn_handlers == []  # building routes has no side effect
    app.create_app(state)
    assert state.turn_handlers == [
        translation.turn_handler,
        pronunciation.turn_handler,
    ]


def test_a_broken_feature_module_fails_the_app_instead_of_becoming_404s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(state: EmulatorState) -> list[BaseRoute]:
        raise RuntimeError("translation module is broken")

    monkeypatch.setattr(translation, "routes", broken)
    with pytest.raises(RuntimeError, match="translation module is broken"):
        app.create_app(EmulatorState())


def test_a_broken_import_in_a_feature_module_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azspeech.emulator as package

    for name in ("app", "translation"):  # imported afresh, with one of its imports broken
        monkeypatch.delitem(sys.modules, f"azspeech.emulator.{name}")
        monkeypatch.delattr(package, name)
    monkeypatch.setitem(sys.modules, "azspeech.emulator.wsbase", None)
    with pytest.raises(ImportError, match="wsbase") as info:
        Emulator().start()
    assert "pip install" not in str(info.value)  # not mistaken for a missing extra


def test_start_without_the_extra_raises_import_error_with_the_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "azspeech.emulator.app")
    monkeypatch.setitem(sys.modules, "starlette.applications", None)
    with pytest.raises(ImportError, match=r"pip install 'azspeech\[emulator\]'"):
        Emulator().start()

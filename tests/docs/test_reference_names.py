"""The API reference shows every public name of the modules its pages render.

mkdocstrings renders a module's members from what griffe reads in the source, and leaves out a
member without a docstring (``show_if_no_docstring: false``): a constant documented by a ``#:``
comment (``VIDEO_MIME_TYPE`` was one) is missing from its reference page although it is in
``__all__``. This checks, without building the site, that each name in ``__all__`` of the modules
these reference pages render has a docstring griffe sees.
"""

from __future__ import annotations

import importlib
import re

import pytest

from .snippets import ROOT

_PAGES = tuple(sorted(p.name for p in (ROOT / "docs" / "reference").glob("*.md")))


def _documented_modules() -> list[str]:
    modules: list[str] = []
    for page in _PAGES:
        text = (ROOT / "docs" / "reference" / page).read_text(encoding="utf-8")
        for target in re.findall(r"^::: ([\w.]+)$", text, flags=re.MULTILINE):
            try:  # modules; a class page (SpeechClient...) documents the class itself
                importlib.import_module(target)
            except ImportError:
                continue
            modules.append(target)
    return modules


def test_the_reference_pages_render_the_voice_live_and_avatar_modules() -> None:
    modules = _documented_modules()
    assert "azspeech.voice_live" in modules and "azspeech.avatar" in modules


@pytest.mark.parametrize("module_name", _documented_modules())
def test_every_public_name_has_a_docstring_the_reference_shows(module_name: str) -> None:
    griffe = pytest.importorskip("griffe")
    loader = griffe.GriffeLoader(search_paths=[str(ROOT / "src")])
    package = loader.load("azspeech")
    loader.resolve_aliases(implicit=False, external=False)
    module = (
        package if module_name == "azspeech" else package[module_name.removeprefix("azspeech.")]
    )
    public = getattr(importlib.import_module(module_name), "__all__", [])
    assert public, f"{module_name} has no __all__"
    shown = [name for name in public if not name.startswith("_")]  # as the reference filters
    undocumented = [
        name
        for name in shown
        if module[name].docstring is None or not module[name].docstring.value.strip()
    ]
    assert undocumented == [], f"{module_name}: not on its reference page: {undocumented}"


def test_the_new_voice_live_names_are_public() -> None:
    voice_live = importlib.import_module("azspeech.voice_live")
    for name in ("ResponseVideoDelta", "VIDEO_MIME_TYPE", "AvatarConfig", "GA_API_VERSION"):
        assert name in voice_live.__all__
    assert voice_live.VIDEO_MIME_TYPE.startswith("video/mp4")
    fields = voice_live.AvatarConfig.model_fields
    assert {"output_protocol", "output_audit_audio", "video", "scene"} <= fields.keys()

"""The clients live in small modules; every import path users and the package use still works."""

from __future__ import annotations

import importlib
import inspect

import azspeech
from azspeech import _async_client, _blocking_client, _client


def test_every_import_path_gives_the_same_clients() -> None:
    assert _client.SpeechClient is azspeech.SpeechClient is _blocking_client.SpeechClient
    assert _client.AsyncSpeechClient is azspeech.AsyncSpeechClient
    assert _client.AsyncSpeechClient is _async_client.AsyncSpeechClient
    assert set(_client.__all__) == {"AsyncSpeechClient", "SpeechClient"}


def test_the_client_modules_stay_small() -> None:
    for name in ("_client", "_client_base", "_async_client", "_blocking_client"):
        source = inspect.getsource(importlib.import_module(f"azspeech.{name}"))
        assert len(source.splitlines()) < 600, name

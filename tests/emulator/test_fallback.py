"""azure_or_emulator(): the configured service when the environment names one, else an emulator."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from azspeech.emulator import (
    Emulator,
    async_azure_or_emulator,
    azure_configured,
    azure_or_emulator,
)

_VARS = ("AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION", "AZURE_SPEECH_ENDPOINT")


@pytest.fixture
def no_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((parts.hostname or "", parts.port or 80)) == 0


def test_without_azure_settings_an_emulator_serves_the_block_and_stops(
    no_azure: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not azure_configured()
    with azure_or_emulator() as client:
        url = client.endpoints.rest("/")
        assert urlsplit(url).hostname == "127.0.0.1" and _listening(url)
        assert client.tts.synthesize("Hello there.").duration.total_seconds() > 0.3
    assert not _listening(url)
    captured = capsys.readouterr()
    assert "using the bundled emulator" in captured.err and captured.out == ""


@pytest.mark.parametrize("where", ["AZURE_SPEECH_ENDPOINT", "AZURE_SPEECH_REGION"])
def test_a_key_without_region_or_endpoint_is_not_a_configuration(
    no_azure: None, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("AZURE_SPEECH_KEY", "k")
    assert not azure_configured()
    monkeypatch.setenv(where, "westeurope" if where.endswith("REGION") else "http://127.0.0.1:9")
    assert azure_configured()


def test_with_azure_settings_the_configured_service_is_used(
    no_azure: None,
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the "configured service" here is the session's emulator, named by the environment
    monkeypatch.setenv("AZURE_SPEECH_KEY", emulator.key)
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", emulator.url)
    before = len(emulator.log)
    with azure_or_emulator() as client:
        client.tts.synthesize("Hello there.")
    assert len(emulator.log) == before + 1
    assert "bundled emulator" not in capsys.readouterr().err


async def test_the_async_twin(
    no_azure: None,
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with async_azure_or_emulator() as client:
        assert (await client.tts.synthesize("Hello there.")).duration.total_seconds() > 0.3
    assert "using the bundled emulator" in capsys.readouterr().err
    monkeypatch.setenv("AZURE_SPEECH_KEY", emulator.key)
    monkeypatch.setenv("AZURE_SPEECH_ENDPOINT", emulator.url)
    before = len(emulator.log)
    async with async_azure_or_emulator(announce=False) as client:
        await client.tts.synthesize("Hello there.")
    assert len(emulator.log) == before + 1

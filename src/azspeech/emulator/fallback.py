"""Azure when it is configured, the bundled emulator otherwise: for demos and examples.

``with azure_or_emulator() as client:`` gives a :class:`~azspeech.SpeechClient`
for Azure when ``AZURE_SPEECH_KEY`` and ``AZURE_SPEECH_REGION`` (or
``AZURE_SPEECH_ENDPOINT``) are set, as ``SpeechClient()`` reads them, and
otherwise one for an :class:`~azspeech.emulator.Emulator` started for the
block and stopped after it. :func:`async_azure_or_emulator` is the async twin.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import AsyncSpeechClient, SpeechClient

__all__ = ["async_azure_or_emulator", "azure_configured", "azure_or_emulator"]

_NOTICE = "(no AZURE_SPEECH_KEY/AZURE_SPEECH_REGION: using the bundled emulator)"


def azure_configured() -> bool:
    """Whether the environment names an Azure Speech resource: a key and a region or endpoint."""
    env = os.environ
    return bool(env.get("AZURE_SPEECH_KEY")) and bool(
        env.get("AZURE_SPEECH_REGION") or env.get("AZURE_SPEECH_ENDPOINT")
    )


@contextlib.contextmanager
def azure_or_emulator(*, announce: bool = True) -> Iterator[SpeechClient]:
    """A client for Azure if :func:`azure_configured`, else for a bundled emulator.

    With *announce* (default) the emulator's use is said on standard error.
    """
    from .. import SpeechClient
    from . import Emulator

    if azure_configured():
        with SpeechClient() as client:
            yield client
        return
    if announce:
        print(_NOTICE, file=sys.stderr)
    with Emulator() as emulator, emulator.client() as client:
        yield client


@contextlib.asynccontextmanager
async def async_azure_or_emulator(*, announce: bool = True) -> AsyncIterator[AsyncSpeechClient]:
    """The async twin of :func:`azure_or_emulator`."""
    from .. import AsyncSpeechClient
    from . import Emulator

    if azure_configured():
        async with AsyncSpeechClient() as client:
            yield client
        return
    if announce:
        print(_NOTICE, file=sys.stderr)
    async with Emulator() as emulator, emulator.async_client() as client:
        yield client

"""The two entry points: :class:`SpeechClient` (blocking) and :class:`AsyncSpeechClient`.

Both take the same keyword-only options and hang the feature resources
(``.stt``, ``.tts``...) off one object, the way openai-python does. The
blocking client does REST calls with a blocking httpx client; its streaming
sessions run the async implementation on a private event loop
(:class:`~azspeech._transport.portal.Portal`), so that logic exists once.

The code lives in :mod:`azspeech._client_base` (what both share),
:mod:`azspeech._async_client` and :mod:`azspeech._blocking_client`; this
module is where the rest of the package imports the clients from.
"""

from __future__ import annotations

from ._async_client import AsyncSpeechClient
from ._blocking_client import SpeechClient

__all__ = ["AsyncSpeechClient", "SpeechClient"]

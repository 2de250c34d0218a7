"""azspeech: a pure-Python, asyncio-first client SDK for Azure Speech.

>>> from azspeech import SpeechClient
>>> client = SpeechClient(region="westeurope")        # key from AZURE_SPEECH_KEY
>>> audio = client.tts.synthesize("Hello & welcome")   # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .endpoints import Cloud, Endpoints
from .errors import (
    AudioError,
    AuthenticationError,
    CanceledError,
    ConfigurationError,
    ConflictError,
    ConnectionClosedError,
    ConnectionError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechError,
    StreamClosedError,
    TimeoutError,
)

__all__ = [
    "AsyncSpeechClient",
    "AudioError",
    "AuthenticationError",
    "CanceledError",
    "Cloud",
    "ConfigurationError",
    "ConflictError",
    "ConnectionClosedError",
    "ConnectionError",
    "Endpoints",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "ServiceError",
    "SpeechClient",
    "SpeechError",
    "StreamClosedError",
    "TimeoutError",
    "__version__",
]

if TYPE_CHECKING:
    from ._client import AsyncSpeechClient, SpeechClient

# The clients pull in httpx and asyncio; load them on first use so that
# ``import azspeech`` (and the errors, endpoints, the CLI's --help) stays quick.
_LAZY = {"AsyncSpeechClient": "._client", "SpeechClient": "._client"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'azspeech' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

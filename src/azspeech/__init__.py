"""azspeech: a pure-Python, asyncio-first client SDK for Azure Speech.

>>> from azspeech import SpeechClient
>>> client = SpeechClient(region="westeurope")        # key from AZURE_SPEECH_KEY
>>> audio = client.tts.synthesize("Hello & welcome")   # doctest: +SKIP
"""

from ._client import AsyncSpeechClient, SpeechClient
from ._protocol.close_codes import ConnectionClosedError
from ._version import __version__
from .endpoints import Cloud, Endpoints
from .errors import (
    AudioError,
    AuthenticationError,
    CanceledError,
    ConfigurationError,
    ConnectionError,
    InvalidRequestError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServiceError,
    SpeechError,
    TimeoutError,
)

__all__ = [
    "AsyncSpeechClient",
    "AudioError",
    "AuthenticationError",
    "CanceledError",
    "Cloud",
    "ConfigurationError",
    "ConnectionClosedError",
    "ConnectionError",
    "Endpoints",
    "InvalidRequestError",
    "NotFoundError",
    "ProtocolError",
    "RateLimitError",
    "ServiceError",
    "SpeechClient",
    "SpeechError",
    "TimeoutError",
    "__version__",
]

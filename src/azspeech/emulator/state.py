"""What one emulator instance knows: its key, issued tokens, faults, script and log."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .faults import Faults

if TYPE_CHECKING:
    from .engines.base import SttEngine
    from .stt_ws import TurnHandlerFactory

__all__ = ["EmulatorState", "LoggedMessage", "RequestLog", "Script", "SessionLog"]

TOKEN_LIFETIME_S = 600.0

#: Set by :mod:`azspeech.emulator.workers` before it forks: worker processes sign the
#: tokens they issue with this key, so that a token from one worker opens the others.
SHARED_TOKEN_KEY: bytes | None = None

logger = logging.getLogger("azspeech.emulator")


class _ErrorList(list[str]):
    """A list of problems that also goes to the ``azspeech.emulator`` logger."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self._where = where

    def append(self, item: str) -> None:
        logger.info("%s: %s", self._where, item)
        super().append(item)


@dataclass
class LoggedMessage:
    """One WebSocket message as the emulator saw it.

    ``direction`` is ``"in"`` (from the client) or ``"out"``. Audio payloads
    are not kept (only their ``size``), except the first audio message of a
    turn (the WAV header).
    """

    direction: str
    path: str
    headers: dict[str, str]
    body: bytes
    size: int
    binary: bool
    time: float

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


@dataclass
class SessionLog:
    """Everything about one WebSocket session: its URL, headers, messages, errors, close.

    Client audio chunks are only counted (``audio_chunks``/``audio_bytes``);
    the RIFF header and the empty end-of-audio message of each turn are kept
    in ``messages`` with the rest.
    """

    kind: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    started: float = field(default_factory=time.time)
    messages: list[LoggedMessage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: things the service tolerates but a well-behaved client does not do
    warnings: list[str] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    closed_by: str | None = None
    max_messages: int = 5_000
    #: audio messages with a payload that is not a RIFF header (counted, not kept)
    audio_chunks: int = 0
    audio_bytes: int = 0

    def __post_init__(self) -> None:
        self.errors = _ErrorList(f"{self.kind} session {self.path}")

    def add(self, msg: LoggedMessage) -> None:
        """Record a message (the oldest go first beyond ``max_messages``)."""
        if len(self.messages) >= self.max_messages:
            del self.messages[: self.max_messages // 10]
        self.messages.append(msg)

    def received(self, path: str | None = None) -> list[LoggedMessage]:
        """Messages from the client (optionally only those with *path*)."""
        return [
            m
            for m in self.messages
            if m.direction == "in" and (path is None or m.path.lower() == path.lower())
        ]

    def sent(self, path: str | None = None) -> list[LoggedMessage]:
        """Messages the emulator sent (optionally only those with *path*)."""
        return [
            m
            for m in self.messages
            if m.direction == "out" and (path is None or m.path.lower() == path.lower())
        ]

    def paths(self, direction: str = "out") -> list[str]:
        """The paths of the messages in *direction*, in order."""
        return [m.path for m in self.messages if m.direction == direction]


@dataclass
class RequestLog:
    """One HTTP request the emulator answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    body_size: int = 0
    time: float = field(default_factory=time.time)
    error: str | None = None


class Script:
    """Texts the recognizer reports, in order, for speech it cannot decode as tones."""

    def __init__(self) -> None:
        self._items: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()

    def set(self, texts: Iterable[str]) -> None:
        """Replace the script."""
        with self._lock:
            self._items = collections.deque(texts)

    def pop(self) -> str | None:
        """The next text, or None when the script is used up."""
        with self._lock:
            return self._items.popleft() if self._items else None

    def peek(self) -> str | None:
        """The next text without using it."""
        with self._lock:
            return self._items[0] if self._items else None

    def __len__(self) -> int:
        return len(self._items)


class EmulatorState:
    """Shared configuration and bookkeeping of one emulator.

    Args:
        key: the only accepted resource key; ``None`` accepts any non-empty key.
        allow_anonymous: also accept requests with no credentials at all.
        engine: the speech-to-text engine (name or instance); default ``tones``.
        region: the region name reported in tokens.
        max_log: how many sessions and requests the log keeps.
        max_connection_seconds: close WebSockets older than this (code 1001),
            as the service does after about ten minutes; None = never.
        idle_timeout_seconds: close WebSockets silent in both directions for this
            long (code 1001; the service uses 180 s); None = never.
        max_sessions: answer further WebSocket upgrades with 429 while this many
            sessions are open (the service's concurrency quota); None = no limit.
    """

    def __init__(
        self,
        *,
        key: str | None = None,
        allow_anonymous: bool = False,
        engine: str | SttEngine | None = None,
        region: str = "emulator",
        max_log: int = 1000,
        max_connection_seconds: float | None = None,
        idle_timeout_seconds: float | None = None,
        max_sessions: int | None = None,
    ) -> None:
        self.max_connection_seconds = max_connection_seconds
        self.idle_timeout_seconds = idle_timeout_seconds
        self.max_sessions = max_sessions
        self.key = key
        self.allow_anonymous = allow_anonymous
        self.region = region
        self.faults = Faults()
        self.script = Script()
        self.sessions: collections.deque[SessionLog] = collections.deque(maxlen=max_log)
        self.requests: collections.deque[RequestLog] = collections.deque(maxlen=max_log)
        #: messages each new session log keeps (``SessionLog.max_messages``)
        self.session_messages = SessionLog.max_messages
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()
        self._token_key = SHARED_TOKEN_KEY
        self.engine_name = engine if isinstance(engine, str) or engine is None else "custom"
        self._engine_spec = engine
        self._engine: SttEngine | None = None
        self.active_sessions = 0
        #: Factories that may take over a recognition turn's results, in order
        #: (see :func:`azspeech.emulator.stt_ws.register_turn_handler`).
        self.turn_handlers: list[TurnHandlerFactory] = []
        self.extra: dict[str, Any] = {}  # room for feature modules' state and knobs
        self.extra["stt_turn_handlers"] = self.turn_handlers  # its former place
        self.loop: asyncio.AbstractEventLoop | None = None

    # -- engine -----------------------------------------------------------------

    @property
    def engine(self) -> SttEngine:
        """The speech-to-text engine (created on first use)."""
        if self._engine is None:
            from .engines import make_engine

            self._engine = make_engine(self._engine_spec, self)
        return self._engine

    @property
    def speech_encoder(self) -> Callable[..., Any]:
        """What text to speech should speak with: ``encode(text, sample_rate, ...)``.

        The tone codec (:func:`.engines.tones.encode`) by default; espeak-ng
        (:func:`.engines.espeak.encode`, same signature and result) when the
        emulator runs a real recognizer (``engine="real"``/``"whisper"``) and
        espeak-ng is installed, so that a synthesize-and-transcribe round trip
        uses real speech end to end.
        """
        from .engines import tones

        if self.engine_name in ("real", "whisper"):
            try:
                from .engines import espeak

                if espeak.available():
                    return espeak.encode
            except Exception:  # pragma: no cover - optional dependency broken
                pass
        return tones.encode

    # -- tokens -----------------------------------------------------------------

    def issue_token(self, lifetime: float = TOKEN_LIFETIME_S) -> str:
        """A JWT-shaped STS token valid for *lifetime* seconds."""
        now = time.time()

        def b64(obj: dict[str, Any]) -> str:
            raw = json.dumps(obj, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        header = b64({"alg": "HS256", "typ": "JWT"})
        payload = b64(
            {
                "region": self.region,
                "subscription-id": "00000000000000000000000000000000",
                "product-id": "SpeechServices.S0",
                "azure-resource-id": "/subscriptions/0/resourceGroups/emulator/providers/"
                "Microsoft.CognitiveServices/accounts/emulator",
                "scope": "speechservices",
                "aud": "urn:ms.speechservices." + self.region,
                "exp": int(now + lifetime),
                "iss": "urn:ms.cognitiveservices",
                "jti": secrets.token_hex(8),
            }
        )
        if self._token_key is None:
            signature = secrets.token_urlsafe(32)
        else:
            signature = self._sign(f"{header}.{payload}")
        token = f"{header}.{payload}.{signature}"
        with self._lock:
            # forget expired tokens so the table stays small
            for old in [t for t, exp in self._tokens.items() if exp < now]:
                del self._tokens[old]
            self._tokens[token] = now + lifetime
        return token

    def token_valid(self, token: str) -> bool:
        """Whether *token* was issued here and has not expired."""
        with self._lock:
            exp = self._tokens.get(token)
        if exp is None and self._token_key is not None:
            exp = self._signed_expiry(token)  # issued by another worker process
        return exp is not None and exp > time.time()

    def _sign(self, signed: str) -> str:
        assert self._token_key is not None
        mac = hmac.new(self._token_key, signed.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def _signed_expiry(self, token: str) -> float | None:
        """The expiry of a token this emulator's key signed, else None."""
        signed, _, signature = token.rpartition(".")
        if not hmac.compare_digest(
            self._sign(signed).encode(), signature.encode("utf-8", "replace")
        ):
            return None
        try:
            claims = signed.split(".")[1]
            exp = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"]
        except (IndexError, ValueError, KeyError, TypeError):
            return None
        return float(exp) if isinstance(exp, (int, float)) else None

    def expire_tokens(self) -> None:
        """Make every issued token invalid (tests of token refresh)."""
        with self._lock:
            self._tokens.clear()
            if self._token_key is not None:  # signed tokens of this process die with its key
                self._token_key = secrets.token_bytes(32)

    def check_key(self, key: str) -> bool:
        """Whether *key* is accepted."""
        if not key:
            return False
        if self.key is None:
            return True
        return secrets.compare_digest(key.encode(), self.key.encode())

    # -- log ----------------------------------------------------------------------

    def new_session(
        self, kind: str, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> SessionLog:
        """Start the log of a WebSocket session."""
        log = SessionLog(
            kind=kind, path=path, query=query, headers=headers, max_messages=self.session_messages
        )
        self.sessions.append(log)
        return log

    def new_request(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> RequestLog:
        """Start the log of an HTTP request."""
        entry = RequestLog(method=method, path=path, query=query, headers=headers)
        self.requests.append(entry)
        return entry

    def clear_log(self) -> None:
        """Forget logged sessions and requests."""
        self.sessions.clear()
        self.requests.clear()

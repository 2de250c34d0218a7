"""One exception hierarchy for everything azspeech raises.

Every error carries what a caller needs to act on it or report it: the HTTP
status (when there was one), the request id the service returned, the
service's own error code and message, and a short excerpt of the body with
secrets removed.
"""

from __future__ import annotations

import builtins
import json
import logging
import math
import re
import threading
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AudioError",
    "AuthenticationError",
    "CanceledError",
    "ConfigurationError",
    "ConflictError",
    "ConnectionClosedError",
    "ConnectionError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "RateLimitError",
    "ServiceError",
    "SpeechError",
    "StreamClosedError",
    "TimeoutError",
    "redact",
]

_BODY_EXCERPT = 500

# Things that look like secrets in free text: subscription keys (32 hex or the
# newer 84-char base62 form), JWTs, bearer tokens and the aad# token wrapper.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=#:-]+"),
    re.compile(r"(?i)(ocp-apim-subscription-key[\"'=:\s]+)[A-Za-z0-9]+"),
    re.compile(r"(?i)(authorization[\"'=:\s]+)[^\s\"'&,]+"),
    re.compile(r"(?i)([?&](?:sig|se|sv|sp|sr|st|skoid|sktid|skt|ske|sks|skv)=)[^&\s\"']+"),
    re.compile(r"()eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(r"()aad#[^#\s]*#\S+"),
]

# Secrets seen so far (keys, tokens), newest last. Bounded: a long-running
# process refreshes tokens every few minutes, and old ones are long expired.
_MAX_REGISTERED = 256
_registered_secrets: dict[str, None] = {}
_registered_lock = threading.Lock()
_snapshot: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Remember a secret so that :func:`redact` removes it wherever it shows up."""
    global _snapshot
    if not value or len(value) < 8:
        return
    with _registered_lock:
        _registered_secrets.pop(value, None)
        _registered_secrets[value] = None
        while len(_registered_secrets) > _MAX_REGISTERED:
            del _registered_secrets[next(iter(_registered_secrets))]
        # Longest first, so that a secret containing another is removed whole.
        _snapshot = tuple(sorted(_registered_secrets, key=len, reverse=True))


def redact(text: str) -> str:
    """Return *text* with keys, tokens and SAS signatures replaced by ``***``."""
    for secret in _snapshot:  # an immutable snapshot: safe against concurrent registration
        if secret in text:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that removes secrets from records before any handler sees them.

    azspeech installs it on its own loggers and on httpx's (which logs full
    request URLs, SAS signatures included).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install_log_redaction(logger: logging.Logger) -> logging.Logger:
    """Attach the redacting filter to *logger* (once) and return it."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


class SpeechError(Exception):
    """Base class of every error azspeech raises.

    Attributes:
        message: what went wrong, in words.
        status_code: the HTTP status, when the error came from an HTTP answer.
        request_id: the id the service gave the request (``apim-request-id``,
            ``X-RequestId``), for support tickets.
        code: the service's own error code, when it sent one.
        body: an excerpt of the service's answer with secrets removed.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        body: str | None = None,
    ) -> None:
        self.message = redact(message)
        self.status_code = status_code
        self.request_id = request_id
        self.code = code
        # Redact before cutting: a cut through a secret would leave a piece of it.
        self.body = redact(body)[:_BODY_EXCERPT] if body else None
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments: rebuild from the attributes, so
        # errors survive pickling (multiprocessing, concurrent.futures).
        return (_rebuild_error, (type(self), self.__dict__.copy()))

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"status={self.status_code}")
        if self.code:
            parts.append(f"code={self.code}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " | ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(SpeechError, ValueError):
    """The client was configured wrongly (missing key, bad region, bad URL...)."""


class AuthenticationError(SpeechError):
    """The service refused the credentials (HTTP 401; 403 is the subclass below)."""


class PermissionDeniedError(AuthenticationError):
    """The credentials are valid but lack access to this resource or operation (HTTP 403)."""


class NotFoundError(SpeechError):
    """The resource asked for does not exist (HTTP 404)."""


class InvalidRequestError(SpeechError, ValueError):
    """The request is malformed: refused before sending, or by the service (HTTP 400, 413...)."""


class ConflictError(InvalidRequestError):
    """The request conflicts with the resource's state, e.g. an id already in use (HTTP 409)."""


class RateLimitError(SpeechError):
    """Too many requests (HTTP 429); ``retry_after`` says how long to wait, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServiceError(SpeechError):
    """The service failed (HTTP 5xx) or reported an internal error.

    ``retry_after``: the seconds the service asked to wait (a 503's
    ``Retry-After``), or None.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ConnectionError(SpeechError, builtins.ConnectionError):
    """The service could not be reached, or the connection broke.

    It is also a builtin :class:`ConnectionError` (an :class:`OSError`), so
    ``except ConnectionError:`` catches it with or without the import.
    """


class TimeoutError(ConnectionError, builtins.TimeoutError):
    """An operation took longer than its timeout (also a builtin :class:`TimeoutError`)."""


class ConnectionClosedError(ConnectionError):
    """The WebSocket closed; ``close_code`` and ``close_reason`` say how."""

    def __init__(self, message: str, *, close_code: int, close_reason: str) -> None:
        super().__init__(message, code=str(close_code))
        self.close_code = close_code
        self.close_reason = close_reason

    @property
    def transient(self) -> bool:
        """Whether reconnecting may help (the close code is one a client resumes after)."""
        from ._protocol.close_codes import is_transient

        return is_transient(self.close_code)


class StreamClosedError(SpeechError, RuntimeError):
    """Audio or text was sent to a session whose input is already closed."""


class ProtocolError(SpeechError):
    """The peer sent a message that breaks the protocol (malformed, oversized...)."""


class AudioError(SpeechError, ValueError):
    """Audio that cannot be read, decoded or converted."""


class CanceledError(SpeechError):
    """A streaming session was canceled by the service.

    ``reason`` is the cancellation reason (for example ``"Error"``) and ``code``
    the error code (for example ``"BadRequestParameters"``, ``"TooManyRequests"``).
    """

    def __init__(self, message: str, *, reason: str = "Error", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reason = reason


def _rebuild_error(cls: type[SpeechError], state: dict[str, Any]) -> SpeechError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


def _parse_error_body(body: str) -> tuple[str | None, str | None]:
    """Pull (code, message) out of the service's JSON error shapes, if it is JSON."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return None, None
    if not isinstance(data, Mapping):
        return None, None
    err = data.get("error", data)
    if not isinstance(err, Mapping):
        return None, str(err)
    code = err.get("code") or err.get("Code")
    message = err.get("message") or err.get("Message")
    inner = err.get("innererror") or err.get("innerError")
    if isinstance(inner, Mapping) and inner.get("code"):
        code = f"{code}/{inner['code']}" if code else inner["code"]
    return (str(code) if code is not None else None, str(message) if message else None)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    import datetime
    import email.utils
    import time

    lower = {k.lower(): v for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms is not None:
        try:
            seconds = float(ms.strip()) / 1000.0
        except ValueError:
            pass
        else:
            if math.isfinite(seconds):
                return max(0.0, seconds)
    value = lower.get("retry-after")
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive; HTTP dates are UTC
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - time.time())


_HINTS = {
    401: "check that the key or token belongs to this resource and its region or endpoint",
    403: "the credential is valid but lacks access: check the resource's role assignments, "
    "network rules and pricing tier",
    404: "check the region or endpoint, and the path or id asked for",
}


def error_from_response(
    status_code: int, headers: Mapping[str, str], body: str, *, what: str = "request"
) -> SpeechError:
    """Map an HTTP error answer to the matching :class:`SpeechError` subclass."""
    body = redact(body)  # before any excerpt is cut from it
    code, service_message = _parse_error_body(body)
    lower = {k.lower(): v for k, v in headers.items()}
    request_id = (
        lower.get("apim-request-id")
        or lower.get("x-requestid")
        or lower.get("x-request-id")
        or lower.get("x-ms-request-id")
    )
    if service_message:
        detail = service_message
    else:
        flat = " ".join(body.split())
        detail = (flat[:200] + ("..." if len(flat) > 200 else "")) if flat else "no details"
    message = f"{what} failed with HTTP {status_code}: {detail}"
    hint = _HINTS.get(status_code)
    if hint:
        message = f"{message} ({hint})"
    kw: dict[str, Any] = dict(status_code=status_code, request_id=request_id, code=code, body=body)
    if status_code == 401:
        return AuthenticationError(message, **kw)
    if status_code == 403:
        return PermissionDeniedError(message, **kw)
    if status_code == 409:
        return ConflictError(message, **kw)
    if status_code == 404:
        return NotFoundError(message, **kw)
    if status_code == 429:
        return RateLimitError(message, retry_after=parse_retry_after(headers), **kw)
    if status_code == 408:
        return TimeoutError(message, **kw)
    if 400 <= status_code < 500:
        return InvalidRequestError(message, **kw)
    return ServiceError(message, retry_after=parse_retry_after(headers), **kw)

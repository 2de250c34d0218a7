"""Receiving web hook callbacks: check the signature, answer the challenge, parse the event.

The service POSTs to the registered URL with ``X-MicrosoftSpeechServices-Event``
(the event kind: ``transcriptionCompletion``, ``ping``, ``challenge``...) and,
when the hook has a secret, ``X-MicrosoftSpeechServices-Signature``: the
base64 HMAC-SHA256 of the raw body with the secret as key. The body is the
entity the event is about (a transcription, or the web hook for ``ping``).

Use it in any web framework::

    event = parse_webhook(raw_body, request.headers, secret=SECRET)
    if event.kind == "transcriptionCompletion":
        job = event.transcription
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._paging import validate
from ..errors import SpeechError
from ..models.batch import BatchTranscription, WebHook

__all__ = [
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "WebhookEvent",
    "WebhookVerificationError",
    "challenge_response",
    "parse_webhook",
    "sign_payload",
]

EVENT_HEADER = "X-MicrosoftSpeechServices-Event"
SIGNATURE_HEADER = "X-MicrosoftSpeechServices-Signature"
MAX_CALLBACK_BYTES = 16 * 1024 * 1024


class WebhookVerificationError(SpeechError, ValueError):
    """A callback whose signature is missing or wrong, or that is not a web hook callback."""


def sign_payload(body: bytes, secret: str) -> str:
    """The signature the service puts on *body*: base64 of HMAC-SHA256(secret, body)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def challenge_response(query: Mapping[str, str]) -> str | None:
    """The body to answer a ``challenge`` callback with (its ``validationToken``), or None."""
    token = query.get("validationToken")
    return token if isinstance(token, str) and token else None


@dataclass(frozen=True)
class WebhookEvent:
    """One verified callback: its ``kind`` (the event header) and the entity as JSON.

    ``transcription`` is the parsed job for ``transcription*`` events,
    ``web_hook`` the hook for ``ping`` and ``challenge``; ``payload`` keeps
    the JSON for every other kind (datasets, models, evaluations, endpoints).
    """

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    validation_token: str | None = None
    signed: bool = False

    @property
    def self_url(self) -> str | None:
        """The ``self`` URL of the entity the event is about."""
        own = self.payload.get("self")
        return own if isinstance(own, str) else None

    @property
    def transcription(self) -> BatchTranscription | None:
        """The transcription of a ``transcription*`` event."""
        if not self.kind.startswith("transcription") or not self.payload:
            return None
        return validate(BatchTranscription, self.payload, f"{self.kind} callback")

    @property
    def web_hook(self) -> WebHook | None:
        """The web hook of a ``ping`` or ``challenge`` event."""
        if self.kind not in ("ping", "challenge") or not self.payload:
            return None
        return validate(WebHook, self.payload, f"{self.kind} callback")


def parse_webhook(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str | None,
    query: Mapping[str, str] | None = None,
) -> WebhookEvent:
    """Verify and parse a callback (*body*: the raw request body, before any JSON decoding).

    With *secret* (the hook's), the signature header must be present and match,
    else :class:`WebhookVerificationError`; pass ``secret=None`` only for
    hooks registered without one. *query* (the request's query parameters)
    gives a challenge's ``validationToken``.
    """
    if not isinstance(body, (bytes, bytearray)):
        raise WebhookVerificationError("pass the raw request body as bytes")
    if len(body) > MAX_CALLBACK_BYTES:
        raise WebhookVerificationError("callback body too large")
    kind = _header(headers, EVENT_HEADER)
    if not kind:
        raise WebhookVerificationError(f"not a web hook callback: no {EVENT_HEADER} header")
    signed = False
    if secret:
        given = _header(headers, SIGNATURE_HEADER)
        if not given:
            raise WebhookVerificationError(f"unsigned callback: no {SIGNATURE_HEADER} header")
        if not hmac.compare_digest(
            given.strip().encode(), sign_payload(bytes(body), secret).encode()
        ):
            raise WebhookVerificationError("callback signature does not match the secret")
        signed = True
    payload: dict[str, Any] = {}
    if body.strip():
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise WebhookVerificationError("callback body is not JSON") from exc
        if not isinstance(data, dict):
            raise WebhookVerificationError("callback body is not a JSON object")
        payload = data
    token = challenge_response(query or {})
    return WebhookEvent(kind, payload, token, signed)

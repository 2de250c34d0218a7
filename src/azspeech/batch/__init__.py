"""Batch transcription: ``client.batch`` (jobs, files, parsed results) and web hooks.

``job = client.batch.create(urls, locale="en-US")``, then
``client.batch.wait(job, timeout=..., on_progress=...)`` and
``client.batch.results(job)`` (one :class:`~azspeech.models.batch.BatchTranscriptionResult`
per audio file, with captions). ``client.batch.webhooks`` registers web
hooks; :func:`parse_webhook` verifies and parses their callbacks.
"""

from ..models.batch import (
    BatchTranscription,
    BatchTranscriptionResult,
    RecognizedPhrase,
    TranscriptionFile,
    TranscriptionReport,
    WebHook,
)
from ._blob import BlobContainer
from .callbacks import (
    WebhookEvent,
    WebhookVerificationError,
    challenge_response,
    parse_webhook,
    sign_payload,
)
from .transcriptions import (
    API_VERSION,
    AsyncBatchTranscriptions,
    BatchTranscriptions,
    TranscriptionFailedError,
)
from .webhooks import AsyncWebHooks, WebHooks

__all__ = [
    "API_VERSION",
    "AsyncBatchTranscriptions",
    "AsyncWebHooks",
    "BatchTranscription",
    "BatchTranscriptionResult",
    "BatchTranscriptions",
    "BlobContainer",
    "RecognizedPhrase",
    "TranscriptionFailedError",
    "TranscriptionFile",
    "TranscriptionReport",
    "WebHook",
    "WebHooks",
    "WebhookEvent",
    "WebhookVerificationError",
    "challenge_response",
    "parse_webhook",
    "sign_payload",
]

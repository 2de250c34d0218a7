"""Web hooks over real sockets: register, challenge, signed events, ping, update, delete."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from azspeech import InvalidRequestError, NotFoundError
from azspeech.batch import (
    WebHook,
    WebhookVerificationError,
    challenge_response,
    parse_webhook,
    sign_payload,
)

from ..stt._audio import phrase_audio, wav
from ._storage import Seen, Storage, Twin

if TYPE_CHECKING:
    from azspeech.emulator import Emulator

SECRET = "s3cret-for-hooks"


def _arrived(storage: Storage, event: str, n: int = 1) -> list[Seen]:
    """The callbacks of *event* once *n* arrived (bounded wait: they are sent in the background)."""
    for _ in range(200):
        found = storage.callbacks(event)
        if len(found) >= n:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {event} callback arrived")


def _registered(twin: Twin, storage: Storage, **kwargs: object) -> WebHook:
    hook = twin(
        "batch.webhooks.create",
        f"{storage.url}/hook",
        events=kwargs.pop("events", ["transcriptionCompletion", "transcription_processing"]),
        secret=SECRET,
        **kwargs,
    )
    assert isinstance(hook, WebHook) and hook.status == "NotStarted"
    done = twin("batch.webhooks.wait", hook, poll_interval=0.05, timeout=10)
    assert done.status == "Succeeded"
    return done


def test_register_challenge_and_signed_transcription_events(
    twin: Twin, storage: Storage, emulator: Emulator
) -> None:
    hook = _registered(twin, storage, display_name="jobs")
    assert hook.events.enabled == ["transcriptionProcessing", "transcriptionCompletion"]
    assert hook.properties.secret is None  # never returned
    challenge = storage.callbacks("challenge")[0]
    assert "validationToken=" in challenge.path
    storage.blobs["a.wav"] = wav(phrase_audio(["Alpha bravo."])[0])
    job = twin("batch.create", storage.blob_url("a.wav"), locale="en-US")
    twin("batch.wait", job, poll_interval=0.05, timeout=30)
    seen = _arrived(storage, "transcriptionCompletion")[0]
    event = parse_webhook(seen.body, seen.headers, secret=SECRET)
    assert event.signed and event.kind == "transcriptionCompletion"
    assert event.transcription is not None and event.transcription.id == job.id
    assert event.transcription.status == "Succeeded" and event.web_hook is None
    assert _arrived(storage, "transcriptionProcessing")
    assert storage.callbacks("transcriptionCreation") == []  # not subscribed
    twin("batch.webhooks.delete", hook)


def test_signature_checks(storage: Storage) -> None:
    body = b'{"self": "https://x/speechtotext/transcriptions/1"}'
    headers = {
        "X-MicrosoftSpeechServices-Event": "transcriptionCompletion",
        "X-MicrosoftSpeechServices-Signature": sign_payload(body, SECRET),
    }
    assert parse_webhook(body, headers, secret=SECRET).self_url.endswith("/1")  # type: ignore[union-attr]
    with pytest.raises(WebhookVerificationError, match="does not match"):
        parse_webhook(body + b" ", headers, secret=SECRET)
    with pytest.raises(WebhookVerificationError, match="does not match"):
        parse_webhook(body, headers, secret="other")
    unsigned = {"X-MicrosoftSpeechServices-Event": "ping"}
    with pytest.raises(WebhookVerificationError, match="unsigned"):
        parse_webhook(body, unsigned, secret=SECRET)
    with pytest.raises(WebhookVerificationError, match="not a web hook"):
        parse_webhook(body, {}, secret=None)
    with pytest.raises(WebhookVerificationError, match="not JSON"):
        parse_webhook(b"<xml/>", unsigned, secret=None)
    assert not parse_webhook(body, unsigned, secret=None).signed
    assert challenge_response({"validationToken": "abc"}) == "abc"
    assert challenge_response({}) is None


def test_ping_list_get_update_delete(twin: Twin, storage: Storage, emulator: Emulator) -> None:
    emulator.state.extra["batch_transcription_max_page_size"] = 1
    hooks = [_registered(twin, storage, display_name=f"hook {i}") for i in range(2)]
    listed = twin.pages("batch.webhooks.list", max_page_size=1)
    ids = [h.id for page in listed for h in page]
    assert all(h.id in ids for h in hooks) and all(len(p) == 1 for p in listed)
    twin("batch.webhooks.ping", hooks[0])
    seen = _arrived(storage, "ping")[0]
    event = parse_webhook(seen.body, seen.headers, secret=SECRET)
    assert event.web_hook is not None and event.web_hook.id == hooks[0].id
    changed = twin(
        "batch.webhooks.update",
        hooks[0],
        display_name="renamed",
        events={"transcriptionDeletion": True},
        secret="new-secret",
    )
    assert changed.display_name == "renamed" and changed.events.transcription_deletion
    assert twin("batch.webhooks.get", hooks[0].id).display_name == "renamed"
    twin("batch.webhooks.ping", hooks[0].id)
    latest = _arrived(storage, "ping", 2)[-1]
    assert parse_webhook(latest.body, latest.headers, secret="new-secret").signed
    for hook in hooks:
        twin("batch.webhooks.delete", hook)
    with pytest.raises(NotFoundError):
        twin("batch.webhooks.get", hooks[0].id)
    with pytest.raises(NotFoundError):
        twin("batch.webhooks.ping", hooks[0].id)


def test_a_hook_that_fails_its_challenge(twin: Twin, storage: Storage) -> None:
    storage.answer_challenges = False
    hook = twin("batch.webhooks.create", f"{storage.url}/hook", events=["ping"])
    done = twin("batch.webhooks.wait", hook, poll_interval=0.05, timeout=10)
    assert done.status == "Failed" and done.properties.error is not None
    assert done.properties.error.code == "InvalidCallbackUri"
    twin("batch.webhooks.delete", hook)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"events": ["transcriptionDone"]}, "unknown web hook event"),
        ({"events": []}, "at least one event"),
        ({"events": {"ping": False}}, "at least one event"),
        ({"events": ["ping"], "web_url": "not-a-url"}, "web_url"),
        ({"events": ["ping"], "display_name": ""}, "display_name"),
    ],
)
def test_bad_webhook_arguments_are_refused_before_sending(
    twin: Twin, emulator: Emulator, kwargs: dict[str, object], match: str
) -> None:
    kwargs = dict(kwargs)  # the parameter is shared by the sync and async runs
    url = kwargs.pop("web_url", "http://127.0.0.1:9/hook")
    with pytest.raises(InvalidRequestError, match=match):
        twin("batch.webhooks.create", url, **kwargs)
    with pytest.raises(InvalidRequestError, match="at least one field"):
        twin("batch.webhooks.update", "0f5a4e8c-1111-2222-3333-444455556666")
    assert [r for r in emulator.requests if "webhooks" in r.path] == []

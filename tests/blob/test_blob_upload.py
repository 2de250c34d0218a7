"""Uploads of local audio to Blob Storage (Azurite over sockets): bounded, skipping, read SAS."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
import pytest

from azspeech.batch._blob import BlobContainer, require_blob_extra
from azspeech.batch.local import audio_kind, inspect_file, resolve_paths
from azspeech.batch.upload import Progress, inspect_files, run_bounded, upload_files
from azspeech.errors import (
    AudioError,
    ConfigurationError,
    InvalidRequestError,
    PermissionDeniedError,
)

from ._files import make_wavs
from .azurite import RecordingProxy


def _container(storage: RecordingProxy, name: str, key: str) -> BlobContainer:
    return BlobContainer(storage.container_url(name), account_key=key)


def test_a_file_that_is_not_audio_is_refused_before_anything_is_uploaded(
    tmp_path: Path, storage: RecordingProxy, container_name: str, account_key: str
) -> None:
    paths = make_wavs(tmp_path, 3)
    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not audio\n")
    with pytest.raises(AudioError) as err:
        asyncio.run(inspect_files([*paths, bogus], 4))
    assert err.value.code == "NotAudio" and "notes.wav" in str(err.value)
    assert storage.requests == []


def test_audio_kinds_are_recognised_by_their_first_bytes() -> None:
    assert audio_kind(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "wav"
    assert audio_kind(b"ID3\x04") == "mp3"
    assert audio_kind(b"OggS\x00") == "ogg"
    assert audio_kind(b"fLaC\x00") == "flac"
    assert audio_kind(b"\x00\x00\x00\x20ftypM4A ") == "mp4"
    assert audio_kind(b"%PDF-1.7") is None
    assert audio_kind(b"RIFF\x00\x00\x00\x00AVI ") is None


def test_inspect_file_refuses_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        inspect_file(empty)
    with pytest.raises(AudioError, match="not a file"):
        inspect_file(tmp_path / "missing.wav")
    with pytest.raises(InvalidRequestError):
        resolve_paths([])


def test_uploads_are_streamed_concurrently_and_skipped_when_the_blob_holds_the_same_bytes(
    tmp_path: Path, storage: RecordingProxy, container_name: str, account_key: str
) -> None:
    paths = make_wavs(tmp_path, 12)
    container = _container(storage, container_name, account_key)
    events: list[Progress] = []
    audios = asyncio.run(inspect_files(paths, 4))
    first = asyncio.run(
        upload_files(container, audios, prefix="in/", concurrency=4, on_progress=events.append)
    )
    assert [u.uploaded for u in first] == [True] * 12
    assert storage.count("PUT") == 12
    # one step per file done ("uploading" steps, with bytes, come before each)
    assert sorted(e.done for e in events if e.stage != "uploading") == list(range(1, 13))
    # Again, without a manifest: every blob is found with the same size and hash.
    again = asyncio.run(upload_files(container, audios, prefix="in/", concurrency=4))
    assert [u.uploaded for u in again] == [False] * 12
    assert storage.count("PUT") == 12
    # A changed file under the same name is uploaded again (its hash differs).
    paths[0].write_bytes(paths[0].read_bytes()[:-2] + b"\x01\x02")
    changed = asyncio.run(inspect_files(paths[:1], 1))
    assert changed[0].blob_name("in/") != audios[0].blob_name("in/")
    container.close()


def test_read_urls_read_the_blob_and_nothing_else(
    tmp_path: Path, storage: RecordingProxy, container_name: str, account_key: str
) -> None:
    (path,) = make_wavs(tmp_path, 1)
    container = _container(storage, container_name, account_key)
    (audio,) = asyncio.run(inspect_files([path], 1))
    (up,) = asyncio.run(upload_files(container, [audio]))
    url = container.read_url(up.blob)
    assert "sp=r&" in url or url.endswith("sp=r")
    assert httpx.get(url).content == path.read_bytes()
    refused = httpx.put(url, content=b"x", headers={"x-ms-blob-type": "BlockBlob"})
    assert refused.status_code == 403
    assert httpx.get(url.split("?")[0]).status_code in (401, 403, 404)
    container.close()


def test_a_connection_string_names_the_container(
    tmp_path: Path, storage: RecordingProxy, container_name: str, account_key: str
) -> None:
    conn = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={account_key};"
        f"BlobEndpoint={storage.account_url};"
    )
    container = BlobContainer.from_connection_string(conn, container_name)
    assert container.url == storage.container_url(container_name)
    (audio,) = asyncio.run(inspect_files(make_wavs(tmp_path, 1), 1))
    asyncio.run(upload_files(container, [audio]))
    assert storage.count("PUT") == 1
    container.close()


def test_a_missing_blob_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.storage.blob", None)
    with pytest.raises(ImportError, match=r"azspeech\[blob\]"):
        require_blob_extra()


def test_run_bounded_keeps_order_bound_and_stops_at_the_first_error() -> None:
    running = peak = 0

    async def work(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        if i == 7:
            raise ValueError("seven")
        return i * 2

    assert asyncio.run(run_bounded(range(7), work, 3)) == [0, 2, 4, 6, 8, 10, 12]
    assert peak == 3
    with pytest.raises(ValueError, match="seven"):
        asyncio.run(run_bounded(range(20), work, 3))


def _container_sas(storage: RecordingProxy, name: str, key: str, **perms: bool) -> str:
    import datetime as dt

    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=perms.pop("hours", 1))
    return generate_container_sas(
        "devstoreaccount1", name, account_key=key,
        permission=ContainerSasPermissions(**perms), expiry=expiry,
    )  # fmt: skip


def test_a_read_only_or_expired_sas_is_a_clear_permission_error(
    tmp_path: Path, storage: RecordingProxy, container_name: str, account_key: str
) -> None:
    (audio,) = asyncio.run(inspect_files(make_wavs(tmp_path, 1), 1))
    _container(storage, container_name, account_key).ensure_exists()
    read_only = _container_sas(storage, container_name, account_key, read=True, list=True)
    container = BlobContainer(f"{storage.container_url(container_name)}?{read_only}")
    with pytest.raises(PermissionDeniedError, match="uploading") as err:
        asyncio.run(upload_files(container, [audio]))
    assert err.value.status_code == 403
    expired = _container_sas(
        storage, container_name, account_key, read=True, write=True, create=True, hours=-1
    )
    container = BlobContainer(f"{storage.container_url(container_name)}?{expired}")
    with pytest.raises(PermissionDeniedError):
        asyncio.run(upload_files(container, [audio]))
    # A writable container SAS uploads, and its read URLs carry the same SAS.
    writable = _container_sas(
        storage, container_name, account_key, read=True, write=True, create=True
    )
    container = BlobContainer(f"{storage.container_url(container_name)}?{writable}")
    (up,) = asyncio.run(upload_files(container, [audio]))
    assert httpx.get(container.read_url(up.blob)).content == audio.path.read_bytes()


def test_a_container_url_needs_some_storage_credential() -> None:
    with pytest.raises(ConfigurationError, match="account_key"):
        BlobContainer("http://127.0.0.1:10000/devstoreaccount1/c")
    with pytest.raises(InvalidRequestError):
        BlobContainer("http://127.0.0.1:10000/devstoreaccount1", account_key="k")
    with pytest.raises(ConfigurationError, match="not both"):
        BlobContainer("https://acct.blob.core.windows.net/c", account_key="k", credential=object())
    c = BlobContainer("https://acct.blob.core.windows.net/audio", account_key="a2V5")
    assert (c.account_name, c.container_name) == ("acct", "audio")

"""Azure Blob Storage for local audio: uploads and read-only SAS URLs (extra ``[blob]``).

Built on ``azure-storage-blob``'s blocking client, which the upload runner
(:mod:`.upload`) calls from worker threads with a bound on how many run at
once (so the async API needs no aiohttp). Uploads are streamed from disk in
4 MiB blocks. Read URLs are SAS URLs signed with the account key, with a user
delegation key (an Entra ID credential), or taken from the SAS the container
URL was given with. The Speech key or token is never given to this module:
storage requests carry only storage credentials.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import ipaddress
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    SpeechError,
)

if TYPE_CHECKING:
    from .local import LocalAudio

__all__ = ["SHA256_METADATA", "BlobContainer", "require_blob_extra"]

SHA256_METADATA = "azspeechsha256"
BLOCK_SIZE = 4 * 1024 * 1024
_CONTENT_TYPES = {
    "wav": "audio/wav", "mp3": "audio/mpeg", "aac": "audio/aac", "ogg": "audio/ogg",
    "flac": "audio/flac", "webm": "audio/webm", "mp4": "audio/mp4", "amr": "audio/amr",
    "wma": "audio/x-ms-wma", "au": "audio/basic",
}  # fmt: skip


def require_blob_extra() -> Any:
    """Import ``azure.storage.blob`` or raise an ImportError that says how to install it."""
    try:
        import azure.storage.blob as blob
    except ImportError as exc:
        raise ImportError(
            "uploading local files needs azure-storage-blob: pip install 'azspeech[blob]'"
        ) from exc
    return blob


class BlobContainer:
    """A blob container that local audio is uploaded to and read from by SAS URL.

    Args:
        container_url: ``https://<account>.blob.core.windows.net/<container>``
            (Azurite: ``http://127.0.0.1:10000/devstoreaccount1/<container>``);
            a SAS in its query string authorises uploads and, if it has read
            permission, the read URLs too.
        account_key: the storage account key: read URLs are service SAS
            signed with it.
        credential: an Entra ID credential (``azure.identity``): read URLs
            are signed with a user delegation key (the identity needs a
            Storage Blob Data role).
        sas_ttl: how long read URLs stay valid (default 24 hours: a batch
            transcription fetches the audio while it runs).
        create: create the container if it does not exist.
    """

    def __init__(
        self,
        container_url: str,
        *,
        account_key: str | None = None,
        credential: Any = None,
        sas_ttl: _dt.timedelta = _dt.timedelta(hours=24),
        create: bool = True,
        max_connections: int = 16,
    ) -> None:
        blob = require_blob_extra()
        parts = urlsplit(container_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path in ("", "/"):
            raise InvalidRequestError(f"not a blob container URL: {parts.scheme}://{parts.netloc}")
        if account_key is not None and credential is not None:
            raise ConfigurationError("give account_key= or credential=, not both")
        if not sas_ttl > _dt.timedelta(0):
            raise InvalidRequestError("sas_ttl must be positive")
        self._sas = parts.query or None
        self.url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.sas_ttl = sas_ttl
        self._create = create
        self._account_key = account_key
        self._token_credential = credential
        self._delegation: tuple[Any, _dt.datetime] | None = None
        self._lock = threading.Lock()
        self.account_name, self.container_name = _account_and_container(self.url)
        if account_key is not None:
            cred: Any = {"account_name": self.account_name, "account_key": account_key}
        elif credential is not None:
            cred = credential
        else:
            cred = None
            if self._sas is None:
                raise ConfigurationError(
                    "a blob container needs account_key=, credential= (Entra ID) or a SAS "
                    "in its URL"
                )
        url = self.url + (f"?{self._sas}" if self._sas and cred is None else "")
        self._client = blob.ContainerClient.from_container_url(
            url,
            credential=cred,
            max_single_put_size=BLOCK_SIZE,
            max_block_size=BLOCK_SIZE,
            transport=_transport(max_connections),
        )

    @classmethod
    def from_connection_string(
        cls, connection_string: str, container: str, **kwargs: Any
    ) -> BlobContainer:
        """A container of the account a storage connection string names (with its key)."""
        fields = dict(
            part.split("=", 1) for part in connection_string.strip().split(";") if "=" in part
        )
        endpoint = fields.get("BlobEndpoint")
        if not endpoint:
            suffix = fields.get("EndpointSuffix", "core.windows.net")
            scheme = fields.get("DefaultEndpointsProtocol", "https")
            endpoint = f"{scheme}://{fields.get('AccountName')}.blob.{suffix}"
        if "AccountKey" not in fields and "SharedAccessSignature" not in fields:
            raise ConfigurationError("the connection string has no AccountKey")
        url = endpoint.rstrip("/") + "/" + container
        if "SharedAccessSignature" in fields:
            return cls(url + "?" + fields["SharedAccessSignature"].lstrip("?"), **kwargs)
        return cls(url, account_key=fields["AccountKey"], **kwargs)

    def __repr__(self) -> str:
        return f"BlobContainer({self.url!r})"

    # -- blobs (blocking; called from worker threads) ----------------------------------

    def ensure_exists(self) -> None:
        """Create the container unless it exists (when ``create=True``)."""
        if not self._create:
            return
        try:
            with _storage_errors(f"creating container {self.url}"):
                self._client.create_container()
        except (ConflictError, PermissionDeniedError):
            pass  # there already, or a SAS without the right to create: uploads will tell

    def matches(self, name: str, audio: LocalAudio) -> bool:
        """Whether blob *name* holds *audio* already (same size, and same SHA-256 or MD5)."""

        try:
            with _storage_errors(f"reading blob {name!r}"):
                props = self._client.get_blob_client(name).get_blob_properties()
        except NotFoundError:
            return False
        if props.size != audio.size:
            return False
        if (props.metadata or {}).get(SHA256_METADATA) == audio.sha256:
            return True
        md5 = props.content_settings.content_md5
        return md5 is not None and bytes(md5) == audio.md5

    def upload(
        self,
        name: str,
        audio: LocalAudio,
        progress_hook: Callable[[int, int | None], None] | None = None,
    ) -> None:
        """Upload *audio* to blob *name*, streamed from disk, with its hashes.

        *progress_hook* is called with the bytes sent so far and the total.
        """
        blob = require_blob_extra()
        settings = blob.ContentSettings(
            content_type=_CONTENT_TYPES.get(audio.kind, "application/octet-stream"),
            content_md5=bytearray(audio.md5),
        )
        with open(audio.path, "rb") as f, _storage_errors(f"uploading {audio.path.name!r}"):
            self._client.get_blob_client(name).upload_blob(
                f,
                length=audio.size,
                overwrite=True,
                metadata={SHA256_METADATA: audio.sha256},
                content_settings=settings,
                max_concurrency=1,
                **({"progress_hook": progress_hook} if progress_hook is not None else {}),
            )

    def delete(self, name: str) -> None:
        """Delete blob *name* (a missing blob is not an error)."""
        with contextlib.suppress(NotFoundError), _storage_errors(f"deleting blob {name!r}"):
            self._client.delete_blob(name)

    def read_url(self, name: str) -> str:
        """A URL that reads blob *name* for :attr:`sas_ttl` (a SAS with read permission only)."""
        blob = require_blob_extra()
        from urllib.parse import quote

        base = f"{self.url}/{quote(name)}"
        if self._account_key is None and self._token_credential is None:
            assert self._sas is not None
            return f"{base}?{self._sas}"
        now = _dt.datetime.now(_dt.timezone.utc)
        common: dict[str, Any] = dict(
            account_name=self.account_name,
            container_name=self.container_name,
            blob_name=name,
            permission=blob.BlobSasPermissions(read=True),
            expiry=now + self.sas_ttl,
            start=now - _dt.timedelta(minutes=5),  # clock skew
        )
        if self._account_key is not None:
            token = blob.generate_blob_sas(account_key=self._account_key, **common)
        else:
            token = blob.generate_blob_sas(user_delegation_key=self._delegation_key(now), **common)
        return f"{base}?{token}"

    def _delegation_key(self, now: _dt.datetime) -> Any:
        blob = require_blob_extra()
        with self._lock:
            if self._delegation is None or self._delegation[1] < now + self.sas_ttl:
                service_url = self.url.rsplit("/", 1)[0]
                service = blob.BlobServiceClient(service_url, credential=self._token_credential)
                expiry = now + self.sas_ttl + _dt.timedelta(hours=1)
                with _storage_errors("getting a user delegation key"):
                    key = service.get_user_delegation_key(now - _dt.timedelta(minutes=5), expiry)
                self._delegation = (key, expiry)
            return self._delegation[0]

    def close(self) -> None:
        """Close the container's connections."""
        self._client.close()


@contextlib.contextmanager
def _storage_errors(doing: str) -> Iterator[None]:
    """Blob Storage's exceptions as this library's errors (with the storage error code)."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
    )

    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise ConnectionError(f"Blob Storage: {doing}: {exc}") from exc
    except HttpResponseError as exc:
        status = exc.status_code
        code = getattr(exc, "error_code", None)
        code = str(code) if code is not None else None
        first = (exc.message or str(exc)).strip().splitlines()[0] if str(exc) else ""
        message = f"Blob Storage refused {doing} (HTTP {status}, {code}): {first}"
        kind: type[SpeechError]
        if isinstance(exc, ResourceNotFoundError) or status == 404:
            kind = NotFoundError
        elif status == 409:
            kind = ConflictError
        elif status == 403:
            message += " (a SAS that is expired, or lacks write/create permission?)"
            kind = PermissionDeniedError
        elif isinstance(exc, ClientAuthenticationError) or status == 401:
            kind = AuthenticationError
        elif status is not None and status >= 500:
            kind = ServiceError
        else:
            kind = InvalidRequestError
        raise kind(message, status_code=status, code=code) from exc


def _account_and_container(url: str) -> tuple[str, str]:
    """The account and container of a container URL, host-style or path-style (Azurite)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    segments = [s for s in parts.path.split("/") if s]
    try:
        ipaddress.ip_address(host)
        path_style = True
    except ValueError:
        path_style = host == "localhost" or "." not in host
    if path_style:
        if len(segments) != 2:
            raise InvalidRequestError(
                "a path-style container URL is http://host:port/<account>/<container>"
            )
        return segments[0], segments[1]
    if len(segments) != 1:
        raise InvalidRequestError("a container URL is https://<account>.blob.<suffix>/<container>")
    return host.split(".", 1)[0], segments[0]


def _transport(max_connections: int) -> Any:
    """A requests session with a pool as large as the upload concurrency."""
    import requests
    from azure.core.pipeline.transport import RequestsTransport

    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=4, pool_maxsize=max(max_connections, 1)
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return RequestsTransport(session=session, session_owner=True)

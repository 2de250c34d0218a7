"""Read URLs signed with a user delegation key (an Entra ID credential), against Azurite.

Azurite checks bearer tokens only over HTTPS (``--oauth basic``: issuer,
audience and lifetime, not the signature), so this module starts its own
Azurite with a self-signed certificate made here.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from azspeech.batch._blob import BlobContainer
from azspeech.batch.upload import inspect_files, upload_files

from ._files import make_wavs
from .azurite import Azurite, AzuriteUnavailable

x509 = pytest.importorskip("cryptography.x509")


def _self_signed(folder: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class FakeEntraCredential:
    """An ``azure.core`` token credential handing out a storage-audience JWT (unsigned)."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.extend(scopes)
        now = int(time.time())
        claims = {
            "aud": "https://storage.azure.com",
            "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
            "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
            "oid": "11111111-1111-1111-1111-111111111111",
            "tid": "00000000-0000-0000-0000-000000000000",
        }  # fmt: skip

        def b64(obj: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        token = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims)}.c2ln"
        return AccessToken(token, now + 3600)


@pytest.fixture(scope="module")
def https_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Azurite, Path]]:
    tls = _self_signed(tmp_path_factory.mktemp("tls"))
    try:
        server = Azurite(tls=tls, oauth=True).start()
    except AzuriteUnavailable as exc:
        import os

        if os.environ.get("CI"):
            raise
        pytest.skip(f"Azurite unavailable: {exc}")
    try:
        yield server, tls[0]
    finally:
        server.stop()


def test_an_entra_credential_uploads_and_signs_read_urls_with_a_user_delegation_key(
    tmp_path: Path, https_azurite: tuple[Azurite, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = https_azurite
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # trust the test certificate
    credential = FakeEntraCredential()
    container = BlobContainer(server.container_url("entra"), credential=credential)
    (audio,) = asyncio.run(inspect_files(make_wavs(tmp_path, 1), 1))
    (up,) = asyncio.run(upload_files(container, [audio]))
    assert up.uploaded and credential.scopes
    url = container.read_url(up.blob)
    query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
    assert query["sp"] == "r" and "skoid" in query  # a user delegation SAS, read only
    with httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as http:
        assert http.get(url).content == audio.path.read_bytes()
        refused = http.put(url, content=b"x", headers={"x-ms-blob-type": "BlockBlob"})
        assert refused.status_code == 403
    container.close()

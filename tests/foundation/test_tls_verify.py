"""``verify=``: a private CA for HTTPS and WSS, or no verification, for both transports."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from azspeech import AsyncSpeechClient, ConfigurationError, ConnectionError, SpeechClient

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return crt, key


async def _handler(ws: ServerConnection) -> None:
    await ws.send("Path:turn.end\r\nX-RequestId:" + "0" * 32 + "\r\n\r\n")


async def test_wss_with_private_ca(cert: tuple[Path, Path]) -> None:
    crt, key = cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(crt, key)
    async with serve(_handler, "127.0.0.1", 0, ssl=server_ctx) as server:
        port = server.sockets[0].getsockname()[1]
        base = f"https://localhost:{port}"
        async with AsyncSpeechClient(endpoint=base, key="k" * 32, verify=str(crt)) as client:
            ws = await client._ws_connect(client.endpoints.stt("/x", websocket=True))
            assert (await ws.recv()).path == "turn.end"
            await ws.close()
        async with AsyncSpeechClient(endpoint=base, key="k" * 32, verify=False) as client:
            ws = await client._ws_connect(client.endpoints.stt("/x", websocket=True))
            await ws.close()
        async with AsyncSpeechClient(endpoint=base, key="k" * 32, max_retries=0) as client:
            with pytest.raises(ConnectionError):
                await client._ws_connect(client.endpoints.stt("/x", websocket=True))


def test_httpx_client_gets_the_context(cert: tuple[Path, Path]) -> None:
    crt, _ = cert
    with SpeechClient(endpoint="https://localhost:1", key="k" * 32, verify=str(crt)) as client:
        assert isinstance(client._http_client, httpx.Client)
        assert client.config.ssl_context() is not None
    with pytest.raises(ConfigurationError, match="CA bundle"):
        SpeechClient(endpoint="https://localhost:1", key="k" * 32, verify="/no/such/ca.pem")
    with pytest.raises(ConfigurationError, match="verify"):
        SpeechClient(endpoint="https://localhost:1", key="k" * 32, verify=3)  # type: ignore[arg-type]

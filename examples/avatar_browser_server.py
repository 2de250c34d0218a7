"""Serve examples/avatar_browser.html: the browser shows the avatar, Python does the signalling.

    pip install 'azspeech[emulator,webrtc]'   # the emulator's avatar needs aiortc
    python examples/avatar_browser_server.py [--service] [--port 8000]

Then open http://127.0.0.1:8000/ in a browser. The page asks ``/ice`` for the
ICE servers (from the relay token), makes its ``RTCPeerConnection`` and
posts its offer to ``/offer``; this server passes the offer to
``client.avatar.session(...).answer()`` (which opens the synthesis socket)
and returns the answer. ``/speak`` and ``/stop`` drive the avatar. The
key never reaches the browser. By default it uses the bundled emulator;
``--service`` uses ``AZURE_SPEECH_*`` from the environment.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from azspeech import SpeechClient
from azspeech.avatar import AvatarSession

PAGE = Path(__file__).with_name("avatar_browser.html")


class AvatarSignalling:
    """One avatar session at a time, for the page."""

    def __init__(
        self, client: SpeechClient, character: str = "lisa", style: str = "casual-sitting"
    ):
        self.client = client
        self.character, self.style = character, style
        self.session: AvatarSession | None = None
        self.lock = threading.Lock()

    def ice(self) -> dict[str, Any]:
        with self.lock:
            if self.session is not None:
                self.session.close()
            self.session = self.client.avatar.session(self.character, style=self.style)
            return {"iceServers": self.session.ice_servers}

    def offer(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise ValueError("ask /ice first")
        return self.session.answer(body)

    def speak(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise ValueError("not connected")
        spoken = self.session.speak(str(body.get("text", "")))
        return {"requestId": spoken.request_id, "duration": spoken.duration}

    def stop(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.session is not None:
            self.session.stop()
        return {}

    def close(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if self.session is not None:
                self.session.close()
                self.session = None
        return {}


def make_server(signalling: AvatarSignalling, port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:*port* (0: any free port) for the page and its calls."""
    posts = {
        "/offer": signalling.offer,
        "/speak": signalling.speak,
        "/stop": signalling.stop,
        "/close": signalling.close,
    }

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/":
                self._reply(200, PAGE.read_bytes(), "text/html; charset=utf-8")
            elif self.path == "/ice":
                self._call(lambda _: signalling.ice(), {})
            else:
                self._reply(404, b"{}")

        def do_POST(self) -> None:
            handler = posts.get(self.path)
            if handler is None:
                return self._reply(404, b"{}")
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._reply(400, b'{"error": "not JSON"}')
            self._call(handler, body)

        def _call(self, handler: Any, body: Any) -> None:
            try:
                result = handler(body)
            except Exception as exc:  # shown to the page as the error it is
                return self._reply(400, json.dumps({"error": str(exc)}).encode())
            self._reply(200, json.dumps(result).encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main() -> None:
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8000
    with contextlib.ExitStack() as stack:
        if "--service" in sys.argv:
            client = stack.enter_context(SpeechClient())
        else:
            from azspeech.emulator import Emulator

            emulator = stack.enter_context(Emulator())
            client = stack.enter_context(SpeechClient(endpoint=emulator.url, key=emulator.key))
        signalling = AvatarSignalling(client)
        server = make_server(signalling, port)
        print(f"open http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            signalling.close({})


if __name__ == "__main__":
    main()

"""The real-time avatar examples run from a fresh checkout against the emulator."""

from __future__ import annotations

import json
import runpy
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from azspeech import SpeechClient

from .offers import real_offer

pytest.importorskip("aiortc", reason="the real-time avatar examples need aiortc ([webrtc])")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_aiortc_example_saves_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    example = EXAMPLES / "avatar_realtime.py"
    monkeypatch.setattr(sys, "argv", [str(example), str(tmp_path)])
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert "connected: video 320x180" in out and "first speech" in out
    frames = sorted(tmp_path.glob("avatar-*.png"))
    assert [p.name for p in frames] == ["avatar-1.png", "avatar-2.png", "avatar-3.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in frames)


def _call(base: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method="GET" if data is None else "POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in kind else raw.decode()
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_browser_page_and_its_signalling_server(client: SpeechClient) -> None:
    module = runpy.run_path(str(EXAMPLES / "avatar_browser_server.py"))
    signalling = module["AvatarSignalling"](client)
    server = module["make_server"](signalling, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, page = _call(base, "/")
        assert status == 200 and "new RTCPeerConnection({iceServers})" in page
        assert 'createDataChannel("eventChannel")' in page
        status, error = _call(base, "/offer", real_offer())
        assert status == 400 and "ask /ice first" in error["error"]
        status, ice = _call(base, "/ice")
        assert status == 200 and ice["iceServers"][0]["urls"][0].startswith("turn:")
        status, answer = _call(base, "/offer", real_offer())
        assert status == 200 and answer["type"] == "answer" and "m=audio" in answer["sdp"]
        status, spoken = _call(base, "/speak", {"text": "Hi."})
        assert status == 200 and spoken["requestId"]
        assert _call(base, "/stop", {})[0] == 200
        assert _call(base, "/close", {})[0] == 200
        status, error = _call(base, "/speak", {"text": "after close"})
        assert status == 400 and "not connected" in error["error"]
    finally:
        server.shutdown()
        server.server_close()
        signalling.close({})

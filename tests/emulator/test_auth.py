"""Auth on the emulator: keys, STS tokens, query-string credentials, connection ids."""

from __future__ import annotations

import uuid

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from azspeech.emulator import Emulator

from .usp import connect, phrases, send_turn, stt_url, tone_pcm, until_turn_end


def _ws_status(exc: InvalidStatus) -> int:
    return exc.response.status_code


async def test_wrong_key_refuses_handshake_with_401(emulator: Emulator) -> None:
    with pytest.raises(InvalidStatus) as info:
        await connect(stt_url(emulator.url), "wrong-key")
    assert _ws_status(info.value) == 401
    assert b"error" in info.value.response.body


async def test_missing_key_refuses_handshake(emulator: Emulator) -> None:
    with pytest.raises(InvalidStatus) as info:
        await connect(stt_url(emulator.url), None)
    assert _ws_status(info.value) == 401


def test_wrong_key_rest_401(emulator: Emulator) -> None:
    r = httpx.post(
        emulator.url + "/speech/recognition/conversation/cognitiveservices/v1?language=en-US",
        headers={"Ocp-Apim-Subscription-Key": "nope"},
        content=b"RIFF",
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "401"


def test_sts_token_accepted_on_rest_and_ws(emulator: Emulator) -> None:
    r = httpx.post(
        emulator.url + "/sts/v1.0/issueToken",
        headers={"Ocp-Apim-Subscription-Key": emulator.key, "Content-Length": "0"},
    )
    assert r.status_code == 200
    token = r.text
    assert token.count(".") == 2
    assert r.headers["content-type"].startswith("text/plain")
    bad = httpx.post(
        emulator.url + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": "x"}
    )
    assert bad.status_code == 401

    import asyncio

    async def go() -> str:
        url = stt_url(emulator.url)
        async with websockets.connect(
            url,
            additional_headers={
                "Authorization": f"Bearer {token}",
                "X-ConnectionId": uuid.uuid4().hex,
            },
        ) as ws:
            await send_turn(ws, tone_pcm("Token."))
            return str(phrases(await until_turn_end(ws))[0]["DisplayText"])

    assert asyncio.run(go()) == "Token."


async def test_unknown_or_expired_token_refused(emulator: Emulator) -> None:
    token = emulator.issue_token(lifetime=-1)
    for bearer in (token, "forged.token.value"):
        with pytest.raises(InvalidStatus) as info:
            await websockets.connect(
                stt_url(emulator.url),
                additional_headers={
                    "Authorization": f"Bearer {bearer}",
                    "X-ConnectionId": uuid.uuid4().hex,
                },
            )
        assert _ws_status(info.value) == 401


async def test_credentials_in_query_like_the_js_sdk(emulator: Emulator) -> None:
    cid = uuid.uuid4().hex.upper()
    url = stt_url(
        emulator.url,
        query=f"language=en-US&Ocp-Apim-Subscription-Key={emulator.key}&X-ConnectionId={cid}",
    )
    async with websockets.connect(url) as ws:
        assert ws.subprotocol is None  # none offered, none echoed
        await send_turn(ws, tone_pcm("Query."))
        assert phrases(await until_turn_end(ws))[0]["DisplayText"] == "Query."
    token = emulator.issue_token()
    url = stt_url(emulator.url, query=f"Authorization=Bearer%20{token}&connectionId={cid}")
    async with websockets.connect(url) as ws:
        await send_turn(ws, tone_pcm("Again."))
        assert phrases(await until_turn_end(ws))[0]["DisplayText"] == "Again."


@pytest.mark.parametrize(
    "cid",
    [None, "not-hex", "e56bf4dc68a3405ebf2f2f4126d9f79", "007fb7f0-86a6-4c5b-917c-7d6c53fb0072"],
)
async def test_bad_connection_id_is_400(emulator: Emulator, cid: str | None) -> None:
    headers = {"Ocp-Apim-Subscription-Key": emulator.key}
    if cid is not None:
        headers["X-ConnectionId"] = cid
    with pytest.raises(InvalidStatus) as info:
        await websockets.connect(stt_url(emulator.url), additional_headers=headers)
    assert _ws_status(info.value) == 400


def test_any_key_when_started_without_key() -> None:
    with Emulator() as emu:
        r = httpx.post(
            emu.url + "/sts/v1.0/issueToken", headers={"Ocp-Apim-Subscription-Key": "anything"}
        )
        assert r.status_code == 200
        none = httpx.post(emu.url + "/speech/recognition/conversation/cognitiveservices/v1")
        assert none.status_code == 401
    with Emulator(allow_anonymous=True) as emu:
        r = httpx.post(
            emu.url + "/speech/recognition/conversation/cognitiveservices/v1?language=en-US",
            content=b"",
        )
        assert r.status_code == 400  # past auth: no audio


async def test_async_context_manager() -> None:
    async with Emulator(key="k") as emu:
        async with httpx.AsyncClient() as http:
            r = await http.get(emu.url + "/emulator/health")
        assert r.json()["status"] == "ok"
        assert emu.url.startswith("http://127.0.0.1:")

"""The real-time avatar's synthesis socket: the SDP exchange, then speak, stop, close.

:class:`AsyncAvatarSession` is what a browser front end needs from Python:
its :attr:`~AsyncAvatarSession.ice_servers` (from the relay token) for the
browser's ``RTCPeerConnection``, and :meth:`~AsyncAvatarSession.answer`, the
offer/answer exchange as one call. Opening the socket is part of the
exchange, because the service takes the offer in ``speech.config``. After it,
:meth:`~AsyncAvatarSession.speak` sends text or SSML; the avatar's video and
audio go to the peer connection, not to this socket. The aiortc peer
(:mod:`azspeech.avatar.webrtc`) uses the same session.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._protocol.avatar import (
    AVATAR_QUERY,
    avatar_speech_config_frame,
    avatar_synthesis_context,
    decode_description,
    empty_ssml,
    encode_description,
    turn_start_answer,
)
from .._protocol.framing import Message, encode_text, new_request_id
from .._protocol.tts import ssml_frame, synthesis_context_frame, synthesis_stop_frame
from ..audio.formats import TICKS_PER_SECOND
from ..errors import (
    CanceledError,
    ConnectionError,
    InvalidRequestError,
    SpeechError,
    StreamClosedError,
    TimeoutError,
)
from ..ssml import is_ssml, text_to_ssml, validate_ssml
from .realtime_config import AvatarScene, AvatarVideoConfig, IceServerArg, ice_server_dicts

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient
    from .._transport.ws import WebSocket

__all__ = ["AsyncAvatarSession", "AvatarSignal", "AvatarSpeech", "avatar_ws_url"]

_SYNTHESIS_PATH = "/cognitiveservices/websocket/v1"
_MAX_SSML_BYTES = 64 * 1024


def avatar_ws_url(client: AsyncSpeechClient, *, custom: bool) -> str:
    """The synthesis socket URL with ``enableTalkingAvatar=true`` (voice host when *custom*)."""
    url = client._config.endpoints.tts(_SYNTHESIS_PATH, websocket=True, custom_voice=custom)
    return url + ("&" if "?" in url else "?") + AVATAR_QUERY


@dataclass(frozen=True)
class AvatarSignal:
    """A ``TalkingAvatarSignal`` the service reported: *name* at *offset* seconds."""

    name: str
    offset: float


@dataclass(frozen=True)
class AvatarSpeech:
    """One finished ``speak()``: its request id, duration and the avatar signals seen."""

    request_id: str
    duration: float | None
    signals: tuple[AvatarSignal, ...] = ()


class _Turn:
    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        loop = asyncio.get_running_loop()
        self.started: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()
        self.start_body: Any = None
        self.duration: float | None = None
        self.signals: list[AvatarSignal] = []

    def feed(self, msg: Message) -> None:
        path = msg.path.lower()
        if path == "turn.start":
            self.start_body = msg.json_or_empty()
            if not self.started.done():
                self.started.set_result(None)
        elif path == "audio.metadata":
            body = msg.json_or_empty()
            for entry in body.get("Metadata", []) if isinstance(body, dict) else []:
                data = entry.get("Data", {}) if isinstance(entry, dict) else {}
                offset = float(data.get("Offset", 0) or 0) / TICKS_PER_SECOND
                if entry.get("Type") == "TalkingAvatarSignal":
                    self.signals.append(AvatarSignal(str(data.get("Name", "")), offset))
                elif entry.get("Type") == "SessionEnd":
                    self.duration = offset
        elif path == "turn.end" and not self.done.done():
            self.done.set_result(None)


class AsyncAvatarSession:
    """A real-time avatar's synthesis socket (async); from ``client.avatar.session(...)``.

    Call :meth:`answer` with the peer connection's offer (a browser's, or
    aiortc's through ``client.avatar.connect``) to open it, then
    :meth:`speak`, :meth:`stop`, :meth:`close` (or ``async with``).
    """

    def __init__(
        self,
        client: AsyncSpeechClient,
        config: AvatarVideoConfig,
        *,
        voice: str,
        language: str = "en-US",
        ice_servers: list[IceServerArg],
        deployment_id: str | None = None,
        on_signal: Callable[[AvatarSignal], Any] | None = None,
    ) -> None:
        self._client = client
        self.config = config
        self.voice = voice
        self.language = language
        self._ice_servers = ice_server_dicts(ice_servers)
        self._deployment_id = deployment_id
        self._on_signal = on_signal
        self._ws: WebSocket | None = None
        self._reader: asyncio.Task[None] | None = None
        self._turns: dict[str, _Turn] = {}
        self._speaking = asyncio.Lock()
        self._current: str | None = None
        self._error: SpeechError | None = None
        self._closed = False

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers for the peer connection (``urls``, ``username``, ``credential``)."""
        return [dict(s) for s in self._ice_servers]

    @property
    def started(self) -> bool:
        """Whether the SDP exchange happened (the socket is open)."""
        return self._ws is not None

    @property
    def closed(self) -> bool:
        """Whether the session ended (closed by the caller, the client or the service)."""
        return self._closed

    def _check_open(self) -> WebSocket:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise StreamClosedError("the avatar session is closed")
        if self._ws is None:
            raise InvalidRequestError("the avatar session has not started: call answer(offer)")
        return self._ws

    async def answer(self, offer: Mapping[str, Any] | str) -> dict[str, str]:
        """Open the socket with *offer*; return the service's answer ``{"type", "sdp"}``.

        *offer* is the peer connection's local description after ICE
        gathering (``{"type": "offer", "sdp": ...}``) or its SDP text.

        Raises:
            InvalidRequestError: a bad offer, a second call, or the service
                refused the avatar (unknown character or style, no avatar
                support); the service's reason is in the message.
        """
        if self._ws is not None or self._closed:
            raise InvalidRequestError("answer() is called once per avatar session")
        description = encode_description(offer, "offer")
        rid = new_request_id()
        video = self.config.video_section(description, self._ice_servers)
        custom = self._deployment_id is not None or self.config.customized
        url = avatar_ws_url(self._client, custom=custom)
        if self._deployment_id is not None:
            url += "&deploymentId=" + self._deployment_id
        self._client._state.track(self)
        try:
            self._ws = ws = await self._client._ws_connect(url)
            await ws.send(avatar_speech_config_frame(rid, video))
            turn = await self._request(rid, empty_ssml(self.voice, self.language))
            await self._read_until(turn)
            answer = decode_description(turn_start_answer(turn.start_body), "answer")
        except CanceledError as exc:
            await self._shut()
            raise InvalidRequestError(f"the service refused the avatar: {exc}") from exc
        except BaseException:
            await self._shut()
            raise
        self._reader = asyncio.ensure_future(self._read())
        return answer

    async def _request(self, rid: str, ssml: str) -> _Turn:
        ws = self._check_open()
        turn = self._turns[rid] = _Turn(rid)
        await ws.send(synthesis_context_frame(rid, avatar_synthesis_context()))
        await ws.send(ssml_frame(rid, ssml))
        return turn

    async def _read_until(self, turn: _Turn) -> None:
        assert self._ws is not None
        timeout = self._client._config.timeout
        while not turn.done.done():
            try:
                msg = await asyncio.wait_for(self._ws.recv(), timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"the avatar service sent nothing for {timeout:g} s") from None
            self._dispatch(msg)

    def _dispatch(self, msg: Message) -> None:
        rid = (msg.request_id or "").lower()
        turn = self._turns.get(rid)
        if turn is None:
            return
        before = len(turn.signals)
        turn.feed(msg)
        if self._on_signal is not None:
            for signal in turn.signals[before:]:
                with contextlib.suppress(Exception):  # the caller's callback may not kill us
                    self._on_signal(signal)
        if turn.done.done():
            self._turns.pop(rid, None)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            while True:
                self._dispatch(await self._ws.recv())
        except asyncio.CancelledError:
            raise
        except SpeechError as exc:
            self._fail(exc)
        except Exception as exc:  # the socket broke in a way we did not foresee
            self._fail(ConnectionError(f"the avatar connection failed: {exc!r}"))

    def _fail(self, exc: SpeechError) -> None:
        if self._error is None and not self._closed:
            self._error = exc
        self._closed = True
        self._client._state.untrack(self)
        for turn in self._turns.values():
            if not turn.done.done():
                turn.done.set_exception(exc)
                turn.done.exception()  # retrieved: no "never retrieved" warning if unawaited
        self._turns.clear()

    async def speak(self, text_or_ssml: str, *, voice: str | None = None) -> AvatarSpeech:
        """Have the avatar say *text_or_ssml*; return when the service ends the turn.

        Plain text is spoken with *voice* (default: the session's). Requests
        run one after another, as the service takes them. The service must
        start the turn within the client's ``timeout``; the speaking itself
        may take as long as the text does.

        Raises:
            InvalidRequestError: empty text, bad SSML, or the session not started.
            TimeoutError: the service did not start the turn in time (the
                session is then closed).
            StreamClosedError: the session was closed.
            ConnectionError: the connection broke (its typed cause).
        """
        if not isinstance(text_or_ssml, str) or not text_or_ssml.strip():
            raise InvalidRequestError("speak() needs text or SSML")
        if is_ssml(text_or_ssml):
            ssml = text_or_ssml
            validate_ssml(ssml, max_bytes=_MAX_SSML_BYTES)
        else:
            ssml = text_to_ssml(text_or_ssml, voice=voice or self.voice, language=self.language)
        self._check_open()
        async with self._speaking:
            rid = new_request_id()
            turn = await self._request(rid, ssml)
            self._current = rid
            try:
                await self._wait_started(turn)
                await asyncio.shield(turn.done)  # as long as the avatar speaks
            finally:
                self._current = None
        return AvatarSpeech(rid, turn.duration, tuple(turn.signals))

    async def _wait_started(self, turn: _Turn) -> None:
        """The service starts a turn within the client's timeout (then it may speak for long)."""
        timeout = self._client._config.timeout
        done, _ = await asyncio.wait(
            {turn.started, turn.done}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if not done:
            error = TimeoutError(f"the avatar service did not start speaking within {timeout:g} s")
            self._error = error
            await self._shut()
            raise error
        if turn.done.done() and turn.done.exception() is not None:
            raise turn.done.exception()  # type: ignore[misc]

    async def stop(self) -> None:
        """Stop speaking now (``synthesis.control`` ``stop``); the running speak() returns."""
        ws = self._check_open()
        await ws.send(synthesis_stop_frame(self._current or new_request_id()))

    async def update_scene(self, scene: AvatarScene) -> None:
        """Move a photo avatar in its frame (``synthesis.control`` ``avatarScene``)."""
        if not isinstance(scene, AvatarScene):
            raise InvalidRequestError("scene must be an AvatarScene")
        ws = self._check_open()
        body = {"avatarScene": scene.to_json()}
        await ws.send(encode_text("synthesis.control", body, request_id=new_request_id()))

    async def _shut(self) -> None:
        self._closed = True
        self._client._state.untrack(self)
        reader, self._reader = self._reader, None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        for turn in self._turns.values():
            if not turn.done.done():
                turn.done.set_exception(StreamClosedError("the avatar session was closed"))
                turn.done.exception()
        self._turns.clear()
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def close(self) -> None:
        """End the session: close the socket (a running speak() raises StreamClosedError)."""
        await self._shut()

    async def abort(self) -> None:
        """Stop now (the client is closing)."""
        await self._shut()

    async def __aenter__(self) -> AsyncAvatarSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

"""A Voice Live conversation over one WebSocket, on the generic session core.

:class:`AsyncVoiceLiveSession` is an :class:`~azspeech._session.base.AsyncSession`:
its task reads JSON events (:mod:`azspeech._protocol.realtime`) and delivers
them typed, in order, to ``async for`` and to callbacks. It also does three
things for the user:

* **barge-in**: on ``input_audio_buffer.speech_started`` while agent audio is
  playing, the *player* (if any) is stopped and the agent's item truncated at
  the duration actually played (or, without a player, at the audio received);
* **tools**: calls of registered functions run beside the session (events
  keep flowing meanwhile; sync functions in a worker thread), each answered
  with its result as soon as it returns (:class:`ToolCompleted`) or with an
  error output if it raised (:class:`ToolFailed`); once the calling response
  is done and all its calls are answered, the next response is requested
  (not after a cancelled or failed response: the user has moved on).
  Tools still running when the session ends are cancelled;
* **no replay**: a dropped connection ends the session with its error; the
  conversation lives on the service, so nothing is re-sent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .._protocol.framing import new_request_id
from .._protocol.realtime import RealtimeDecoder, audio_append, client_event
from .._session.base import AsyncSession, Callback, Subscription
from ..audio.formats import PcmFormat
from ..errors import InvalidRequestError, ProtocolError
from ..models import voice_live as m
from .avatar import AsyncVoiceLiveAvatar
from .tools import Tools

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient
    from .._transport.ws import RawWebSocket
    from ..audio.sources import AudioInput
    from ..auth import Auth

__all__ = ["AsyncVoiceLiveSession", "Player"]

logger = logging.getLogger("azspeech")

_CHUNK_MS = 100
_TOOL_GRACE_S = 5.0
_G711_TAGS = {"g711_alaw": 6, "g711_ulaw": 7}  # WAV format tags of the G.711 input formats


class Player(Protocol):
    """Where the agent's audio is played; the session stops it on barge-in."""

    def stop(self) -> float | None:
        """Stop playback now; return the milliseconds of the current item played (None: unknown).

        It may also be a coroutine function. If it raises, the error is logged
        and the item is truncated at the audio received.
        """
        ...


class AsyncVoiceLiveSession(AsyncSession[m.ServerEvent]):
    """A Voice Live conversation: send audio and events, iterate typed server events.

    Made by ``client.voice_live.connect(...)``; use it as ``async with``.
    Events: every server event (typed where known, :class:`ServerEvent`
    otherwise), then :class:`Closed`; a failure delivers :class:`Canceled`
    and raises its error from the iteration.
    """

    task_name = "azspeech-voice-live"

    def __init__(
        self,
        client: AsyncSpeechClient,
        url: str,
        *,
        config: m.SessionConfig | None = None,
        tools: Tools | None = None,
        player: Player | None = None,
        auth: Auth | None = None,
        callbacks: Mapping[str, Callback[m.ServerEvent]] | None = None,
    ) -> None:
        self._client = client
        self._url = url
        self._auth = auth
        self.config = config
        """The configuration sent in ``session.update`` on connect (None: the service's)."""
        self.tools = tools
        """The functions this session answers calls of."""
        self.player = player
        """Where agent audio plays (stopped on barge-in), if given."""
        self._ws: RawWebSocket | None = None
        self._decoder = RealtimeDecoder(config.output_audio_format if config else None)
        self._ended = asyncio.Event()
        self._tool_calls: dict[str, set[str]] = {}  # response id -> its calls still running
        self._tool_done: set[str] = set()  # tool responses done, waiting for their calls
        self._tool_tasks: set[asyncio.Task[None]] = set()
        self._playing: tuple[str, int] | None = None  # (agent item id, ms of audio received)
        self._responding = False
        self._avatar_waiters: dict[str, asyncio.Future[m.ServerEvent]] = {}
        self.avatar = AsyncVoiceLiveAvatar(self)
        """The session's avatar: ``ice_servers``, ``answer(offer)``, ``connect()`` (aiortc)."""
        self.remote_session: dict[str, Any] = {}
        """The service's view of the session (from ``session.created``/``session.updated``)."""
        super().__init__(callbacks=callbacks)

    # -- events ----------------------------------------------------------------------------------

    def on(self, event_type: str, callback: Callback[m.ServerEvent]) -> Subscription[m.ServerEvent]:
        """Add a callback for a server event type (``"response.audio.delta"``...) or ``"*"``.

        Any type is accepted (the protocol grows); ``"closed"`` and
        ``"canceled"`` are this library's end events.
        """
        if not isinstance(event_type, str) or not event_type:
            raise InvalidRequestError(f"event type must be a non-empty string, got {event_type!r}")
        if not callable(callback):
            raise InvalidRequestError(f"callback must be callable, got {callback!r}")
        handlers = self._handlers.setdefault(event_type, [])
        subscription = Subscription(handlers, event_type, callback)
        handlers.append(subscription)
        return subscription

    def _stopped_event(self) -> m.ServerEvent | None:
        return m.Closed()

    def _canceled_event(self, error: BaseException) -> m.ServerEvent | None:
        return m.Canceled(exception=error)

    # -- lifecycle -------------------------------------------------------------------------------

    async def _open(self) -> None:
        self._client._state.track(self)
        try:
            self._ws = await self._client._ws_connect_raw(self._url, auth=self._auth)
            if self.config is not None:
                await self._ws.send(client_event("session.update", session=self.config.to_wire()))
        except BaseException:
            self._client._state.untrack(self)
            if self._ws is not None:
                await self._ws.close()
            raise

    async def _release(self) -> None:
        await self._cancel_tools()
        for waiter in self._avatar_waiters.values():
            if not waiter.done():
                waiter.set_exception(self.error or InvalidRequestError("the session ended"))
        self._avatar_waiters.clear()
        self.avatar._end(self.error)
        await self.avatar.close()
        self._client._state.untrack(self)
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    def _end_input(self) -> None:
        self._ended.set()

    def _wake(self) -> None:
        self._ended.set()

    async def _serve(self) -> None:
        assert self._ws is not None
        ended = asyncio.ensure_future(self._ended.wait())
        frame: asyncio.Future[str | bytes] | None = None
        try:
            while True:
                frame = asyncio.ensure_future(self._ws.recv())
                await asyncio.wait((frame, ended), return_when=asyncio.FIRST_COMPLETED)
                if not frame.done():
                    frame.cancel()
                    return
                event = self._decoder.decode(frame.result())
                await self._handle(event)
                await self._emit(event)
        finally:
            ended.cancel()
            # Cancelled mid-wait (the session left by an exception), the pending recv() would
            # fail when the socket closes with nobody to retrieve it: "never retrieved".
            if frame is not None:
                if not frame.done():
                    frame.cancel()
                elif not frame.cancelled():
                    frame.exception()

    async def _handle(self, event: m.ServerEvent) -> None:
        self.avatar._observe(event)
        if event.type == "session.avatar.connecting":
            waiters, self._avatar_waiters = self._avatar_waiters, {}
            for waiter in waiters.values():
                if not waiter.done():
                    waiter.set_result(event)
        elif isinstance(event, m.ErrorEvent) and event.error.event_id in self._avatar_waiters:
            refused = self._avatar_waiters.pop(event.error.event_id)
            if not refused.done():
                refused.set_exception(InvalidRequestError(f"avatar: {event.error.message}"))
        elif isinstance(event, (m.SessionCreated, m.SessionUpdated)):
            self.remote_session = event.session
        elif isinstance(event, m.ResponseCreated):
            self._responding = True
        elif isinstance(event, m.ResponseAudioDelta) and event.item_id:
            ms = round(event.audio.duration.total_seconds() * 1000)
            if self._playing is not None and self._playing[0] == event.item_id:
                ms += self._playing[1]
            self._playing = (event.item_id, ms)
        elif isinstance(event, m.SpeechStarted):
            await self._barge_in()
        elif isinstance(event, m.FunctionCall) and self.tools and event.name in self.tools:
            if event.response_id:
                self._tool_calls.setdefault(event.response_id, set()).add(event.call_id)
            task = self._spawn(self._run_tool(event), f"{self.task_name}-tool-{event.call_id}")
            self._tool_tasks.add(task)
            task.add_done_callback(self._tool_tasks.discard)
        elif isinstance(event, m.ResponseDone):
            self._responding = False
            response_id = event.response_id
            if response_id in self._tool_calls:
                if event.status in ("cancelled", "failed"):
                    # Interrupted (barge-in, cancel): the outputs still go out, but asking
                    # for a response now would talk over what the user does next.
                    self._tool_calls.pop(response_id, None)
                else:
                    self._tool_done.add(response_id)
                    await self._respond_after_tools(response_id)

    # -- tools -----------------------------------------------------------------------------------

    async def _run_tool(self, call: m.FunctionCall) -> None:
        """One tool call, beside the session task: run it, answer it, maybe ask for more."""
        assert self.tools is not None
        output, failure = await self.tools.run(call)
        call_id, name = call.call_id, call.name
        if failure is None:
            await self._emit(m.ToolCompleted(call_id=call_id, name=name, output=output))
        else:
            message = Tools.error_message(failure)
            await self._emit(
                m.ToolFailed(call_id=call_id, name=name, message=message, exception=failure)
            )
        try:
            await self.send_function_output(call.call_id, output)
            if call.response_id:
                self._tool_calls.get(call.response_id, set()).discard(call.call_id)
                await self._respond_after_tools(call.response_id)
        except Exception as exc:
            if not self._stopping:  # the connection broke under the answer: the session ends
                self.fail(exc)

    async def _respond_after_tools(self, response_id: str) -> None:
        """Ask for the next response once *response_id* is done and all its calls answered."""
        if response_id in self._tool_done and not self._tool_calls.get(response_id):
            self._tool_done.discard(response_id)
            self._tool_calls.pop(response_id, None)
            await self.respond()

    async def _cancel_tools(self) -> None:
        tasks = [t for t in self._tool_tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            # A tool that swallows its cancellation must not hold the close forever.
            await asyncio.wait(tasks, timeout=_TOOL_GRACE_S)

    async def _barge_in(self) -> None:
        playing, self._playing = self._playing, None
        played = await self._stop_player()
        if playing is None:
            return
        item_id, received = playing
        if played is None and not self._responding:
            return  # all audio delivered and no player to say what is still unheard
        end_ms = received if played is None else min(int(played), received)
        if end_ms < received or self._responding:
            await self.truncate(item_id, end_ms)

    async def _stop_player(self) -> float | None:
        """Stop the player; what it played, or None (unknown, or a player that failed)."""
        if self.player is None:
            return None
        try:
            played: Any = self.player.stop()
            if inspect.isawaitable(played):
                played = await played
        except Exception:  # a broken player must not end the conversation
            logger.exception("azspeech: the player's stop() raised; truncating at audio received")
            return None
        return float(played) if isinstance(played, (int, float)) else None

    # -- client events ---------------------------------------------------------------------------

    @property
    def input_format(self) -> PcmFormat:
        """The format audio is sent in: 16-bit mono PCM at the session's input rate, or G.711.

        :meth:`send_file` converts any input to it; :meth:`send_audio` takes
        bytes already in it.
        """
        config = self.config
        kind = (config.input_audio_format if config else None) or "pcm16"
        if kind in _G711_TAGS:
            return PcmFormat(8000, 8, 1, _G711_TAGS[kind])
        return PcmFormat(config.input_rate if config else 24000)

    async def send_event(self, event_type: str, **fields: Any) -> None:
        """Send any client event (``None`` fields left out), for types without a method."""
        if self._task is None and not self._stopping:
            await self.start()
        if self.error is not None:
            raise self.error
        if self._ws is None or self._stopping:
            raise InvalidRequestError("the Voice Live session is closed")
        await self._ws.send(client_event(event_type, **fields))

    async def send_audio(self, chunk: bytes | bytearray | memoryview) -> None:
        """Append raw audio already in :attr:`input_format` (16-bit PCM unless G.711)."""
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidRequestError(
                f"send_audio takes raw PCM bytes, not {type(chunk).__name__}; "
                "use send_file() for files, arrays and streams"
            )
        data = bytes(chunk)
        frame = self.input_format.bits_per_sample // 8
        if len(data) % frame:
            raise InvalidRequestError(
                f"send_audio got {len(data)} bytes, not whole {frame}-byte samples of "
                f"{self.input_format}; use send_file() to convert other audio"
            )
        if self._task is None and not self._stopping:
            await self.start()
        if self._ws is None or self._stopping:
            raise InvalidRequestError("the Voice Live session is closed")
        await self._ws.send(audio_append(data))

    async def send_file(
        self,
        audio: AudioInput,
        *,
        realtime: bool = False,
        sample_rate: int | None = None,
        input_format: PcmFormat | None = None,
    ) -> None:
        """Append any audio input (path, bytes, array, ``Audio``, stream, microphone).

        It is decoded and converted to the session's input format.
        """
        from ..audio import open_pcm_stream

        stream = open_pcm_stream(
            audio,
            target=self.input_format,
            sample_rate=sample_rate,
            chunk_ms=_CHUNK_MS if realtime else 500,
            realtime=realtime,
            input_format=input_format,
        )
        try:
            async for chunk in stream:
                await self.send_audio(chunk)
        finally:
            await stream.aclose()

    async def commit(self) -> None:
        """Commit the input buffer as a user item (manual turns)."""
        await self.send_event("input_audio_buffer.commit")

    async def clear(self) -> None:
        """Drop the audio appended since the last commit."""
        await self.send_event("input_audio_buffer.clear")

    async def respond(self, **overrides: Any) -> None:
        """Ask for a response (``instructions=``, ``modalities=``... override the session's)."""
        await self.send_event("response.create", response=overrides or None)

    async def cancel(self) -> None:
        """Cancel the response in progress."""
        await self.send_event("response.cancel")

    async def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user text message; by default ask for a response to it."""
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        await self.create_item(item)
        if respond:
            await self.respond()

    async def create_item(
        self, item: dict[str, Any], *, previous_item_id: str | None = None
    ) -> None:
        """Add a conversation item (message, function call output...)."""
        await self.send_event(
            "conversation.item.create", item=item, previous_item_id=previous_item_id
        )

    async def truncate(self, item_id: str, audio_end_ms: int, *, content_index: int = 0) -> None:
        """Cut an agent item's audio at *audio_end_ms* (what the user heard)."""
        await self.send_event(
            "conversation.item.truncate",
            item_id=item_id,
            content_index=content_index,
            audio_end_ms=max(0, int(audio_end_ms)),
        )

    async def delete_item(self, item_id: str) -> None:
        """Remove an item from the conversation."""
        await self.send_event("conversation.item.delete", item_id=item_id)

    async def send_function_output(self, call_id: str, output: str | Any) -> None:
        """Answer a function call (a non-string *output* is sent as JSON)."""
        text = output if isinstance(output, str) else json.dumps(output, default=str)
        await self.create_item({"type": "function_call_output", "call_id": call_id, "output": text})

    async def update(self, config: m.SessionConfig) -> None:
        """Send a new full configuration (``session.update`` may reset what it leaves out)."""
        self.config = config
        await self.send_event("session.update", session=config.to_wire())

    # -- avatar ----------------------------------------------------------------------------------

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        """The ICE servers the service gave for the avatar (``session.avatar.ice_servers``)."""
        avatar = self.remote_session.get("avatar")
        servers = avatar.get("ice_servers") if isinstance(avatar, dict) else None
        return list(servers) if isinstance(servers, list) else []

    async def connect_avatar(
        self, offer: str | Mapping[str, Any], *, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Send the WebRTC offer for the session's avatar; return the service's answer.

        *offer* is the peer connection's local description (``{"type": "offer",
        "sdp": ...}``) or its SDP text. It goes out base64-encoded JSON in
        ``session.avatar.connect``; the answer of ``session.avatar.connecting``
        is decoded back into ``{"type": "answer", "sdp": ...}``, ready for
        ``setRemoteDescription``. Not from a callback of this session.

        Raises:
            InvalidRequestError: the service refused the offer (its error event).
            TimeoutError: no answer within *timeout* seconds.
        """
        if self._inside():
            raise InvalidRequestError("connect_avatar() waits for the session: not from a callback")
        description = {"type": "offer", "sdp": offer} if isinstance(offer, str) else dict(offer)
        if not isinstance(description.get("sdp"), str) or not description["sdp"].strip():
            raise InvalidRequestError("the offer needs its SDP text")
        encoded = base64.b64encode(json.dumps(description).encode()).decode("ascii")
        waiter: asyncio.Future[m.ServerEvent] = asyncio.get_running_loop().create_future()
        event_id = "evt_" + new_request_id()[:20]
        self._avatar_waiters[event_id] = waiter
        try:
            await self.send_event("session.avatar.connect", client_sdp=encoded, event_id=event_id)
            event = await asyncio.wait_for(waiter, timeout)
        finally:
            self._avatar_waiters.pop(event_id, None)
        return decode_sdp(event.raw.get("server_sdp"))


def decode_sdp(value: Any) -> dict[str, Any]:
    """A base64 JSON session description (``server_sdp``) as a dict.

    Raises:
        ProtocolError: the value is not base64 of a JSON object with ``sdp``.
    """
    try:
        answer = json.loads(base64.b64decode(str(value), validate=True))
    except (ValueError, binascii.Error):
        raise ProtocolError("the service's avatar answer is not base64 JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("sdp"), str):
        raise ProtocolError("the service's avatar answer has no SDP")
    return answer

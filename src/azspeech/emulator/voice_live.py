"""Voice Live (``/voice-live/realtime``) in the emulator: a scripted agent over JSON events.

It answers from the audio it receives: the session's speech-to-text engine
(tones by default) segments and transcribes it (server VAD: speech started
and stopped from the audio energy, ``silence_duration_ms`` ends a turn;
``turn_detection: null``: the client commits), and the agent replies
deterministically, "You said: <transcript>", as transcript deltas and tone
audio (text deltas without the audio modality). When function tools are
configured and the user's words name one (``get_weather`` or "get weather"),
the agent calls it instead and, after ``function_call_output`` and
``response.create``, answers with the result. ``response.cancel`` and speech
during a response (``interrupt_response``) end it with status
``cancelled``; ``conversation.item.truncate`` cuts an agent item at the
audio the user heard (its transcript keeps the words begun before that
point; ``conversation.item.retrieve`` shows it), refusing unknown items and
times past the audio sent. ``create_response: false`` leaves the response
to the client. An avatar with ``output_protocol: "websocket"`` also sends each
spoken reply as ``response.video.delta`` fragmented MP4 (:mod:`.avatar_fmp4`).

Knobs: ``state.extra["voice_live_chunk_delay"]`` seconds between audio
deltas (default 0; a delay lets tests barge in mid-response).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import re
import secrets
from typing import Any

import numpy as np
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .._protocol.framing import loads_json
from ..errors import ProtocolError
from ._audio import PcmConverter, WavFormat
from .auth import check_credentials, deny, error_response
from .avatar_fmp4 import VideoDeltas
from .avatar_realtime import say_at
from .engines.base import Final, RecognitionOptions, SegmentingStream, SpeechStarted
from .state import EmulatorState, LoggedMessage, SessionLog
from .tts_render import render_text
from .voice_live_avatar import answer_avatar, with_ice_servers
from .voice_live_checks import OUT_RATES, session_problem

__all__ = ["routes"]

PATH = "/voice-live/realtime"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class _Agent:
    """One Voice Live connection: the session settings, the input audio, the conversation."""

    def __init__(self, state: EmulatorState, ws: WebSocket, log: SessionLog, model: str) -> None:
        self.state = state
        self.ws = ws
        self.log = log
        self.session: dict[str, Any] = {
            "id": _id("sess"),
            "object": "realtime.session",
            "model": model,
            "modalities": ["text", "audio"],
            "voice": {"type": "azure-standard", "name": "en-US-AvaMultilingualNeural"},
            "input_audio_format": "pcm16",
            "input_audio_sampling_rate": 24000,
            "output_audio_format": "pcm16",
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            "tools": [],
            "temperature": 0.8,
        }
        self.items: list[dict[str, Any]] = []
        # agent item id -> (ms of audio sent, (start ms, word) of each word spoken)
        self.spoken: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        self.stream: SegmentingStream | None = None
        self.converter: PcmConverter | None = None
        self.manual: list[np.ndarray[Any, Any]] = []
        self.response: asyncio.Task[None] | None = None
        self.cancelled = False
        self.send_lock = asyncio.Lock()
        self.avatar_media: Any = None  # the avatar's WebRTC peer (avatar_realtime)

    # -- plumbing --------------------------------------------------------------------------------

    async def send(self, event_type: str, **fields: Any) -> None:
        body = {"type": event_type, "event_id": _id("event"), **fields}
        text = json.dumps(body)
        binary = event_type in ("response.audio.delta", "response.video.delta")
        logged = json.dumps({"type": event_type}) if binary else text
        self.log.add(LoggedMessage("out", event_type, {}, logged.encode(), len(text), False, 0.0))
        async with self.send_lock:
            await self.ws.send_text(text)

    async def error(
        self, message: str, *, code: str = "invalid_request", event_id: Any = None
    ) -> None:
        await self.send(
            "error",
            error={
                "type": "invalid_request_error",
                "code": code,
                "message": message,
                "event_id": event_id,
            },
        )

    def _input_rate(self) -> int:
        fmt = self.session.get("input_audio_format", "pcm16")
        return (
            8000 if fmt != "pcm16" else int(self.session.get("input_audio_sampling_rate") or 24000)
        )

    def _open_audio(self) -> None:
        fmt = self.session.get("input_audio_format", "pcm16")
        tag, bits = {"pcm16": (1, 16), "g711_alaw": (6, 8), "g711_ulaw": (7, 8)}[fmt]
        self.converter = PcmConverter(WavFormat(tag, 1, self._input_rate(), bits, 0, None))
        td = self.session.get("turn_detection") or {}
        silence = float(td.get("silence_duration_ms") or 500)
        options = RecognitionOptions(segmentation_silence_ms=silence, hypothesis_interval_ms=10_000)
        self.stream = self.state.engine.open_stream(options)

    # -- client events ---------------------------------------------------------------------------

    async def handle(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        event_id = data.get("event_id")
        if kind == "session.update":
            new = data.get("session")
            if not isinstance(new, dict):
                return await self.error("session must be an object.", event_id=event_id)
            merged = {**self.session, **new}
            problem = session_problem(merged)
            if problem:
                return await self.error(problem, event_id=event_id)
            await with_ice_servers(merged, self.ws.url.hostname or "127.0.0.1", self.state)
            self.session = merged
            self.stream = None
            await self.send("session.updated", session=self.session)
        elif kind == "input_audio_buffer.append":
            try:
                raw = base64.b64decode(str(data.get("audio", "")), validate=True)
            except (binascii.Error, ValueError):
                return await self.error("audio is not base64.", event_id=event_id)
            self.log.audio_chunks += 1
            self.log.audio_bytes += len(raw)
            await self.audio(raw)
        elif kind == "input_audio_buffer.commit":
            if not self.manual:
                return await self.error(
                    "The input audio buffer is empty.",
                    code="input_audio_buffer_commit_empty",
                    event_id=event_id,
                )
            audio = np.concatenate(self.manual)
            self.manual = []
            transcript = self.state.engine.recognize(audio, 0, RecognitionOptions())
            await self.user_turn(transcript.text if transcript else "", 0, len(audio) // 16)
        elif kind == "input_audio_buffer.clear":
            self.manual = []
            self.stream = None
            await self.send("input_audio_buffer.cleared")
        elif kind == "conversation.item.create":
            item = data.get("item")
            if not isinstance(item, dict):
                return await self.error("item must be an object.", event_id=event_id)
            item = {
                **item,
                "id": item.get("id") or _id("item"),
                "object": "realtime.item",
                "status": "completed",
            }
            self.items.append(item)
            await self.send("conversation.item.created", item=item, previous_item_id=None)
        elif kind == "conversation.item.truncate":
            await self.truncate(data, event_id)
        elif kind == "conversation.item.retrieve":
            item = self._item(data.get("item_id"))
            if item is None:
                return await self.error(
                    f"Item {data.get('item_id')!r} not found.", code="item_not_found",
                    event_id=event_id,
                )  # fmt: skip
            await self.send("conversation.item.retrieved", item=item)
        elif kind == "conversation.item.delete":
            self.items = [i for i in self.items if i.get("id") != data.get("item_id")]
            await self.send("conversation.item.deleted", item_id=data.get("item_id"))
        elif kind == "response.create":
            if self.response is not None and not self.response.done():
                return await self.error(
                    "A response is already in progress.",
                    code="conversation_already_has_active_response",
                    event_id=event_id,
                )
            self.start_response()
        elif kind == "response.cancel":
            await self.cancel()
        elif kind == "session.avatar.connect":
            await answer_avatar(self, data.get("client_sdp"), event_id)
        else:
            await self.error(
                f"Unknown event type {kind!r}.", code="unknown_event", event_id=event_id
            )

    def _item(self, item_id: Any) -> dict[str, Any] | None:
        return next((i for i in self.items if i.get("id") == item_id), None)

    async def truncate(self, data: dict[str, Any], event_id: Any) -> None:
        """Cut an agent item's audio where the user stopped hearing it; its transcript follows."""
        item_id, end_ms = data.get("item_id"), data.get("audio_end_ms")
        spoken = self.spoken.get(str(item_id))
        if self._item(item_id) is None or spoken is None:
            return await self.error(
                f"Item {item_id!r} is not an assistant item with audio.", code="item_not_found",
                event_id=event_id,
            )  # fmt: skip
        total_ms, word_starts = spoken
        if not isinstance(end_ms, int) or not 0 <= end_ms <= total_ms:
            return await self.error(
                f"audio_end_ms must be between 0 and the item's {total_ms} ms of audio.",
                code="invalid_value", event_id=event_id,
            )  # fmt: skip
        heard = " ".join(word for start, word in word_starts if start < end_ms)
        item = self._item(item_id)
        assert item is not None
        item["content"] = [{"type": "audio", "transcript": heard}]
        self.spoken[str(item_id)] = (end_ms, [w for w in word_starts if w[0] < end_ms])
        await self.send(
            "conversation.item.truncated",
            item_id=item_id,
            content_index=data.get("content_index", 0),
            audio_end_ms=end_ms,
        )

    async def audio(self, raw: bytes) -> None:
        if self.stream is None or self.converter is None:
            self._open_audio()
        assert self.stream is not None and self.converter is not None
        samples = self.converter.feed(raw)
        if self.session.get("turn_detection") is None:
            self.manual.append(samples)
            return
        td = self.session["turn_detection"]
        for event in self.stream.feed(samples):
            if isinstance(event, SpeechStarted):
                await self.send(
                    "input_audio_buffer.speech_started",
                    audio_start_ms=event.offset // 16,
                    item_id=_id("item"),
                )
                if td.get("interrupt_response", True):
                    await self.cancel()
            elif isinstance(event, Final):
                seg = event.segment
                text = seg.transcript.text if seg.transcript else ""
                await self.user_turn(
                    text, seg.start // 16, seg.end // 16, respond=td.get("create_response", True)
                )

    async def user_turn(
        self, text: str, start_ms: int, end_ms: int, *, respond: bool = False
    ) -> None:
        item_id = _id("item")
        if self.session.get("turn_detection") is not None:
            await self.send(
                "input_audio_buffer.speech_stopped", audio_end_ms=end_ms, item_id=item_id
            )
        previous = self.items[-1]["id"] if self.items else None
        await self.send("input_audio_buffer.committed", item_id=item_id, previous_item_id=previous)
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [{"type": "input_audio", "transcript": text}],
        }
        self.items.append(item)
        await self.send("conversation.item.created", item=item, previous_item_id=previous)
        if self.session.get("input_audio_transcription"):
            words = text.split()
            for i, word in enumerate(words):
                delta = word if i == 0 else " " + word
                await self.send(
                    "conversation.item.input_audio_transcription.delta",
                    item_id=item_id,
                    content_index=0,
                    delta=delta,
                )
            await self.send(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=text,
            )
        if respond:
            self.start_response()

    async def cancel(self) -> None:
        if self.avatar_media is not None:
            self.avatar_media.stop()
        task = self.response
        if task is not None and not task.done():
            self.cancelled = True
            await asyncio.wait((task,))

    # -- the agent's answer ----------------------------------------------------------------------

    def start_response(self) -> None:
        previous = self.response

        async def after_previous() -> None:
            # A turn ended while the agent still speaks (interrupt_response false): it waits.
            if previous is not None and not previous.done():
                await asyncio.wait((previous,))
                if self.cancelled:
                    return  # response.cancel while waiting: the queued response goes too
            self.cancelled = False
            with contextlib.suppress(WebSocketDisconnect):  # the client left mid-answer
                await self.respond()

        self.response = asyncio.get_running_loop().create_task(after_previous())

    def _tool_for(self, text: str) -> dict[str, Any] | None:
        said = re.sub(r"[^a-z0-9 ]", " ", text.lower())
        for tool in self.session.get("tools") or []:
            name = str(tool.get("name", "")) if isinstance(tool, dict) else ""
            if name and (name.lower() in said or name.lower().replace("_", " ") in said):
                return dict(tool)
        return None

    async def respond(self) -> None:
        response_id = _id("resp")
        await self.send(
            "response.created",
            response={
                "id": response_id,
                "object": "realtime.response",
                "status": "in_progress",
                "output": [],
            },
        )
        last = self.items[-1] if self.items else {}
        if last.get("type") == "function_call_output":
            reply = f"The result is {last.get('output', '')}."
            tool = None
        else:
            content = last.get("content") or [{}]
            said = str(content[0].get("transcript") or content[0].get("text") or "").strip()
            tool = self._tool_for(said)
            reply = f"You said: {said}" if said else "I heard nothing."
        status = "completed"
        if tool is not None:
            output = await self.call_tool(response_id, tool, said)
        else:
            output = await self.speak(response_id, reply)
            if self.cancelled:
                status = "cancelled"
        await self.send(
            "response.done",
            response={
                "id": response_id,
                "object": "realtime.response",
                "status": status,
                "output": output,
                "usage": {
                    "total_tokens": len(reply.split()) * 2,
                    "input_tokens": len(reply.split()),
                    "output_tokens": len(reply.split()),
                },
            },
        )
        await self.send(
            "rate_limits.updated",
            rate_limits=[
                {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60}
            ],
        )

    async def call_tool(
        self, response_id: str, tool: dict[str, Any], said: str
    ) -> list[dict[str, Any]]:
        call_id, item_id = _id("call"), _id("item")
        params = (tool.get("parameters") or {}).get("properties") or {}
        args = {
            name: said
            for name, spec in params.items()
            if (spec or {}).get("type") in (None, "string")
        }
        text = json.dumps(args)
        item = {
            "id": item_id,
            "type": "function_call",
            "call_id": call_id,
            "name": tool["name"],
            "arguments": "",
        }
        await self.send(
            "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        half = len(text) // 2
        for delta in (text[:half], text[half:]):
            await self.send(
                "response.function_call_arguments.delta",
                response_id=response_id,
                item_id=item_id,
                output_index=0,
                call_id=call_id,
                delta=delta,
            )
        await self.send(
            "response.function_call_arguments.done",
            response_id=response_id,
            item_id=item_id,
            output_index=0,
            call_id=call_id,
            name=tool["name"],
            arguments=text,
        )
        done = {**item, "arguments": text, "status": "completed"}
        self.items.append(done)
        await self.send(
            "response.output_item.done", response_id=response_id, output_index=0, item=done
        )
        return [done]

    async def speak(self, response_id: str, reply: str) -> list[dict[str, Any]]:
        item_id = _id("item")
        audio_on = "audio" in (self.session.get("modalities") or ["text", "audio"])
        part_type = "audio" if audio_on else "text"
        item: dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        ids = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        self.items.append(item)  # in the conversation from the start: a barge-in may truncate it
        await self.send(
            "response.output_item.added", response_id=response_id, output_index=0, item=item
        )
        await self.send("response.content_part.added", **ids, part={"type": part_type})
        words = reply.split()
        delay = float(self.state.extra.get("voice_live_chunk_delay", 0.0))
        sent_words: list[str] = []
        if audio_on:
            rate = OUT_RATES[self.session.get("output_audio_format", "pcm16")]
            rendered = render_text(reply, rate)
            pcm = (np.clip(rendered.samples, -1, 1) * 32767).astype("<i2").tobytes()
            if self.avatar_media is not None:
                say_at(self.avatar_media, rendered.samples, rate)
            step = rate // 10 * 2  # 100 ms
            chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
            per_word = max(1, len(chunks) // max(1, len(words)))
            video = VideoDeltas.for_reply(self.session, rendered.samples, rate, len(chunks))
            sent_ms, word_starts = 0, list[tuple[int, str]]()
            self.spoken[item_id] = (0, word_starts)
            for n, chunk in enumerate(chunks):
                if self.cancelled:
                    break
                await video.send_due(self.send, n)
                if n % per_word == 0 and len(sent_words) < len(words):
                    word = words[len(sent_words)]
                    word_starts.append((sent_ms, word))
                    await self.send(
                        "response.audio_transcript.delta",
                        **ids,
                        delta=(" " if sent_words else "") + word,
                    )
                    sent_words.append(word)
                await self.send(
                    "response.audio.delta", **ids, delta=base64.b64encode(chunk).decode()
                )
                sent_ms += len(chunk) * 1000 // (2 * rate)
                self.spoken[item_id] = (sent_ms, word_starts)
                await asyncio.sleep(delay)
            if not self.cancelled:
                await video.send_rest(self.send)
                for word in words[len(sent_words) :]:
                    await self.send(
                        "response.audio_transcript.delta",
                        **ids,
                        delta=(" " if sent_words else "") + word,
                    )
                    sent_words.append(word)
            await self.send("response.audio.done", **ids)
            await self.send(
                "response.audio_transcript.done", **ids, transcript=" ".join(sent_words)
            )
        else:
            for word in words:
                if self.cancelled:
                    break
                await self.send(
                    "response.text.delta", **ids, delta=(" " if sent_words else "") + word
                )
                sent_words.append(word)
                await asyncio.sleep(delay)
            await self.send("response.text.done", **ids, text=" ".join(sent_words))
        text = " ".join(sent_words)
        part = {"type": part_type, "transcript" if audio_on else "text": text}
        await self.send("response.content_part.done", **ids, part=part)
        item.update(status="incomplete" if self.cancelled else "completed", content=[part])
        done = dict(item)
        await self.send(
            "response.output_item.done", response_id=response_id, output_index=0, item=done
        )
        return [done]


def routes(state: EmulatorState) -> list[BaseRoute]:
    """The Voice Live WebSocket route."""

    async def realtime(websocket: WebSocket) -> None:
        headers = {k.lower(): v for k, v in websocket.headers.items()}
        query = dict(websocket.query_params)
        log = state.new_session("voice_live", websocket.url.path, query, headers)
        creds = dict(headers)
        key = headers.get("api-key") or query.get("api-key")
        if key is not None:
            creds["ocp-apim-subscription-key"] = key
        refused = check_credentials(state, creds, query)
        if refused is not None:
            log.errors.append(f"refused: {refused[1]}")
            return await deny(websocket, error_response(*refused))
        if not query.get("api-version"):
            return await deny(
                websocket, error_response(400, "The api-version query parameter is required.")
            )
        agent = query.get("agent-name")
        if not query.get("model") and not (agent and query.get("agent-project-name")):
            return await deny(
                websocket, error_response(400, "Pass model, or agent-name and agent-project-name.")
            )
        await websocket.accept()
        state.active_sessions += 1
        agent_obj = _Agent(state, websocket, log, query.get("model") or f"agent:{agent}")
        try:
            await agent_obj.send("session.created", session=agent_obj.session)
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message.get("code", 1000))
                text = message.get("text")
                if text is None:
                    await agent_obj.error("Voice Live takes JSON text frames, not binary ones.")
                    continue
                try:
                    data = loads_json(text, what="Voice Live event")
                except ProtocolError:
                    await agent_obj.error("The event is not valid JSON.")
                    continue
                if not isinstance(data, dict):
                    await agent_obj.error("An event must be a JSON object.")
                    continue
                logged = (
                    text
                    if data.get("type") != "input_audio_buffer.append"
                    else '{"type":"input_audio_buffer.append"}'
                )
                log.add(
                    LoggedMessage(
                        "in", str(data.get("type")), {}, logged.encode(), len(text), False, 0.0
                    )
                )
                await agent_obj.handle(data)
        except WebSocketDisconnect as exc:
            log.close_code, log.closed_by = exc.code, "client"
        finally:
            state.active_sessions -= 1
            if agent_obj.avatar_media is not None:
                await agent_obj.avatar_media.close()
            task = agent_obj.response
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    return [WebSocketRoute(PATH, realtime)]

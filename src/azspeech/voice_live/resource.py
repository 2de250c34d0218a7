"""``client.voice_live``: open Voice Live conversations (model or agent mode).

The URL is ``wss://{resource}/voice-live/realtime?api-version=...&model=...``
on a Foundry (``*.services.ai.azure.com``) or Speech custom-domain resource
(or a container/emulator base); a regional client cannot reach it. A key
goes in the ``api-key`` header; an Entra credential on a Foundry resource is
asked for :data:`~azspeech.auth.AI_SCOPE` tokens.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import ValidationError

from ..auth import AI_SCOPE, Auth, CredentialAuth
from ..endpoints import EndpointKind
from ..errors import InvalidRequestError
from ..models import voice_live as m
from .blocking_session import VoiceLiveSession
from .session import AsyncVoiceLiveSession, Player
from .tools import Tools

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient
    from .._session.base import Callback

__all__ = ["GA_API_VERSION", "AsyncVoiceLive", "VoiceLive", "build_config", "voice_live_url"]

GA_API_VERSION = "2026-07-15"
"""The api-version used unless told otherwise: the newest GA version (also the default of
Microsoft's azure-ai-voicelive 1.3); "2026-04-10" and "2025-10-01" are older GA ones."""

ToolsArg = Tools | Iterable[Callable[..., Any]] | None


def voice_live_url(
    client: AsyncSpeechClient | SpeechClient,
    *,
    model: str | None,
    agent_name: str | None,
    agent_project: str | None,
    api_version: str,
    agent_version: str | None = None,
) -> str:
    """The session URL: model mode (``model=``) or agent mode (``agent-name`` + project)."""
    if not isinstance(api_version, str) or not api_version.strip():
        raise InvalidRequestError("api_version must be a non-empty string such as '2026-04-10'")
    query: dict[str, str] = {"api-version": api_version}
    if agent_name is not None or agent_project is not None:
        if model is not None:
            raise InvalidRequestError("pass either model= or agent_name= (agent mode), not both")
        if not agent_name or not agent_project:
            raise InvalidRequestError("agent mode needs both agent_name= and agent_project=")
        query["agent-name"] = agent_name
        query["agent-project-name"] = agent_project
        if agent_version:
            query["agent-version"] = agent_version
    elif not model:
        raise InvalidRequestError("pass model='gpt-realtime' (or another model), or agent_name=")
    else:
        query["model"] = model
    return client.endpoints.voice_live() + "?" + urlencode(query)


def build_config(
    session: m.SessionConfig | None,
    *,
    model: str | None,
    tools: Tools | None,
    fields: Mapping[str, Any],
) -> m.SessionConfig | None:
    """One checked configuration from a ``SessionConfig`` and flat keyword shortcuts."""
    given = {k: v for k, v in fields.items() if v is not None}
    if "voice" in given:
        try:
            given["voice"] = m.parse_voice(given["voice"])
        except ValidationError as exc:
            raise InvalidRequestError("voice: " + _problems(exc)) from None
    if given.pop("manual_turns", False):
        given["manual_turns"] = True
    noise = given.pop("noise_suppression", False)
    if noise:
        kind = noise if isinstance(noise, str) else "azure_deep_noise_suppression"
        given["input_audio_noise_reduction"] = {"type": kind}
    if given.pop("echo_cancellation", False):
        given["input_audio_echo_cancellation"] = {"type": "server_echo_cancellation"}
    if isinstance(given.get("input_transcription"), str):
        given["input_transcription"] = m.InputTranscription(model=given["input_transcription"])
    if "input_transcription" in given:
        given["input_audio_transcription"] = given.pop("input_transcription")
    if "max_tokens" in given:
        given["max_response_output_tokens"] = given.pop("max_tokens")
    if tools:
        given["tools"] = [*(session.tools or [] if session else []), *tools.specs]
    if session is None and not given:
        return None
    base = session.model_dump(exclude_none=True) if session is not None else {}
    if session is not None:  # the fields kept out of the wire JSON
        base.update(model=session.model, manual_turns=session.manual_turns)
    base.update(given)
    if model is not None:
        base["model"] = model
    try:
        return m.SessionConfig.model_validate(base)
    except ValidationError as exc:
        raise InvalidRequestError(_problems(exc)) from None


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) + ': ' if e['loc'] else ''}"
        + str(e["msg"]).removeprefix("Value error, ")
        for e in exc.errors()
    )


class _VoiceLiveBase:
    _client: Any

    def _auth(self, scope: str | None) -> Auth | None:
        auth = self._client.auth
        endpoints = self._client.endpoints
        if isinstance(auth, CredentialAuth):
            wanted = scope or (AI_SCOPE if endpoints.kind is EndpointKind.FOUNDRY else auth.scope)
            if wanted != auth.scope:
                cached = getattr(self, "_scoped", None)
                if cached is None or cached.scope != wanted:
                    cached = CredentialAuth(
                        auth._credential, resource_id=None, wrap=False, scope=wanted
                    )
                    self._scoped = cached
                return cached
        return None  # the client's own credential

    def _prepare(
        self,
        model: str | None,
        agent_name: str | None,
        agent_project: str | None,
        api_version: str,
        session: m.SessionConfig | None,
        tools: ToolsArg,
        fields: Mapping[str, Any],
        agent_version: str | None = None,
    ) -> tuple[str, m.SessionConfig | None, Tools | None]:
        registry = tools if isinstance(tools, Tools) or tools is None else Tools(tools)
        url = voice_live_url(
            self._client,
            model=model,
            agent_name=agent_name,
            agent_project=agent_project,
            api_version=api_version,
            agent_version=agent_version,
        )
        config = build_config(session, model=model, tools=registry, fields=fields)
        return url, config, registry


class AsyncVoiceLive(_VoiceLiveBase):
    """Voice Live conversations (asyncio): ``async with client.voice_live.connect(...) as conn``."""

    def __init__(self, client: AsyncSpeechClient) -> None:
        self._client = client

    def connect(
        self,
        model: str | None = None,
        *,
        agent_name: str | None = None,
        agent_project: str | None = None,
        agent_version: str | None = None,
        api_version: str = GA_API_VERSION,
        session: m.SessionConfig | None = None,
        voice: str | m.Voice | None = None,
        instructions: str | None = None,
        modalities: list[str] | None = None,
        turn_detection: m.ServerVad | m.AzureSemanticVad | m.SemanticVad | None = None,
        manual_turns: bool | None = None,
        noise_suppression: bool | str | None = None,
        echo_cancellation: bool | None = None,
        input_audio_format: str | None = None,
        input_audio_sampling_rate: int | None = None,
        output_audio_format: str | None = None,
        input_transcription: str | m.InputTranscription | None = None,
        tools: ToolsArg = None,
        tool_choice: str | dict[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | str | None = None,
        avatar: m.AvatarConfig | None = None,
        player: Player | None = None,
        scope: str | None = None,
        callbacks: Mapping[str, Callback[m.ServerEvent]] | None = None,
    ) -> AsyncVoiceLiveSession:
        """A conversation session (connects on ``async with`` or the first send).

        *model* (``"gpt-realtime"``...) or *agent_name* + *agent_project*
        (agent mode) choose who answers; *api_version* defaults to the GA one.
        The configuration is *session* plus the keyword shortcuts (which
        win); it is checked here and sent as ``session.update`` on connect.
        *noise_suppression*: ``True`` for Azure deep noise suppression, or
        a type name (``"near_field"``/``"far_field"``, gpt-realtime only).
        *tools*: functions the session answers calls of. *player*: stopped on
        barge-in. *scope*: the Entra scope (default: the AI scope on Foundry).

        Raises:
            InvalidRequestError: a configuration the service would refuse.
            ConfigurationError: a regional client (Voice Live needs the
                resource's endpoint).
        """
        url, config, registry = self._prepare(
            model, agent_name, agent_project, api_version, session, tools,
            dict(voice=voice, instructions=instructions, modalities=modalities,
                 turn_detection=turn_detection, manual_turns=manual_turns,
                 noise_suppression=noise_suppression, echo_cancellation=echo_cancellation,
                 input_audio_format=input_audio_format,
                 input_audio_sampling_rate=input_audio_sampling_rate,
                 output_audio_format=output_audio_format,
                 input_transcription=input_transcription, tool_choice=tool_choice,
                 temperature=temperature, max_tokens=max_tokens, avatar=avatar),
            agent_version,
        )  # fmt: skip
        return AsyncVoiceLiveSession(
            self._client, url, config=config, tools=registry, player=player,
            auth=self._auth(scope), callbacks=callbacks,
        )  # fmt: skip


class VoiceLive(_VoiceLiveBase):
    """Voice Live conversations (blocking): ``with client.voice_live.connect(...) as conn``."""

    def __init__(self, client: SpeechClient) -> None:
        self._client = client

    def connect(self, model: str | None = None, **kwargs: Any) -> VoiceLiveSession:
        """A blocking conversation session; same arguments as :meth:`AsyncVoiceLive.connect`.

        Callbacks and tools run on the client's background loop thread.
        """
        client = self._client
        unknown = set(kwargs) - set(inspect.signature(AsyncVoiceLive.connect).parameters)
        if unknown:
            raise TypeError(
                f"connect() got unexpected keyword arguments: {', '.join(sorted(unknown))}"
            )
        auth_scope = kwargs.pop("scope", None)

        def make(aclient: AsyncSpeechClient) -> AsyncVoiceLiveSession:
            resource = aclient.voice_live
            return resource.connect(model, scope=auth_scope, **kwargs)

        # Checked now, in the caller's thread: bad configurations raise here.
        self._prepare(
            model, kwargs.get("agent_name"), kwargs.get("agent_project"),
            kwargs.get("api_version", GA_API_VERSION), kwargs.get("session"),
            kwargs.get("tools"), {k: v for k, v in kwargs.items() if k not in _NOT_FIELDS},
            kwargs.get("agent_version"),
        )  # fmt: skip
        return VoiceLiveSession(client, make)


_NOT_FIELDS = frozenset(
    {
        "agent_name",
        "agent_project",
        "agent_version",
        "api_version",
        "session",
        "tools",
        "player",
        "callbacks",
    }
)

"""Voice Live: spoken conversations with a model or agent (``client.voice_live``).

``async with client.voice_live.connect("gpt-realtime", voice=..., instructions=...) as conn``
then ``await conn.send_file("question.wav")`` and ``async for event in conn``.
Configuration models and typed events are in :mod:`azspeech.models.voice_live`.
"""

from __future__ import annotations

from ..models.voice_live import (
    AvatarConfig,
    AzureCustomVoice,
    AzurePersonalVoice,
    AzureRealtimeNativeVoice,
    AzureSemanticVad,
    AzureVoice,
    EndOfUtteranceDetection,
    FunctionCall,
    InputTranscription,
    OpenAIVoice,
    ResponseVideoDelta,
    SemanticVad,
    ServerEvent,
    ServerVad,
    SessionConfig,
    ToolCompleted,
    ToolFailed,
)
from ..models.voice_live_avatar import VIDEO_MIME_TYPE
from .avatar import AsyncVoiceLiveAvatar, VoiceLiveAvatar
from .blocking_session import VoiceLiveSession
from .resource import GA_API_VERSION, AsyncVoiceLive, VoiceLive
from .session import AsyncVoiceLiveSession, Player
from .tools import Tools

__all__ = [
    "GA_API_VERSION",
    "VIDEO_MIME_TYPE",
    "AsyncVoiceLive",
    "AsyncVoiceLiveAvatar",
    "AsyncVoiceLiveSession",
    "AvatarConfig",
    "AzureCustomVoice",
    "AzurePersonalVoice",
    "AzureRealtimeNativeVoice",
    "AzureSemanticVad",
    "AzureVoice",
    "EndOfUtteranceDetection",
    "FunctionCall",
    "InputTranscription",
    "OpenAIVoice",
    "Player",
    "ResponseVideoDelta",
    "SemanticVad",
    "ServerEvent",
    "ServerVad",
    "SessionConfig",
    "ToolCompleted",
    "ToolFailed",
    "Tools",
    "VoiceLive",
    "VoiceLiveAvatar",
    "VoiceLiveSession",
]

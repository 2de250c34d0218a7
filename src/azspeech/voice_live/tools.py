"""The tool-calling helper: Python functions the model may call, answered by the session.

Register functions (sync or async) on a :class:`Tools`; their signature and
docstring become the :class:`~azspeech.models.voice_live.FunctionTool` sent
in ``session.update``. When the service calls one, the session runs it with
the parsed arguments, sends its result as ``function_call_output`` and, once
the response that asked is done, asks for the next response.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import typing
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import InvalidRequestError
from ..models.voice_live import FunctionCall, FunctionTool

__all__ = ["Tools"]

logger = logging.getLogger("azspeech")

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _schema(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: describe parameters without types
        hints = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        kind = _JSON_TYPES.get(hints.get(name))  # type: ignore[arg-type]
        properties[name] = {"type": kind} if kind else {}
        if param.default is param.empty:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


class Tools:
    """Functions the model may call, by name.

    ``tools = Tools(get_weather)``; ``@tools.register`` also works. Pass it
    as ``connect(tools=tools)`` (or a plain list of functions).
    """

    def __init__(self, functions: Iterable[Callable[..., Any]] = ()) -> None:
        self._functions: dict[str, Callable[..., Any]] = {}
        self._specs: dict[str, FunctionTool] = {}
        for fn in functions:
            self.register(fn)

    def register(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> Callable[..., Any]:
        """Add *fn* (its name, docstring and signature unless given); returns *fn*."""
        if not callable(fn):
            raise InvalidRequestError(f"a tool must be callable, got {fn!r}")
        tool_name = name or getattr(fn, "__name__", "")
        if not tool_name or not tool_name.replace("_", "").replace("-", "").isalnum():
            raise InvalidRequestError(f"invalid tool name {tool_name!r}")
        doc = inspect.getdoc(fn) or ""
        self._functions[tool_name] = fn
        self._specs[tool_name] = FunctionTool(
            name=tool_name,
            description=description or (doc.split("\n\n")[0] if doc else None),
            parameters=parameters or _schema(fn),
        )
        return fn

    @property
    def specs(self) -> list[FunctionTool]:
        """The tool definitions for ``session.update``."""
        return list(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def __len__(self) -> int:
        return len(self._functions)

    async def call(self, call: FunctionCall) -> str:
        """Run the function *call* names; its result as the output string.

        A result that is not a string is sent as JSON; an error is sent as
        ``{"error": "..."}`` (the model can then tell the user).
        """
        output, _ = await self.run(call)
        return output

    async def run(self, call: FunctionCall) -> tuple[str, BaseException | None]:
        """Run the function *call* names: ``(output, None)``, or ``(error output, exception)``.

        Coroutine functions run on the loop, plain functions in a worker thread
        (so a slow one blocks nothing). Cancelling the caller cancels a
        coroutine function; a thread cannot be stopped and its result is dropped.
        """
        fn = self._functions.get(call.name or "")
        if fn is None:
            error = InvalidRequestError(f"unknown function {call.name!r}")
            return json.dumps({"error": str(error)}), error
        try:
            args = call.parsed_arguments()
            if inspect.iscoroutinefunction(fn):
                result = await fn(**args)
            else:
                result = await asyncio.to_thread(fn, **args)
                if inspect.isawaitable(result):
                    result = await result
        except Exception as exc:
            logger.warning("azspeech: tool %s raised %r", call.name, exc)
            return json.dumps({"error": self.error_message(exc)}), exc
        return (result if isinstance(result, str) else json.dumps(result, default=str)), None

    @staticmethod
    def error_message(exc: BaseException) -> str:
        """How a tool's failure is told to the model: ``"ExceptionType: text"``."""
        return f"{type(exc).__name__}: {exc}"

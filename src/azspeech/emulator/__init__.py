"""A local stand-in for Azure Speech: real HTTP and WebSocket on 127.0.0.1.

>>> from azspeech.emulator import Emulator
>>> with Emulator(key="k") as emu, emu.client() as client:       # doctest: +SKIP
...     audio = client.tts.synthesize("Hello there.")
...     print(client.stt.recognize_once(audio.data).text)
Hello there.

It speaks the service's protocols so that clients, Microsoft's official SDK
included (``SpeechConfig(host=emu.ws_url, subscription=emu.key)``), can run
offline tests and demos. One port serves:

==========================================================  ========================================
``POST /sts/v1.0/issueToken``                               STS token (10 minutes) for a valid key
``WS  /speech/recognition/{mode}/cognitiveservices/v1``     real-time STT, mode interactive,
``WS  /stt/speech/recognition/{mode}/...``                  conversation or dictation
``WS  /speech/universal/v2``, ``/stt/speech/universal/v2``  real-time STT (mode from the context),
                                                            speech translation (:mod:`.translation`)
``WS  /speech/translation/cognitiveservices/v1``            legacy speech translation
``POST /speech/recognition/{mode}/cognitiveservices/v1``    short-audio REST (<= 60 s, WAV/OGG)
``POST /speechtotext/transcriptions:transcribe``            fast transcription (multipart)
``GET  /speechtotext/transcriptions/locales``               its locales
text to speech, voices list, batch synthesis                added by :mod:`.tts` and friends
``GET /ready``, ``/status``, ``/emulator/health``           probes
==========================================================  ========================================

Auth: ``Ocp-Apim-Subscription-Key`` or ``Authorization: Bearer <STS token>``,
as headers or query parameters; a refused WebSocket gets its HTTP status
(401, 429...) before the upgrade. What the recognizer hears is decided by the
engine (:mod:`.engines`): by default the tone code the emulator's own text to
speech writes, else the texts set with :meth:`Emulator.script`. Pronunciation
assessment (:mod:`.pronunciation`) scores what was heard against the reference.

For tests: :attr:`Emulator.faults` (:mod:`.faults`), :attr:`Emulator.log`
(every session's messages), :meth:`Emulator.reset`, and the pytest fixtures
``emulator``, ``client``, ``aclient`` of the project's ``tests/conftest.py``.
From a shell: ``azspeech emulator --port 5000`` or ``python -m azspeech.emulator``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .engines.base import SttEngine
from .fallback import async_azure_or_emulator, azure_configured, azure_or_emulator
from .faults import Fault, Faults
from .state import EmulatorState, LoggedMessage, RequestLog, SessionLog

if TYPE_CHECKING:
    from .._client import AsyncSpeechClient, SpeechClient

__all__ = [
    "Emulator",
    "EmulatorState",
    "Fault",
    "Faults",
    "LoggedMessage",
    "RequestLog",
    "SessionLog",
    "SttEngine",
    "async_azure_or_emulator",
    "azure_configured",
    "azure_or_emulator",
    "cli_main",
    "main",
]

DEFAULT_CLIENT_KEY = "emulator-key"
# What the [emulator] extra installs (a missing one gets the pip hint).
_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "multipart", "python_multipart"})


class Emulator:
    """An emulator on a background thread, bound to 127.0.0.1 on a free port.

    Use it as a context manager (``with`` or ``async with``); it is started on
    entry and stopped on exit. ``start()``/``stop()`` work too.

    Args:
        key: the accepted key (``None``: any non-empty key, and :attr:`key`
            is then ``"emulator-key"``).
        engine: speech-to-text engine: ``"tones"`` (default), ``"script"``,
            ``"whisper"``, or an :class:`SttEngine` instance.
        host, port: where to listen (default 127.0.0.1 and a free port).
        allow_anonymous: accept requests that carry no credentials.
        max_connection_seconds, idle_timeout_seconds, max_sessions: service
            limits to emulate (see :class:`EmulatorState`); off by default and
            adjustable later on :attr:`state`.
        max_log: how many WebSocket sessions and HTTP requests :attr:`log` and
            :attr:`requests` keep (oldest dropped first).
    """

    def __init__(
        self,
        *,
        key: str | None = None,
        engine: str | SttEngine | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_anonymous: bool = False,
        max_connection_seconds: float | None = None,
        idle_timeout_seconds: float | None = None,
        max_sessions: int | None = None,
        max_log: int = 1000,
    ) -> None:
        self.state = EmulatorState(
            key=key,
            allow_anonymous=allow_anonymous,
            engine=engine,
            max_log=max_log,
            max_connection_seconds=max_connection_seconds,
            idle_timeout_seconds=idle_timeout_seconds,
            max_sessions=max_sessions,
        )
        self._limits = (max_connection_seconds, idle_timeout_seconds, max_sessions)
        self._host = host
        self._port = port
        self._server: Any = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Emulator:
        """Start serving (returns once connections are accepted)."""
        if self._server is not None:
            return self
        try:
            from .app import create_app
            from .server import ServerThread
        except ImportError as exc:
            missing = (exc.name or "").split(".")[0]
            if missing not in _EXTRA_MODULES:
                raise  # a broken module of ours: its own traceback says more
            raise ImportError(
                f"the emulator needs its extra: pip install 'azspeech[emulator]' "
                f"(missing module {missing!r})",
                name=exc.name,
            ) from exc

        self.state.engine  # noqa: B018 - load the engine before the first request
        server = ServerThread(create_app(self.state), self._host, self._port)
        server.start()
        self.state.loop = server.loop
        self._server = server
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Emulator:
        await asyncio.get_running_loop().run_in_executor(None, self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    # -- where and how to connect ------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.port)

    @property
    def url(self) -> str:
        """Base HTTP URL, e.g. ``http://127.0.0.1:54321``."""
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """Base WebSocket URL (``ws://127.0.0.1:PORT``), what the official SDK's ``host=`` takes."""
        return "ws" + self.url[4:]

    @property
    def key(self) -> str:
        """A key the emulator accepts."""
        return self.state.key if self.state.key is not None else DEFAULT_CLIENT_KEY

    def client(self, **kw: Any) -> SpeechClient:
        """A blocking :class:`~azspeech.SpeechClient` pointed at this emulator."""
        from .._client import SpeechClient

        kw.setdefault("endpoint", self.url)
        if "token" not in kw and "credential" not in kw:
            kw.setdefault("key", self.key)
        return SpeechClient(**kw)

    def async_client(self, **kw: Any) -> AsyncSpeechClient:
        """An :class:`~azspeech.AsyncSpeechClient` pointed at this emulator."""
        from .._client import AsyncSpeechClient

        kw.setdefault("endpoint", self.url)
        if "token" not in kw and "credential" not in kw:
            kw.setdefault("key", self.key)
        return AsyncSpeechClient(**kw)

    # -- test hooks --------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """Fault injection (see :mod:`azspeech.emulator.faults`)."""
        return self.state.faults

    def script(self, texts: Iterable[str] | str) -> None:
        """Texts reported, in order, for speech segments that are not tone-coded."""
        self.state.script.set([texts] if isinstance(texts, str) else list(texts))

    @property
    def log(self) -> list[SessionLog]:
        """WebSocket sessions seen so far, oldest first (with every message)."""
        return list(self.state.sessions)

    @property
    def requests(self) -> list[RequestLog]:
        """HTTP requests answered so far, oldest first."""
        return list(self.state.requests)

    @property
    def last_session(self) -> SessionLog:
        """The most recent WebSocket session."""
        if not self.state.sessions:
            raise LookupError("no WebSocket session yet")
        return self.state.sessions[-1]

    def issue_token(self, lifetime: float = 600.0) -> str:
        """A valid STS token, without an HTTP round trip."""
        return self.state.issue_token(lifetime)

    def reset(self) -> None:
        """Clear faults, script and log, and restore the limits given at construction."""
        st = self.state
        st.max_connection_seconds, st.idle_timeout_seconds, st.max_sessions = self._limits
        self.state.faults.clear()
        self.state.script.set([])
        self.state.clear_log()

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"Emulator({where}, engine={self.state.engine_name or 'tones'})"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="azspeech emulator",
        description="Run a local Azure Speech emulator (HTTP and WebSocket on one port).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port, 0 = any free (default: 5000)")
    p.add_argument("--key", default=None, help="accept only this key (default: any non-empty)")
    p.add_argument(
        "--allow-anonymous",
        action="store_true",
        help="also accept requests without a key (default: off)",
    )
    p.add_argument(
        "--engine",
        default="tones",
        choices=["tones", "script", "whisper", "real"],
        help="STT engine (real = whisper; TTS then uses espeak-ng when installed; default: tones)",
    )
    p.add_argument(
        "--script",
        action="append",
        default=[],
        metavar="TEXT",
        help="text to report for an undecodable speech segment (repeatable; default: none)",
    )
    p.add_argument(
        "--max-connection-seconds",
        type=float,
        default=None,
        help="close WebSockets after this long, like the service (about 600; default: never)",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        help="close idle WebSockets after this long (service: 180; default: never)",
    )
    p.add_argument(
        "--max-sessions",
        type=int,
        default=None,
        help="concurrent WebSockets before 429 (default: no limit)",
    )
    p.add_argument("--log-level", default="info", help="uvicorn/emulator log level (default: info)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving the port (load tests on several cores; each has its own log, "
        "script and faults; default: 1)",
    )
    return p


def _tune_gc() -> None:
    """Garbage collection for a process that only serves (the command line's).

    Every audio message allocates a few dozen short-lived objects and nearly none
    form cycles: collecting the youngest generation every 700 allocations costs
    a few percent of the CPU under load for nothing. Objects loaded at start-up are
    moved out of the collector's way. (An emulator inside a test process leaves that
    process's settings alone.)
    """
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, 20_000), gen1, gen2)


def _cli_emulator(args: argparse.Namespace, port: int | None = None) -> Emulator:
    """The emulator the command line asked for (on *port* instead of ``--port`` if given)."""
    emu = Emulator(
        key=args.key,
        engine=args.engine,
        host=args.host,
        port=args.port if port is None else port,
        allow_anonymous=args.allow_anonymous,
        max_connection_seconds=args.max_connection_seconds,
        idle_timeout_seconds=args.idle_timeout,
        max_sessions=args.max_sessions,
        max_log=200,
    )
    if args.script:
        emu.script(args.script)
    # Nothing reads a served process's logs: a few hundred messages a session keep its
    # memory (and the collector's work) flat through long load tests.
    emu.state.session_messages = 200
    return emu


def _serve(emu: Emulator, args: argparse.Namespace, *, banner: str | None = "") -> int:
    """Start *emu*, print the banner (unless None), serve until SIGINT/SIGTERM."""
    emu.start()
    _tune_gc()
    if banner is not None:
        key_note = f"key {args.key!r}" if args.key else "any non-empty key"
        print(
            f"azspeech emulator on {emu.url} (WebSocket {emu.ws_url}); {key_note}; "
            f"engine {args.engine}{banner}. Ctrl+C stops.",
            flush=True,
        )
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        emu.stop()
    return 0


def cli_main(argv: Sequence[str] | None = None) -> int:
    """``azspeech emulator`` / ``python -m azspeech.emulator``: serve until interrupted."""
    args = _parser().parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(message)s")
    if args.workers > 1:
        from .workers import serve_workers

        return serve_workers(args, _cli_emulator, _serve)
    return _serve(_cli_emulator(args), args)


main = cli_main
"""Run the emulator from the command line (``python -m azspeech.emulator``): :func:`cli_main`."""

if __name__ == "__main__":  # pragma: no cover
    sys.exit(cli_main())

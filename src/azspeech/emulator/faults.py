"""Fault injection: make the emulator misbehave the ways the real service and networks do.

Tests configure faults on :attr:`Emulator.faults <azspeech.emulator.Emulator.faults>`
(a :class:`Faults`); each fault applies to the next *times* requests or
WebSocket sessions whose URL path matches *path* (a regular expression searched
in the path; ``None`` matches all), then is used up. A single connection can
also ask for a fault itself with the ``X-Emulator-Fault`` header or the
``emulatorFault`` query parameter, e.g. ``drop:after_audio_ms=500`` or
``close:code=1011,reason=bye,after_sent=3`` (see :func:`parse_fault`).

Kinds:

``reject``
    answer the HTTP request or the WebSocket upgrade with *status* (429 with
    ``Retry-After`` by default, or a 5xx) and the service's error body.
``drop``
    abort the TCP connection without a close frame (the client sees 1006).
``close``
    close the WebSocket with *code* and *reason*.
``delay``
    wait *seconds* before every response / every message the emulator sends.
``malformed``
    send a broken message; *variant*: ``length`` (binary header length past
    the frame's end, the default), ``no-path`` (text frame without ``Path``),
    ``json`` (a ``speech.phrase`` whose body is not JSON), ``missing-field``
    (a ``speech.phrase`` without ``RecognitionStatus``), ``extra-fields`` (a
    valid ``speech.hypothesis`` with unknown fields, which clients must keep).
``oversized``
    send a text frame of *size* bytes (a client should refuse it).
``stall``
    stop answering (keep reading, send nothing, never close).

Triggers for ``drop``/``close``/``malformed``/``oversized``/``stall`` on
WebSockets: *after_audio_ms* (audio received from the client, or sent by the
emulator for text to speech), *after_received* (client messages),
*after_sent* (emulator messages); the fault fires when any given threshold is
reached, immediately after the handshake if none is given. On plain HTTP
they fire before the response.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = ["FAULT_KINDS", "MALFORMED_VARIANTS", "Fault", "FaultKind", "Faults", "parse_fault"]

FaultKind = Literal["reject", "drop", "close", "delay", "malformed", "oversized", "stall"]
MALFORMED_VARIANTS = ("length", "no-path", "json", "missing-field", "extra-fields")
FAULT_KINDS: tuple[str, ...] = (
    "reject",
    "drop",
    "close",
    "delay",
    "malformed",
    "oversized",
    "stall",
)


@dataclass
class Fault:
    """One configured fault (see the module docstring for the kinds)."""

    kind: FaultKind
    times: int | None = 1
    path: str | None = None
    protocol: Literal["http", "ws"] | None = None
    status: int = 429
    retry_after: float | None = 1.0
    code: int = 1011
    reason: str = ""
    seconds: float = 0.0
    size: int = 17 * 1024 * 1024
    variant: str = "length"
    after_audio_ms: float | None = None
    after_received: int | None = None
    after_sent: int | None = None
    used: int = 0

    def matches(self, path: str, protocol: str) -> bool:
        """Whether this fault applies to a request for *path* over *protocol* ("http"/"ws")."""
        if self.protocol is not None and self.protocol != protocol:
            return False
        return self.path is None or re.search(self.path, path) is not None

    @property
    def has_trigger(self) -> bool:
        """Whether a threshold was given (else it fires at once)."""
        return not (
            self.after_audio_ms is None and self.after_received is None and self.after_sent is None
        )

    def due(self, audio_ms: float, received: int, sent: int) -> bool:
        """Whether the session counters reached one of this fault's thresholds."""
        if not self.has_trigger:
            return True
        return (
            (self.after_audio_ms is not None and audio_ms >= self.after_audio_ms)
            or (self.after_received is not None and received >= self.after_received)
            or (self.after_sent is not None and sent >= self.after_sent)
        )


@dataclass
class Faults:
    """The emulator's fault table (thread-safe; tests call it from their own thread)."""

    _items: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- configuration ---------------------------------------------------------------

    def add(self, fault: Fault) -> Fault:
        """Add *fault*; returns it (its ``used`` counter tells how often it fired)."""
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        if fault.variant not in MALFORMED_VARIANTS:
            raise ValueError(f"unknown malformed variant {fault.variant!r}")
        with self._lock:
            self._items.append(fault)
        return fault

    def reject(
        self,
        status: int = 429,
        *,
        times: int | None = 1,
        retry_after: float | None = 1.0,
        path: str | None = None,
        protocol: Literal["http", "ws"] | None = None,
    ) -> Fault:
        """Answer the next *times* requests/upgrades with *status* (429 carries Retry-After)."""
        return self.add(
            Fault(
                "reject",
                times=times,
                status=status,
                retry_after=retry_after,
                path=path,
                protocol=protocol,
            )
        )

    def drop(
        self,
        *,
        after_audio_ms: float | None = None,
        after_received: int | None = None,
        after_sent: int | None = None,
        times: int | None = 1,
        path: str | None = None,
        protocol: Literal["http", "ws"] | None = None,
    ) -> Fault:
        """Abort the TCP connection (no close frame) once a threshold is reached."""
        return self.add(
            Fault(
                "drop",
                times=times,
                path=path,
                protocol=protocol,
                after_audio_ms=after_audio_ms,
                after_received=after_received,
                after_sent=after_sent,
            )
        )

    def close(
        self,
        code: int = 1011,
        reason: str = "",
        *,
        after_audio_ms: float | None = None,
        after_received: int | None = None,
        after_sent: int | None = None,
        times: int | None = 1,
        path: str | None = None,
    ) -> Fault:
        """Close the WebSocket with *code* and *reason* once a threshold is reached."""
        return self.add(
            Fault(
                "close",
                times=times,
                path=path,
                protocol="ws",
                code=code,
                reason=reason,
                after_audio_ms=after_audio_ms,
                after_received=after_received,
                after_sent=after_sent,
            )
        )

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        path: str | None = None,
        protocol: Literal["http", "ws"] | None = None,
    ) -> Fault:
        """Delay every response (HTTP) or every emulator message (WebSocket) by *seconds*."""
        return self.add(Fault("delay", times=times, path=path, protocol=protocol, seconds=seconds))

    def malformed(
        self,
        variant: str = "length",
        *,
        after_audio_ms: float | None = None,
        after_received: int | None = None,
        after_sent: int | None = None,
        times: int | None = 1,
        path: str | None = None,
        protocol: Literal["http", "ws"] | None = None,
    ) -> Fault:
        """Send a broken frame (WebSocket) or a broken JSON body (HTTP)."""
        return self.add(
            Fault(
                "malformed",
                variant=variant,
                times=times,
                path=path,
                protocol=protocol,
                after_audio_ms=after_audio_ms,
                after_received=after_received,
                after_sent=after_sent,
            )
        )

    def oversized(
        self,
        size: int = 17 * 1024 * 1024,
        *,
        after_audio_ms: float | None = None,
        after_received: int | None = None,
        after_sent: int | None = None,
        times: int | None = 1,
        path: str | None = None,
    ) -> Fault:
        """Send a text frame of *size* bytes on the WebSocket."""
        return self.add(
            Fault(
                "oversized",
                times=times,
                path=path,
                protocol="ws",
                size=size,
                after_audio_ms=after_audio_ms,
                after_received=after_received,
                after_sent=after_sent,
            )
        )

    def stall(
        self,
        *,
        after_audio_ms: float | None = None,
        after_received: int | None = None,
        after_sent: int | None = None,
        times: int | None = 1,
        path: str | None = None,
        protocol: Literal["http", "ws"] | None = None,
    ) -> Fault:
        """Stop answering (the connection stays open) once a threshold is reached."""
        return self.add(
            Fault(
                "stall",
                times=times,
                path=path,
                protocol=protocol,
                after_audio_ms=after_audio_ms,
                after_received=after_received,
                after_sent=after_sent,
            )
        )

    def clear(self) -> None:
        """Remove every configured fault."""
        with self._lock:
            self._items.clear()

    @property
    def pending(self) -> list[Fault]:
        """The faults not yet used up."""
        with self._lock:
            return list(self._items)

    # -- used by the routes ------------------------------------------------------------

    def claim(self, path: str, protocol: Literal["http", "ws"]) -> list[Fault]:
        """Take the faults that apply to a new request/session (each use counts once).

        At most one fault of each kind is taken per request, the oldest first, so
        faults added together apply to successive connections (e.g. twenty
        ``drop`` faults = twenty dropped connections in a row).
        """
        out: list[Fault] = []
        kinds: set[str] = set()
        with self._lock:
            keep: list[Fault] = []
            for fault in self._items:
                if fault.kind not in kinds and fault.matches(path, protocol):
                    kinds.add(fault.kind)
                    fault.used += 1
                    out.append(replace(fault))
                    if fault.times is not None and fault.used >= fault.times:
                        continue
                keep.append(fault)
            self._items[:] = keep
        return out


def _number(value: str) -> float:
    return float(value)


def parse_fault(spec: str) -> Fault:
    """Parse a per-connection fault spec: ``kind[:name=value,name=value...]``.

    Names are the :class:`Fault` fields (``status``, ``retry_after``, ``code``,
    ``reason``, ``seconds``, ``size``, ``variant``, ``after_audio_ms``,
    ``after_received``, ``after_sent``). Raises ValueError on anything else.
    """
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}")
    fault = Fault(kind)  # type: ignore[arg-type]
    for item in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"fault option {item!r} needs a value")
        if name in ("status", "code", "size", "after_received", "after_sent"):
            setattr(fault, name, int(value))
        elif name in ("retry_after", "seconds", "after_audio_ms"):
            setattr(fault, name, _number(value))
        elif name == "reason":
            fault.reason = value
        elif name == "variant":
            fault.variant = value
        else:
            raise ValueError(f"unknown fault option {name!r}")
    return fault

"""The layering rules of docs/architecture.md, checked by walking every module's imports.

* The client never imports the emulator (``cli`` and ``demo`` may, lazily,
  inside a function), nor the emulator's server libraries.
* ``_protocol`` is sans-I/O: no asyncio, httpx, websockets, socket (nor any
  other I/O library), and within azspeech only errors, models,
  ``audio.formats`` and ``_version`` besides itself.
* The emulator shares only the USP framing with the client's protocol code
  (each side writes its messages from the protocol, so that a mistake on one
  side cannot hide on the other); it reaches the client only lazily.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "azspeech"

IO_LIBRARIES = {
    "asyncio", "httpx", "websockets", "socket", "ssl", "selectors", "anyio",
    "starlette", "uvicorn", "urllib.request", "http.client",
}  # fmt: skip
EMULATOR_LIBRARIES = {"starlette", "uvicorn", "multipart", "python_multipart", "uvloop"}
# The option values are sans-I/O too: frozen dataclasses that own their wire contribution.
PROTOCOL_MAY_USE = ("azspeech._protocol", "azspeech.errors", "azspeech.models",
                    "azspeech.options", "azspeech.audio.formats", "azspeech._version")  # fmt: skip
EMULATOR_SHARES = ("azspeech.emulator", "azspeech._protocol.framing", "azspeech.audio",
                   "azspeech.errors", "azspeech._version")  # fmt: skip
LAZY_EMULATOR_USERS = {"azspeech.cli", "azspeech.demo"}


@dataclass(frozen=True)
class Import:
    importer: str
    module: str
    line: int
    lazy: bool  # inside a function body
    type_checking: bool  # under ``if TYPE_CHECKING:``


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = importer.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    if node.module is None:  # ``from . import x``: x may be a module
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


class _Walker(ast.NodeVisitor):
    def __init__(self, importer: str, is_package: bool) -> None:
        self.importer = importer
        self.is_package = is_package
        self.depth = 0
        self.type_checking = 0
        self.found: list[Import] = []

    def _add(self, module: str, node: ast.AST) -> None:
        self.found.append(
            Import(self.importer, module, getattr(node, "lineno", 0), self.depth > 0,
                   self.type_checking > 0)
        )  # fmt: skip

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_If(self, node: ast.If) -> None:
        guarded = "TYPE_CHECKING" in ast.unparse(node.test)
        self.type_checking += guarded
        for child in node.body:
            self.visit(child)
        self.type_checking -= guarded
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for module in _resolve(self.importer, self.is_package, node):
            self._add(module, node)


def _all_imports() -> list[Import]:
    out: list[Import] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        walker = _Walker(_module_name(path), path.name == "__init__.py")
        walker.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        out.extend(walker.found)
    return out


IMPORTS = _all_imports()


def _within(module: str, prefixes: tuple[str, ...] | set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _show(bad: list[Import]) -> str:
    return "\n".join(f"{i.importer}:{i.line} imports {i.module}" for i in bad)


def test_the_walk_sees_the_package() -> None:
    importers = {i.importer for i in IMPORTS}
    assert {"azspeech._client", "azspeech._protocol.framing", "azspeech.emulator.app"} <= importers
    lazy = [i for i in IMPORTS if i.importer == "azspeech.cli" and i.lazy]
    assert any(_within(i.module, {"azspeech.emulator"}) for i in lazy)  # the allowed exception


def test_the_client_never_imports_the_emulator() -> None:
    bad = [
        i
        for i in IMPORTS
        if not _within(i.importer, {"azspeech.emulator"})
        and _within(i.module, {"azspeech.emulator"})
        and not (_within(i.importer, LAZY_EMULATOR_USERS) and i.lazy)
    ]
    assert not bad, _show(bad)


def test_the_client_never_imports_the_emulators_server_libraries() -> None:
    bad = [
        i
        for i in IMPORTS
        if not _within(i.importer, {"azspeech.emulator"}) and _within(i.module, EMULATOR_LIBRARIES)
    ]
    assert not bad, _show(bad)


def test_protocol_is_sans_io() -> None:
    protocol = [i for i in IMPORTS if _within(i.importer, {"azspeech._protocol"})]
    assert protocol
    io = [i for i in protocol if _within(i.module, IO_LIBRARIES)]
    assert not io, _show(io)
    upward = [
        i
        for i in protocol
        if _within(i.module, {"azspeech"}) and not _within(i.module, PROTOCOL_MAY_USE)
    ]
    assert not upward, _show(upward)


def test_the_emulator_shares_only_the_framing_and_reaches_the_client_lazily() -> None:
    emulator = [i for i in IMPORTS if _within(i.importer, {"azspeech.emulator"})]
    bad = [
        i
        for i in emulator
        if _within(i.module, {"azspeech"})
        and not _within(i.module, EMULATOR_SHARES)
        and not (i.lazy or i.type_checking)
    ]
    assert not bad, _show(bad)
    protocol = [
        i
        for i in emulator
        if _within(i.module, {"azspeech._protocol"}) and i.module != "azspeech._protocol.framing"
    ]
    assert not protocol, _show(protocol)


@pytest.mark.parametrize(
    "modules",
    [
        ["azspeech"],
        ["azspeech._client", "azspeech.stt", "azspeech.tts", "azspeech.captions",
         "azspeech.models", "azspeech._transport.ws", "azspeech.ssml"],
    ],
)  # fmt: skip
def test_importing_the_client_loads_no_emulator(modules: list[str]) -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.startswith('azspeech.emulator')"
        " or m.split('.')[0] in ('starlette', 'uvicorn'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == ""

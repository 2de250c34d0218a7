"""Extract the Python snippets of README.md and docs/ for the snippet test.

A snippet is a fenced block opened with three backticks and ``python``. A block preceded by the
HTML comment ``<!-- snippet: skip (reason) -->`` is shown but not run (a microphone, real Azure);
the reason is required so a skip says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*$")
_SKIP = re.compile(r"<!--\s*snippet:\s*skip\s*\((?P<reason>[^)]+)\)\s*-->")


@dataclass(frozen=True)
class Snippet:
    """One Python block: where it is and its code (dedented)."""

    path: Path
    line: int
    code: str
    skip: str | None

    @property
    def id(self) -> str:
        """``docs/guide/audio.md:12``, the pytest id."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def markdown_files() -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def extract(path: Path) -> list[Snippet]:
    """The Python blocks of one Markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Snippet] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, lang, start = match["indent"], match["lang"], i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        if lang in ("python", "py"):
            previous = next((ln for ln in reversed(lines[:start]) if ln.strip()), "")
            skip = _SKIP.search(previous)
            out.append(Snippet(path, start + 1, "\n".join(body) + "\n", skip and skip["reason"]))
    return out


def all_snippets() -> list[Snippet]:
    """Every Python block of README.md and docs/."""
    return [snippet for path in markdown_files() for snippet in extract(path)]

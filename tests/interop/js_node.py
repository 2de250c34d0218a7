"""Node and the npm packages of ``js_avatar`` (Microsoft's JavaScript Speech SDK, @roamhq/wrtc)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "js_avatar"


def node_with(*packages: str) -> Path:
    """Node, with *packages* installed in ``js_avatar`` (``npm ci`` on first use).

    Skips without node and npm, except under CI (``CI`` set), where it fails.
    One installer at a time (pytest-xdist workers share the directory).
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            raise AssertionError("node and npm are needed under CI for the avatar referees")
        pytest.skip("node and npm are needed to run Microsoft's JavaScript Speech SDK")
    tag = hashlib.sha256(str(HERE).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"azspeech-js-avatar-{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all((HERE / "node_modules" / name).is_dir() for name in packages):
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=HERE, check=True, timeout=600,
            )  # fmt: skip
    return Path(node)

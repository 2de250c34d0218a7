"""mkdocs hooks: links from a page to the repository's examples/ go to the source on GitHub.

A guide links ``../../examples/guide_x.py`` so the link works when the Markdown is read on
GitHub; the built site holds no examples, so the link is pointed at the repository instead.
"""

from __future__ import annotations

import re
from typing import Any

REPOSITORY = "https://github.com/azspeech/azspeech/blob/main/"
_EXAMPLE_LINK = re.compile(r"\]\((?:\.\./)+(examples/[^)\s]+)\)")


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Rewrite relative links into examples/ as links to the repository."""
    return _EXAMPLE_LINK.sub(lambda m: f"]({REPOSITORY}{m.group(1)})", markdown)

#!/usr/bin/env bash
# Build the HTML API reference with pdoc into out/docs (git-ignored).
#
#   bash scripts/docs.sh            # build out/docs/index.html
#   bash scripts/docs.sh --serve    # build, then serve on http://127.0.0.1:8080
#   bash scripts/docs.sh --examples # also run every examples/guide_*.py against the emulator
#
# The user guide itself is Markdown under docs/ (start at docs/index.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh dev
if ! .venv/bin/python -c "import pdoc" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet "pdoc>=14"
fi
rm -rf out/docs
mkdir -p out/docs
# The public packages (private modules, whose names start with "_", are left out by pdoc).
modules=(
  azspeech
  azspeech.stt
  azspeech.tts
  azspeech.audio
  azspeech.ssml
  azspeech.captions
  azspeech.errors
  azspeech.endpoints
  azspeech.auth
  azspeech.models
  azspeech.emulator
)
# pdoc is driven from Python: azspeech loads SpeechClient and AsyncSpeechClient lazily (on
# first attribute access), which pdoc's own import cannot see; touching them first puts the
# two entry points, with their docstrings, on the azspeech page.
.venv/bin/python - "${modules[@]}" <<'PY'
import sys
from pathlib import Path

import pdoc
import pdoc.render

import azspeech

azspeech.SpeechClient, azspeech.AsyncSpeechClient  # noqa: B018 - resolve the lazy names
pdoc.render.configure(
    docformat="google",
    show_source=False,
    footer_text=f"azspeech {azspeech.__version__}",
)
pdoc.pdoc(*sys.argv[1:], output_directory=Path("out/docs"))
PY
echo "API reference: out/docs/index.html"
if [ "${1:-}" = "--examples" ]; then
  # The guide's examples: each runs against the bundled emulator, writing into a scratch dir.
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  for example in examples/guide_*.py; do
    if [ "$example" = examples/guide_testing.py ]; then
      .venv/bin/python -m pytest -q -p no:cacheprovider "$example" >"$scratch/log" 2>&1
    else
      (cd "$scratch" && timeout 300 "$OLDPWD/.venv/bin/python" "$OLDPWD/$example" "$scratch") \
        >"$scratch/log" 2>&1
    fi || { echo "FAILED: $example"; tail -30 "$scratch/log"; exit 1; }
    echo "ok: $example"
  done
fi
if [ "${1:-}" = "--serve" ]; then
  exec .venv/bin/python -m http.server --directory out/docs --bind 127.0.0.1 8080
fi

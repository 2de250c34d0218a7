#!/usr/bin/env bash
# Build the documentation site (mkdocs-material + mkdocstrings) into out/site (git-ignored).
#
#   bash scripts/docs.sh            # mkdocs build --strict
#   bash scripts/docs.sh --serve    # serve with live reload on http://127.0.0.1:8000
#   bash scripts/docs.sh --examples # also run every examples/guide_*.py against the emulator
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh dev
export NO_MKDOCS_2_WARNING=1
if [ "${1:-}" = "--serve" ]; then
  exec .venv/bin/python -m mkdocs serve --dev-addr 127.0.0.1:8000
fi
.venv/bin/python -m mkdocs build --strict
echo "site: out/site/index.html"
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

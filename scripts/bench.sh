#!/usr/bin/env bash
# Every benchmark, one table: quick settings by default (a few minutes); --full for the real
# figures, --list for what would run. Arguments go to `python -m benchmarks` (see its --help).
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python -m benchmarks "$@"

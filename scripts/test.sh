#!/usr/bin/env bash
# Install the project with its test tools into .venv and run the whole suite.
source "$(dirname "$0")/_venv.sh" dev
# The suite starts many Python subprocesses (CLI, examples, benchmarks, the
# emulator): without cached bytecode each one compiles the package again.
unset PYTHONDONTWRITEBYTECODE
# Three workers (pytest-xdist): most tests wait on sockets, subprocesses and
# timers rather than the CPU, so even two cores take three at once (about 3
# minutes against 9 in one process). `-n 0` after it runs in one process.
exec .venv/bin/python -m pytest -q -n "${AZSPEECH_TEST_WORKERS:-3}" "$@"

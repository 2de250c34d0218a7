#!/usr/bin/env bash
# Install the project with its test tools into .venv and run the whole suite.
source "$(dirname "$0")/_venv.sh" dev
# The suite starts many Python subprocesses (CLI, examples, benchmarks, the
# emulator): without cached bytecode each one compiles the package again.
unset PYTHONDONTWRITEBYTECODE
exec .venv/bin/python -m pytest -q "$@"

#!/usr/bin/env bash
# Install the project with its test tools into .venv and run the whole suite.
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python -m pytest -q "$@"

#!/usr/bin/env bash
# Start the bundled emulator in-process, synthesize a sentence, transcribe it back.
source "$(dirname "$0")/_venv.sh" emulator
exec .venv/bin/python examples/demo.py "$@"

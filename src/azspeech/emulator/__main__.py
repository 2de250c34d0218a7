"""``python -m azspeech.emulator``: run the emulator."""

import sys

from . import cli_main

sys.exit(cli_main())

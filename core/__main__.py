"""`python -m core ...`: the command line of Keras Lab."""

import sys

from core.cli import main

sys.exit(main())

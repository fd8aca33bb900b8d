"""``python -m corridors``."""

import sys

from corridors.cli._main import main

sys.exit(main())

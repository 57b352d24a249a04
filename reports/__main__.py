"""``python -m reports`` runs the ``cusp`` command line."""

import sys

from .cli import main

sys.exit(main())

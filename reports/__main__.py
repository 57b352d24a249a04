"""``python -m reports`` runs the ``cusp`` command line."""

import sys

from reports.cli import main

sys.exit(main())

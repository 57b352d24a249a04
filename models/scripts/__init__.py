"""The runnable model scripts (``python -m models.scripts.<name>``) and their shared plumbing
(:mod:`models.scripts.common`)."""

from .common import SCRIPTS, load_script

__all__ = ["SCRIPTS", "load_script"]

"""One function per figure, data first, options keyword-only; each returns a Figure."""

from .map_and_posterior import *  # noqa: F401,F403
from .map_and_posterior import __all__ as _map_all

__all__ = list(_map_all)

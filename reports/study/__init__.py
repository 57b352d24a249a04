"""The study: eight experiments that compute their numbers (:mod:`.experiments`) and the
page that renders them (:mod:`.page`)."""

from .experiments import Study, run_study

__all__ = ["Study", "run_study"]

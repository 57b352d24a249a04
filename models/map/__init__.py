"""The exact MAP: the solver (proximal Newton with working sets, coordinate descent with
the prior's prox) and the per-coefficient certificate that decides convergence."""

from .certificate import Certificate, certify, optimality_violation
from .solver import penalty_sum, solve

__all__ = ["Certificate", "certify", "optimality_violation", "penalty_sum", "solve"]

"""Result objects returned by :meth:`models.Model.map` and :meth:`models.Model.map_path`."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from models.map.certificate import Certificate


@dataclasses.dataclass(frozen=True)
class MapResult:
    """An exact MAP estimate with its certificate.

    Attributes
    ----------
    coef : ndarray
        Coefficients; zeros are exactly ``0.0``.
    intercept : float
        Unpenalized intercept (0.0 when the model has none).
    objective : float
        ``-log likelihood + sum_j penalty(w_j)`` at the solution (penalties normalized to
        0 at 0; for the horseshoe's local mode, summed over the non-zeros).
    converged : bool
        True when the certificate holds within the tolerance.
    message : str
        Why the solver stopped.
    certificate : Certificate
        Per-coefficient slopes, thresholds, margins and residuals.
    mode : str
        ``"global MAP"`` (convex), ``"local MAP"`` (nonconvex penalty: a local
        minimum) or ``"local mode"`` (horseshoe: the global MAP is degenerate at 0).
    notes : tuple of str
        Plain-language caveats about this result.
    """

    coef: np.ndarray
    intercept: float
    objective: float
    converged: bool
    message: str
    n_iter: int
    certificate: Certificate
    feature_names: list
    prior: object
    likelihood: str
    mode: str
    notes: tuple = ()

    @property
    def n_zeros(self) -> int:
        """Number of coefficients that are exactly 0.0."""
        return int(np.sum(self.coef == 0))

    @property
    def support(self) -> list:
        """Names of the non-zero coefficients."""
        return [n for n, w in zip(self.feature_names, self.coef) if w != 0]

    def rows(self) -> list[dict]:
        """Per-coefficient table rows (value, zero or not, slope, threshold, margin)."""
        return self.certificate.rows(self.coef, self.feature_names)

    def table(self) -> str:
        """A plain-text table of coefficients with their certificates."""
        thr = self.certificate.threshold
        head = f"{'feature':<14}{'coef':>14}  {'|slope|':>12}  {'threshold':>10}  {'margin':>11}  verdict"
        lines = [head, "-" * len(head)]
        for r in self.rows():
            if r["is_zero"]:
                verdict = "zero: certified" if r["certified"] else "zero: NOT certified"
                # None when the slope is not a number (rows() turns NaN into None)
                margin = f"{'n/a':>11}" if r["margin"] is None else f"{r['margin']:>11.4g}"
            else:
                verdict = "non-zero: stationary" if r["certified"] else "non-zero: NOT stationary"
                margin = f"{'':>11}"
            lines.append(
                f"{r['feature'][:14]:<14}{r['coef']:>14.6g}  {abs(r['slope_at_solution']):>12.4g}  {thr:>10.4g}  {margin}  {verdict}"
            )
        return "\n".join(lines)

    def summary(self) -> str:
        """Header lines plus :meth:`table`."""
        cert = self.certificate
        head = [
            f"{self.mode} of {self.likelihood} likelihood x {self.prior.describe()} prior",
            f"exact zeros: {self.n_zeros} of {self.coef.size}; intercept {self.intercept:.6g}; objective {self.objective:.10g}",
            f"converged: {self.converged} ({self.message}); duality gap: {self.gap_text()}",
        ]
        head += [f"note: {n}" for n in self.notes]
        return "\n".join(head) + "\n\n" + self.table()

    def _repr_html_(self) -> str:
        """Notebook display: the caption, the counts and the certificate table (escaped)."""
        from models.notebook import map_result_html

        return map_result_html(self)

    def gap_text(self) -> str:
        """The duality gap as shown: the number, or ``n/a (reason)``."""
        cert = self.certificate
        if cert.duality_gap is not None:
            return f"{cert.duality_gap:.3g}"
        if cert.gap_note:
            return f"n/a ({cert.gap_note})"
        # the note is not stored in results files: a convex global MAP read back without
        # its gap lost it to rounding (see models.map.certificate.duality_gap)
        return "n/a (nonconvex)" if self.mode != "global MAP" else "n/a (not computable to useful precision)"

    def to_dict(self) -> dict:
        """JSON-ready dict of the result."""
        cert = self.certificate
        return {
            "likelihood": self.likelihood,
            "prior": {"family": self.prior.family, **self.prior.params},
            "mode": self.mode,
            "intercept": float(self.intercept),
            "objective": float(self.objective),
            "converged": bool(self.converged),
            "message": self.message,
            "n_iter": int(self.n_iter),
            "n_zeros": self.n_zeros,
            "max_violation": cert.max_violation,
            "tol": cert.tol,
            "duality_gap": cert.duality_gap,
            "duality_gap_note": cert.gap_note,
            "intercept_residual": cert.intercept_residual,
            "coefficients": self.rows(),
            "notes": list(self.notes),
        }


@dataclasses.dataclass(frozen=True)
class MapPath:
    """MAP estimates along a grid of prior scales (computed with warm starts).

    ``coefs[k]`` is the MAP for ``scales[k]``; arrays follow the order of ``scales`` as
    given."""

    scales: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    objectives: np.ndarray
    converged: np.ndarray
    feature_names: list
    results: tuple

    @property
    def n_zeros(self) -> np.ndarray:
        """Exact zeros at each scale."""
        return np.sum(self.coefs == 0, axis=1)

    def _repr_html_(self) -> str:
        """Notebook display: exact zeros, objective and support at each scale (escaped)."""
        from models.notebook import map_path_html

        return map_path_html(self)


def threshold_label(prior, fmt=lambda x: f"{x:.4g}") -> str:
    """The zero threshold of ``prior`` in words: ``0 (smooth)``, ``∞``, ``1/b = 2`` (when
    it is the inverse of the prior's scale, as the Laplace's) or just the number
    (formatted by ``fmt``).  The one wording of "zero threshold" in every report."""
    thr = float(prior.zero_threshold)
    if thr == 0:
        return "0 (smooth)"
    if math.isinf(thr):
        return "∞"
    if math.isclose(thr, 1.0 / prior.scale):
        return f"1/b = {fmt(thr)}"
    return fmt(thr)

"""MAP and posterior together, and what each says about every coefficient being zero.

The MAP answers "which coefficients are exactly zero at the mode?" with a certificate;
the posterior answers "how probable is a coefficient near zero?".  Under any continuous
prior, Laplace included, no posterior draw is ever exactly 0.0; only a point mass
(spike-and-slab) gives ``P(w_j = 0 | y) > 0``.  :class:`FitResult` keeps both.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from priors.validation import check_positive, check_probability

from models.likelihoods import Likelihood
from models.posterior import Diagnostics, diagnose
from models.posterior import loo as compute_loo
from models.posterior import compare as compare_elpds
from models.results import MapPath, MapResult
from models.io import add_selection, load_netcdf, read_fit, read_selections, save_netcdf

HDI_PROB = 0.94
#: MAP paths are computed at the fitted prior scale times these factors (0.01 to 100):
#: ``Model.fit(..., path_factors=PATH_FACTORS)``, as the model scripts do.
PATH_FACTORS = np.logspace(-2, 2, 25)
#: Default "practically zero" radius, relative to the largest |posterior median|.
EPS_FRACTION = 0.05


def default_eps(draws) -> float:
    """``EPS_FRACTION`` times the largest absolute posterior median (1 if all are 0)."""
    top = float(np.max(np.abs(np.median(draws, axis=0)), initial=0.0))
    return EPS_FRACTION * top if top > 0 else 1.0


def zero_statistics(draws, feature_names, *, eps=None, map_result=None, hdi_prob=HDI_PROB) -> list[dict]:
    """Per coefficient: MAP value and certificate next to posterior summaries.

    Parameters
    ----------
    draws : ndarray of shape (n_draws, p)
        Posterior draws of ``w`` (chains stacked).
    feature_names : list of str
    eps : float, optional
        Radius of "practically zero" for ``P(|w| < eps)``; default
        ``0.05 * max_j |median_j|``.
    map_result : MapResult, optional
    hdi_prob : float
        Mass of the highest-density interval (default 0.94).

    Returns
    -------
    list of dict
        Keys: ``feature``, ``map``, ``map_is_zero``, ``map_certified``, ``slope``,
        ``threshold``, ``mean``, ``median``, ``sd``, ``hdi_low``, ``hdi_high``,
        ``p_positive``, ``p_near_zero``, ``eps``, ``n_exact_zero``, ``p_exact_zero``,
        ``n_draws``.
    """
    import arviz as az

    draws = np.asarray(draws, dtype=float)
    eps = default_eps(draws) if eps is None else check_positive("eps", eps)
    hdi_prob = check_probability("hdi_prob", hdi_prob)
    n = draws.shape[0]
    hdi = np.atleast_2d(az.hdi(draws[None, :, :], hdi_prob=hdi_prob))
    rows = []
    for j, name in enumerate(feature_names):
        d = draws[:, j]
        n_zero = int(np.sum(d == 0.0))
        row = {
            "feature": str(name),
            "map": None, "map_is_zero": None, "map_certified": None, "slope": None, "threshold": None,
            "mean": float(d.mean()),
            "median": float(np.median(d)),
            "sd": float(d.std(ddof=1)) if n > 1 else float("nan"),
            "hdi_low": float(hdi[j, 0]),
            "hdi_high": float(hdi[j, 1]),
            "p_positive": float(np.mean(d > 0)),
            "p_near_zero": float(np.mean(np.abs(d) < eps)),
            "eps": eps,
            "n_exact_zero": n_zero,
            "p_exact_zero": n_zero / n,
            "n_draws": n,
        }
        if map_result is not None:
            cert = map_result.certificate
            row.update(
                map=float(map_result.coef[j]),
                map_is_zero=bool(map_result.coef[j] == 0),
                map_certified=bool(cert.certified[j]),
                slope=float(cert.slope[j]),
                threshold=float(cert.threshold),
            )
        rows.append(row)
    return rows


#: How summaries name each sampler.
SAMPLER_NAMES = {"gibbs": "exact Gibbs", "pymc": "NUTS, PyMC", "nutpie": "NUTS, nutpie"}


@dataclasses.dataclass(frozen=True)
class FitResult:
    """Exact MAP and posterior draws of the same model.

    Attributes
    ----------
    idata : arviz.InferenceData
        Posterior (``w`` over ``feature``, ``intercept``, ``sigma`` when estimated),
        sample_stats, observed_data, the MAP in group ``map`` and its path in group
        ``map_path`` (file format: :mod:`models.io`).
    map : MapResult or None
        The MAP with its certificate (None for priors with a point mass, whose "mode"
        mixes a probability with a density).
    diagnostics : Diagnostics
    prior : Prior
    likelihood_model : Likelihood
        The likelihood object (``sigma`` None when it was estimated); :attr:`likelihood`
        is its text.  The MAP's own likelihood (sigma at its posterior median when
        estimated) is described by ``map.likelihood``.
    notes : tuple of str
    path : MapPath or None
        The MAP over ``prior.scale * path_factors``, computed when fitting
        (``Model.fit(..., path_factors=PATH_FACTORS)``); None when not asked for or
        without a MAP.  Reports read it; they never solve again.
    path_factors : ndarray or None
    loo_data : arviz.ELPDData or None
        PSIS-LOO as stored with the fit (None for results without a log-likelihood);
        :meth:`loo` returns it.  Its Pareto-k warning, if any, is
        ``diagnostics.loo_warnings``.
    sampler : str
        The sampler that ran: ``"gibbs"``, ``"pymc"`` or ``"nutpie"`` (``"auto"`` resolved).
    scale_by_sigma : bool
        The prior's scale was multiplied by the noise sd (``Model(scale_by_sigma=True)``).
    """

    idata: object
    map: MapResult | None
    diagnostics: Diagnostics
    prior: object
    likelihood_model: Likelihood
    notes: tuple = ()
    path: MapPath | None = None
    path_factors: np.ndarray | None = None
    loo_data: object = None
    sampler: str = "pymc"
    scale_by_sigma: bool = False

    @property
    def likelihood(self) -> str:
        """The likelihood as text, e.g. ``gaussian(sigma=54)``."""
        return self.likelihood_model.describe()

    @classmethod
    def from_idata(cls, idata, *, source=None) -> FitResult:
        """A FitResult from an InferenceData in cusp's results format (see
        :mod:`models.io`; another format version is refused, naming ``source``)."""
        fields = read_fit(idata, source)
        return cls(
            idata=idata,
            map=fields["map"],
            diagnostics=diagnose(idata, loo=fields["loo"]),
            prior=fields["prior"],
            likelihood_model=fields["likelihood"],
            notes=fields["notes"],
            path=fields["path"],
            path_factors=fields["path_factors"],
            loo_data=fields["loo"],
            sampler=fields["sampler"],
            scale_by_sigma=fields["scale_by_sigma"],
        )

    @classmethod
    def from_netcdf(cls, path) -> FitResult:
        """Load a result saved with :meth:`to_netcdf` (no sampling)."""
        return cls.from_idata(load_netcdf(path), source=path)

    def select(self, method, *, store=True, **options):
        """A sparse decision from this posterior: :func:`models.selection.select` on its
        draws and data (``method`` in ``"dss"``, ``"savs"``, ``"interval"``, ``"mpm"``,
        ``"projection"``).  Returns a :class:`~models.selection.base.Selection` whose
        dropped coefficients are exactly 0.0.

        ``store=True`` (default) also keeps it with the fit (group ``selections`` of
        :attr:`idata`, replacing an earlier one of the same method), so
        :meth:`to_netcdf` saves it and :attr:`selections` lists it."""
        from models.selection import select  # selection builds Models: imported when asked
        from models.selection.base import reference_from_fit

        selection = select(reference_from_fit(self), method, **options)
        if store:
            add_selection(self.idata, selection.to_dict())
        return selection

    @property
    def selections(self) -> dict:
        """``{method: Selection}`` stored with this fit (see :meth:`select`)."""
        from models.selection.base import Selection

        return {m: Selection.from_dict(r) for m, r in read_selections(self.idata).items()}

    def loo(self):
        """PSIS-LOO of this posterior, as ``arviz.loo(fit.idata, pointwise=True)`` returns it
        (an ``ELPDData``); the stored one when the fit holds it."""
        return self.loo_data if self.loo_data is not None else compute_loo(self.idata)

    def to_netcdf(self, path, *, overwrite=False):
        """Save MAP and posterior in one netCDF file (atomic; no silent overwrite)."""
        save_netcdf(self.idata, path, overwrite=overwrite)

    @property
    def feature_names(self) -> list:
        return [str(f) for f in self.idata.posterior["feature"].values]

    @property
    def draws(self) -> np.ndarray:
        """Posterior draws of ``w``, shape (chains * draws, p)."""
        w = self.idata.posterior["w"]
        return w.values.reshape(-1, w.sizes["feature"])

    def zero_statistics(self, eps=None) -> list[dict]:
        """See :func:`zero_statistics`."""
        return zero_statistics(self.draws, self.feature_names, eps=eps, map_result=self.map)

    def table(self, eps=None) -> str:
        """Plain-text table: MAP (with its verdict) next to the posterior summaries."""
        rows = self.zero_statistics(eps)
        eps = rows[0]["eps"]
        head = (f"{'feature':<12}{'MAP':>11} {'zero?':<10}{'mean':>11}{'median':>11}  {'94% HDI':<23}"
                f"{'P(w>0)':>7}{'P(|w|<eps)':>11}{'draws==0':>9}")
        lines = [f"eps = {eps:.4g}", head, "-" * len(head)]
        for r in rows:
            if r["map"] is None:
                map_txt, verdict = f"{'':>11}", "n/a"
            else:
                map_txt = f"{r['map']:>11.4g}"
                verdict = ("certified" if r["map_certified"] else "NOT cert.") if r["map_is_zero"] else "non-zero"
            hdi = f"[{r['hdi_low']:.3g}, {r['hdi_high']:.3g}]"
            lines.append(
                f"{r['feature'][:12]:<12}{map_txt} {verdict:<10} {r['mean']:>10.4g} {r['median']:>10.4g}  {hdi:<23}"
                f"{r['p_positive']:>7.3f}{r['p_near_zero']:>11.3f}{r['n_exact_zero']:>9d}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook display: diagnostics, then the MAP beside the posterior per coefficient (escaped)."""
        from models.notebook import fit_result_html

        return fit_result_html(self)

    def summary(self, eps=None) -> str:
        d = self.diagnostics
        head = [
            f"{self.likelihood} likelihood x {self.prior.describe()} prior"
            + (" (scale x sigma)" if self.scale_by_sigma else ""),
            f"posterior ({SAMPLER_NAMES.get(self.sampler, self.sampler)}): {d.n_chains} chains x {d.n_draws} draws; "
            f"{d.divergences_text}; "
            f"max r_hat {d.max_rhat:.3f}; min ESS bulk {d.min_ess_bulk:.0f}",
        ]
        if self.map is not None:
            head.append(f"{self.map.mode}: {self.map.n_zeros} exact zeros of {self.map.coef.size}; converged {self.map.converged}")
        head += [f"WARNING: {w}" for w in d.all_warnings]
        head += [f"note: {n}" for n in self.notes]
        return "\n".join(head) + "\n\n" + self.table(eps)


def compare(fits: dict):
    """Rank fits of the same data by PSIS-LOO: ``arviz.compare`` of ``{name: fit.loo()}``.

    Parameters
    ----------
    fits : dict of str -> FitResult
        At least two, fitted to the same observations.

    Returns
    -------
    pandas.DataFrame
        ArviZ's table (``rank``, ``elpd_loo``, ``p_loo``, ``elpd_diff``, ``weight``,
        ``se``, ``dse``, ``warning``, ``scale``), best first.
    """
    from priors import CuspInputError

    if not isinstance(fits, dict) or not all(isinstance(f, FitResult) for f in fits.values()):
        raise CuspInputError("compare takes a dict {name: FitResult}, e.g. compare({'laplace': fit1, 'horseshoe': fit2})")
    return compare_elpds({str(name): fit.loo() for name, fit in fits.items()})

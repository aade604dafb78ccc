"""Confidence intervals for the predicted probabilities of a fitted signaling game.

Each predicted equilibrium ``pR_e`` of a row's game moves with θ along its branch, with slope
``dP/dθ = (I - Ψ_P)^{-1} Ψ_θ`` (implicit function theorem on ``P = Ψ(θ, P)``; see
:func:`coercive.estimate.signaling.covariance.equilibrium_slopes`). The action probabilities
``pC = 1 - Φ(u)Φ(v)`` (A's best response to ``pR``), ``pR``, ``pF`` and the outcome
probabilities ``SQ = 1 - pC``, ``CD = pC(1 - pR)``, ``SF = pC pR pF``, ``BD = pC pR (1 - pF)``
are then differentiable in θ, and:

* ``method="delta"``: ``se = sqrt(g V gᵀ)`` with ``g`` the analytic gradient and ``V`` the
  fit's covariance; the interval ``p ± z se`` is clipped to ``[0, 1]`` (games' ``predProbs``
  reports the same kind of interval).
* ``method="bootstrap"``: the fit's bootstrap replicates (``fit_signaling(...,
  bootstrap=B)``) each re-solve every row's game; each fitted equilibrium is matched to the
  replicate's equilibrium of the same row with the nearest ``pR`` (or, with a ``select``
  rule, the rule is applied to the replicate's equilibria), and the interval is the
  percentile interval of those values. Failed replicates are not used and are counted in
  ``attrs["bootstrap"]``.

``predict_intervals(results, newdata=None, *, method="delta", alpha=0.05, select="all")``
returns the table of :func:`~coercive.estimate.signaling.predict_equilibria` with
``<column>_lower`` and ``<column>_upper`` for ``pC pR pF SQ CD SF BD``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import log_ndtr

from coercive._errors import InputError
from coercive.estimate.results import EstimationResults
from coercive.estimate.signaling.covariance import best_response_slopes
from coercive.estimate.signaling.likelihood import (
    PayoffDesign,
    PseudoLikelihood,
    _log_pdf,
    _thresholds,
    payoff_values,
)

__all__ = ["PROBABILITIES", "predict_intervals", "probability_gradients"]

PROBABILITIES = ("pC", "pR", "pF", "SQ", "CD", "SF", "BD")


def probability_gradients(
    design: PayoffDesign, theta: np.ndarray, resist: np.ndarray
) -> dict[str, np.ndarray]:
    """``(n, k)`` derivatives in θ of each probability along the equilibrium branch at ``pR``.

    ``resist`` must be an equilibrium of each row's game at ``theta``.
    """
    from coercive.estimate.signaling.likelihood import best_responses

    payoffs = payoff_values(theta, design)
    with np.errstate(all="ignore"):
        challenge, firm, _ = best_responses(payoffs, resist, np.full(resist.size, 0.5))
    likelihood = PseudoLikelihood(design, resist, firm)
    resist_theta, firm_theta, resist_firm, firm_resist = best_response_slopes(likelihood, theta)
    gap = 1.0 - resist_firm * firm_resist
    with np.errstate(divide="ignore", invalid="ignore"):
        d_resist = (resist_theta + resist_firm[:, None] * firm_theta) / gap[:, None]
        d_firm = (firm_resist[:, None] * resist_theta + firm_theta) / gap[:, None]
    u, v = _thresholds(payoffs, resist)
    c_resist = -(payoffs["SA"] - payoffs["VA"]) / resist**2
    weight_u = -np.exp(_log_pdf(u) + log_ndtr(v))  # ∂pC/∂u
    weight_v = -np.exp(log_ndtr(u) + _log_pdf(v))  # ∂pC/∂v
    d_u = likelihood.index_design("u") + c_resist[:, None] * d_resist
    d_v = likelihood.index_design("v") + c_resist[:, None] * d_resist
    d_challenge = weight_u[:, None] * d_u + weight_v[:, None] * d_v
    pc, pr, pf = challenge[:, None], resist[:, None], firm[:, None]
    return {
        "pC": d_challenge,
        "pR": d_resist,
        "pF": d_firm,
        "SQ": -d_challenge,
        "CD": d_challenge * (1.0 - pr) - pc * d_resist,
        "SF": d_challenge * pr * pf + pc * d_resist * pf + pc * pr * d_firm,
        "BD": d_challenge * pr * (1.0 - pf) + pc * d_resist * (1.0 - pf) - pc * pr * d_firm,
    }


def _row_design(predictor: object, newdata: pd.DataFrame | None) -> tuple[PayoffDesign, int]:
    design = predictor._design  # type: ignore[attr-defined]
    fixed = predictor._fixed  # type: ignore[attr-defined]
    matrices = design.matrices() if newdata is None else design.regressors(newdata)
    n_rows = matrices[0].shape[0]
    return PayoffDesign(
        tuple(np.asarray(m, float) for m in matrices), fixed, np.zeros((n_rows, 4))
    ), n_rows


def _subset(design: PayoffDesign, positions: np.ndarray) -> PayoffDesign:
    return PayoffDesign(
        tuple(matrix[positions] for matrix in design.matrices),
        design.fixed,
        np.zeros((positions.size, 4)),
    )


def predict_intervals(
    results: EstimationResults,
    newdata: pd.DataFrame | None = None,
    *,
    method: str = "delta",
    alpha: float = 0.05,
    select: str = "all",
) -> pd.DataFrame:
    """Predicted equilibria with confidence intervals (see module docstring)."""
    from coercive.estimate.signaling.model import SignalingPredictor

    if not isinstance(results.predictor, SignalingPredictor):
        raise InputError("results: expected a fit from fit_signaling")
    if method not in ("delta", "bootstrap"):
        raise InputError(f"method: expected 'delta' or 'bootstrap', got {method!r}")
    if not (isinstance(alpha, (int, float)) and 0.0 < alpha < 1.0):
        raise InputError(f"alpha: expected a number in (0, 1), got {alpha!r}")
    predictor = results.predictor
    table = predictor(newdata, select=select)
    row_positions = _positions(table, newdata, predictor)
    present = table["pR"].notna().to_numpy()
    lower = {name: np.full(len(table), np.nan) for name in PROBABILITIES}
    upper = {name: np.full(len(table), np.nan) for name in PROBABILITIES}
    if method == "delta":
        covariance = results.cov_params().to_numpy()
        if not np.all(np.isfinite(covariance)):
            raise InputError(
                "results: the covariance is not available (see the fit's notes), so the "
                "delta method cannot give intervals"
            )
        design, _ = _row_design(predictor, newdata)
        positions = row_positions[present]
        if positions.size:
            sub = _subset(design, positions)
            gradients = probability_gradients(
                sub, results.params.to_numpy(), table["pR"].to_numpy(float)[present]
            )
            z = stats.norm.ppf(1.0 - alpha / 2.0)
            for name, gradient in gradients.items():
                se = np.sqrt(np.einsum("ij,jk,ik->i", gradient, covariance, gradient))
                value = table[name].to_numpy(float)[present]
                lower[name][present] = np.clip(value - z * se, 0.0, 1.0)
                upper[name][present] = np.clip(value + z * se, 0.0, 1.0)
        info = f"delta method, {100 * (1 - alpha):g}% intervals clipped to [0, 1]"
    else:
        replicates = results.extra.get("bootstrap")
        if replicates is None:
            raise InputError(
                "results: no bootstrap replicates; fit with fit_signaling(..., bootstrap=B)"
            )
        draws = _bootstrap_draws(predictor, replicates, newdata, table, row_positions, select)
        for name in PROBABILITIES:
            values = draws[name]  # (B_ok, rows)
            if values.shape[0]:
                with np.errstate(all="ignore"):
                    low, high = np.nanquantile(values, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
                lower[name], upper[name] = low, high
        info = (
            f"bootstrap percentile, {100 * (1 - alpha):g}% intervals from "
            f"{replicates.n_ok} of {replicates.B} replicates ({replicates.failed} failed)"
        )
    for name in PROBABILITIES:
        table[f"{name}_lower"] = lower[name]
        table[f"{name}_upper"] = upper[name]
    table.attrs["interval"] = info
    return table


def _positions(table: pd.DataFrame, newdata: pd.DataFrame | None, predictor: object) -> np.ndarray:
    index = predictor._design.index if newdata is None else newdata.index  # type: ignore[attr-defined]
    return index.get_indexer(table["row"])


def _bootstrap_draws(
    predictor: object,
    replicates: object,
    newdata: pd.DataFrame | None,
    table: pd.DataFrame,
    row_positions: np.ndarray,
    select: str,
) -> dict[str, np.ndarray]:
    from coercive.estimate.signaling.model import SignalingPredictor

    ok = replicates.successful()  # type: ignore[attr-defined]
    draws = {name: np.full((len(ok), len(table)), np.nan) for name in PROBABILITIES}
    fitted_resist = table["pR"].to_numpy(float)
    for b, (_, params) in enumerate(ok.iterrows()):
        other = SignalingPredictor(
            predictor._design,  # type: ignore[attr-defined]
            params,
            predictor._fixed,  # type: ignore[attr-defined]
        )
        every = other(newdata, select=select)
        every_positions = _positions(every, newdata, predictor)
        every_resist = every["pR"].to_numpy(float)
        values = every[list(PROBABILITIES)].to_numpy(float)
        order = np.argsort(every_positions, kind="stable")
        sorted_positions = every_positions[order]
        for i, (position, resist) in enumerate(zip(row_positions, fitted_resist, strict=True)):
            if not np.isfinite(resist):
                continue
            start, stop = np.searchsorted(sorted_positions, [position, position + 1])
            candidates = order[start:stop]
            candidates = candidates[np.isfinite(every_resist[candidates])]
            if not candidates.size:
                continue
            nearest = candidates[np.argmin(np.abs(every_resist[candidates] - resist))]
            for j, name in enumerate(PROBABILITIES):
                draws[name][b, i] = values[nearest, j]
    return draws

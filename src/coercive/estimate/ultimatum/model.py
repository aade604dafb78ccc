r"""The statistical ultimatum game (Ramsay & Signorino 2009; R games 1.1.2 ``ultimatum``).

The game: player 1 offers ``y`` in ``[m, Q]`` (``minOffer``, ``maxOffer``); player 2 accepts
(payoffs ``Q - y`` and ``y``) or rejects (reservation values ``R1 + e1`` and ``R2 + e2``), with
``R1 = X1 beta`` and ``R2 = X2 gamma`` and independent logistic shocks ``e1``, ``e2`` of scales
``s1``, ``s2``, each known only to its owner.

Player 2 accepts when ``y > R2 + e2``: ``p(y) = Lambda((y - R2) / s2)``.
Player 1 chooses ``y`` to maximize ``(Q - y) p(y) + (R1 + e1)(1 - p(y))``. The first-order
condition ``-p + (Q - y - R1 - e1) p' = 0`` with the logistic ``p'/p = (1 - p)/s2`` gives the
shock that makes ``y`` optimal::

    e1(y) = Q - y - R1 - s2 / (1 - p(y)),     d e1 / dy = -1 / (1 - p(y)) < 0,

so offers fall as player 1's reservation value rises, and by change of variables

* an interior offer has density ``f1(e1(y)) / (1 - p(y))`` (``f1`` the logistic density of
  scale ``s1``);
* the smallest offer ``m`` has probability ``1 - F1(e1(m))`` (every larger shock offers ``m``);
* the largest offer ``Q`` has probability ``F1(e1(Q))``.

With ``outcome="both"`` the acceptance adds ``a log p(y) + (1 - a) log(1 - p(y))``; with
``outcome="offer"`` only the offer is modelled (``R2``, ``s2`` are then player 1's beliefs).
Offers within ``offertol`` of ``m`` or ``Q`` count as boundary offers, as in games.
The scales are estimated as ``log(s1)``, ``log(s2)`` (games' labels) unless fixed with ``s1=``,
``s2=`` (then reported with a NaN standard error). Derivatives, optimizer and covariance: see
:mod:`coercive.estimate.strategic` (the log-scales enter as indices on a constant).

Starting values: a logistic regression of acceptance on ``(y, X2)`` gives ``s2`` and ``gamma``
(``P(accept) = Lambda(y / s2 - X2 gamma / s2)``); the least-squares fit of
``Q - y - s2 / (1 - p(y)) = R1 + e1`` on interior offers gives ``beta``, and its residual
spread ``s1 = sd * sqrt(3) / pi`` (the logistic's standard deviation is ``pi s / sqrt(3)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special

from coercive._errors import InputError, InputTypeError
from coercive.estimate.formula import parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.strategic import (
    IndexLikelihood,
    compiled_rows,
    compiled_second,
    fit_single_threaded,
    maximize,
    results_from_maximum,
    starting_values,
)
from coercive.estimate.ultimatum.kernel import ultimatum_rows

__all__ = ["fit_ultimatum", "row_loglik"]

_OFFER_TOLERANCE = math.sqrt(np.finfo(float).eps)


def _reservation_shock(
    offer: np.ndarray, r1: np.ndarray, z: np.ndarray, s2: np.ndarray, max_offer: float
) -> np.ndarray:
    # s2 / (1 - p) = s2 (1 + exp(z)); exp overflows to inf only where the offer is impossible
    with np.errstate(over="ignore"):
        return max_offer - offer - r1 - s2 * (1.0 + np.exp(z))


def row_loglik(
    utilities: np.ndarray,
    offer: np.ndarray,
    accept: np.ndarray | None,
    position: np.ndarray,
    max_offer: float,
) -> np.ndarray:
    """Row log-likelihoods; ``utilities`` = ``(R1, R2, log s1, log s2)`` of shape ``(4, *batch)``.

    ``position`` is -1 for a smallest offer, +1 for a largest, 0 for an interior one.
    """
    r1, r2, log_s1, log_s2 = utilities
    s1, s2 = np.exp(log_s1), np.exp(log_s2)
    z = (offer - r2) / s2
    x = _reservation_shock(offer, r1, z, s2, max_offer) / s1
    with np.errstate(invalid="ignore"):
        interior = special.log_expit(x) + special.log_expit(-x) - log_s1 + np.logaddexp(0.0, z)
        out = np.where(
            position < 0,
            special.log_expit(-x),
            np.where(position > 0, special.log_expit(x), interior),
        )
    if accept is not None:
        out = out + np.where(accept == 1, special.log_expit(z), special.log_expit(-z))
    return np.where(np.isnan(out), -np.inf, out)


def row_loglik_and_gradient(
    utilities: np.ndarray,
    offer: np.ndarray,
    accept: np.ndarray | None,
    position: np.ndarray,
    max_offer: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Row log-likelihoods and derivatives in ``(R1, R2, log s1, log s2)`` (chain rule).

    With ``z = (y - R2)/s2`` and ``x = e1(y)/s1``: ``dx/dR1 = -1/s1``,
    ``dx/dz = -s2 e^z / s1``, ``dz/dR2 = -1/s2``, ``dz/dlog s2 = -z``,
    ``dx/dlog s1 = -x`` and, through ``s2`` in ``e1``, ``dx/dlog s2 = -s2 (1 + e^z)/s1``.
    ``dl/dx`` is ``1 - 2 Lambda(x)`` (interior density), ``-Lambda(x)`` (smallest offer) or
    ``Lambda(-x)`` (largest); ``dl/dz`` gets ``Lambda(z)`` from the interior Jacobian and
    ``a - Lambda(z)`` from the acceptance.
    """
    r1, r2, log_s1, log_s2 = utilities
    s1, s2 = np.exp(log_s1), np.exp(log_s2)
    z = (offer - r2) / s2
    with np.errstate(over="ignore", invalid="ignore"):
        growth = np.exp(z)
        e1 = max_offer - offer - r1 - s2 * (1.0 + growth)
        x = e1 / s1
        interior = position == 0
        rows = np.where(
            position < 0,
            special.log_expit(-x),
            np.where(
                position > 0,
                special.log_expit(x),
                special.log_expit(x) + special.log_expit(-x) - log_s1 + np.logaddexp(0.0, z),
            ),
        )
        dl_dx = np.where(
            position < 0,
            -special.expit(x),
            np.where(position > 0, special.expit(-x), 1.0 - 2.0 * special.expit(x)),
        )
        dl_dz = np.where(interior, special.expit(z), 0.0)
        if accept is not None:
            rows = rows + np.where(accept == 1, special.log_expit(z), special.log_expit(-z))
            dl_dz = dl_dz + (accept - special.expit(z))
        total_z = dl_dx * (-s2 * growth / s1) + dl_dz
        gradient = np.empty_like(utilities)
        gradient[0] = -dl_dx / s1
        gradient[1] = -total_z / s2
        gradient[2] = -dl_dx * x - interior
        gradient[3] = -total_z * z - dl_dx * s2 * (1.0 + growth) / s1
    bad = ~np.isfinite(rows)
    rows = np.where(np.isnan(rows), -np.inf, rows)
    return rows, np.where(bad, 0.0, gradient)


def _start(
    x1: np.ndarray, x2: np.ndarray, offer: np.ndarray, accept: np.ndarray | None,
    position: np.ndarray, max_offer: float,
) -> tuple[np.ndarray, np.ndarray, float, float]:  # fmt: skip
    from coercive.estimate.strategic import binary_fit
    from coercive.games.deterrence import link_functions

    slope = 0.0
    if accept is not None and 0 < accept.sum() < accept.size:
        coef = binary_fit(np.column_stack([offer, x2]), accept == 1, link_functions("logit"))
        slope = coef[0]
    if slope > 1e-6:
        s2 = 1.0 / slope
        gamma = -coef[1:] * s2
    else:  # no usable acceptance data: player 2's reservation near the offers
        gamma = np.linalg.lstsq(x2, offer, rcond=None)[0]
        s2 = max(float(np.std(offer - x2 @ gamma)) * math.sqrt(3.0) / math.pi, 1e-2)
    z = (offer - x2 @ gamma) / s2
    target = _reservation_shock(offer, np.zeros_like(offer), np.minimum(z, 30.0), s2, max_offer)
    rows = position == 0
    if rows.sum() <= x1.shape[1]:
        rows = np.ones_like(rows)
    beta = np.linalg.lstsq(x1[rows], target[rows], rcond=None)[0]
    s1 = max(float(np.std(target[rows] - x1[rows] @ beta)) * math.sqrt(3.0) / math.pi, 1e-2)
    return beta, gamma, s1, s2


def _positive_scale(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputTypeError(f"{name}: expected a positive number or None, got {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise InputError(f"{name}: expected a positive finite number, got {value!r}")
    return float(value)


@fit_single_threaded
def fit_ultimatum(
    formula: str,
    data: pd.DataFrame,
    max_offer: float,
    min_offer: float = 0.0,
    outcome: Literal["both", "offer"] = "both",
    s1: float | None = None,
    s2: float | None = None,
    offertol: float = _OFFER_TOLERANCE,
    subset: object = None,
    na: Literal["drop", "raise"] = "drop",
    start: Sequence[float] | np.ndarray | None = None,
    maxiter: int = 1000,
) -> EstimationResults:
    """Fit the statistical ultimatum game by maximum likelihood (games' ``ultimatum``).

    ``formula``: ``"offer + accept ~ R1 | R2"`` (``outcome="both"``) or ``"offer ~ R1 | R2"``
    (``outcome="offer"``; an acceptance column, if given, is used for starting values only).
    ``max_offer``/``min_offer``: the feasible offers ``[m, Q]`` (every offer must lie in it).
    ``s1``/``s2``: fix a scale instead of estimating it. ``start``: values for all parameters
    (``R1``, ``R2``, then the estimated log-scales).
    """
    for name, value in (("max_offer", max_offer), ("min_offer", min_offer),
                        ("offertol", offertol)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputTypeError(f"{name}: expected a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise InputError(f"{name}: expected a finite number, got {value!r}")
    if not min_offer < max_offer:
        raise InputError(f"max_offer: must exceed min_offer ({min_offer}), got {max_offer}")
    if not 0 <= offertol < (max_offer - min_offer) / 2:
        raise InputError(f"offertol: expected a small non-negative number, got {offertol}")
    if outcome not in ("both", "offer"):
        raise InputError(f"outcome: must be 'both' or 'offer', got {outcome!r}")
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        raise InputError(f"maxiter: expected a positive integer, got {maxiter!r}")
    fixed_s1, fixed_s2 = _positive_scale(s1, "s1"), _positive_scale(s2, "s2")

    design = parse_formula(formula, data, ["R1", "R2"], subset=subset, na=na)
    if design.outcome_kind != "columns" or design.outcome.shape[1] not in (1, 2):
        raise InputError(
            "formula: the ultimatum game needs 'offer + accept' (or 'offer' alone) on the left"
        )
    if outcome == "both" and design.outcome.shape[1] != 2:
        raise InputError(
            "formula: outcome='both' needs 'offer + accept' on the left; "
            "use outcome='offer' to model the offers alone"
        )
    offer = design.outcome[:, 0]
    accept = design.outcome[:, 1] if design.outcome.shape[1] == 2 else None
    offer_name = design.outcome_names[0]
    if np.any(offer < min_offer - offertol) or np.any(offer > max_offer + offertol):
        raise InputError(
            f"data: offer {offer_name!r} has values outside [min_offer, max_offer] = "
            f"[{min_offer:g}, {max_offer:g}] (range {offer.min():g} to {offer.max():g})"
        )
    if accept is not None and not np.all((accept == 0) | (accept == 1)):
        raise InputError(f"data: acceptance {design.outcome_names[1]!r} must be 0 or 1")
    position = np.where(
        offer <= min_offer + offertol, -1, np.where(offer >= max_offer - offertol, 1, 0)
    )
    # games models offers relative to the smallest feasible one: payoffs Q - y with y >= m
    x1, x2 = design.matrices()
    if x1.shape[1] == 0 or x2.shape[1] == 0:
        raise InputError("formula: R1 and R2 each need at least one term (use 1 for a constant)")
    modelled_accept = accept if outcome == "both" else None
    free_s1, free_s2 = fixed_s1 is None, fixed_s2 is None
    n = len(offer)
    ones = np.ones((n, 1))
    matrices = (x1, x2, ones if free_s1 else ones[:, :0], ones if free_s2 else ones[:, :0])
    log_s1_fixed = 0.0 if free_s1 else math.log(fixed_s1)  # type: ignore[arg-type]
    log_s2_fixed = 0.0 if free_s2 else math.log(fixed_s2)  # type: ignore[arg-type]

    def shifted(utilities: np.ndarray) -> np.ndarray:
        out = utilities.copy()
        out[2] = out[2] + log_s1_fixed
        out[3] = out[3] + log_s2_fixed
        return out

    def rows(utilities: np.ndarray) -> np.ndarray:
        return row_loglik(shifted(utilities), offer, modelled_accept, position, float(max_offer))

    # the compiled kernel of the same formulas as row_loglik_and_gradient, with exact
    # second derivatives
    kernel_data = (
        np.ascontiguousarray(offer, dtype=float),
        np.zeros(n) if modelled_accept is None else np.ascontiguousarray(modelled_accept, float),
        modelled_accept is not None,
        np.ascontiguousarray(position, dtype=np.int64),
        float(max_offer),
        log_s1_fixed,
        log_s2_fixed,
    )
    likelihood = IndexLikelihood(
        matrices,
        rows,
        compiled_rows(ultimatum_rows, *kernel_data),
        compiled_second(ultimatum_rows, *kernel_data),
    )
    columns_r1, columns_r2 = design.part_columns()
    labels_r = [f"R1:{term}" for term in columns_r1] + [f"R2:{term}" for term in columns_r2]
    free_labels = labels_r + (["log(s1)"] if free_s1 else []) + (["log(s2)"] if free_s2 else [])
    def guess() -> np.ndarray:
        beta, gamma, start_s1, start_s2 = _start(x1, x2, offer, accept, position, float(max_offer))
        return np.concatenate(
            [beta, gamma]
            + ([[math.log(start_s1)]] if free_s1 else [])
            + ([[math.log(start_s2)]] if free_s2 else [])
        )

    theta0 = starting_values(start, free_labels, likelihood, guess)
    maximum = maximize(likelihood, theta0, maxiter)

    # Full parameter vector in games' order, fixed log-scales included.
    k_r = len(labels_r)
    theta_free = maximum.theta
    scales = []
    position_in_free = k_r
    for free, fixed_log in ((free_s1, log_s1_fixed), (free_s2, log_s2_fixed)):
        if free:
            scales.append(theta_free[position_in_free])
            position_in_free += 1
        else:
            scales.append(fixed_log)
    theta_full = np.concatenate([theta_free[:k_r], scales])
    labels = [*labels_r, "log(s1)", "log(s2)"]
    fixed_mask = [False] * k_r + [not free_s1, not free_s2]
    free_index = [i for i, is_fixed in enumerate(fixed_mask) if not is_fixed]
    hessian = np.full((len(labels),) * 2, np.nan)
    hessian[np.ix_(free_index, free_index)] = maximum.hessian
    full_maximum = replace(maximum, theta=theta_full, hessian=hessian)
    beta_hat, gamma_hat = theta_full[: x1.shape[1]], theta_full[x1.shape[1] : k_r]
    scale1, scale2 = math.exp(theta_full[-2]), math.exp(theta_full[-1])

    def predictor(newdata: pd.DataFrame | None = None) -> pd.DataFrame:
        """Player 2's reservation value and, at the data's offers, P(accept)."""
        if newdata is None:
            z1, z2, index, offers = x1, x2, design.index, offer
        else:
            z1, z2 = design.regressors(newdata)
            index = newdata.index
            offers = (
                newdata[offer_name].to_numpy(dtype=float)
                if offer_name in newdata.columns
                else np.full(len(newdata), np.nan)
            )
        r1, r2 = z1 @ beta_hat, z2 @ gamma_hat
        return pd.DataFrame(
            {
                "R1": r1,
                "R2": r2,
                "p_accept": special.expit((offers - r2) / scale2),
            },
            index=index,
        )

    hessian_ok = np.all(np.isfinite(maximum.hessian))
    results = results_from_maximum(
        model_name=f"Statistical ultimatum game, logit, outcome={outcome}",
        likelihood=likelihood, maximum=full_maximum if hessian_ok else full_maximum,
        labels=labels, design=design, predictor=predictor,
        extra={"max_offer": float(max_offer), "min_offer": float(min_offer), "outcome": outcome,
               "s1": scale1, "s2": scale2, "formula": formula,
               "boundary offers": int(np.sum(position != 0))},
        fixed=fixed_mask, loglik_obs=likelihood.loglik_obs(maximum.theta),
    )  # fmt: skip
    return results

"""Pseudo-likelihood of the Lewis–Schultz crisis signaling game, with analytic derivatives.

References: Lewis, J. B. and Schultz, K. A. (2003), *Political Analysis* 11:345–367 (the
game); Crisman-Cox, C. and Gibilisco, M. (2021), "Estimating signaling games in
international relations: problems and solutions", *PSRM* 9(3) (the PL/NPL estimators, R
package sigInt 0.2.0); Aguirregabiria, V. and Mira, P. (2007), *Econometrica* 75(1):1–53
(pseudo-likelihood and its nested fixed point).

The game (payoffs A, B): status quo ``(SA, 0)``; B concedes ``(VA, CB)``; A stands firm
``(WA + eA, WB + eB)``; A backs down ``(a + ea, VB)``; ``eA, ea, eB ~ N(0, 1)`` private
(``sigma`` is fixed at 1, which sets the scale of every payoff, as in sigInt). Each payoff is
a linear index ``X_part @ beta_part`` (or a fixed number).

Given beliefs ``r`` = Pr(B resists) and ``f`` = Pr(A stands firm | challenge, resistance):

* A challenges iff ``max(WA + eA, a + ea) >= c``, ``c = (SA - (1 - r) VA) / r``. With the
  standardized thresholds ``u = c - WA`` and ``v = c - a``:
  ``P(SQ) = Φ(u) Φ(v)``, ``pC = 1 - Φ(u) Φ(v)``;
  ``P(challenge and firm) = I(u, v)``, ``P(challenge and back down) = I(v, u)``, where
  ``I(z0, z1) = ∫_{z0}^∞ φ(x) Φ(x + z1 - z0) dx`` (a bivariate-normal orthant with
  correlation 1/√2), so ``pF = I(u, v) / pC``.
* B resists iff ``f (WB + eB) + (1 - f) VB >= CB``: ``pR = Φ(z)``,
  ``z = WB + ((1 - f) VB - CB) / f``.

A row observed ``n = (sq, cd, sf, bd)`` times contributes (with ``log pC + log pF = log I``)

    sq [log Φ(u) + log Φ(v)] + cd [log pC + log Φ(-z)]
        + sf [log I(u, v) + log Φ(z)] + bd [log I(v, u) + log Φ(z)].

In the pseudo-likelihood ``r, f`` are fixed first-stage values, so ``u``, ``v`` and ``z`` are
*linear* in the coefficients: ``u = D_u @ theta + o_u`` etc. The log-likelihood is a sum of
functions of three indices per row, and its gradient and Hessian follow from the first and
second derivatives of those functions (derived below), assembled with three matrix products.

The game's equations live in one place, :mod:`coercive.games.lewis_schultz`: the threshold
``c``, the best responses pC, pF, pR (:func:`best_responses` calls its ufuncs) and the
orthant, computed by :func:`coercive.games._normal.log_orthant_ufunc` as ``log I(z0, δ)`` with
``δ = z1 - z0``. This module adds only what estimation needs: the log-space outcome terms, the
linear indices and the analytic derivatives, which are closed-form in φ, Φ and I itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr

from coercive.games._normal import log_orthant_ufunc, mills_ufunc
from coercive.games.lewis_schultz import (
    _challenge_ufunc,
    _firmness_ufunc,
    _resistance_ufunc,
    _threshold_ufunc,
)

__all__ = [
    "PARTS",
    "PayoffDesign",
    "PseudoLikelihood",
    "NewtonResult",
    "best_responses",
    "maximize",
    "outcome_log_probabilities",
    "payoff_values",
]

#: The seven payoffs, in sigInt's formula order.
PARTS: tuple[str, ...] = ("SA", "VA", "CB", "WA", "WB", "a", "VB")

_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _log_pdf(x: np.ndarray) -> np.ndarray:
    return -0.5 * x * x - _LOG_SQRT_2PI


# --- the orthant integral I(z0, z1) and its derivatives ------------------------------------


def _log_orthant(z0: np.ndarray, z1: np.ndarray) -> np.ndarray:
    """log I(z0, z1) by the engine, whose second argument is δ = z1 - z0."""
    return log_orthant_ufunc(z0, z1 - z0)


def _orthant_derivatives(
    z0: np.ndarray,
    z1: np.ndarray,
    log_pdf0: np.ndarray | None = None,
    log_pdf1: np.ndarray | None = None,
    log_cdf1: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """log I(z0, z1) and the first/second derivatives of log I in (z0, z1).

    With δ = z1 - z0 and ``K = ∂I/∂δ = φ(δ/√2) Φ(-(z0 + z1)/√2) / √2``:
    ``∂I/∂z0|δ = -φ(z0)Φ(z1)``, ``∂²I/∂z0²|δ = z0 φ(z0)Φ(z1) - φ(z0)φ(z1)``,
    ``∂²I/∂z0∂δ = -φ(z0)φ(z1)``, ``∂²I/∂δ² = -(δ/2) K - φ(z0)φ(z1)/2``; then
    ``∂/∂z1 = ∂/∂δ`` and ``∂/∂z0|z1 = ∂/∂z0|δ - ∂/∂δ``. Ratios to I are formed in log space.
    ``log φ(z0)``, ``log φ(z1)``, ``log Φ(z1)`` may be passed in when already computed.
    """
    log_i = _log_orthant(z0, z1)
    delta = z1 - z0
    log_pdf0 = _log_pdf(z0) if log_pdf0 is None else log_pdf0
    log_pdf1 = _log_pdf(z1) if log_pdf1 is None else log_pdf1
    log_cdf1 = log_ndtr(z1) if log_cdf1 is None else log_cdf1
    # Each ratio below is (term / I), exponentiated from logs.
    edge = np.exp(log_pdf0 + log_cdf1 - log_i)  # φ(z0)Φ(z1)/I
    joint = np.exp(log_pdf0 + log_pdf1 - log_i)  # φ(z0)φ(z1)/I
    k_ratio = np.exp(
        _log_pdf(delta / _SQRT2) + log_ndtr(-(z0 + z1) / _SQRT2) - 0.5 * math.log(2.0) - log_i
    )
    i_z0 = -edge  # in (z0, δ)
    i_d = k_ratio
    i_z0z0 = z0 * edge - joint
    i_z0d = -joint
    i_dd = -0.5 * delta * k_ratio - 0.5 * joint
    # Change of variables (z0, δ) -> (z0, z1).
    d0 = i_z0 - i_d
    d1 = i_d
    h00 = (i_z0z0 - 2.0 * i_z0d + i_dd) - d0 * d0
    h01 = (i_z0d - i_dd) - d0 * d1
    h11 = i_dd - d1 * d1
    return log_i, d0, d1, h00, h01, h11


def _log_challenge(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """log pC = log(1 - Φ(u)Φ(v)) = log(Φ(-u) + Φ(u)Φ(-v)), without cancellation."""
    return np.logaddexp(log_ndtr(-u), log_ndtr(u) + log_ndtr(-v))


# --- data, payoffs, best responses ------------------------------------------------------


@dataclass(frozen=True)
class PayoffDesign:
    """Regressors of the seven payoffs and the outcome counts.

    ``matrices[j]`` is the ``(n, k_j)`` design of payoff ``PARTS[j]`` (``k_j`` may be 0);
    ``fixed[j]`` is the payoff's value when it has no columns (0 unless set by the user);
    ``counts`` is ``(n, 4)``: sq, cd, sf, bd.
    """

    matrices: tuple[np.ndarray, ...]
    fixed: tuple[float, ...]
    counts: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.counts.shape[0])

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(matrix.shape[1]) for matrix in self.matrices)

    @property
    def n_params(self) -> int:
        return sum(self.sizes)

    def slices(self) -> dict[str, slice]:
        edges = np.cumsum((0, *self.sizes))
        return {part: slice(int(edges[j]), int(edges[j + 1])) for j, part in enumerate(PARTS)}


def payoff_values(theta: np.ndarray, design: PayoffDesign) -> dict[str, np.ndarray]:
    """Each payoff's value at every row for coefficients ``theta``."""
    slices = design.slices()
    values = {}
    for j, part in enumerate(PARTS):
        matrix = design.matrices[j]
        if matrix.shape[1]:
            values[part] = matrix @ theta[slices[part]]
        else:
            values[part] = np.full(design.n_rows, design.fixed[j])
    return values


def _thresholds(
    payoffs: dict[str, np.ndarray], resist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) = (c - WA, c - a) with the engine's challenge threshold c = VA + (SA - VA)/pR."""
    with np.errstate(over="ignore"):  # pR ~ 0: c overflows to ±inf, its limit
        c = _threshold_ufunc(resist, payoffs["SA"], payoffs["VA"])
    return c - payoffs["WA"], c - payoffs["a"]


def _resistance_index(payoffs: dict[str, np.ndarray], firm: np.ndarray) -> np.ndarray:
    """z with pR = Φ(z): z = WB - VB + (VB - CB)/pF (``lewis_schultz.resistance``, σ = 1)."""
    return payoffs["WB"] - payoffs["VB"] + (payoffs["VB"] - payoffs["CB"]) / firm


def best_responses(
    payoffs: dict[str, np.ndarray], resist: np.ndarray, firm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ψ: (pC, pF) as A's best response to the belief ``resist``; pR as B's to ``firm``.

    Returns ``(challenge, firm_new, resist_new)``, computed by the engine
    (:mod:`coercive.games.lewis_schultz`) with σ = 1.
    """
    SA, VA, CB, WA, WB, a, VB = (payoffs[part] for part in PARTS)
    # A belief ~0 overflows a threshold or index to ±inf, which Φ maps to its exact limit.
    with np.errstate(over="ignore"):
        challenge = _challenge_ufunc(resist, SA, VA, WA, a, 1.0)
        firm_new = _firmness_ufunc(resist, SA, VA, WA, a, 1.0)
        resist_new = _resistance_ufunc(firm, CB, WB, VB, 1.0)
    return challenge, firm_new, resist_new


def outcome_log_probabilities(
    payoffs: dict[str, np.ndarray], resist: np.ndarray, firm: np.ndarray
) -> np.ndarray:
    """``(n, 4)`` log P(SQ, CD, SF, BD) when A answers belief ``resist`` and B answers ``firm``."""
    u, v = _thresholds(payoffs, resist)
    z = _resistance_index(payoffs, firm)
    return np.column_stack(
        [
            log_ndtr(u) + log_ndtr(v),
            _log_challenge(u, v) + log_ndtr(-z),
            _log_orthant(u, v) + log_ndtr(z),
            _log_orthant(v, u) + log_ndtr(z),
        ]
    )


# --- the pseudo-likelihood ----------------------------------------------------------------


class PseudoLikelihood:
    """The PL log-likelihood for fixed beliefs ``(resist, firm)`` with analytic derivatives.

    The three indices are linear in ``theta``: ``u = D_u theta + o_u``, ``v = D_v theta + o_v``,
    ``z = D_z theta + o_z`` with (for the row's beliefs r, f)
    ``D_u = [X_SA/r, (1 - 1/r) X_VA, 0, -X_WA, 0, 0, 0]``,
    ``D_v = [X_SA/r, (1 - 1/r) X_VA, 0, 0, 0, -X_a, 0]``,
    ``D_z = [0, 0, -X_CB/f, 0, X_WB, 0, (1/f - 1) X_VB]``.
    """

    def __init__(self, design: PayoffDesign, resist: np.ndarray, firm: np.ndarray) -> None:
        self.design = design
        self.resist = np.asarray(resist, dtype=float)
        self.firm = np.asarray(firm, dtype=float)
        n, p = design.n_rows, design.n_params
        slices = design.slices()
        inv_r = 1.0 / self.resist
        inv_f = 1.0 / self.firm
        # Column-block coefficients of each payoff in each index (row-specific scalars).
        weights = {
            "u": {"SA": inv_r, "VA": 1.0 - inv_r, "WA": -np.ones(n)},
            "v": {"SA": inv_r, "VA": 1.0 - inv_r, "a": -np.ones(n)},
            "z": {"CB": -inv_f, "WB": np.ones(n), "VB": inv_f - 1.0},
        }
        self._design: dict[str, np.ndarray] = {}
        self._offset: dict[str, np.ndarray] = {}
        for index, terms in weights.items():
            matrix = np.zeros((n, p))
            offset = np.zeros(n)
            for part, weight in terms.items():
                j = PARTS.index(part)
                if design.matrices[j].shape[1]:
                    matrix[:, slices[part]] = weight[:, None] * design.matrices[j]
                else:
                    offset += weight * design.fixed[j]
            self._design[index] = matrix
            self._offset[index] = offset
        counts = design.counts
        self._sq, self._cd, self._sf, self._bd = (counts[:, j].astype(float) for j in range(4))
        self._resisted = self._sf + self._bd

    def indices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(self._design[i] @ theta + self._offset[i] for i in ("u", "v", "z"))

    def _row_terms(
        self, theta: np.ndarray, order: int
    ) -> tuple[np.ndarray, list[np.ndarray] | None, list[np.ndarray] | None]:
        """Row log-likelihoods; first derivatives in (u, v, z); second (uu, uv, vv, zz).

        Overflow in a ratio is expected where a probability underflows (thresholds ~1e12);
        such values are masked when their outcome is unseen and otherwise make the value or
        derivatives non-finite, which the optimizer rejects — so numpy need not warn.
        """
        # One-entry memo: the covariance and constrained estimators ask for the value, the
        # index derivatives and the scores at the same theta several times in a row.
        key = (np.asarray(theta, dtype=float).tobytes(), order)
        memo = getattr(self, "_memo", None)
        if memo is not None and memo[0][0] == key[0] and memo[0][1] >= order:
            return memo[1]
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            terms = self._row_terms_unguarded(theta, order)
        self._memo = (key, terms)
        return terms

    def _row_terms_unguarded(
        self, theta: np.ndarray, order: int
    ) -> tuple[np.ndarray, list[np.ndarray] | None, list[np.ndarray] | None]:
        u, v, z = self.indices(theta)
        n = u.size
        sq, cd, sf, bd, resisted = self._sq, self._cd, self._sf, self._bd, self._resisted
        # Both orthants, I(u, v) (firm) and I(v, u) (back down), in one stacked evaluation;
        # the normal pdf/cdf values are computed once and shared by all terms.
        first = np.concatenate([u, v])
        second = np.concatenate([v, u])
        log_pdf = _log_pdf(first)
        log_cdf = log_ndtr(first)
        log_sf = log_ndtr(-first)
        log_cdf_u, log_cdf_v = log_cdf[:n], log_cdf[n:]
        log_pc = np.logaddexp(log_sf[:n], log_cdf_u + log_sf[n:])  # log(Φ(-u) + Φ(u)Φ(-v))
        log_cdf_z, log_sf_z = log_ndtr(z), log_ndtr(-z)
        if order:
            swapped_pdf = np.concatenate([log_pdf[n:], log_pdf[:n]])
            swapped_cdf = np.concatenate([log_cdf_v, log_cdf_u])
            orthant = _orthant_derivatives(first, second, log_pdf, swapped_pdf, swapped_cdf)
            log_orth = orthant[0]
        else:
            log_orth = _log_orthant(first, second)
        row = (
            _weighted(sq, log_cdf_u + log_cdf_v)
            + _weighted(cd, log_pc + log_sf_z)
            + _weighted(sf, log_orth[:n])
            + _weighted(bd, log_orth[n:])
            + _weighted(resisted, log_cdf_z)
        )
        if not order:
            return row, None, None
        log_pdf_u, log_pdf_v = log_pdf[:n], log_pdf[n:]
        mills = mills_ufunc(np.concatenate([u, v, z, -z]))  # φ/Φ
        lam_u, lam_v, lam_z, lam_neg_z = (
            mills[:n],
            mills[n : 2 * n],
            mills[2 * n : 3 * n],
            mills[3 * n :],
        )
        # log pC derivatives: pC_u/pC = -φ(u)Φ(v)/pC, etc.
        c_u = -np.exp(log_pdf_u + log_cdf_v - log_pc)
        c_v = -np.exp(log_cdf_u + log_pdf_v - log_pc)
        c_uv_raw = -np.exp(log_pdf_u + log_pdf_v - log_pc)
        c_uu = -u * c_u - c_u * c_u
        c_vv = -v * c_v - c_v * c_v
        c_uv = c_uv_raw - c_u * c_v
        _, d0, d1, h00, h01, h11 = orthant
        f0, f1, f00, f01, f11 = d0[:n], d1[:n], h00[:n], h01[:n], h11[:n]
        b0, b1, b00, b01, b11 = d0[n:], d1[n:], h00[n:], h01[n:], h11[n:]  # in (v, u) order
        # Contributions are count * derivative; an outcome never seen in a row must add
        # nothing even where its derivative overflows (its probability underflowed), so if
        # plain products are not all finite they are redone with 0 * (inf or NaN) = 0.
        terms = {
            "u": ((sq, lam_u), (cd, c_u), (sf, f0), (bd, b1)),
            "v": ((sq, lam_v), (cd, c_v), (sf, f1), (bd, b0)),
            "z": ((cd, -lam_neg_z), (resisted, lam_z)),
            "uu": ((sq, -lam_u * (u + lam_u)), (cd, c_uu), (sf, f00), (bd, b11)),
            "uv": ((cd, c_uv), (sf, f01), (bd, b01)),
            "vv": ((sq, -lam_v * (v + lam_v)), (cd, c_vv), (sf, f11), (bd, b00)),
            "zz": ((cd, -lam_neg_z * (lam_neg_z - z)), (resisted, -lam_z * (z + lam_z))),
        }
        sums = {}
        for key, pairs in terms.items():
            with np.errstate(invalid="ignore", over="ignore"):
                total = sum(count * value for count, value in pairs)
            if not np.all(np.isfinite(total)):
                total = sum(_weighted(count, value) for count, value in pairs)
            sums[key] = total
        grad = [sums["u"], sums["v"], sums["z"]]
        hess = [sums["uu"], sums["uv"], sums["vv"], sums["zz"]]
        return row, grad, hess

    def loglike(self, theta: np.ndarray) -> float:
        row, _, _ = self._row_terms(theta, 0)
        return float(row.sum())

    def loglike_rows(self, theta: np.ndarray) -> np.ndarray:
        return self._row_terms(theta, 0)[0]

    def derivatives(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(log-likelihood, gradient, Hessian) at ``theta``."""
        row, grad, hess = self._row_terms(theta, 2)
        assert grad is not None and hess is not None
        d_u, d_v, d_z = self._design["u"], self._design["v"], self._design["z"]
        gradient = d_u.T @ grad[0] + d_v.T @ grad[1] + d_z.T @ grad[2]
        cross = d_u.T @ (hess[1][:, None] * d_v)
        hessian = (
            d_u.T @ (hess[0][:, None] * d_u)
            + cross
            + cross.T
            + d_v.T @ (hess[2][:, None] * d_v)
            + d_z.T @ (hess[3][:, None] * d_z)
        )
        return float(row.sum()), gradient, hessian

    def index_derivatives(self, theta: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Row derivatives of the log-likelihood in (u, v, z) and (uu, uv, vv, zz)."""
        _, grad, hess = self._row_terms(theta, 2)
        assert grad is not None and hess is not None
        return grad, hess

    def index_gradients(self, theta: np.ndarray) -> list[np.ndarray]:
        """Row derivatives of the log-likelihood in (u, v, z) (no second derivatives)."""
        _, grad, _ = self._row_terms(theta, 1)
        assert grad is not None
        return grad

    def gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """(log-likelihood, gradient) at ``theta``, without the Hessian."""
        row, grad, _ = self._row_terms(theta, 1)
        assert grad is not None
        d_u, d_v, d_z = self._design["u"], self._design["v"], self._design["z"]
        return float(row.sum()), d_u.T @ grad[0] + d_v.T @ grad[1] + d_z.T @ grad[2]

    def row_scores(self, theta: np.ndarray) -> np.ndarray:
        """``(n, p)`` per-row gradients (each row summing its observed games)."""
        _, grad, _ = self._row_terms(theta, 1)
        assert grad is not None
        return (
            grad[0][:, None] * self._design["u"]
            + grad[1][:, None] * self._design["v"]
            + grad[2][:, None] * self._design["z"]
        )

    def index_design(self, name: str) -> np.ndarray:
        return self._design[name]


def _weighted(count: np.ndarray, value: np.ndarray) -> np.ndarray:
    """count * value with 0 * (±inf or NaN) = 0 (an outcome never seen adds nothing)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(count > 0, count * value, 0.0)


# --- Newton–Raphson -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewtonResult:
    theta: np.ndarray
    loglike: float
    gradient: np.ndarray
    hessian: np.ndarray
    iterations: int
    converged: bool
    message: str


def maximize(
    likelihood: PseudoLikelihood,
    start: np.ndarray,
    *,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> NewtonResult:
    """Newton–Raphson with the exact Hessian, eigenvalue-modified where not concave.

    Each step solves ``(-H) step = g`` with the eigenvalues of ``-H`` replaced by their
    absolute values (floored), so it is an ascent direction; the step is halved until the
    log-likelihood does not fall. Converged when the step is below ``tol`` (max-abs).
    """
    theta = np.asarray(start, dtype=float).copy()
    value, gradient, hessian = likelihood.derivatives(theta)
    if not (np.isfinite(value) and np.all(np.isfinite(gradient)) and np.all(np.isfinite(hessian))):
        return NewtonResult(
            theta,
            value,
            gradient,
            hessian,
            0,
            False,
            "log-likelihood or its derivatives not finite at the start values",
        )
    for iteration in range(1, max_iter + 1):
        eigenvalues, eigenvectors = np.linalg.eigh(-hessian)
        scale = max(1.0, float(np.max(np.abs(eigenvalues))))
        concave = bool(eigenvalues[0] > 1e-12 * scale)
        modified = np.maximum(np.abs(eigenvalues), 1e-8 * scale)
        step = eigenvectors @ ((eigenvectors.T @ gradient) / modified)
        if concave and np.max(np.abs(step)) < 0.1 * tol:
            # Already at the maximum to well within tol: no need to evaluate theta + step.
            return NewtonResult(theta, value, gradient, hessian, iteration - 1, True, "converged")
        length = 1.0
        while True:
            candidate = theta + length * step
            new_value, new_gradient, new_hessian = likelihood.derivatives(candidate)
            if (
                np.isfinite(new_value)
                and new_value >= value - 1e-10 * (1.0 + abs(value))
                and np.all(np.isfinite(new_gradient))
                and np.all(np.isfinite(new_hessian))
            ):
                break
            length *= 0.5
            if length < 1e-12:
                return NewtonResult(
                    theta,
                    value,
                    gradient,
                    hessian,
                    iteration,
                    False,
                    "line search failed to increase the log-likelihood",
                )
        theta, value, gradient, hessian = candidate, new_value, new_gradient, new_hessian
        if np.max(np.abs(length * step)) < tol:
            # A stationary point; where -H is not positive definite (a flat direction of an
            # unidentified model) the covariance step reports it.
            message = "converged" if concave else "converged (Hessian not negative definite)"
            return NewtonResult(theta, value, gradient, hessian, iteration, True, message)
    return NewtonResult(
        theta, value, gradient, hessian, max_iter, False, f"no convergence in {max_iter} steps"
    )

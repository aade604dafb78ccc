"""Covariance of the NPL estimator of the crisis signaling game.

Aguirregabiria, V. and Mira, P. (2007), "Sequential estimation of dynamic discrete games",
*Econometrica* 75(1):1–53, give the asymptotic variance of the NPL fixed point
``(θ̂, P̂)`` — ``θ̂`` maximizes the pseudo-likelihood ``Q(θ, P̂)`` and ``P̂ = Ψ(θ̂, P̂)``:

    V = [Ω_θθ + Ω_θP (I - Ψ_P)^{-1} Ψ_θ]^{-1} Ω_θθ [Ω_θθ + Ω_θP (I - Ψ_P)^{-1} Ψ_θ]^{-T},

with ``Ω_θθ`` and ``Ω_θP`` the information-matrix blocks of the pseudo-score in θ and P,
and ``Ψ_θ``, ``Ψ_P`` the Jacobians of the best-response map (the NPL variance that
Crisman-Cox & Gibilisco 2021, *PSRM* 9(3), take from A&M; their appendix was not available to
us, so the formula here is A&M's, re-derived as follows). It follows from linearizing the
first-order condition ``∇_θ Q(θ, P(θ)) = 0`` along the fixed point ``P(θ)``, whose slope is
``dP/dθ = (I - Ψ_P)^{-1} Ψ_θ``; we use the sample analogues ``Ω_θθ = -∇²_θθ Q`` and
``Ω_θP = -∇²_θP Q`` (equal to the outer-product forms at the truth, where the
pseudo-likelihood is the likelihood), all computed analytically.

In this game ``Ψ`` acts row by row: ``Ψ_R`` (B's resistance) depends only on the row's
``pF`` and ``Ψ_F`` (A's firmness) only on its ``pR``, so ``I - Ψ_P`` is a set of 2×2 blocks
``[[1, -∂Ψ_R/∂pF], [-∂Ψ_F/∂pR, 1]]`` inverted in closed form. The product
``(∂Ψ_R/∂pF)(∂Ψ_F/∂pR)`` is the slope of B's composite best response ``F(pR)``; a slope of
1 (an unstable, knife-edge equilibrium) makes the variance undefined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr

from coercive.estimate.covariance import Covariance
from coercive.estimate.signaling.likelihood import (
    PARTS,
    PayoffDesign,
    PseudoLikelihood,
    _log_challenge,
    _log_pdf,
    _orthant_derivatives,
    _resistance_index,
    _thresholds,
    payoff_values,
)

__all__ = [
    "BestResponseJacobians",
    "best_response_jacobians",
    "fixed_point_jacobian",
    "npl_covariance",
]


@dataclass(frozen=True)
class BestResponseJacobians:
    """Row-wise derivatives of Ψ and of the pseudo-score at ``(theta, resist, firm)``.

    ``resist_theta``/``firm_theta``: ``(n, p)`` ∂Ψ_R/∂θ, ∂Ψ_F/∂θ; ``resist_firm``: ``(n,)``
    ∂Ψ_R/∂pF; ``firm_resist``: ``(n,)`` ∂Ψ_F/∂pR; ``score_resist``/``score_firm``: ``(n, p)``
    derivative of row i's pseudo-score with respect to its own ``pR``/``pF``.
    """

    resist_theta: np.ndarray
    firm_theta: np.ndarray
    resist_firm: np.ndarray
    firm_resist: np.ndarray
    score_resist: np.ndarray
    score_firm: np.ndarray


def _design_derivatives(
    design: PayoffDesign, resist: np.ndarray, firm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """∂D_u/∂pR (= ∂D_v/∂pR) and ∂D_z/∂pF, row by row, as ``(n, p)`` arrays."""
    n, p = design.n_rows, design.n_params
    slices = design.slices()
    d_resist = np.zeros((n, p))
    d_firm = np.zeros((n, p))
    inv_r2 = 1.0 / resist**2
    inv_f2 = 1.0 / firm**2
    # D_u, D_v: SA/r and (1 - 1/r) VA; D_z: -CB/f and (1/f - 1) VB.
    for part, weight, target in (
        ("SA", -inv_r2, d_resist),
        ("VA", inv_r2, d_resist),
        ("CB", inv_f2, d_firm),
        ("VB", -inv_f2, d_firm),
    ):
        matrix = design.matrices[PARTS.index(part)]
        if matrix.shape[1]:
            target[:, slices[part]] = weight[:, None] * matrix
    return d_resist, d_firm


def best_response_jacobians(
    likelihood: PseudoLikelihood, theta: np.ndarray
) -> BestResponseJacobians:
    """Analytic Ψ_θ, Ψ_P and ∇²_θP Q at ``theta`` and the likelihood's beliefs."""
    design = likelihood.design
    resist, firm = likelihood.resist, likelihood.firm
    payoffs = payoff_values(theta, design)
    u, v = _thresholds(payoffs, resist)
    z = _resistance_index(payoffs, firm)
    d_u = likelihood.index_design("u")
    d_v = likelihood.index_design("v")
    d_z = likelihood.index_design("z")

    # Ψ_R = Φ(z): ∂/∂θ = φ(z) D_z; ∂/∂pF = φ(z) (CB - VB)/pF².
    density_z = np.exp(_log_pdf(z))
    z_firm = (payoffs["CB"] - payoffs["VB"]) / firm**2
    resist_theta = density_z[:, None] * d_z
    resist_firm = density_z * z_firm

    # Ψ_F = I(u, v)/pC: ∂ log Ψ_F = ∂ log I - ∂ log pC, in (u, v).
    log_firm, f0, f1, _, _, _ = _orthant_derivatives(u, v)
    log_pc = _log_challenge(u, v)
    firm_now = np.exp(log_firm - log_pc)
    c_u = -np.exp(_log_pdf(u) + log_ndtr(v) - log_pc)
    c_v = -np.exp(log_ndtr(u) + _log_pdf(v) - log_pc)
    slope_u = firm_now * (f0 - c_u)
    slope_v = firm_now * (f1 - c_v)
    firm_theta = slope_u[:, None] * d_u + slope_v[:, None] * d_v
    # u and v both move with the threshold c = VA + (SA - VA)/pR.
    c_resist = -(payoffs["SA"] - payoffs["VA"]) / resist**2
    firm_resist = (slope_u + slope_v) * c_resist

    # Mixed derivatives of the pseudo-score: the designs and the indices move with pR, pF.
    grad, hess = likelihood.index_derivatives(theta)
    g_u, g_v, g_z = grad
    h_uu, h_uv, h_vv, h_zz = hess
    dd_resist, dd_firm = _design_derivatives(design, resist, firm)
    score_resist = (g_u + g_v)[:, None] * dd_resist + c_resist[:, None] * (
        (h_uu + h_uv)[:, None] * d_u + (h_uv + h_vv)[:, None] * d_v
    )
    score_firm = g_z[:, None] * dd_firm + (z_firm * h_zz)[:, None] * d_z
    return BestResponseJacobians(
        resist_theta=resist_theta,
        firm_theta=firm_theta,
        resist_firm=resist_firm,
        firm_resist=firm_resist,
        score_resist=score_resist,
        score_firm=score_firm,
    )


def fixed_point_jacobian(
    likelihood: PseudoLikelihood, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``d/dθ ∇_θ Q(θ, P(θ))`` along the equilibrium ``P(θ)``, with ``∇²_θθ Q`` and ``1 - F'``.

    ``= ∇²_θθ Q + ∇²_θP Q (I - Ψ_P)^{-1} Ψ_θ``; the third array is ``1 - (∂Ψ_R/∂pF)(∂Ψ_F/∂pR)``
    per row (zero at a knife-edge equilibrium, where the Jacobian is not defined).
    """
    _, _, hessian = likelihood.derivatives(theta)
    jac = best_response_jacobians(likelihood, theta)
    gap = 1.0 - jac.resist_firm * jac.firm_resist  # 1 - slope of F(pR) at each row
    with np.errstate(divide="ignore", invalid="ignore"):
        # dP/dθ = (I - Ψ_P)^{-1} Ψ_θ, row by row with the closed-form 2×2 inverse.
        d_resist = (jac.resist_theta + jac.resist_firm[:, None] * jac.firm_theta) / gap[:, None]
        d_firm = (jac.firm_resist[:, None] * jac.resist_theta + jac.firm_theta) / gap[:, None]
    jacobian = hessian + jac.score_resist.T @ d_resist + jac.score_firm.T @ d_firm
    return jacobian, hessian, gap


def npl_covariance(likelihood: PseudoLikelihood, theta: np.ndarray) -> Covariance:
    """Aguirregabiria–Mira NPL covariance at the fixed point ``(theta, likelihood's beliefs)``.

    ``V = J^{-1} (-∇²_θθ Q) J^{-T}`` with ``J`` from :func:`fixed_point_jacobian`. Returns a
    NaN matrix with a note when ``-∇²_θθ Q`` is not positive definite, when the equilibrium
    is knife-edge (``1 - F'(pR)`` near 0 in some row), or when ``J`` is singular.
    """
    from coercive.estimate.covariance import hessian_covariance

    jacobian, hessian, gap = fixed_point_jacobian(likelihood, theta)
    k = hessian.shape[0]
    naive = hessian_covariance(hessian)
    if not naive.ok:
        return naive
    if np.any(~np.isfinite(gap)) or np.any(np.abs(gap) < 1e-8):
        return Covariance(
            np.full((k, k), np.nan),
            False,
            "the best-response slope F'(pR) is 1 at some row (knife-edge equilibrium): "
            "the NPL covariance is not defined",
        )
    if not np.all(np.isfinite(jacobian)):
        return Covariance(np.full((k, k), np.nan), False, "the NPL Jacobian has NaN/inf entries")
    condition = np.linalg.cond(jacobian)
    if not np.isfinite(condition) or condition > 1e12:
        return Covariance(
            np.full((k, k), np.nan),
            False,
            f"the NPL Jacobian is singular (condition number {condition:.3g}): "
            "standard errors are not available",
        )
    bread = np.linalg.inv(jacobian)
    matrix = bread @ (-hessian) @ bread.T
    return Covariance(0.5 * (matrix + matrix.T), True)

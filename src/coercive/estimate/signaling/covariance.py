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


def best_response_slopes(
    likelihood: PseudoLikelihood, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Analytic Ψ_θ and Ψ_P at ``theta`` and the likelihood's beliefs.

    Returns ``(∂Ψ_R/∂θ, ∂Ψ_F/∂θ, ∂Ψ_R/∂pF, ∂Ψ_F/∂pR)``, shapes ``(n, p), (n, p), (n,), (n,)``.
    """
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
    return resist_theta, firm_theta, resist_firm, firm_resist


def best_response_jacobians(
    likelihood: PseudoLikelihood, theta: np.ndarray
) -> BestResponseJacobians:
    """Analytic Ψ_θ, Ψ_P and ∇²_θP Q at ``theta`` and the likelihood's beliefs."""
    design = likelihood.design
    resist, firm = likelihood.resist, likelihood.firm
    payoffs = payoff_values(theta, design)
    resist_theta, firm_theta, resist_firm, firm_resist = best_response_slopes(likelihood, theta)
    d_u = likelihood.index_design("u")
    d_v = likelihood.index_design("v")
    d_z = likelihood.index_design("z")
    c_resist = -(payoffs["SA"] - payoffs["VA"]) / resist**2
    z_firm = (payoffs["CB"] - payoffs["VB"]) / firm**2

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


def belief_scores(likelihood: PseudoLikelihood, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(∂l_i/∂pR_i, ∂l_i/∂pF_i)``: each row's pseudo-log-likelihood in its own beliefs.

    ``u`` and ``v`` move with the threshold ``c = VA + (SA - VA)/pR``
    (``∂c/∂pR = -(SA - VA)/pR²``) and ``z = WB - VB + (VB - CB)/pF`` with
    ``∂z/∂pF = (CB - VB)/pF²``, so the chain rule through the index derivatives gives both.
    """
    payoffs = payoff_values(theta, likelihood.design)
    g_u, g_v, g_z = likelihood.index_gradients(theta)
    c_resist = -(payoffs["SA"] - payoffs["VA"]) / likelihood.resist**2
    z_firm = (payoffs["CB"] - payoffs["VB"]) / likelihood.firm**2
    return (g_u + g_v) * c_resist, g_z * z_firm


def equilibrium_slopes(
    likelihood: PseudoLikelihood, theta: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``dP/dθ = (I - Ψ_P)^{-1} Ψ_θ`` row by row: ``(d pR/dθ, d pF/dθ, 1 - F'(pR))``.

    The slopes of the equilibrium beliefs along the branch through the likelihood's beliefs
    (implicit function theorem on ``P = Ψ(θ, P)``); the third array is zero at a knife-edge.
    """
    jac = best_response_jacobians(likelihood, theta)
    gap = 1.0 - jac.resist_firm * jac.firm_resist
    with np.errstate(divide="ignore", invalid="ignore"):
        d_resist = (jac.resist_theta + jac.resist_firm[:, None] * jac.firm_theta) / gap[:, None]
        d_firm = (jac.firm_resist[:, None] * jac.resist_theta + jac.firm_theta) / gap[:, None]
    return d_resist, d_firm, gap


COV_TYPES = ("opg", "opg-implicit", "hessian", "robust")


def _nan_covariance(k: int, note: str) -> Covariance:
    return Covariance(np.full((k, k), np.nan), False, note)


def _sandwich(bread_inverse: np.ndarray, meat: np.ndarray, what: str) -> Covariance:
    """``A^{-1} M A^{-T}`` with a check that ``A`` is finite and well conditioned."""
    k = meat.shape[0]
    if not np.all(np.isfinite(bread_inverse)):
        return _nan_covariance(k, f"the {what} has NaN/inf entries")
    condition = np.linalg.cond(bread_inverse)
    if not np.isfinite(condition) or condition > 1e12:
        return _nan_covariance(
            k,
            f"the {what} is singular (condition number {condition:.3g}): "
            "standard errors are not available",
        )
    bread = np.linalg.inv(bread_inverse)
    matrix = bread @ meat @ bread.T
    return Covariance(0.5 * (matrix + matrix.T), True)


def npl_covariance(
    likelihood: PseudoLikelihood, theta: np.ndarray, cov_type: str = "opg"
) -> Covariance:
    """Aguirregabiria–Mira NPL covariance at the fixed point ``(theta, likelihood's beliefs)``.

    ``V = A^{-1} Ω_θθ A^{-T}`` with ``A = Ω_θθ + Ω_θP (I - Ψ_P)^{-1} Ψ_θ``:

    * ``"opg-implicit"``: ``Ω_θθ = Σ_i s_θ,i s_θ,iᵀ`` and ``Ω_θP = Σ_i s_θ,i s_P,iᵀ`` from
      the per-row scores in θ and in the row's own beliefs (``s_P,i`` has two non-zero entries,
      so ``Ω_θP (I - Ψ_P)^{-1} Ψ_θ = Σ_i s_θ,i (s_R,i dpR_i/dθ + s_F,i dpF_i/dθ)`` with the
      equilibrium slope ``dP/dθ`` of :func:`equilibrium_slopes`);
    * ``"opg"`` (sigInt 0.2.0's, reproduced to 1e-6 relative on its sanctions data): the same
      outer products with ``(I - Ψ_Pᵀ)^{-1} Ψ_θ`` — the transposed Jacobian, which in each
      row's 2×2 block swaps ``∂Ψ_R/∂pF`` and ``∂Ψ_F/∂pR``. That is not the slope of the
      equilibrium in θ (our tests check the slope by re-solving the game), so on data where
      the two cross-slopes differ the standard errors differ from ``"opg-implicit"``; it is
      the default because it is what sigInt users publish;
    * ``"hessian"``: ``Ω_θθ = -∇²_θθ Q``, ``Ω_θP = -∇²_θP Q`` (so ``A = -J`` of
      :func:`fixed_point_jacobian`);
    * ``"robust"``: ``J^{-1} (Σ_i s_θ,i s_θ,iᵀ) J^{-T}``, the sandwich of the NPL estimating
      equation (valid without the information equality).

    Returns a NaN matrix with a note when the pieces are not finite, when the equilibrium is
    knife-edge (``1 - F'(pR)`` near 0 in some row), or when ``A`` is singular.
    """
    from coercive.estimate.covariance import hessian_covariance

    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type: expected one of {', '.join(COV_TYPES)}, got {cov_type!r}")
    k = likelihood.design.n_params
    d_resist, d_firm, gap = equilibrium_slopes(likelihood, theta)
    if np.any(~np.isfinite(gap)) or np.any(np.abs(gap) < 1e-8):
        return _nan_covariance(
            k,
            "the best-response slope F'(pR) is 1 at some row (knife-edge equilibrium): "
            "the NPL covariance is not defined",
        )
    scores = likelihood.row_scores(theta)
    if not np.all(np.isfinite(scores)):
        return _nan_covariance(k, "the per-row scores have NaN/inf entries")
    outer = scores.T @ scores
    if cov_type in ("opg", "opg-implicit"):
        s_resist, s_firm = belief_scores(likelihood, theta)
        if cov_type == "opg":
            # sigInt's (I - Ψ_Pᵀ)^{-1}: in each row's 2×2 block the two cross-slopes
            # ∂Ψ_R/∂pF and ∂Ψ_F/∂pR trade places relative to the implicit derivative.
            jac = best_response_jacobians(likelihood, theta)
            with np.errstate(divide="ignore", invalid="ignore"):
                d_resist = (jac.resist_theta + jac.firm_resist[:, None] * jac.firm_theta) / gap[
                    :, None
                ]
                d_firm = (jac.resist_firm[:, None] * jac.resist_theta + jac.firm_theta) / gap[
                    :, None
                ]
        along = s_resist[:, None] * d_resist + s_firm[:, None] * d_firm
        return _sandwich(outer + scores.T @ along, outer, "NPL information matrix (OPG)")
    jacobian, hessian, _ = fixed_point_jacobian(likelihood, theta)
    naive = hessian_covariance(hessian)
    if not naive.ok:
        return naive
    meat = -hessian if cov_type == "hessian" else outer
    return _sandwich(jacobian, meat, "NPL Jacobian")


def pl_covariance(
    likelihood: PseudoLikelihood,
    theta: np.ndarray,
    cov_type: str = "opg",
    phat_cov: np.ndarray | None = None,
) -> Covariance:
    """Covariance of the PL estimate, optionally corrected for an estimated first stage.

    With ``phat` known: ``(S'S)^{-1}`` ("opg"), ``(-H)^{-1}`` ("hessian") or
    ``H^{-1} S'S H^{-1}`` ("robust"). With ``phat_cov`` — the ``2n x 2n`` covariance of
    ``(pR_hat_1..n, pF_hat_1..n)`` — the two-step (Murphy–Topel) correction for a first stage
    estimated on independent information is added: linearizing ``∇_θ Q(θ̂, P̂) = 0`` gives
    ``θ̂ - θ ≈ A^{-1} [s̄ + Ω_θP (P̂ - P)]``, hence ``V = V_PL + A^{-1} Ω_θP Σ_P Ω_θPᵀ A^{-1}``
    with ``A`` and ``Ω_θP`` in the cov_type's form (outer products of the per-row scores in θ
    and in the row's own beliefs for "opg"; ``-∇²`` for "hessian" and "robust").
    """
    from coercive.estimate.covariance import (
        hessian_covariance,
        opg_covariance,
        sandwich_covariance,
    )

    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type: expected one of {', '.join(COV_TYPES)}, got {cov_type!r}")
    scores = likelihood.row_scores(theta)
    _, _, hessian = likelihood.derivatives(theta)
    if cov_type == "opg":
        base = opg_covariance(scores)
        information = scores.T @ scores
    elif cov_type == "hessian":
        base = hessian_covariance(hessian)
        information = -hessian
    else:
        base = sandwich_covariance(hessian, scores)
        information = -hessian
    if phat_cov is None or not base.ok:
        return base
    n = likelihood.design.n_rows
    if cov_type == "opg":
        s_resist, s_firm = belief_scores(likelihood, theta)
        cross = np.hstack([(scores * s_resist[:, None]).T, (scores * s_firm[:, None]).T])
    else:
        jac = best_response_jacobians(likelihood, theta)
        cross = -np.hstack([jac.score_resist.T, jac.score_firm.T])
    if phat_cov.shape != (2 * n, 2 * n):
        raise ValueError(f"phat_cov: expected shape {(2 * n, 2 * n)}, got {phat_cov.shape}")
    inverse = np.linalg.inv(information)
    correction = inverse @ cross @ phat_cov @ cross.T @ inverse
    matrix = base.matrix + correction
    return Covariance(0.5 * (matrix + matrix.T), bool(np.all(np.isfinite(matrix))), base.note)

"""Full-information estimators of the signaling game: CMLE and the all-equilibria MLE.

**CMLE** (Su, C.-L. and Judd, K. L. (2012), "Constrained optimization approaches to
estimation of structural models", *Econometrica* 80(5):2213–2230; for this game
Crisman-Cox & Gibilisco 2021, *PSRM* 9(3)): maximize the log-likelihood over
``x = (θ, pR_1..n)`` subject to ``c_i = pR_i - F(pR_i; θ) = 0`` for every row, where
``F(pR) = Ψ_R(θ, Ψ_F(θ, pR))`` is B's composite best response. A's challenge and firmness are
her best responses to ``pR`` (``pF = Ψ_F(θ, pR)``), so the objective is the pseudo-likelihood
``Q(θ, pR, Ψ_F(θ, pR))``, which equals the equilibrium likelihood wherever the constraints hold.
Solver: scipy's ``trust-constr`` (equality-constrained SQP) with the analytic gradient, the
analytic sparse constraint Jacobian (``k`` dense columns and a diagonal), and the Hessians of
the objective and of ``vᵀc`` by central differences of those analytic derivatives, which
the problem's structure makes cheap: every row depends only on θ and its own ``pR_i``, so
``k + 1`` perturbations (each θ_j, and all ``pR`` at once) give the whole sparse Hessian.

**MLE over all equilibria**: the engine enumerates every equilibrium of each row's game, so
``ℓ(θ) = Σ_i max_e ℓ_i(θ, e)`` — each game on its best-fitting equilibrium — can be maximized
directly. It is piecewise smooth (a row may switch branch, and branches appear and vanish at
folds); between switches its gradient is the equilibrium score
``∂ℓ_i/∂θ + (∂ℓ_i/∂pR_i) dpR_i/dθ`` with ``dpR_i/dθ = -(∂c_i/∂θ)/(∂c_i/∂pR_i)``. It is
maximized by BFGS from several starts, then polished by the CMLE restricted to the chosen
branches (which is smooth), so the reported optimum is a KKT point of the constrained problem.

Standard errors (both): from the constrained problem, with the null-space basis
``Z = [I; dpR/dθ]`` of the constraint Jacobian: ``"hessian"`` is ``(Zᵀ ∇²ℒ Z)^{-1}`` (the
reduced Hessian of the Lagrangian); ``"opg"`` is ``(Sᵀ S)^{-1}`` with the per-row equilibrium
scores ``S``; ``"robust"`` the sandwich of the two.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from coercive.estimate.covariance import (
    Covariance,
    hessian_covariance,
    opg_covariance,
    sandwich_covariance,
)
from coercive.estimate.signaling.covariance import belief_scores, best_response_slopes
from coercive.estimate.signaling.likelihood import (
    PARTS,
    PayoffDesign,
    PseudoLikelihood,
    best_responses,
    outcome_log_probabilities,
    payoff_values,
)

__all__ = ["EquilibriumFit", "fit_cmle", "fit_mle"]

# Beliefs are kept strictly inside (0, 1): the thresholds divide by pR and pF.
_EDGE = 1e-10
# Constraint violation (max |pR - F(pR)|) accepted as feasible.
FEASIBILITY_TOLERANCE = 1e-8


@dataclass(frozen=True)
class EquilibriumFit:
    """What a full-information estimator hands back to ``fit_signaling``."""

    theta: np.ndarray
    resist: np.ndarray
    firm: np.ndarray
    llf: float
    converged: bool
    message: str
    covariance: Covariance
    covariance_type: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Point:
    """Everything at ``(θ, pR)``: beliefs, objective, derivatives, constraint."""

    firm: np.ndarray
    likelihood: PseudoLikelihood
    value: float
    grad_theta: np.ndarray  # ∂f/∂θ (sum over rows), with pF = Ψ_F(θ, pR)
    grad_resist: np.ndarray  # ∂f/∂pR_i
    constraint: np.ndarray  # c_i = pR_i - F(pR_i)
    c_theta: np.ndarray  # (n, k) ∂c_i/∂θ
    c_resist: np.ndarray  # (n,) ∂c_i/∂pR_i
    firm_theta: np.ndarray  # (n, k) ∂Ψ_F/∂θ
    firm_resist: np.ndarray  # (n,) ∂Ψ_F/∂pR
    s_firm: np.ndarray  # (n,) ∂ℓ_i/∂pF_i


def _evaluate(design: PayoffDesign, theta: np.ndarray, resist: np.ndarray) -> _Point:
    payoffs = payoff_values(theta, design)
    dummy = np.full(design.n_rows, 0.5)
    with np.errstate(all="ignore"):
        _, firm, _ = best_responses(payoffs, resist, dummy)
    firm = np.clip(firm, _EDGE, 1.0 - _EDGE)
    likelihood = PseudoLikelihood(design, resist, firm)
    value, gradient = likelihood.gradient(theta)
    with np.errstate(all="ignore"):
        _, _, resist_response = best_responses(payoffs, resist, firm)
    resist_theta, firm_theta, resist_firm, firm_resist = best_response_slopes(likelihood, theta)
    s_resist, s_firm = belief_scores(likelihood, theta)
    grad_theta = gradient + firm_theta.T @ s_firm
    grad_resist = s_resist + s_firm * firm_resist
    c_theta = -(resist_theta + resist_firm[:, None] * firm_theta)
    c_resist = 1.0 - resist_firm * firm_resist
    return _Point(
        firm=firm,
        likelihood=likelihood,
        value=value,
        grad_theta=grad_theta,
        grad_resist=grad_resist,
        constraint=resist - resist_response,
        c_theta=c_theta,
        c_resist=c_resist,
        firm_theta=firm_theta,
        firm_resist=firm_resist,
        s_firm=s_firm,
    )


class _Problem:
    """The CMLE as scipy wants it: minimize ``-ℓ`` over ``x = (θ, pR)`` s.t. ``c(x) = 0``."""

    def __init__(self, design: PayoffDesign) -> None:
        self.design = design
        self.k = design.n_params
        self.n = design.n_rows
        self._cache: dict[bytes, _Point] = {}
        self._hess_cache: dict[bytes, tuple[sparse.csr_matrix, list[Any]]] = {}
        self.evaluations = 0
        # Forward differences while iterating (half the cost; the SQP needs no more accuracy),
        # central ones for the covariance at the solution.
        self.central = False

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[: self.k], np.clip(x[self.k :], _EDGE, 1.0 - _EDGE)

    def point(self, x: np.ndarray) -> _Point:
        key = x.tobytes()
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 64:
                self._cache.clear()
            theta, resist = self.split(x)
            found = _evaluate(self.design, theta, resist)
            self.evaluations += 1
            self._cache[key] = found
        return found

    def fun(self, x: np.ndarray) -> float:
        value = self.point(x).value
        return -value if np.isfinite(value) else 1e300

    def grad(self, x: np.ndarray) -> np.ndarray:
        p = self.point(x)
        return -np.concatenate([p.grad_theta, p.grad_resist])

    def cons(self, x: np.ndarray) -> np.ndarray:
        return self.point(x).constraint

    def cons_jac(self, x: np.ndarray) -> sparse.csr_matrix:
        p = self.point(x)
        return sparse.hstack([sparse.csr_matrix(p.c_theta), sparse.diags(p.c_resist)], format="csr")

    # --- Hessians by central differences of the analytic derivatives ---------------------
    def _steps(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        theta, resist = self.split(x)
        return 1e-5 * np.maximum(np.abs(theta), 1.0), 1e-5 * np.minimum(resist, 1.0 - resist)

    def _perturbed(self, x: np.ndarray) -> tuple[list[tuple[_Point, _Point]], Any, Any]:
        """Points at ``x ± h`` (central) or ``x + h`` and ``x`` (forward), cached for ``x``."""
        key = x.tobytes() + (b"c" if self.central else b"f")
        cached = self._hess_cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        step_theta, step_resist = self._steps(x)
        base = None if self.central else self.point(x)
        pairs = []
        for j in range(self.k):
            forward, backward = x.copy(), x.copy()
            forward[j] += step_theta[j]
            backward[j] -= step_theta[j]
            pairs.append((self._raw(forward), self._raw(backward) if self.central else base))
        forward, backward = x.copy(), x.copy()
        forward[self.k :] += step_resist
        backward[self.k :] -= step_resist
        pairs.append((self._raw(forward), self._raw(backward) if self.central else base))
        width = 2.0 if self.central else 1.0
        result = (pairs, width * step_theta, width * step_resist)
        self._hess_cache.clear()
        self._hess_cache[key] = result  # type: ignore[assignment]
        return result

    def _raw(self, x: np.ndarray) -> _Point:
        theta, resist = self.split(x)
        self.evaluations += 1
        return _evaluate(self.design, theta, resist)

    def _assemble(self, x: np.ndarray, gradient_of: Any) -> sparse.csr_matrix:
        """Sparse Hessian of the scalar whose (θ-part, pR-part) gradient ``gradient_of`` gives."""
        pairs, width_theta, width_resist = self._perturbed(x)
        k, n = self.k, self.n
        h_tt = np.empty((k, k))
        h_rt = np.empty((n, k))
        for j in range(k):
            g_plus_t, g_plus_r = gradient_of(pairs[j][0])
            g_minus_t, g_minus_r = gradient_of(pairs[j][1])
            h_tt[:, j] = (g_plus_t - g_minus_t) / width_theta[j]
            h_rt[:, j] = (g_plus_r - g_minus_r) / width_theta[j]
        _, g_plus_r = gradient_of(pairs[k][0])
        _, g_minus_r = gradient_of(pairs[k][1])
        h_rr = (g_plus_r - g_minus_r) / width_resist
        h_tt = 0.5 * (h_tt + h_tt.T)
        return sparse.bmat(
            [
                [sparse.csr_matrix(h_tt), sparse.csr_matrix(h_rt.T)],
                [sparse.csr_matrix(h_rt), sparse.diags(h_rr)],
            ],
            format="csr",
        )

    def hess(self, x: np.ndarray) -> sparse.csr_matrix:
        return self._assemble(x, lambda p: (-p.grad_theta, -p.grad_resist))

    def cons_hess(self, x: np.ndarray, v: np.ndarray) -> sparse.csr_matrix:
        # ∇(vᵀc) = (c_θᵀ v, c_r ∘ v); the rows are separable, so the difference is exact.
        return self._assemble(x, lambda p: (p.c_theta.T @ v, p.c_resist * v))


def _reduced_covariances(
    problem: _Problem, x: np.ndarray, multipliers: np.ndarray | None, cov_type: str
) -> tuple[Covariance, str]:
    """Covariance of θ from the constrained problem (see module docstring)."""
    p = problem.point(x)
    k = problem.k
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = -p.c_theta / p.c_resist[:, None]  # dpR/dθ along the constraint, row by row
    if not np.all(np.isfinite(slope)):
        note = "a row sits at a knife-edge equilibrium (F'(pR) = 1): no covariance"
        return Covariance(np.full((k, k), np.nan), False, note), "not available"
    # Per-row equilibrium scores: ∂ℓ_i/∂θ (with pF = Ψ_F(θ, pR)) + ∂ℓ_i/∂pR_i · dpR_i/dθ.
    theta, _ = problem.split(x)
    rows_theta = p.likelihood.row_scores(theta) + p.s_firm[:, None] * p.firm_theta
    s_resist, _ = belief_scores(p.likelihood, theta)
    rows_resist = s_resist + p.s_firm * p.firm_resist
    scores = rows_theta + rows_resist[:, None] * slope
    if cov_type in ("opg", "opg-implicit"):
        return opg_covariance(scores), "constrained problem, outer product of equilibrium scores"
    problem.central = True
    lagrangian = problem.hess(x)
    if multipliers is not None:
        lagrangian = lagrangian + problem.cons_hess(x, multipliers)
    basis = np.vstack([np.eye(k), slope])
    reduced = basis.T @ (lagrangian @ basis)  # Hessian of -ℓ on the constraint manifold
    reduced = 0.5 * (reduced + reduced.T)
    if cov_type == "hessian":
        return hessian_covariance(-reduced), "constrained problem, reduced Hessian"
    return sandwich_covariance(-reduced, scores), "constrained problem, robust sandwich"


def _theta_scale(
    design: PayoffDesign, theta: np.ndarray, resist: np.ndarray, firm: np.ndarray
) -> np.ndarray:
    """PL standard errors at the start (1 where they are not available)."""
    _, _, hessian = PseudoLikelihood(design, resist, firm).derivatives(theta)
    covariance = hessian_covariance(hessian)
    if not covariance.ok:
        return np.ones(theta.size)
    scale = np.sqrt(np.diag(covariance.matrix))
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def fit_cmle(
    design: PayoffDesign,
    theta: np.ndarray,
    resist: np.ndarray,
    firm: np.ndarray,
    *,
    cov_type: str = "opg",
    maxiter: int = 500,
    gtol: float = 1e-6,
) -> EquilibriumFit:
    """CMLE from ``(theta, resist)`` (e.g. the NPL fixed point); ``firm`` is recomputed.

    Converged when the constraints hold to ``FEASIBILITY_TOLERANCE`` and trust-constr stops on
    ``gtol`` (the Lagrangian's gradient, in the scaled variables) or on a vanishing step.
    """
    problem = _Problem(design)
    theta = np.asarray(theta, dtype=float)
    x0 = np.concatenate([theta, np.clip(resist, _EDGE, 1.0 - _EDGE)])
    # trust-constr has one trust radius for all variables: measure θ in units of its PL
    # standard error at the start (pR in its own units), so that the weakly identified
    # payoffs can move as far as the data allow in few steps (22 instead of ~100 here).
    scale = np.concatenate([_theta_scale(design, theta, resist, firm), np.ones(design.n_rows)])
    diagonal = sparse.diags(scale)
    constraint = optimize.NonlinearConstraint(
        lambda y: problem.cons(y * scale),
        0.0,
        0.0,
        jac=lambda y: problem.cons_jac(y * scale) @ diagonal,
        hess=lambda y, v: diagonal @ problem.cons_hess(y * scale, v) @ diagonal,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "delta_grad == 0.0" chatter
        solution = optimize.minimize(
            lambda y: problem.fun(y * scale),
            x0 / scale,
            jac=lambda y: problem.grad(y * scale) * scale,
            hess=lambda y: diagonal @ problem.hess(y * scale) @ diagonal,
            method="trust-constr",
            constraints=[constraint],
            options={"maxiter": maxiter, "gtol": gtol, "xtol": 1e-10, "verbose": 0},
        )
    solution.x = solution.x * scale
    if getattr(solution, "v", None):
        solution.v = [np.asarray(solution.v[0])]  # multipliers are unaffected by x-scaling
    x = solution.x
    point = problem.point(x)
    violation = float(np.max(np.abs(point.constraint)))
    optimality = float(solution.optimality)
    feasible = violation <= FEASIBILITY_TOLERANCE
    converged = bool(feasible and np.isfinite(point.value) and solution.status in (1, 2))
    if not feasible:
        message = (
            f"infeasible: the equilibrium constraints are violated by up to {violation:.3g} "
            f"(> {FEASIBILITY_TOLERANCE:g}) after {solution.nit} iterations ({solution.message})"
        )
    elif not converged:
        message = f"trust-constr stopped: {solution.message} (optimality {optimality:.3g})"
    else:
        message = "converged"
    multipliers = np.asarray(solution.v[0]) if getattr(solution, "v", None) else None
    covariance, covariance_type = _reduced_covariances(problem, x, multipliers, cov_type)
    theta_hat, resist_hat = problem.split(x)
    extra = {
        "cmle_iterations": int(solution.nit),
        "cmle_optimality": optimality,
        "cmle_max_violation": violation,
        "cmle_evaluations": problem.evaluations,
        "solver": "scipy trust-constr (equality-constrained SQP)",
    }
    return EquilibriumFit(
        theta=theta_hat.copy(),
        resist=resist_hat.copy(),
        firm=point.firm.copy(),
        llf=float(point.value),
        converged=converged,
        message=message,
        covariance=covariance,
        covariance_type=covariance_type,
        extra=extra,
    )


# --- the MLE over all equilibria ----------------------------------------------------------------


def all_equilibria(design: PayoffDesign, theta: np.ndarray) -> pd.DataFrame:
    """Every equilibrium of every row at ``theta`` with its row log-likelihood.

    Columns: ``game`` (row position), ``equilibrium`` (0, 1, ... in increasing pR), ``pR``,
    ``pF``, ``stable``, ``loglike`` (the row's count-weighted log-likelihood there).
    """
    from coercive.games import CrisisGame

    payoffs = payoff_values(theta, design)
    game = CrisisGame(**{part: payoffs[part] for part in PARTS}, sigma=1.0)
    table = game.equilibria(select="all").sort_values(["game", "pR"], kind="stable")
    table = table.reset_index(drop=True)
    table["equilibrium"] = table.groupby("game").cumcount()
    rows = table["game"].to_numpy()
    resist = np.clip(table["pR"].to_numpy(dtype=float), _EDGE, 1.0 - _EDGE)
    sub = {part: values[rows] for part, values in payoffs.items()}
    with np.errstate(all="ignore"):
        _, firm, _ = best_responses(sub, resist, np.full(rows.size, 0.5))
        firm = np.clip(firm, _EDGE, 1.0 - _EDGE)
        logs = outcome_log_probabilities(sub, resist, firm)
        counts = design.counts[rows]
        loglike = np.where(counts > 0, counts * logs, 0.0).sum(axis=1)
    return pd.DataFrame(
        {
            "game": rows,
            "equilibrium": table["equilibrium"].to_numpy(),
            "pR": resist,
            "pF": firm,
            "stable": table["stable"].to_numpy(),
            "loglike": loglike,
        }
    )


def best_branches(design: PayoffDesign, theta: np.ndarray) -> pd.DataFrame:
    """Per row, the equilibrium with the highest row log-likelihood (one row per game)."""
    table = all_equilibria(design, theta)
    counts = table.groupby("game").size()
    best = table.loc[table.groupby("game")["loglike"].idxmax()].set_index("game")
    best["n_equilibria"] = counts
    return best.reindex(range(design.n_rows))


def _mle_objective(design: PayoffDesign, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """``-Σ_i max_e ℓ_i(θ, e)`` and its gradient on the current best branches."""
    best = best_branches(design, theta)
    if best["pR"].isna().any():
        return 1e300, np.zeros_like(theta)
    resist = best["pR"].to_numpy(dtype=float)
    point = _evaluate(design, theta, resist)
    if not np.isfinite(point.value):
        return 1e300, np.zeros_like(theta)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = -point.c_theta / point.c_resist[:, None]
    slope = np.where(np.isfinite(slope), slope, 0.0)
    gradient = point.grad_theta + slope.T @ point.grad_resist
    return -float(point.value), -gradient


def fit_mle(
    design: PayoffDesign,
    theta: np.ndarray,
    resist: np.ndarray,
    firm: np.ndarray,
    *,
    cov_type: str = "opg",
    starts: int = 5,
    seed: int | None = 12345,
    scale: float = 0.5,
    maxiter: int = 500,
) -> EquilibriumFit:
    """Maximize ``Σ_i max_e ℓ_i(θ, e)`` from ``starts`` points, then polish by the CMLE.

    Starts: the given ``theta`` (the NPL fixed point), the CMLE from it, and ``starts - 2``
    perturbations of the CMLE by N(0, (scale·max(|θ|, 0.1))²) drawn with ``seed``.
    """
    cmle = fit_cmle(design, theta, resist, firm, cov_type=cov_type, maxiter=maxiter)
    rng = np.random.default_rng(seed)
    candidates = [np.asarray(theta, float), cmle.theta]
    spread = scale * np.maximum(np.abs(cmle.theta), 0.1)
    candidates += [cmle.theta + spread * rng.standard_normal(theta.size) for _ in range(starts - 2)]
    runs = []
    for number, start in enumerate(candidates[: max(starts, 1)]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            solution = optimize.minimize(
                lambda t: _mle_objective(design, t),
                start,
                jac=True,
                method="BFGS",
                options={"maxiter": 500, "gtol": 1e-6},
            )
        runs.append((float(-solution.fun), number, solution))
    runs.sort(key=lambda item: -item[0])
    best_value, best_start, best_solution = runs[0]
    # Polish: the CMLE on the chosen branches is smooth and gives a KKT point with SEs.
    branches = best_branches(design, best_solution.x)
    polished = fit_cmle(
        design,
        best_solution.x,
        branches["pR"].to_numpy(dtype=float),
        branches["pF"].to_numpy(dtype=float),
        cov_type=cov_type,
        maxiter=maxiter,
    )
    final_branches = best_branches(design, polished.theta)
    on_branch = np.abs(final_branches["pR"].to_numpy() - polished.resist) < 1e-6
    chosen = polished
    if not (polished.converged and polished.llf >= best_value - 1e-6 and on_branch.all()):
        # The polish left the best branches (or failed): keep the BFGS optimum, say so.
        chosen = EquilibriumFit(
            theta=best_solution.x,
            resist=branches["pR"].to_numpy(dtype=float),
            firm=branches["pF"].to_numpy(dtype=float),
            llf=best_value,
            converged=False,
            message="the polish by the CMLE did not stay on the best branches",
            covariance=polished.covariance,
            covariance_type=polished.covariance_type,
        )
        final_branches = branches
    # Which equilibrium each row sits on, against the branch the NPL/CMLE start used.
    start_resist = cmle.resist
    table = all_equilibria(design, chosen.theta)
    branch_of_start = []
    for row, group in table.groupby("game"):
        branch_of_start.append(
            int(
                group["equilibrium"].to_numpy()[
                    np.argmin(np.abs(group["pR"].to_numpy() - start_resist[row]))
                ]
            )
        )
    report = pd.DataFrame(
        {
            "n_equilibria": final_branches["n_equilibria"].to_numpy(dtype=int),
            "equilibrium": final_branches["equilibrium"].to_numpy(dtype=int),
            "pR": final_branches["pR"].to_numpy(dtype=float),
            "stable": final_branches["stable"].to_numpy(dtype=bool),
            "cmle_branch": np.asarray(branch_of_start, dtype=int),
        }
    )
    report["switched"] = report["equilibrium"] != report["cmle_branch"]
    extra = {
        **chosen.extra,
        "mle_starts": len(runs),
        "mle_start_llfs": tuple(
            round(value, 4) for value, _, _ in sorted(runs, key=lambda r: r[1])
        ),
        "mle_best_start": best_start,
        "cmle_llf": cmle.llf,
        "beats_cmle": bool(chosen.llf > cmle.llf + 1e-6),
        "rows_with_several_equilibria": int((report["n_equilibria"] > 1).sum()),
        "rows_switched_branch": int(report["switched"].sum()),
        "branches": report,
    }
    return EquilibriumFit(
        theta=chosen.theta,
        resist=chosen.resist,
        firm=chosen.firm,
        llf=chosen.llf,
        converged=chosen.converged,
        message=chosen.message,
        covariance=chosen.covariance,
        covariance_type=chosen.covariance_type,
        extra=extra,
    )

"""Structural maximum-likelihood estimation of the TIES game's constants, through the engine.

Issue 7 §2. Each coded TIES threat case (:mod:`coercive.policy.ties`) is one Lewis–Schultz
crisis game (Lewis & Schultz 2003, *Political Analysis* 11:345–367) in which the sender
(player A) has challenged. Its payoffs are linear indices of the coded features, and the
coefficients of those indices are the model's **global constants**: the same numbers for
every case, estimated once, by maximum likelihood, on the training cases.

**Payoffs** (:data:`SPECIFICATION`, a ``|`` formula of the package's formula machinery):

* ``SA = 0`` and ``VB = 0``: normalizations. Every TIES threat case is a challenge, so the
  status quo is never observed and only payoff differences against it matter; B's
  back-down payoff is the zero of B's scale (as in sigInt's sanctions model).
* ``VA = 1`` (A's value of the target conceding): the unit of the coercer's stakes, as in
  the policy model (:data:`FIXED`); left free, it is identified only through A's
  selection into challenging and the optimizer wanders along that ridge;
* ``WA`` (A imposes the sanctions): anticipated sender costs, an institution as sender,
  the US as sender, the sender's economic dependence on the target, sender democracy, the
  capability ratio;
* ``a`` (A backs down): the sender's commitment and the threat's specificity (the audience
  and reputation costs of Schelling 1966 and Fearon 1994), sender democracy, institution;
* ``CB`` (B concedes): carrots coded, the issue (a category), target democracy,
  contiguity, alliance;
* ``WB`` (B is sanctioned): anticipated target costs, the threatened sanction type (a
  category), the target's economic dependence on the sender, the capability ratio.

A numeric feature that does not vary in the training rows is left out of the design (a
constant column is not identified), as is recorded in ``extra["dropped_terms"]``.

**Likelihood.** The shocks are N(0, 1) (``sigma = 1`` sets the scale). Since every case is
a challenge, each contributes the probability of its outcome *given the challenge*:
``P(CD | C) = 1 − pR``, ``P(SF | C) = pR·pF``, ``P(BD | C) = pR·(1 − pF)``, where ``pR`` and
``pF`` (A's firmness given a challenge and resistance, which carries A's selection into
challenging) are the equilibrium of the game solved by the engine
(:class:`coercive.games.CrisisGame`). **Equilibrium selection**: the stable equilibrium
(slope of the best-response map below 1) with the most resistance, falling back to the
most resistant when none is stable — the ``stable`` rule of ``coercive assess``. The share
of cases with several equilibria at the optimum is reported (``extra["multiple_equilibria"]``).

**Optimization.** The log-likelihood depends on the coefficients only through five payoff
vectors, and each case's equilibrium only on its own payoffs, so the gradient is
``Σ_i Σ_k ∂ℓ_i/∂P_ik · x_ik``; ``∂ℓ_i/∂P_ik`` follows from the implicit function theorem
at the engine's equilibrium (:func:`payoff_slopes`), so one engine call per evaluation.
BFGS (scipy) from zero. The selected equilibrium of a case can appear or vanish as the
payoffs move (a fold of the best-response map), so the likelihood has jumps; the optimizer
may stop at such an edge with a nonzero gradient (``converged`` is then false and
``extra["gradient_max"]`` says how far from stationary), and the Hessian may not be
definite there, in which case the OPG (BHHH) covariance is used and named. Standard
errors otherwise: the inverse of the negative Hessian, by central
differences of that gradient (:func:`coercive.estimate.covariance.numerical_hessian`).
**Prior**: the likelihood is penalized by a weakly informative normal prior on each
coefficient (:data:`PRIOR_SD`, a documented constant with its source), so the estimate is
the posterior mode and the covariance its curvature; ``llf`` is the unpenalized
log-likelihood at that point.
The result is the package's :class:`coercive.estimate.EstimationResults`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coercive._errors import InputError
from coercive.policy.ties import GAME_OUTCOMES, NUMERIC, CodedCases, Coding

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

    from coercive.estimate.covariance import Covariance

MODEL_NAME = "Lewis-Schultz threat game on TIES (conditional on the challenge)"
PAYOFF_PARTS: tuple[str, ...] = ("VA", "WA", "a", "CB", "WB")
"""The estimated payoffs, in formula order; ``SA = VB = 0``."""

FIXED: dict[str, float] = {"VA": 1.0}
"""Payoffs fixed rather than estimated (besides ``SA = VB = 0``): ``VA = 1``, the policy
model's unit of the coercer's stakes (1.0 = the value of compliance to the coercer)."""

SPECIFICATION: dict[str, tuple[str, ...]] = {
    "VA": (),
    "WA": (
        "sender_costs",
        "institution",
        "us_sender",
        "sqrt_sender_econdep",
        "sender_democracy",
        "lncaprat",
    ),
    "a": ("commitment", "specificity", "sender_democracy", "institution"),
    "CB": ("carrots", "issue", "target_democracy", "contig", "ally"),
    "WB": ("target_costs", "sanction_type", "sqrt_target_econdep", "lncaprat"),
}
"""Features of each payoff (each part also has a constant). Fixed before any test-period
score was computed (see ``docs/validation.md``)."""

PRIOR_SD = 2.5
"""Standard deviation of the normal prior on each coefficient (features are standardized).
Gelman, Jakulin, Pittau & Su (2008), *Annals of Applied Statistics* 2(4):1360–1383,
recommend a weakly informative prior of scale 2.5 on standardized inputs; without one,
a category in which every training case has the same outcome (separation) sends its
coefficient to infinity, and a shift common to ``WA`` and ``a`` is only weakly identified."""

PRIOR_SD_INTERCEPT = 10.0
"""Prior standard deviation of the constants (Gelman et al. 2008 use 10 for intercepts)."""

SELECTION = "stable"
"""Equilibrium selection rule (see the module docstring)."""

_STEP = 1e-4  # payoff step of the central differences (payoffs are O(1))
_CLIP = 1e-12


def formula(spec: dict[str, tuple[str, ...]], constant_terms: set[str] | None = None) -> str:
    """The ``|`` formula of a specification, leaving out the terms in ``constant_terms``."""
    skip = constant_terms or set()
    parts = []
    for name in PAYOFF_PARTS:
        terms = [term for term in spec[name] if term not in skip]
        if name in FIXED:
            parts.append("0")
        else:
            parts.append(" + ".join(terms) if terms else "1")
    return "outcome ~ " + " | ".join(parts)


def _frame(coding: Coding, cases: CodedCases) -> pd.DataFrame:
    frame = coding.features(cases)
    frame["outcome"] = pd.Categorical(cases.frame["outcome"], categories=list(GAME_OUTCOMES))
    return frame


GAME_PARTS: tuple[str, ...] = ("SA", "VA", "CB", "WA", "WB", "a", "VB")
"""The seven payoffs of the engine, in the order of the ``(7, n)`` arrays below."""


def solve_payoffs(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve games with payoffs ``(7, n)`` (:data:`GAME_PARTS` order) by the engine.

    Returns ``(pR, pF, n_equilibria)`` at the selected equilibrium of each game.
    """
    from coercive.games import CrisisGame
    from coercive.games.crisis import select_equilibria

    game = CrisisGame(**dict(zip(GAME_PARTS, payoffs, strict=True)), sigma=1.0)
    table = game.equilibria(select="all")
    counts = np.bincount(table["game"].to_numpy(), minlength=game.n_games)
    chosen = select_equilibria(table, SELECTION)
    if len(chosen) < game.n_games:  # no stable equilibrium: the most resistant one
        fallback = select_equilibria(table, "most_resistance")
        chosen = pd.concat([chosen, fallback[~fallback["game"].isin(chosen["game"])]])
    chosen = chosen.sort_values("game")
    return chosen["pR"].to_numpy(), chosen["pF"].to_numpy(), counts


def outcome_probabilities(payoffs: np.ndarray) -> np.ndarray:
    """``(n, 3)`` probabilities of CD, SF, BD given the challenge."""
    resist, firm, _ = solve_payoffs(payoffs)
    return np.column_stack([1.0 - resist, resist * firm, resist * (1.0 - firm)])


def _firm_at(payoffs: np.ndarray, resist: np.ndarray) -> np.ndarray:
    from coercive.games.lewis_schultz import _firmness_ufunc

    SA, VA, _, WA, _, a, _ = payoffs
    return _firmness_ufunc(resist, SA, VA, WA, a, 1.0)


def _response_at(payoffs: np.ndarray, resist: np.ndarray) -> np.ndarray:
    """The best-response map ``F(pR)`` of each game (sigma = 1)."""
    from coercive.games.lewis_schultz import _resistance_ufunc

    _, _, CB, _, WB, _, VB = payoffs
    return _resistance_ufunc(_firm_at(payoffs, resist), CB, WB, VB, 1.0)


def _probabilities_at(payoffs: np.ndarray, resist: np.ndarray) -> np.ndarray:
    firm = _firm_at(payoffs, resist)
    return np.column_stack([1.0 - resist, resist * firm, resist * (1.0 - firm)])


def payoff_slopes(payoffs: np.ndarray, resist: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """``(7, n)`` derivatives of each case's log-likelihood with respect to its payoffs.

    The equilibrium ``r* = F(r*; P)`` moves with the payoffs by the implicit function
    theorem, ``dr*/dP = F_P / (1 − F_r)``; ``pF = f(r*; P)`` moves directly and through
    ``r*``. The partial derivatives of the closed-form maps ``F`` and ``f`` (the engine's
    own ufuncs) are central differences, smooth and accurate to ~1e-9.
    """
    h = 1e-6
    r = np.clip(resist, h, 1.0 - h)

    def loglike_given(p: np.ndarray, r_value: np.ndarray) -> np.ndarray:
        return _row_loglike(_probabilities_at(p, r_value), outcome)

    # at fixed payoffs: how F and the log-likelihood move with r
    F_r = (_response_at(payoffs, r + h) - _response_at(payoffs, r - h)) / (2 * h)
    L_r = (loglike_given(payoffs, r + h) - loglike_given(payoffs, r - h)) / (2 * h)
    denominator = 1.0 - F_r
    tiny = np.abs(denominator) < 1e-8
    denominator = np.where(tiny, 1e-8, denominator)
    slopes = np.empty_like(payoffs)
    for k in range(payoffs.shape[0]):
        up, down = payoffs.copy(), payoffs.copy()
        up[k] += h
        down[k] -= h
        F_p = (_response_at(up, r) - _response_at(down, r)) / (2 * h)
        L_p = (loglike_given(up, r) - loglike_given(down, r)) / (2 * h)
        slopes[k] = L_p + L_r * F_p / denominator
    return slopes


def _row_loglike(probabilities: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    chosen = probabilities[np.arange(len(outcome)), outcome]
    return np.log(np.clip(chosen, _CLIP, 1.0))


@dataclass
class ThreatLikelihood:
    """The log-likelihood of the outcomes given the challenge, with its batched gradient."""

    matrices: list[np.ndarray]
    outcome: np.ndarray

    @property
    def sizes(self) -> list[int]:
        return [m.shape[1] for m in self.matrices]

    def payoffs(self, theta: np.ndarray) -> np.ndarray:
        """``(7, n)`` payoffs in :data:`GAME_PARTS` order (``SA = VB = 0``)."""
        values, start = {}, 0
        for name, matrix in zip(PAYOFF_PARTS, self.matrices, strict=True):
            k = matrix.shape[1]
            values[name] = matrix @ theta[start : start + k] + FIXED.get(name, 0.0)
            start += k
        n = self.outcome.shape[0]
        return np.vstack([values.get(name, np.zeros(n)) for name in GAME_PARTS])

    def loglike(self, theta: np.ndarray) -> float:
        return float(np.sum(_row_loglike(outcome_probabilities(self.payoffs(theta)), self.outcome)))

    def value_and_gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        slopes = payoff_slopes(base, resist, self.outcome)
        value = float(np.sum(_row_loglike(_probabilities_at(base, resist), self.outcome)))
        gradient = [
            slopes[GAME_PARTS.index(name)] @ matrix
            for name, matrix in zip(PAYOFF_PARTS, self.matrices, strict=True)
        ]
        return value, np.concatenate(gradient)

    def row_scores(self, theta: np.ndarray) -> np.ndarray:
        """``(n, k)`` per-case gradients of the log-likelihood (for the OPG covariance)."""
        base = self.payoffs(theta)
        resist, _, _ = solve_payoffs(base)
        slopes = payoff_slopes(base, resist, self.outcome)
        return np.hstack(
            [
                slopes[GAME_PARTS.index(name)][:, None] * m
                for name, m in zip(PAYOFF_PARTS, self.matrices, strict=True)
            ]
        )

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.value_and_gradient(theta)[1]


def _constant_terms(frame: pd.DataFrame) -> set[str]:
    return {name for name in NUMERIC if np.ptp(frame[name].to_numpy(dtype=float)) < 1e-12}


def _maximize_penalized(
    penalized: Callable[[np.ndarray], tuple[float, np.ndarray]],
    start: np.ndarray,
    maxiter: int,
    progress: Callable[[int], None] | None,
) -> OptimizeResult:
    """scipy's BFGS result for the maximum of ``penalized`` (a log posterior's value and
    gradient), telling ``progress`` each iteration's number."""
    from scipy.optimize import minimize

    iterations = [0]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = penalized(theta)
        return -value, -gradient

    def callback(_: np.ndarray) -> None:
        iterations[0] += 1
        if progress is not None:
            progress(iterations[0])

    return minimize(
        objective,
        start,
        jac=True,
        method="BFGS",
        callback=callback,
        options={"maxiter": maxiter, "gtol": 1e-4},
    )


def _penalized_covariance(
    penalized: Callable[[np.ndarray], tuple[float, np.ndarray]],
    row_scores: Callable[[np.ndarray], np.ndarray],
    theta: np.ndarray,
) -> tuple[Covariance, str]:
    """(covariance, its type) at the maximum ``theta`` of ``penalized``: the inverse of its
    numerical Hessian, or where that is not definite the per-case scores' outer product."""
    from coercive.estimate.covariance import (
        hessian_covariance,
        numerical_hessian,
        opg_covariance,
    )

    covariance = hessian_covariance(
        numerical_hessian(lambda t: penalized(t)[1], theta, relative_step=1e-4)
    )
    if covariance.ok:
        return covariance, "hessian"
    # The likelihood jumps where a case's selected equilibrium appears or vanishes (a fold of
    # the best-response map); an optimum on such an edge has no definite Hessian, and the
    # outer product of the per-case scores (BHHH) stands in.
    return opg_covariance(row_scores(theta)), "opg (the Hessian is not definite at the optimum)"


def fit_ties(
    train: CodedCases,
    spec: dict[str, tuple[str, ...]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> EstimatedThreatModel:
    """Estimate the constants by maximum likelihood on ``train`` (see the module docstring)."""
    from coercive.estimate.formula import parse_formula
    from coercive.estimate.results import EstimationResults

    spec = SPECIFICATION if spec is None else spec
    if set(spec) != set(PAYOFF_PARTS):
        raise InputError(f"spec: needs exactly the payoffs {', '.join(PAYOFF_PARTS)}")
    started = time.perf_counter()
    coding = Coding.fit(train)
    frame = _frame(coding, train)
    if frame["outcome"].nunique() < 3:
        raise InputError(
            "train: the outcomes CD, SF and BD must all occur among the training cases"
        )
    dropped = _constant_terms(frame)
    text = formula(spec, dropped)
    design = parse_formula(text, frame, PAYOFF_PARTS, na="raise")
    likelihood = ThreatLikelihood(design.matrices(), np.asarray(design.outcome))
    labels = design.labels()
    precision = np.array(
        [
            1.0 / (PRIOR_SD_INTERCEPT if label.endswith("(Intercept)") else PRIOR_SD) ** 2
            for label in labels
        ]
    )

    def penalized(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = likelihood.value_and_gradient(theta)
        return value - 0.5 * float(precision @ theta**2), gradient - precision * theta

    result = _maximize_penalized(penalized, np.zeros(design.n_columns), 500, progress)
    theta = np.asarray(result.x)
    llf = likelihood.loglike(theta)
    covariance, covariance_type = _penalized_covariance(penalized, likelihood.row_scores, theta)
    _, _, counts = solve_payoffs(likelihood.payoffs(theta))
    notes = () if covariance.ok else (covariance.note or "standard errors are not available",)
    results = EstimationResults(
        model=MODEL_NAME,
        method=f"penalized ML (normal prior sd {PRIOR_SD:g}; structural, engine-solved)",
        params=pd.Series(theta, index=labels),
        cov=covariance.matrix,
        llf=llf,
        nobs=design.nobs,
        converged=bool(result.success),
        notes=notes,
        covariance_type=covariance_type,
        extra={
            "optimizer": str(result.message),
            "iterations": int(result.nit),
            "multiple_equilibria": float(np.mean(counts > 1)),
            "selection": SELECTION,
            "seconds": time.perf_counter() - started,
            "dropped_terms": ", ".join(sorted(dropped)) or "none",
            "penalized_llf": float(-result.fun),
            "gradient_max": float(np.max(np.abs(result.jac))),
        },
    )
    return EstimatedThreatModel(results=results, coding=coding, formula=text, design=design)


@dataclass(frozen=True)
class EstimatedThreatModel:
    """A fitted threat game: the estimates, the training coding and the design."""

    results: object  # coercive.estimate.EstimationResults (imported lazily)
    coding: Coding
    formula: str
    design: object  # coercive.estimate.formula.DesignParts

    @property
    def params(self) -> pd.Series:
        return self.results.params  # type: ignore[attr-defined]

    @property
    def cov(self) -> np.ndarray:
        return self.results.cov_params().to_numpy()  # type: ignore[attr-defined]

    def _matrices(self, cases: CodedCases) -> list[np.ndarray]:
        frame = self.coding.features(cases)
        return self.design.regressors(frame)  # type: ignore[attr-defined]

    def predict(self, cases: CodedCases, params: np.ndarray | None = None) -> np.ndarray:
        """``(n, 3)`` probabilities of CD, SF, BD given the challenge for ``cases``."""
        theta = self.params.to_numpy() if params is None else np.asarray(params, dtype=float)
        likelihood = ThreatLikelihood(self._matrices(cases), np.zeros(len(cases.frame), int))
        return outcome_probabilities(likelihood.payoffs(theta))

    def acquiescence(self, cases: CodedCases) -> np.ndarray:
        """P(target acquiesces | threat) = P(CD | challenge) for ``cases``."""
        return self.predict(cases)[:, 0]

    def acquiescence_draws(self, cases: CodedCases, draws: int = 200, seed: int = 0) -> np.ndarray:
        """``(draws, n)`` P(CD | challenge) with the constants drawn from N(estimate, cov):
        parameter uncertainty, as the Monte Carlo intervals carry it."""
        cov = self.cov
        if not np.all(np.isfinite(cov)):
            raise InputError("calibration: no finite covariance; parameter draws unavailable")
        rng = np.random.default_rng(seed)
        thetas = rng.multivariate_normal(self.params.to_numpy(), cov, size=draws)
        matrices = self._matrices(cases)
        n = len(cases.frame)
        likelihood = ThreatLikelihood(matrices, np.zeros(n, int))
        stacked = np.hstack([likelihood.payoffs(theta) for theta in thetas])
        return outcome_probabilities(stacked)[:, 0].reshape(draws, n)


__all__ = [
    "MODEL_NAME",
    "PAYOFF_PARTS",
    "SPECIFICATION",
    "SELECTION",
    "ThreatLikelihood",
    "EstimatedThreatModel",
    "fit_ties",
    "formula",
    "outcome_probabilities",
    "solve_payoffs",
]

"""The Lewis–Schultz signaling-game estimator: likelihood, derivatives, NPL, covariance, input.

The reference reproduction of sigInt is in ``test_against_sigint.py``; here the pieces are
checked against independent computations (numerical derivatives, high-precision quadrature,
the game engine's equations, simulated data with known parameters).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import mpmath
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError, InputTypeError
from coercive.estimate import fit_signaling
from coercive.estimate.formula import parse_formula
from coercive.estimate.results import EstimationResults
from coercive.estimate.signaling import predict_equilibria
from coercive.estimate.signaling.covariance import (
    best_response_jacobians,
    fixed_point_jacobian,
)
from coercive.estimate.signaling.likelihood import (
    PARTS,
    PayoffDesign,
    PseudoLikelihood,
    best_responses,
    maximize,
    outcome_log_probabilities,
    payoff_values,
)
from coercive.estimate.signaling.model import COV_TYPE_NAMES
from coercive.games import CrisisGame
from coercive.games import lewis_schultz as ls
from coercive.games._normal import log_orthant_ufunc

SIM_FORMULA = "sq + cd + sf + bd ~ x1 - 1 | 1 | x2 | x2 | x1 | 1 | 0"
SIM_TRUTH = pd.Series(
    {
        "SA:x1": 0.3,
        "VA:(Intercept)": 0.8,
        "CB:(Intercept)": -0.5,
        "CB:x2": 0.6,
        "WA:(Intercept)": -0.6,
        "WA:x2": 0.5,
        "WB:(Intercept)": -0.4,
        "WB:x1": 0.5,
        "a:(Intercept)": -1.0,
    }
)


def _simulation_design(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Covariates and the equilibrium outcome probabilities of the true game."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.5, size=n).astype(float)
    t = SIM_TRUTH
    game = CrisisGame(
        SA=t["SA:x1"] * x1,
        VA=t["VA:(Intercept)"],
        CB=t["CB:(Intercept)"] + t["CB:x2"] * x2,
        WA=t["WA:(Intercept)"] + t["WA:x2"] * x2,
        WB=t["WB:(Intercept)"] + t["WB:x1"] * x1,
        a=t["a:(Intercept)"],
        VB=0.0,
    )
    table = game.equilibria()
    assert table["game"].is_unique  # this game has one equilibrium per row
    probabilities = table[["SQ", "CD", "SF", "BD"]].to_numpy().copy()
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return pd.DataFrame({"x1": x1, "x2": x2}), probabilities


def _simulate(n: int, games_per_row: int, seed: int) -> pd.DataFrame:
    covariates, probabilities = _simulation_design(n, seed)
    rng = np.random.default_rng(seed + 1)
    counts = np.array([rng.multinomial(games_per_row, p) for p in probabilities])
    frame = pd.DataFrame(counts, columns=["sq", "cd", "sf", "bd"])
    return pd.concat([frame, covariates], axis=1)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return _simulate(300, 200, seed=20260)


@pytest.fixture(scope="module")
def simulated_fit(simulated: pd.DataFrame) -> EstimationResults:
    return fit_signaling(SIM_FORMULA, simulated, method="npl")


def _likelihood(data: pd.DataFrame, seed: int = 0) -> PseudoLikelihood:
    design = parse_formula(SIM_FORMULA, data, PARTS)
    payoff_design = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome)
    rng = np.random.default_rng(seed)
    return PseudoLikelihood(
        payoff_design, rng.uniform(0.05, 0.95, len(data)), rng.uniform(0.05, 0.95, len(data))
    )


# --- the orthant integral ------------------------------------------------------------------


def log_orthant(z0: np.ndarray, z1: np.ndarray) -> np.ndarray:
    """The likelihood's I(z0, z1) through the engine's ufunc, which takes δ = z1 - z0."""
    return log_orthant_ufunc(z0, np.asarray(z1) - np.asarray(z0))


def _orthant_reference(z0: float, z1: float) -> float:
    """log ∫_{z0}^∞ φ(x) Φ(x + z1 - z0) dx at 40 digits."""
    mpmath.mp.dps = 40
    delta = mpmath.mpf(z1) - mpmath.mpf(z0)

    def integrand(x: mpmath.mpf) -> mpmath.mpf:
        return mpmath.npdf(x) * mpmath.ncdf(x + delta)

    start = mpmath.mpf(z0)
    # The mass sits within ~1/(1 + |z0|) of the start (or around the interior mode):
    # graded breakpoints there keep the quadrature honest deep in the tail.
    width = 1 / (1 + abs(start))
    mode = max(start, -delta / 2)
    points = {start + width * s for s in (0.01, 0.1, 0.5, 1, 2, 5, 10, 40)}
    points |= {mode + s for s in (0, 1, 4, 12)}
    points = [start, *sorted(p for p in points if p > start), mpmath.inf]
    return float(mpmath.log(mpmath.quad(integrand, points)))


@pytest.mark.parametrize(
    ("z0", "z1"),
    [
        (0.0, 0.0),
        (-1.5, 2.0),
        (1.0, -1.0),
        (3.0, 3.5),  # both tails moderate
        (6.0, 6.0),  # small: quadrature branch
        (12.0, -3.0),  # high threshold, firm favoured
        (-3.0, 12.0),  # low threshold, back-down favoured
        (30.0, 31.0),  # deep tail
        (-20.0, -20.0),
        (0.0, 40.0),
    ],
)
def test_log_orthant_matches_high_precision_quadrature(z0: float, z1: float) -> None:
    assert log_orthant(np.array([z0]), np.array([z1]))[0] == pytest.approx(
        _orthant_reference(z0, z1), rel=1e-9, abs=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-35, 35, allow_nan=False),
    st.floats(-35, 35, allow_nan=False),
)
def test_orthants_partition_the_challenge_event(u: float, v: float) -> None:
    # I(u, v) + I(v, u) = P(challenge) = Φ(-u) + Φ(u)Φ(-v), each side computed separately,
    # compared in logs so that the tails (probabilities far below 1e-300) count too.
    from scipy.special import log_ndtr

    both = np.logaddexp(
        log_orthant(np.array([u]), np.array([v])), log_orthant(np.array([v]), np.array([u]))
    )
    challenge = np.logaddexp(log_ndtr(-u), log_ndtr(u) + log_ndtr(-v))
    assert both[0] == pytest.approx(challenge, rel=1e-9, abs=1e-9)


# --- equations and likelihood ----------------------------------------------------------------

payoff = st.floats(-4, 4, allow_nan=False)
belief = st.floats(0.02, 0.98, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(payoff, payoff, payoff, payoff, payoff, payoff, payoff, belief, belief)
def test_best_responses_agree_with_the_engine(
    SA: float, VA: float, CB: float, WA: float, WB: float, a: float, VB: float, r: float, f: float
) -> None:
    payoffs = {k: np.array([x]) for k, x in zip(PARTS, (SA, VA, CB, WA, WB, a, VB), strict=True)}
    challenge, firm, resist = best_responses(payoffs, np.array([r]), np.array([f]))
    assert challenge[0] == pytest.approx(
        ls.challenge_probability(r, SA, VA, WA, a), rel=1e-9, abs=1e-14
    )
    assert firm[0] == pytest.approx(ls.firmness_probability(r, SA, VA, WA, a), rel=1e-7, abs=1e-12)
    assert resist[0] == pytest.approx(ls.resistance_probability(f, CB, WB, VB), rel=1e-9, abs=1e-14)
    # Ψ is the engine's; the likelihood's own indices (u, v, z) must describe the same
    # responses: pC = 1 - Φ(u)Φ(v), pF = I(u, v)/pC, pR = Φ(z).
    # (Ratios in logs: P(SF) and P(BD) may both underflow when pR does.)
    log_sq, log_cd, log_sf, log_bd = outcome_log_probabilities(
        payoffs, np.array([r]), np.array([f])
    )[0]
    log_resisted = np.logaddexp(log_sf, log_bd)
    assert -np.expm1(log_sq) == pytest.approx(challenge[0], rel=1e-9, abs=1e-14)
    assert np.exp(log_resisted - np.logaddexp(log_cd, log_resisted)) == pytest.approx(
        resist[0], rel=1e-9, abs=1e-14
    )
    assert np.exp(log_sf - log_resisted) == pytest.approx(firm[0], rel=1e-7, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(payoff, payoff, payoff, payoff, payoff, payoff, payoff, belief, belief)
def test_outcome_probabilities_sum_to_one_and_factor(
    SA: float, VA: float, CB: float, WA: float, WB: float, a: float, VB: float, r: float, f: float
) -> None:
    payoffs = {k: np.array([x]) for k, x in zip(PARTS, (SA, VA, CB, WA, WB, a, VB), strict=True)}
    probabilities = np.exp(outcome_log_probabilities(payoffs, np.array([r]), np.array([f])))[0]
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    pc = ls.challenge_probability(r, SA, VA, WA, a)
    pf = ls.firmness_probability(r, SA, VA, WA, a)
    pr = ls.resistance_probability(f, CB, WB, VB)
    expected = [1 - pc, pc * (1 - pr), pc * pr * pf, pc * pr * (1 - pf)]
    np.testing.assert_allclose(probabilities, expected, rtol=1e-7, atol=1e-13)


def test_loglikelihood_is_the_count_weighted_sum_of_log_outcome_probabilities(
    simulated: pd.DataFrame,
) -> None:
    likelihood = _likelihood(simulated)
    theta = np.random.default_rng(3).normal(0, 0.3, likelihood.design.n_params)
    payoffs = payoff_values(theta, likelihood.design)
    logp = outcome_log_probabilities(payoffs, likelihood.resist, likelihood.firm)
    expected = float((likelihood.design.counts * logp).sum())
    assert likelihood.loglike(theta) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gradient_and_hessian_match_finite_differences(simulated: pd.DataFrame, seed: int) -> None:
    likelihood = _likelihood(simulated, seed)
    theta = np.random.default_rng(seed).normal(0, 0.5, likelihood.design.n_params)
    value, gradient, hessian = likelihood.derivatives(theta)
    assert value == pytest.approx(likelihood.loglike(theta))
    step = 1e-6
    eye = np.eye(theta.size)
    numeric_gradient = np.array(
        [
            (likelihood.loglike(theta + step * e) - likelihood.loglike(theta - step * e))
            / (2 * step)
            for e in eye
        ]
    )
    numeric_hessian = np.column_stack(
        [
            (
                likelihood.derivatives(theta + step * e)[1]
                - likelihood.derivatives(theta - step * e)[1]
            )
            / (2 * step)
            for e in eye
        ]
    )
    scale = np.abs(gradient).max()
    np.testing.assert_allclose(gradient, numeric_gradient, atol=1e-7 * scale)
    np.testing.assert_allclose(hessian, numeric_hessian, atol=1e-6 * np.abs(hessian).max())
    np.testing.assert_allclose(likelihood.row_scores(theta).sum(axis=0), gradient, rtol=1e-10)


def test_fixed_payoffs_enter_like_a_constant_with_known_coefficient(
    simulated: pd.DataFrame,
) -> None:
    # VB fixed at 0.7 must equal a VB part that is a constant column with coefficient 0.7.
    base = parse_formula(SIM_FORMULA, simulated, PARTS)
    matrices = list(base.matrices())
    counts = base.outcome
    fixed = PayoffDesign(tuple(matrices), (0.0,) * 6 + (0.7,), counts)
    matrices[6] = np.ones((len(simulated), 1))
    free = PayoffDesign(tuple(matrices), (0.0,) * 7, counts)
    rng = np.random.default_rng(5)
    r, f = rng.uniform(0.1, 0.9, len(simulated)), rng.uniform(0.1, 0.9, len(simulated))
    theta = rng.normal(0, 0.3, fixed.n_params)
    assert PseudoLikelihood(fixed, r, f).loglike(theta) == pytest.approx(
        PseudoLikelihood(free, r, f).loglike(np.append(theta, 0.7)), rel=1e-13
    )


def test_newton_finds_the_pl_maximum_from_different_starts(simulated: pd.DataFrame) -> None:
    likelihood = _likelihood(simulated, 4)
    fits = [
        maximize(likelihood, np.random.default_rng(s).normal(0, 0.5, likelihood.design.n_params))
        for s in range(3)
    ]
    assert all(fit.converged for fit in fits)
    for fit in fits[1:]:
        np.testing.assert_allclose(fit.theta, fits[0].theta, atol=1e-7)
    assert np.abs(fits[0].gradient).max() < 1e-6
    assert np.all(np.linalg.eigvalsh(fits[0].hessian) < 0)


# --- NPL, its covariance, recovery of known parameters ---------------------------------------


def test_npl_recovers_the_parameters_of_simulated_games(simulated_fit: EstimationResults) -> None:
    fit = simulated_fit
    assert fit.converged
    assert fit.extra["eq_constraint"] < 1e-6
    z = (fit.params - SIM_TRUTH[fit.params.index]) / fit.bse
    assert np.all(np.abs(z) < 4), z


def test_best_response_jacobians_match_finite_differences(
    simulated_fit: EstimationResults, simulated: pd.DataFrame
) -> None:
    design = parse_formula(SIM_FORMULA, simulated, PARTS)
    payoff_design = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome)
    phat = simulated_fit.extra["phat"]
    r, f = phat["PRhat"].to_numpy(), phat["PFhat"].to_numpy()
    theta = simulated_fit.params.to_numpy()
    likelihood = PseudoLikelihood(payoff_design, r, f)
    jac = best_response_jacobians(likelihood, theta)

    def psi(th: np.ndarray, rr: np.ndarray, ff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        _, firm, resist = best_responses(payoff_values(th, payoff_design), rr, ff)
        return resist, firm

    step = 1e-6
    eye = np.eye(theta.size)
    d_resist = np.column_stack(
        [
            (psi(theta + step * e, r, f)[0] - psi(theta - step * e, r, f)[0]) / (2 * step)
            for e in eye
        ]
    )
    d_firm = np.column_stack(
        [
            (psi(theta + step * e, r, f)[1] - psi(theta - step * e, r, f)[1]) / (2 * step)
            for e in eye
        ]
    )
    np.testing.assert_allclose(jac.resist_theta, d_resist, atol=1e-7)
    np.testing.assert_allclose(jac.firm_theta, d_firm, atol=1e-7)
    np.testing.assert_allclose(
        jac.resist_firm,
        (psi(theta, r, f + step)[0] - psi(theta, r, f - step)[0]) / (2 * step),
        atol=1e-7,
    )
    np.testing.assert_allclose(
        jac.firm_resist,
        (psi(theta, r + step, f)[1] - psi(theta, r - step, f)[1]) / (2 * step),
        atol=1e-7,
    )
    score_r = (
        PseudoLikelihood(payoff_design, r + step, f).row_scores(theta)
        - PseudoLikelihood(payoff_design, r - step, f).row_scores(theta)
    ) / (2 * step)
    score_f = (
        PseudoLikelihood(payoff_design, r, f + step).row_scores(theta)
        - PseudoLikelihood(payoff_design, r, f - step).row_scores(theta)
    ) / (2 * step)
    np.testing.assert_allclose(jac.score_resist, score_r, atol=1e-6 * np.abs(score_r).max())
    np.testing.assert_allclose(jac.score_firm, score_f, atol=1e-6 * np.abs(score_f).max())


def test_fixed_point_jacobian_is_the_derivative_along_the_equilibrium(
    simulated_fit: EstimationResults,
    simulated: pd.DataFrame,
) -> None:
    # Independent route: re-solve the equilibrium P(θ) at perturbed θ by iterating Ψ and
    # difference the pseudo-score s(θ, P(θ)).
    design = parse_formula(SIM_FORMULA, simulated, PARTS)
    payoff_design = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome)
    phat = simulated_fit.extra["phat"]
    r0, f0 = phat["PRhat"].to_numpy(), phat["PFhat"].to_numpy()
    theta = simulated_fit.params.to_numpy()
    jacobian, _, _ = fixed_point_jacobian(PseudoLikelihood(payoff_design, r0, f0), theta)

    def score_on_equilibrium(th: np.ndarray) -> np.ndarray:
        payoffs = payoff_values(th, payoff_design)
        r, f = r0.copy(), f0.copy()
        for _ in range(500):
            _, f_new, r_new = best_responses(payoffs, r, f)
            done = max(np.abs(r_new - r).max(), np.abs(f_new - f).max()) < 1e-14
            r, f = r_new, f_new
            if done:
                break
        return PseudoLikelihood(payoff_design, r, f).derivatives(th)[1]

    step = 1e-5
    numeric = np.column_stack(
        [
            (score_on_equilibrium(theta + step * e) - score_on_equilibrium(theta - step * e))
            / (2 * step)
            for e in np.eye(theta.size)
        ]
    )
    np.testing.assert_allclose(jacobian, numeric, atol=1e-6 * np.abs(jacobian).max())


def test_npl_standard_errors_match_the_sampling_spread() -> None:
    # Monte Carlo: 30 data sets from one game; the mean NPL standard error should be close
    # to the standard deviation of the estimates (±13% sampling noise at 30 draws).
    covariates, probabilities = _simulation_design(200, seed=7)
    rng = np.random.default_rng(8)
    estimates, errors = [], []
    for _ in range(30):
        counts = np.array([rng.multinomial(100, p) for p in probabilities])
        data = pd.concat(
            [pd.DataFrame(counts, columns=["sq", "cd", "sf", "bd"]), covariates], axis=1
        )
        fit = fit_signaling(SIM_FORMULA, data, method="npl", n_estimators=20, npl_maxit=100)
        assert fit.converged
        estimates.append(fit.params)
        errors.append(fit.bse)
    ratio = pd.DataFrame(estimates).std() / pd.DataFrame(errors).mean()
    assert ratio.between(0.65, 1.5).all(), ratio


def test_npl_warns_when_it_does_not_converge(simulated: pd.DataFrame) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_signaling(SIM_FORMULA, simulated, method="npl", npl_maxit=2)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("NPL did not converge in 2 iterations" in m for m in messages), messages
    assert not fit.converged
    assert fit.extra["iterations"] == 2
    assert fit.extra["npl_change"] > 1e-7
    assert any("NPL did not converge" in note for note in fit.notes)


def test_first_stage_is_seeded(simulated: pd.DataFrame) -> None:
    one = fit_signaling(SIM_FORMULA, simulated, method="pl", random_state=3)
    two = fit_signaling(SIM_FORMULA, simulated, method="pl", random_state=3)
    other = fit_signaling(SIM_FORMULA, simulated, method="pl", random_state=4)
    pd.testing.assert_frame_equal(one.extra["phat"], two.extra["phat"])
    assert not one.extra["phat"].equals(other.extra["phat"])
    assert one.extra["first_stage"].startswith("random forest")


# --- prediction -----------------------------------------------------------------------------


def test_predict_lists_every_equilibrium_and_contains_the_fitted_one(
    simulated_fit: EstimationResults,
    simulated: pd.DataFrame,
) -> None:
    table = simulated_fit.predict(simulated)
    assert table.attrs["selection"] == "all equilibria of each row's game"
    assert set(table["row"]) == set(simulated.index)
    np.testing.assert_allclose(table[["SQ", "CD", "SF", "BD"]].sum(axis=1), 1.0, atol=1e-12)
    assert (table.groupby("row")["pR"].transform("count") == table["n_equilibria"]).all()
    # The NPL beliefs are an equilibrium of each row's estimated game.
    fitted = simulated_fit.extra["phat"]["PRhat"]
    gap = (table["pR"] - table["row"].map(fitted)).abs().groupby(table["row"]).min()
    assert gap.max() < 1e-6
    pd.testing.assert_frame_equal(simulated_fit.predict(), table)  # default: the fitted rows
    stable = predict_equilibria(simulated_fit, simulated, select="stable")
    assert stable["row"].is_unique and (stable["selection"] == "stable").all()


def test_predict_handles_missing_regressors(
    simulated_fit: EstimationResults, simulated: pd.DataFrame
) -> None:
    newdata = simulated.head(3).copy()
    newdata.loc[1, "x1"] = np.nan
    table = simulated_fit.predict(newdata)
    assert table.loc[table["row"] == 1, "pR"].isna().all()
    assert table.loc[table["row"] != 1, "pR"].notna().all()


def test_summary_and_latex(simulated_fit: EstimationResults) -> None:
    text = simulated_fit.summary()
    assert "NPL" in text and "WB:x1" in text and "iterations" in text
    assert "WB:x1" in simulated_fit.to_latex()
    assert simulated_fit.aic == pytest.approx(-2 * simulated_fit.llf + 2 * 9)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "formula", "message"),
    [
        (lambda d: d.assign(cd=d["cd"] - 1000), SIM_FORMULA, "negative count"),
        (lambda d: d.assign(sf=d["sf"] + 0.5), SIM_FORMULA, "whole numbers"),
        (lambda d: d, "sq + cd + sf + bd ~ x1 | 1 | x2 | x2 | x1 | 1", "expected 7"),
        (lambda d: d, SIM_FORMULA.replace("x2 | x2", "x3 | x2"), "unknown column 'x3'"),
        (lambda d: d.assign(x2=np.nan), SIM_FORMULA, "entirely missing"),
        (lambda d: d.assign(sq=5, cd=0, sf=0, bd=0), SIM_FORMULA, "no variation"),
        (lambda d: d.assign(sq=d["sq"] + 1, cd=0, sf=0, bd=0), SIM_FORMULA, "no variation"),
        (lambda d: d, "sq + cd + sf ~ x1 - 1 | 1 | x2 | x2 | x1 | 1 | 0", "four outcome counts"),
        (lambda d: d, "sq + cd + sf + bd ~ x1 | 1 | x2 | x2 | x1 | 1 | 0", "unidentified"),
        (lambda d: d, "sq + cd + sf + bd ~ x1 - 1 | 1 | x2 | x2 | x2 | 1 | x2", "unidentified"),
    ],
)
def test_bad_input_is_refused_by_name(
    simulated: pd.DataFrame,
    change: Callable[[pd.DataFrame], pd.DataFrame],
    formula: str,
    message: str,
) -> None:
    with pytest.raises(InputError, match=message):
        fit_signaling(formula, change(simulated.copy()), method="pl")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"method": "mle2"}, InputError, "method"),
        ({"cov_type": "sandwich"}, InputError, "cov_type"),
        ({"bootstrap": -1}, InputError, "bootstrap"),
        ({"bootstrap": 2.5}, InputError, "bootstrap"),
        ({"method": "npl", "phat_cov": np.eye(600)}, InputError, "only for method='pl'"),
        ({"method": "pl", "phat_cov": np.eye(5)}, InputError, "phat_cov: expected shape"),
        ({"method": "pl", "phat_cov": np.full((600, 600), np.nan)}, InputError, "finite"),
        (
            {"method": "pl", "phat": ("x1", "x2"), "first_stage_bootstrap": 5},
            InputError,
            "random-forest first stage",
        ),
        ({"method": "cmle", "cmle_maxiter": 0}, InputError, "cmle_maxiter"),
        ({"method": "mle", "mle_starts": 0}, InputError, "mle_starts"),
        ({"phat": (np.full(300, 0.5), np.full(300, 1.0))}, InputError, "strictly between"),
        ({"phat": (np.full(10, 0.5), np.full(10, 0.5))}, InputError, "one per data row"),
        ({"phat": ("nope", "x1")}, InputError, "unknown column 'nope'"),
        ({"phat": 0.5}, InputTypeError, "phat"),
        ({"fixed": {"WA": 1.0}}, InputError, "has regressors"),
        ({"fixed": {"ZZ": 1.0}}, InputError, "unknown payoff"),
        ({"npl_maxit": 0}, InputError, "npl_maxit"),
        ({"start": [0.0, 1.0]}, InputError, "start"),
    ],
)
def test_bad_arguments_are_refused(
    simulated: pd.DataFrame, kwargs: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        fit_signaling(SIM_FORMULA, simulated, **kwargs)


def test_missing_rows_are_dropped_and_counted_or_refused(simulated: pd.DataFrame) -> None:
    data = simulated.copy()
    data.loc[[3, 7], "x1"] = np.nan
    fit = fit_signaling(SIM_FORMULA, data, method="pl")
    assert fit.nobs == 298 and fit.n_dropped == 2
    assert "Rows dropped (missing)  2" in fit.summary()
    with pytest.raises(InputError, match="missing"):
        fit_signaling(SIM_FORMULA, data, method="pl", na="raise")


def test_phat_is_aligned_with_the_rows_kept(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    data = simulated.copy()
    data.loc[5, "x2"] = np.nan
    phat = simulated_fit.extra["phat"]
    fit = fit_signaling(
        SIM_FORMULA, data, method="pl", phat=(phat["PRhat"].to_numpy(), phat["PFhat"].to_numpy())
    )
    np.testing.assert_allclose(
        fit.extra["phat"]["PRhat"], phat["PRhat"].drop(index=5), rtol=0, atol=0
    )


def test_singular_hessian_gives_nan_standard_errors_with_a_note(simulated: pd.DataFrame) -> None:
    data = simulated.assign(x1_copy=simulated["x1"])
    formula = "sq + cd + sf + bd ~ x1 + x1_copy - 1 | 1 | x2 | x2 | x1 | 1 | 0"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = fit_signaling(formula, data, method="pl", phat=(np.full(300, 0.5), np.full(300, 0.7)))
    assert fit.bse.isna().all()
    assert any("singular" in note or "not definite" in note for note in fit.notes)
    assert any("standard errors are not available" in str(w.message) for w in caught)


def test_predict_returns_all_equilibria_when_there_are_several() -> None:
    # A game with three equilibria (two stable); the table must list all three for each row.
    from coercive.estimate.signaling.model import SignalingPredictor

    frame = pd.DataFrame({"sq": [3, 1], "cd": [1, 2], "sf": [0, 1], "bd": [1, 0]})
    design = parse_formula("sq + cd + sf + bd ~ 0 | 1 | 1 | 1 | 1 | 1 | 1", frame, PARTS)
    params = pd.Series([1.0, 0.0, -1.9, -2.9, -1.2, 1.0], index=design.labels())
    predictor = SignalingPredictor(design, params, (0.0,) * 7)
    table = predictor(frame)
    expected = CrisisGame(SA=0.0, VA=1.0, CB=0.0, WA=-1.9, WB=-2.9, a=-1.2, VB=1.0).equilibria()
    assert len(expected) == 3
    assert (table["n_equilibria"] == 3).all() and len(table) == 6
    for row in (0, 1):
        part = table[table["row"] == row]
        assert list(part["equilibrium"]) == [0, 1, 2]
        np.testing.assert_allclose(part["pR"], expected["pR"], rtol=1e-12)
        np.testing.assert_array_equal(part["stable"], expected["stable"])
    low = predictor(frame, select="least_resistance")
    np.testing.assert_allclose(low["pR"], expected["pR"].min(), rtol=1e-12)
    assert (low["n_equilibria"] == 3).all() and (low["equilibrium"] == 0).all()
    assert low.attrs["selection"] == "per row, the equilibrium with the lowest pR"
    with pytest.raises(InputError, match="select"):
        predictor(frame, select="best")


def test_subset_selects_rows_and_aligns_phat(simulated: pd.DataFrame) -> None:
    phat = (np.linspace(0.2, 0.8, 300), np.linspace(0.7, 0.4, 300))
    fit = fit_signaling(SIM_FORMULA, simulated, method="pl", phat=phat, subset="x1 > 0")
    kept = simulated.index[simulated["x1"] > 0]
    assert fit.nobs == len(kept)
    np.testing.assert_array_equal(fit.extra["phat"]["PRhat"], phat[0][kept])
    same = fit_signaling(
        SIM_FORMULA,
        simulated.loc[kept].reset_index(drop=True),
        method="pl",
        phat=(phat[0][kept], phat[1][kept]),
    )
    np.testing.assert_allclose(fit.params, same.params, rtol=1e-10)


def test_likelihood_matches_a_per_row_computation_with_scipy_stats(simulated: pd.DataFrame) -> None:
    # Independent route to the same numbers: SciPy's bivariate normal CDF for P(challenge, firm).
    from scipy import stats

    likelihood = _likelihood(simulated.head(25), seed=9)
    theta = np.random.default_rng(9).normal(0, 0.4, likelihood.design.n_params)
    payoffs = payoff_values(theta, likelihood.design)
    rho = 0.5**0.5
    bivariate = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]])
    expected = 0.0
    for i in range(25):
        SA, VA, CB, WA, WB, a, VB = (payoffs[p][i] for p in PARTS)
        r, f = likelihood.resist[i], likelihood.firm[i]
        c = (SA - (1 - r) * VA) / r
        stay = stats.norm.cdf(c - WA) * stats.norm.cdf(c - a)
        firm_joint = bivariate.cdf([WA - c, (WA - a) / 2**0.5])
        resist = stats.norm.cdf(WB + ((1 - f) * VB - CB) / f)
        outcome = [
            stay,
            (1 - stay) * (1 - resist),
            firm_joint * resist,
            (1 - stay - firm_joint) * resist,
        ]
        expected += float(np.dot(likelihood.design.counts[i], np.log(outcome)))
    assert likelihood.loglike(theta) == pytest.approx(expected, rel=1e-7)


def test_npl_survives_equilibria_with_vanishing_resistance() -> None:
    # A steep game: at some rows the equilibrium pR is ~1e-60, so A's challenge threshold
    # (divided by pR) runs to ~1e12 during the NPL. Derivatives must stay finite there and
    # the fit must still converge near the truth. (The data come from our own equations, by
    # bisection on F(pR) = pR, so this test does not depend on the engine's solver.)
    rng = np.random.default_rng(3)
    x1 = 2 * rng.normal(size=300)
    x2 = rng.binomial(1, 0.5, size=300).astype(float)
    truth = pd.Series(
        {
            "SA:x1": 1.8,
            "VA:(Intercept)": 0.8,
            "CB:(Intercept)": -0.5,
            "CB:x2": 0.6,
            "WA:(Intercept)": -0.6,
            "WA:x2": 0.5,
            "WB:(Intercept)": -0.4,
            "WB:x1": 3.0,
            "a:(Intercept)": -1.0,
        }
    )
    payoffs = {
        "SA": 1.8 * x1,
        "VA": np.full(300, 0.8),
        "CB": -0.5 + 0.6 * x2,
        "WA": -0.6 + 0.5 * x2,
        "WB": -0.4 + 3.0 * x1,
        "a": np.full(300, -1.0),
        "VB": np.zeros(300),
    }

    def composite(resist: np.ndarray) -> np.ndarray:  # F(pR) = Ψ_R(Ψ_F(pR))
        _, firm, _ = best_responses(payoffs, resist, np.full(300, 0.5))
        return best_responses(payoffs, resist, firm)[2]

    # The equilibrium pR by bisection on F(pR) - pR (positive at ~0, negative at 1).
    low, high = np.full(300, 1e-100), np.ones(300)
    for _ in range(200):
        middle = 0.5 * (low + high)
        above = composite(middle) > middle
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    resist = low
    firm = best_responses(payoffs, resist, np.full(300, 0.5))[1]
    assert np.abs(composite(resist) - resist).max() < 1e-12 and resist.min() < 1e-40
    probabilities = np.exp(outcome_log_probabilities(payoffs, resist, firm))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    counts = np.array([rng.multinomial(50, p) for p in probabilities])
    data = pd.DataFrame(counts, columns=["sq", "cd", "sf", "bd"]).assign(x1=x1, x2=x2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_signaling(SIM_FORMULA, data, method="npl")
    assert fit.converged and fit.extra["eq_constraint"] < 1e-6
    assert np.all(np.isfinite(fit.bse))
    z = (fit.params - truth[fit.params.index]) / fit.bse
    assert np.all(np.abs(z) < 4), z


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_derivatives_stay_finite_when_the_threshold_is_huge(sign: float) -> None:
    # Row 0 believes B almost never resists: its threshold c = VA + (SA - VA)/pR is ~±1e12.
    # Its log-likelihood and derivatives must be finite (never-seen outcomes add nothing).
    frame = pd.DataFrame(
        {
            "sq": [5 if sign > 0 else 0, 1],
            "cd": [0 if sign > 0 else 4, 1],
            "sf": [0, 1],
            "bd": [0, 1],
            "x1": [1.0, -0.5],
            "x2": [0.0, 1.0],
        }
    )
    design = parse_formula(SIM_FORMULA, frame, PARTS)
    payoff_design = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome)
    likelihood = PseudoLikelihood(payoff_design, np.array([1e-12, 0.5]), np.array([0.6, 0.6]))
    # SA - VA = sign * 1 at row 0: SA:x1 = sign + 0.8 with VA = 0.8.
    theta = np.array([sign + 0.8, 0.8, -0.5, 0.6, -0.6, 0.5, -0.4, 0.5, -1.0])
    value, gradient, hessian = likelihood.derivatives(theta)
    assert np.isfinite(value)
    assert np.all(np.isfinite(gradient)) and np.all(np.isfinite(hessian))
    u, v, _ = likelihood.indices(theta)
    assert abs(u[0]) > 1e11 and abs(v[0]) > 1e11


# --- covariances, first-stage correction, bootstrap (issue 10) -----------------------------


def test_every_cov_type_gives_similar_errors_on_a_well_specified_model(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    # With the model true, the information equality makes OPG, Hessian and sandwich agree
    # up to sampling noise; the summary names the one in use.
    errors = {}
    for cov_type in ("opg", "opg-implicit", "hessian", "robust"):
        fit = fit_signaling(SIM_FORMULA, simulated, method="npl", cov_type=cov_type)
        assert fit.covariance_type.endswith(COV_TYPE_NAMES[cov_type])
        assert COV_TYPE_NAMES[cov_type] in fit.summary()
        errors[cov_type] = fit.bse
    frame = pd.DataFrame(errors)
    assert np.all(np.isfinite(frame.to_numpy())) and np.all(frame.to_numpy() > 0)
    ratio = frame.div(frame["hessian"], axis=0)
    assert ratio.to_numpy().min() > 0.75 and ratio.to_numpy().max() < 1.33, ratio
    assert simulated_fit.covariance_type.endswith(COV_TYPE_NAMES["opg"])  # the default


def test_first_stage_correction_is_the_derivative_of_the_pl_estimate_in_phat(
    simulated: pd.DataFrame,
) -> None:
    # Murphy–Topel: with phat_cov = σ² e_i e_iᵀ the added variance is σ² (dθ̂/dphat_i)²;
    # dθ̂/dphat_i is checked by refitting the PL at perturbed beliefs.
    rng = np.random.default_rng(1)
    resist = rng.uniform(0.2, 0.8, len(simulated))
    firm = rng.uniform(0.2, 0.8, len(simulated))
    n = len(simulated)
    base = fit_signaling(
        SIM_FORMULA, simulated, method="pl", phat=(resist, firm), cov_type="hessian"
    )
    for position in (5, n + 17):  # one pR_hat, one pF_hat
        variance = 1e-3
        phat_cov = np.zeros((2 * n, 2 * n))
        phat_cov[position, position] = variance
        corrected = fit_signaling(
            SIM_FORMULA,
            simulated,
            method="pl",
            phat=(resist, firm),
            cov_type="hessian",
            phat_cov=phat_cov,
        )
        assert "first-stage correction" in corrected.covariance_type
        added = corrected.cov_params().to_numpy() - base.cov_params().to_numpy()
        step = 1e-5
        moved = []
        for sign in (1.0, -1.0):
            r, f = resist.copy(), firm.copy()
            (r if position < n else f)[position % n] += sign * step
            moved.append(
                fit_signaling(
                    SIM_FORMULA, simulated, method="pl", phat=(r, f), start=base.params
                ).params.to_numpy()
            )
        slope = (moved[0] - moved[1]) / (2 * step)
        np.testing.assert_allclose(
            added, variance * np.outer(slope, slope), atol=1e-3 * variance * np.max(slope**2)
        )


def test_first_stage_bootstrap_widens_pl_errors(simulated: pd.DataFrame) -> None:
    naive = fit_signaling(SIM_FORMULA, simulated, method="pl", n_estimators=10)
    corrected = fit_signaling(
        SIM_FORMULA, simulated, method="pl", n_estimators=10, first_stage_bootstrap=8
    )
    np.testing.assert_allclose(corrected.params, naive.params)  # same point estimate
    assert np.all(corrected.bse >= naive.bse) and np.any(corrected.bse > 1.05 * naive.bse)
    assert "8 bootstrap refits of the forest" in corrected.covariance_type
    assert not any("treat the first-stage phat as known" in note for note in corrected.notes)


def test_bootstrap_refits_seeded_replicates_and_reports_them(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    fit = fit_signaling(SIM_FORMULA, simulated, method="npl", bootstrap=6, n_jobs=1)
    replicates = fit.extra["bootstrap"]
    assert list(replicates.params.columns) == list(fit.params.index)
    assert replicates.B == 6 and replicates.n_ok + replicates.failed == 6
    assert fit.extra["bootstrap replicates"] == 6
    assert "bootstrap: 6 replicates" in fit.summary()
    np.testing.assert_allclose(fit.params, simulated_fit.params)  # the estimate is unchanged
    again = fit_signaling(SIM_FORMULA, simulated, method="npl", bootstrap=6, n_jobs=1)
    pd.testing.assert_frame_equal(replicates.params, again.extra["bootstrap"].params)
    # Replicate i is the NPL fit of resample i of the rows.
    from coercive.estimate.bootstrap import resample_indices

    rows = resample_indices(len(simulated), 6, 12345)[2]
    direct = fit_signaling(
        SIM_FORMULA,
        simulated.iloc[rows].reset_index(drop=True),
        method="npl",
        phat=(
            simulated_fit.extra["phat"]["PRhat"].to_numpy()[rows],
            simulated_fit.extra["phat"]["PFhat"].to_numpy()[rows],
        ),
        npl_maxit=100,
    )
    np.testing.assert_allclose(replicates.params.iloc[2], direct.params, atol=1e-5)
    interval = replicates.percentile_interval(0.05)
    assert (interval["lower"] <= interval["upper"]).all()


# --- CMLE and the all-equilibria MLE ----------------------------------------------------------


def test_cmle_is_a_feasible_improvement_on_the_npl(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    fit = fit_signaling(SIM_FORMULA, simulated, method="cmle")
    assert fit.converged
    assert fit.llf >= simulated_fit.llf - 1e-6
    assert fit.extra["max_abs_pR_minus_F"] < 1e-8
    assert np.all(np.isfinite(fit.bse))
    # On data simulated from the model the full-information and NPL estimates are close.
    assert np.max(np.abs(fit.params - simulated_fit.params) / simulated_fit.bse) < 1.0


def test_cmle_that_ends_infeasible_says_so() -> None:
    from coercive.estimate.signaling.equilibrium import fit_cmle

    data = _simulate(60, 50, seed=3)
    design = parse_formula(SIM_FORMULA, data, PARTS)
    payoffs = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome.astype(float))
    far = np.full(len(data), 0.05)  # beliefs far from any equilibrium, one iteration allowed
    outcome = fit_cmle(payoffs, SIM_TRUTH.to_numpy(), far, far, maxiter=1)
    assert not outcome.converged
    assert outcome.message.startswith("infeasible: the equilibrium constraints are violated")


def test_mle_over_all_equilibria_reports_branches(simulated: pd.DataFrame) -> None:
    cmle = fit_signaling(SIM_FORMULA, simulated, method="cmle")
    fit = fit_signaling(SIM_FORMULA, simulated, method="mle", mle_starts=2)
    assert fit.llf >= cmle.llf - 1e-6
    assert isinstance(fit.extra["beats_cmle"], bool)
    assert fit.extra["cmle_llf"] == pytest.approx(cmle.llf, abs=1e-6)
    branches = fit.extra["branches"]
    assert len(branches) == fit.nobs
    assert set(branches.columns) >= {"n_equilibria", "equilibrium", "pR", "stable", "switched"}
    assert (branches["equilibrium"] < branches["n_equilibria"]).all()
    assert fit.extra["rows_switched_branch"] == int(branches["switched"].sum())


def test_best_branch_is_the_best_fitting_equilibrium_of_a_game_with_three() -> None:
    from coercive.estimate.signaling.equilibrium import all_equilibria, best_branches

    # The documented three-equilibrium game (README), observed as mostly resisted.
    frame = pd.DataFrame({"sq": [1, 1], "cd": [1, 1], "sf": [30, 1], "bd": [10, 1]})
    terms = "sq + cd + sf + bd ~ 1 | 1 | 1 | 1 | 1 | 1 | 0"
    design = parse_formula(terms, frame, PARTS)
    payoffs = PayoffDesign(tuple(design.matrices()), (0.0,) * 6 + (1.0,), frame.to_numpy(float))
    theta = np.array([0.0, 1.0, 0.0, -1.9, -2.85, -1.2])
    table = all_equilibria(payoffs, theta)
    assert (table.groupby("game").size() == 3).all()
    best = best_branches(payoffs, theta)
    for game, group in table.groupby("game"):
        assert best.loc[game, "loglike"] == pytest.approx(group["loglike"].max())
    # Each equilibrium's row log-likelihood is the counts against the engine's outcomes.
    engine = CrisisGame(SA=0, VA=1, CB=0, WA=-1.9, WB=-2.85, a=-1.2, VB=1).equilibria()
    engine = engine.sort_values("pR").reset_index(drop=True)
    for game in (0, 1):
        counts = frame.iloc[game].to_numpy(float)
        expected = np.log(engine[["SQ", "CD", "SF", "BD"]].to_numpy()) @ counts
        np.testing.assert_allclose(
            table.loc[table["game"] == game, "loglike"].to_numpy(), expected, rtol=1e-9
        )


# --- prediction intervals ----------------------------------------------------------------------


def test_delta_gradients_match_re_solved_equilibria(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    from coercive.estimate.signaling.intervals import PROBABILITIES, probability_gradients

    design = parse_formula(SIM_FORMULA, simulated, PARTS)
    payoffs = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome.astype(float))
    theta = simulated_fit.params.to_numpy()
    table = simulated_fit.predict()  # one equilibrium per row in this game
    gradients = probability_gradients(payoffs, theta, table["pR"].to_numpy())
    step = 1e-6
    for j in (0, 3, 7):
        moved = []
        for sign in (1.0, -1.0):
            params = simulated_fit.params.copy()
            params.iloc[j] += sign * step
            moved.append(
                simulated_fit.predictor.__class__(design, params, (0.0,) * 7)()[
                    list(PROBABILITIES)
                ].to_numpy()
            )
        numeric = (moved[0] - moved[1]) / (2 * step)
        for k, name in enumerate(PROBABILITIES):
            np.testing.assert_allclose(gradients[name][:, j], numeric[:, k], atol=1e-6)


def test_prediction_intervals_cover_the_point_and_need_a_bootstrap(
    simulated: pd.DataFrame, simulated_fit: EstimationResults
) -> None:
    from coercive.estimate.signaling import predict_intervals

    table = predict_intervals(simulated_fit, simulated.head(4), alpha=0.1)
    for name in ("pR", "SQ", "SF"):
        assert (table[f"{name}_lower"] <= table[name]).all()
        assert (table[name] <= table[f"{name}_upper"]).all()
        assert (table[f"{name}_upper"] > table[f"{name}_lower"]).all()
    assert "delta method" in table.attrs["interval"]
    with pytest.raises(InputError, match="bootstrap=B"):
        predict_intervals(simulated_fit, simulated.head(4), method="bootstrap")
    with pytest.raises(InputError, match="method"):
        predict_intervals(simulated_fit, method="sims")
    boot = fit_signaling(SIM_FORMULA, simulated, method="npl", bootstrap=8, n_jobs=1)
    table = predict_intervals(boot, simulated.head(4), method="bootstrap")
    assert "of 8 replicates" in table.attrs["interval"]
    assert (table["pR_lower"] <= table["pR_upper"]).all()

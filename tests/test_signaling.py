"""The Lewis–Schultz signaling-game estimator: likelihood, derivatives, NPL, covariance, input.

The reference reproduction of sigInt is in ``test_against_sigint.py``; here the pieces are
checked against independent computations (numerical derivatives, high-precision quadrature,
the game engine's equations, simulated data with known parameters).
"""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coercive._errors import InputError, InputTypeError
from coercive.estimate import fit_signaling
from coercive.estimate.formula import parse_formula
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
    log_orthant,
    maximize,
    outcome_log_probabilities,
    payoff_values,
)
from coercive.games import CrisisGame
from coercive.games import lewis_schultz as ls

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
def simulated_fit(simulated: pd.DataFrame):  # noqa: ANN201
    return fit_signaling(SIM_FORMULA, simulated, method="npl")


def _likelihood(data: pd.DataFrame, seed: int = 0) -> PseudoLikelihood:
    design = parse_formula(SIM_FORMULA, data, PARTS)
    payoff_design = PayoffDesign(tuple(design.matrices()), (0.0,) * 7, design.outcome)
    rng = np.random.default_rng(seed)
    return PseudoLikelihood(
        payoff_design, rng.uniform(0.05, 0.95, len(data)), rng.uniform(0.05, 0.95, len(data))
    )


# --- the orthant integral ------------------------------------------------------------------


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


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-8, 8, allow_nan=False),
    st.floats(-8, 8, allow_nan=False),
)
def test_orthants_partition_the_challenge_event(u: float, v: float) -> None:
    # I(u, v) + I(v, u) = P(challenge) = 1 - Φ(u)Φ(v), each part computed separately.
    from scipy.special import ndtr

    total = np.exp(log_orthant(np.array([u]), np.array([v]))) + np.exp(
        log_orthant(np.array([v]), np.array([u]))
    )
    challenge = ndtr(-u) + ndtr(u) * ndtr(-v)
    assert total[0] == pytest.approx(challenge, rel=1e-9, abs=1e-300)


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
        [(likelihood.loglike(theta + step * e) - likelihood.loglike(theta - step * e)) / (2 * step)
         for e in eye]
    )
    numeric_hessian = np.column_stack(
        [(likelihood.derivatives(theta + step * e)[1] - likelihood.derivatives(theta - step * e)[1])
         / (2 * step) for e in eye]
    )
    scale = np.abs(gradient).max()
    np.testing.assert_allclose(gradient, numeric_gradient, atol=1e-7 * scale)
    np.testing.assert_allclose(hessian, numeric_hessian, atol=1e-6 * np.abs(hessian).max())
    np.testing.assert_allclose(likelihood.row_scores(theta).sum(axis=0), gradient, rtol=1e-10)


def test_fixed_payoffs_enter_like_a_constant_with_known_coefficient(simulated: pd.DataFrame) -> None:
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


def test_npl_recovers_the_parameters_of_simulated_games(simulated_fit) -> None:  # noqa: ANN001
    fit = simulated_fit
    assert fit.converged
    assert fit.extra["eq_constraint"] < 1e-6
    z = (fit.params - SIM_TRUTH[fit.params.index]) / fit.bse
    assert np.all(np.abs(z) < 4), z


def test_best_response_jacobians_match_finite_differences(simulated_fit, simulated) -> None:  # noqa: ANN001
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
        [(psi(theta + step * e, r, f)[0] - psi(theta - step * e, r, f)[0]) / (2 * step)
         for e in eye]
    )
    d_firm = np.column_stack(
        [(psi(theta + step * e, r, f)[1] - psi(theta - step * e, r, f)[1]) / (2 * step)
         for e in eye]
    )
    np.testing.assert_allclose(jac.resist_theta, d_resist, atol=1e-7)
    np.testing.assert_allclose(jac.firm_theta, d_firm, atol=1e-7)
    np.testing.assert_allclose(
        jac.resist_firm, (psi(theta, r, f + step)[0] - psi(theta, r, f - step)[0]) / (2 * step),
        atol=1e-7,
    )
    np.testing.assert_allclose(
        jac.firm_resist, (psi(theta, r + step, f)[1] - psi(theta, r - step, f)[1]) / (2 * step),
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
    simulated_fit,  # noqa: ANN001
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
        [(score_on_equilibrium(theta + step * e) - score_on_equilibrium(theta - step * e))
         / (2 * step) for e in np.eye(theta.size)]
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
        data = pd.concat([pd.DataFrame(counts, columns=["sq", "cd", "sf", "bd"]), covariates],
                         axis=1)
        fit = fit_signaling(SIM_FORMULA, data, method="npl", n_estimators=20, npl_maxit=100)
        assert fit.converged
        estimates.append(fit.params)
        errors.append(fit.bse)
    ratio = pd.DataFrame(estimates).std() / pd.DataFrame(errors).mean()
    assert ratio.between(0.65, 1.5).all(), ratio


def test_npl_warns_when_it_does_not_converge(simulated: pd.DataFrame) -> None:
    with pytest.warns(RuntimeWarning, match="NPL did not converge in 2 iterations"):
        fit = fit_signaling(SIM_FORMULA, simulated, method="npl", npl_maxit=2)
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
    simulated_fit,  # noqa: ANN001
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
    stable = predict_equilibria(simulated_fit, simulated, select="stable")
    assert stable["row"].is_unique and (stable["selection"] == "stable").all()


def test_predict_handles_missing_regressors(simulated_fit, simulated: pd.DataFrame) -> None:  # noqa: ANN001
    newdata = simulated.head(3).copy()
    newdata.loc[1, "x1"] = np.nan
    table = simulated_fit.predict(newdata)
    assert table.loc[table["row"] == 1, "pR"].isna().all()
    assert table.loc[table["row"] != 1, "pR"].notna().all()


def test_summary_and_latex(simulated_fit) -> None:  # noqa: ANN001
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
    simulated: pd.DataFrame, change, formula: str, message: str  # noqa: ANN001
) -> None:
    with pytest.raises(InputError, match=message):
        fit_signaling(formula, change(simulated.copy()), method="pl")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"method": "mle"}, InputError, "method"),
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


def test_phat_is_aligned_with_the_rows_kept(simulated: pd.DataFrame, simulated_fit) -> None:  # noqa: ANN001
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

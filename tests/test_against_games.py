"""The deterrence-game estimator against R's games 1.1.2 (``egame12``, Kenkel & Signorino).

Published reference figures (R cannot run here):

* issue 3 of this project, quoting games 1.1.2 on ``war1800`` with
  ``esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2`` (probit, agent error):
  282 complete rows, log-likelihood -286.1238, ``u1(~esc):s_wt_re1`` = -0.740015 and
  ``u2(esc,war):regime2dem`` = -1.543614;
* games' own test file (``games/tests/testthat/test_egame12.r``): the coefficient labels of the
  factor-outcome fit (``u1(sq):(Intercept)`` ... ``u2(war):regime2mixed``), the equality of
  factor- and indicator-outcome fits, and the hand-computed log-likelihood
  ``p4 = pnorm(u24, sd = sqrt(2))``, ``p2 = pnorm(p4 u14 + p3 u13 - u11, sd = sqrt(2))``.

No printed numbers for the logit, private-information or subset fits could be found (games'
examples in ``man/egame12.Rd`` and ``inst/`` run them without printed output), so those
are tested by properties derived from the likelihood (reparametrizations, decoupled cases that
reduce to ordinary binary logit/probit fitted independently, nesting, subset equivalence).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from sklearn.linear_model import LogisticRegression

from coercive._errors import InputError
from coercive.datasets import PUBLISHED_MODELS, load
from coercive.estimate import fit_deterrence
from coercive.estimate.covariance import numerical_gradient
from coercive.estimate.deterrence.model import DeterrenceModel
from coercive.estimate.formula import parse_formula
from coercive.games.deterrence import action_probabilities

FORMULA = PUBLISHED_MODELS["war1800"]
SQRT2 = math.sqrt(2.0)
COMBINATIONS = [(link, error) for link in ("probit", "logit") for error in ("agent", "private")]


@pytest.fixture(scope="module")
def war1800() -> pd.DataFrame:
    data = load("war1800")
    outcome = np.where(data.esc == 1, np.where(data.war == 1, "war", "cap"), "sq")
    data["y"] = pd.Categorical(outcome, categories=["sq", "cap", "war"])
    return data


@pytest.fixture(scope="module")
def main_fit(war1800: pd.DataFrame):
    return fit_deterrence(FORMULA, war1800)


# --- published figures -----------------------------------------------------------------------
def test_reproduces_games_probit_agent_fit(main_fit) -> None:
    assert main_fit.converged
    assert main_fit.nobs == 282
    assert main_fit.n_dropped == 313 - 282
    assert main_fit.llf == pytest.approx(-286.1238, abs=5e-5)
    assert main_fit.params["u1(~esc):s_wt_re1"] == pytest.approx(-0.740015, abs=5e-6)
    # games stops BFGS at its tolerance; our Newton-polished optimum differs by ~3e-6 here.
    assert main_fit.params["u2(esc,war):regime2dem"] == pytest.approx(-1.543614, abs=1e-5)
    assert np.isfinite(main_fit.bse).all() and (main_fit.bse > 0).all()
    assert list(main_fit.params.index) == [
        "u1(~esc):(Intercept)",
        "u1(~esc):s_wt_re1",
        "u1(~esc):revis1",
        "u1(esc,war):(Intercept)",
        "u1(esc,war):regime1dem",
        "u1(esc,war):regime1mixed",
        "u2(esc,war):(Intercept)",
        "u2(esc,war):balanc",
        "u2(esc,war):regime2dem",
        "u2(esc,war):regime2mixed",
    ]


def test_factor_outcome_matches_indicator_outcome(war1800: pd.DataFrame, main_fit) -> None:
    factor_fit = fit_deterrence("y ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2", war1800)
    # labels as in games' test_egame12.r
    assert list(factor_fit.params.index) == [
        "u1(sq):(Intercept)",
        "u1(sq):s_wt_re1",
        "u1(sq):revis1",
        "u1(war):(Intercept)",
        "u1(war):regime1dem",
        "u1(war):regime1mixed",
        "u2(war):(Intercept)",
        "u2(war):balanc",
        "u2(war):regime2dem",
        "u2(war):regime2mixed",
    ]
    np.testing.assert_allclose(factor_fit.params.to_numpy(), main_fit.params.to_numpy(), atol=1e-8)
    np.testing.assert_allclose(
        factor_fit.cov_params().to_numpy(), main_fit.cov_params().to_numpy(), rtol=1e-5, atol=1e-9
    )
    assert factor_fit.llf == pytest.approx(main_fit.llf, abs=1e-9)


def test_loglikelihood_by_hand_as_in_games_tests(war1800: pd.DataFrame, main_fit) -> None:
    coef = main_fit.params
    rows = war1800.loc[
        war1800[["s_wt_re1", "revis1", "regime1", "balanc", "regime2", "esc", "war"]]
        .notna()
        .all(axis=1)
    ]
    u1_sq = (
        coef["u1(~esc):(Intercept)"]
        + coef["u1(~esc):s_wt_re1"] * rows.s_wt_re1
        + coef["u1(~esc):revis1"] * rows.revis1
    )
    u1_war = (
        coef["u1(esc,war):(Intercept)"]
        + coef["u1(esc,war):regime1dem"] * (rows.regime1 == "dem")
        + coef["u1(esc,war):regime1mixed"] * (rows.regime1 == "mixed")
    )
    u2_war = (
        coef["u2(esc,war):(Intercept)"]
        + coef["u2(esc,war):balanc"] * rows.balanc
        + coef["u2(esc,war):regime2dem"] * (rows.regime2 == "dem")
        + coef["u2(esc,war):regime2mixed"] * (rows.regime2 == "mixed")
    )
    p4 = stats.norm.cdf(u2_war, scale=SQRT2)
    p2 = stats.norm.cdf(p4 * u1_war - u1_sq, scale=SQRT2)
    by_hand = np.where(rows.esc == 0, 1 - p2, np.where(rows.war == 1, p2 * p4, p2 * (1 - p4)))
    assert float(np.sum(np.log(by_hand))) == pytest.approx(main_fit.llf, abs=1e-9)

    predicted = main_fit.predict()
    observed = np.where(
        rows.esc == 0,
        predicted.status_quo,
        np.where(rows.war == 1, predicted.war, predicted.back_down),
    )
    np.testing.assert_allclose(observed, by_hand, rtol=1e-12)


# --- gradient --------------------------------------------------------------------------------
@pytest.mark.parametrize("link, error", COMBINATIONS)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_analytic_gradient_matches_numerical(
    war1800: pd.DataFrame, link: str, error: str, seed: int
) -> None:
    design = parse_formula(
        "esc + war ~ s_wt_re1 + revis1 | 1 | regime1 | balanc + regime2",
        war1800,
        ["u11", "u13", "u14", "u24"],
    )
    codes = np.where(
        design.outcome[:, 0] == 0, 0, np.where(design.outcome[:, 1] == 1, 2, 1)
    ).astype(np.int64)
    model = DeterrenceModel(tuple(design.matrices()), codes, link, error)
    theta = np.random.default_rng(seed).normal(scale=1.5, size=model.n_params)
    numerical = numerical_gradient(model.loglik, theta)
    analytic = model.gradient(theta)
    np.testing.assert_allclose(analytic, numerical, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(model.scores(theta).sum(axis=0), analytic, rtol=1e-10, atol=1e-10)


# --- properties for the fits without published numbers ----------------------------------------
@pytest.mark.parametrize("link, error", COMBINATIONS)
def test_every_combination_converges_and_nests(
    war1800: pd.DataFrame, link: str, error: str
) -> None:
    full = fit_deterrence(FORMULA, war1800, link=link, error=error)
    restricted = fit_deterrence(
        "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc",
        war1800,
        link=link,
        error=error,
        subset=war1800.regime2.notna().to_numpy(),
    )
    assert full.converged and restricted.converged
    assert np.isfinite(full.llf) and np.isfinite(full.bse).all()
    assert full.nobs == restricted.nobs == 282
    assert full.llf >= restricted.llf - 1e-9
    assert full.llf > -282 * math.log(3)  # beats the uniform-outcome model
    predicted = full.predict()
    np.testing.assert_allclose(predicted[["status_quo", "back_down", "war"]].sum(axis=1), 1.0)


def test_logit_decoupled_case_equals_two_logistic_regressions(war1800: pd.DataFrame) -> None:
    # With u13 = u14 = 0, player 1's escalation and player 2's war decision separate:
    # agent-error logit = logit of esc on -u11/sqrt(2) plus logit of war | esc on u24/sqrt(2).
    rows = war1800.dropna(subset=["regime2"])
    fit = fit_deterrence(
        "esc + war ~ s_wt_re1 + revis1 | 0 | 0 | balanc + regime2", rows, link="logit"
    )
    x1 = rows[["s_wt_re1", "revis1"]].to_numpy()
    escalate = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x1, rows.esc)
    escalated = rows[rows.esc == 1]
    z = np.column_stack(
        [escalated.balanc, escalated.regime2 == "dem", escalated.regime2 == "mixed"]
    ).astype(float)
    war = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(z, escalated.war)

    player1 = -SQRT2 * np.concatenate([escalate.intercept_, escalate.coef_[0]])
    player2 = SQRT2 * np.concatenate([war.intercept_, war.coef_[0]])
    np.testing.assert_allclose(fit.params.to_numpy()[:3], player1, atol=2e-4)
    np.testing.assert_allclose(fit.params.to_numpy()[3:], player2, atol=2e-4)
    p_escalate = escalate.predict_proba(x1)[:, 1]
    p_war = war.predict_proba(z)[:, 1]
    llf = np.sum(np.log(np.where(rows.esc == 1, p_escalate, 1 - p_escalate))) + np.sum(
        np.log(np.where(escalated.war == 1, p_war, 1 - p_war))
    )
    assert fit.llf == pytest.approx(llf, abs=1e-6)


def test_probit_decoupled_case_equals_two_probits(war1800: pd.DataFrame) -> None:
    fit = fit_deterrence("esc + war ~ s_wt_re1 | 0 | 0 | balanc", war1800)

    def probit_llf(x: np.ndarray, y: np.ndarray) -> float:
        design = np.column_stack([np.ones(len(x)), x])

        def negative(beta: np.ndarray) -> float:
            index = design @ beta
            return -float(
                np.sum(np.where(y == 1, stats.norm.logcdf(index), stats.norm.logcdf(-index)))
            )

        return -optimize.minimize(
            negative,
            np.zeros(2),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 10_000},
        ).fun

    escalated = war1800[war1800.esc == 1]
    expected = probit_llf(war1800.s_wt_re1.to_numpy(), war1800.esc.to_numpy()) + probit_llf(
        escalated.balanc.to_numpy(), escalated.war.to_numpy()
    )
    assert fit.llf == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_private_equals_agent_when_player1_ignores_player2(
    war1800: pd.DataFrame, link: str
) -> None:
    # u13 = u14 = 0 and a constant u24: the private-information scale of player 1,
    # sqrt(1 + p^2 + (1-p)^2), is one constant, so both models are reparametrizations.
    formula = "esc + war ~ s_wt_re1 + revis1 | 0 | 0 | 1"
    agent = fit_deterrence(formula, war1800, link=link, error="agent")
    private = fit_deterrence(formula, war1800, link=link, error="private")
    assert private.llf == pytest.approx(agent.llf, abs=1e-8)
    war = private.predict().war_given_escalate.iloc[0]
    player1_scale = math.sqrt(1 + war**2 + (1 - war) ** 2)
    np.testing.assert_allclose(
        agent.params.to_numpy()[:3] / SQRT2,
        private.params.to_numpy()[:3] / player1_scale,
        rtol=1e-5,
    )
    # Player 2's war comparison has scale sqrt(2) in both models (games: two unit shocks,
    # on fighting and on backing down), so her coefficient is the same in both.
    assert agent.params.iloc[3] == pytest.approx(private.params.iloc[3], rel=1e-5)


def test_subset_equals_fit_on_subsetted_data(war1800: pd.DataFrame) -> None:
    by_subset = fit_deterrence(FORMULA, war1800, subset="year >= 1850")
    by_rows = fit_deterrence(FORMULA, war1800[war1800.year >= 1850])
    assert by_subset.nobs == by_rows.nobs < 282
    np.testing.assert_allclose(by_subset.params, by_rows.params, atol=1e-8)
    assert by_subset.llf == pytest.approx(by_rows.llf, abs=1e-9)


# --- prediction ------------------------------------------------------------------------------
@pytest.mark.parametrize("link, error", COMBINATIONS)
def test_predict_matches_game_probabilities(war1800: pd.DataFrame, link: str, error: str) -> None:
    fit = fit_deterrence(FORMULA, war1800, link=link, error=error)
    newdata = war1800.iloc[[0, 4, 61, 9, 20]]  # row 61 lacks regime2
    predicted = fit.predict(newdata)
    design = parse_formula(FORMULA, war1800, ["u11", "u13", "u14", "u24"])
    utilities = []
    start = 0
    for _, matrix in design.parts:
        columns = matrix.shape[1]
        coefficients = fit.params.to_numpy()[start : start + columns]
        start += columns
        rows = newdata.index.intersection(matrix.index)
        utilities.append(matrix.loc[rows].to_numpy() @ coefficients if columns else 0.0)
    # games' normalization: scale sqrt(2) of logistic differences, unit shocks otherwise
    scale = SQRT2 if (link, error) == ("logit", "agent") else 1.0
    escalate, war = action_probabilities(*utilities, link=link, error=error, scale=scale)
    complete = newdata.index.isin(design.index)
    assert complete.sum() == 4
    np.testing.assert_allclose(predicted.escalate[complete], escalate, rtol=1e-12)
    np.testing.assert_allclose(predicted.war_given_escalate[complete], war, rtol=1e-12)
    assert predicted[~complete].isna().all(axis=None)
    without_outcome = fit.predict(newdata.drop(columns=["esc", "war"]))
    pd.testing.assert_frame_equal(without_outcome, predicted)
    np.testing.assert_allclose(predicted.war, predicted.escalate * predicted.war_given_escalate)


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "formula, match",
    [
        ("esc + war ~ 1 | 1 | 1 | 1", "constant enters all of player 1's utilities"),
        (
            "esc + war ~ s_wt_re1 - 1 | s_wt_re1 - 1 | s_wt_re1 | 1",
            "regressor 's_wt_re1' enters all",
        ),
        ("esc + war ~ s_wt_re1 | 0 | 1", "expected 4 right-hand parts"),
        ("esc + war ~ 0 | 0 | 0 | 0", "nothing to estimate"),
        ("esc + balanc ~ 1 | 0 | 0 | 1", "'balanc' must be 0 or 1"),
        ("esc ~ 1 | 0 | 0 | 1", "exactly 3 values"),
        ("two_levels ~ 1 | 0 | 0 | 1", "must have 3 levels"),
    ],
)
def test_bad_models_are_refused(war1800: pd.DataFrame, formula: str, match: str) -> None:
    data = war1800.assign(two_levels=pd.Categorical(np.where(war1800.esc == 1, "esc", "sq")))
    with pytest.raises(ValueError, match=match):
        fit_deterrence(formula, data)


def test_bad_options_are_refused(war1800: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="link"):
        fit_deterrence(FORMULA, war1800, link="cloglog")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="error"):
        fit_deterrence(FORMULA, war1800, error="quantal")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="31 row"):
        fit_deterrence(FORMULA, war1800, na="raise")
    with pytest.raises(InputError, match="start"):
        fit_deterrence(FORMULA, war1800, start=[0.0, 1.0])


def test_collinear_regressors_give_nan_standard_errors(war1800: pd.DataFrame) -> None:
    data = war1800.assign(balanc_copy=war1800.balanc)
    with pytest.warns(RuntimeWarning, match="Hessian") as caught:
        fit = fit_deterrence(
            "esc + war ~ s_wt_re1 | 0 | 1 | balanc + balanc_copy", data.dropna(subset=["regime2"])
        )
    assert {w.filename for w in caught} == {__file__}
    assert fit.bse.isna().all()
    assert "standard errors are not available" in fit.summary()
    assert np.isfinite(fit.llf)


def test_summary_and_latex(main_fit) -> None:
    text = main_fit.summary()
    for piece in ("probit, agent error", "Observations            282", "-286.1238", "AIC"):
        assert piece in text
    assert "u2(esc,war):regime2dem" in main_fit.to_latex()


def test_numeric_three_valued_outcome_matches_indicators(war1800: pd.DataFrame, main_fit) -> None:
    coded = war1800.assign(outcome=np.where(war1800.esc == 0, 1, np.where(war1800.war == 1, 3, 2)))
    fit = fit_deterrence("outcome ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2", coded)
    assert fit.params.index[0] == "u1(1):(Intercept)"
    np.testing.assert_allclose(fit.params.to_numpy(), main_fit.params.to_numpy(), atol=1e-8)


def test_standard_errors_match_finite_difference_hessian_of_loglik(main_fit, war1800) -> None:
    design = parse_formula(FORMULA, war1800, ["u11", "u13", "u14", "u24"])
    codes = np.where(
        design.outcome[:, 0] == 0, 0, np.where(design.outcome[:, 1] == 1, 2, 1)
    ).astype(np.int64)
    model = DeterrenceModel(tuple(design.matrices()), codes, "probit", "agent")
    theta = main_fit.params.to_numpy()
    step = 1e-4
    k = theta.size
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            shifts = np.zeros((4, k))
            shifts[:, i] += step * np.array([1, 1, -1, -1])
            shifts[:, j] += step * np.array([1, -1, 1, -1])
            values = [model.loglik(theta + shift) for shift in shifts]
            hessian[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * step**2)
    se = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    np.testing.assert_allclose(main_fit.bse.to_numpy(), se, rtol=1e-3)


@pytest.mark.parametrize("link, error", COMBINATIONS)
def test_recovers_parameters_from_simulated_games(link: str, error: str) -> None:
    # Simulate outcomes from the model itself at known utilities; the fit must recover them
    # within sampling error (fixed seed, so the check is deterministic).
    rng = np.random.default_rng(20031)
    n = 4000
    data = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    truth = {"u11": (-0.3, 0.8), "u14": (0.5,), "u24": (0.2, -1.0)}
    u11 = truth["u11"][0] + truth["u11"][1] * data.x
    u14 = np.full(n, truth["u14"][0])
    u24 = truth["u24"][0] + truth["u24"][1] * data.z
    scale = SQRT2 if (link, error) == ("logit", "agent") else 1.0
    escalate, war = action_probabilities(u11, 0.0, u14, u24, link=link, error=error, scale=scale)
    data["esc"] = (rng.uniform(size=n) < escalate).astype(int)
    data["war"] = data.esc * (rng.uniform(size=n) < war).astype(int)
    fit = fit_deterrence("esc + war ~ x | 0 | 1 | z", data, link=link, error=error)
    expected = np.array([*truth["u11"], *truth["u14"], *truth["u24"]])
    assert fit.converged
    assert np.all(np.abs(fit.params.to_numpy() - expected) < 4 * fit.bse.to_numpy())


@pytest.mark.parametrize("error", ["agent", "private"])
def test_probit_formulas_match_simulated_shocks(error: str) -> None:
    # Draw the shocks the docstring of coercive.games.deterrence describes and play the game;
    # the closed forms must match the simulated choice frequencies (probit: exact normals).
    rng = np.random.default_rng(316)
    draws, scale = 400_000, 0.8
    u11, u13, u14, u24 = 0.1, -0.4, 0.6, 0.3
    escalate, war = action_probabilities(u11, u13, u14, u24, "probit", error, scale)
    shocks = rng.normal(scale=scale, size=(draws, 5))
    if error == "agent":
        # one shock per action: war vs back down at node 2, escalate vs status quo at node 1
        simulated_war = np.mean(u24 + shocks[:, 0] > 0.0 + shocks[:, 1])
        continuation = simulated_war * u14 + (1 - simulated_war) * u13
        simulated_escalate = np.mean(continuation + shocks[:, 2] > u11 + shocks[:, 3])
    else:
        # one shock per outcome payoff: e24 and e23 (on the normalized 0) for player 2;
        # e11, e13, e14 for player 1, who does not see player 2's shocks
        simulated_war = np.mean(u24 + shocks[:, 0] > 0.0 + shocks[:, 4])
        value = simulated_war * (u14 + shocks[:, 1]) + (1 - simulated_war) * (u13 + shocks[:, 2])
        simulated_escalate = np.mean(value > u11 + shocks[:, 3])
    tolerance = 4 * math.sqrt(0.25 / draws)
    assert simulated_war == pytest.approx(float(war), abs=tolerance)
    assert simulated_escalate == pytest.approx(float(escalate), abs=tolerance)


def test_logit_agent_is_the_quantal_response_equilibrium() -> None:
    precision = 2.5
    u11, u13, u14, u24 = 0.2, -0.5, 1.0, -0.3
    escalate, war = action_probabilities(u11, u13, u14, u24, "logit", "agent", 1 / precision)
    expected_war = 1 / (1 + math.exp(-precision * (u24 - 0.0)))
    value = expected_war * u14 + (1 - expected_war) * u13
    expected_escalate = 1 / (1 + math.exp(-precision * (value - u11)))
    assert float(war) == pytest.approx(expected_war, rel=1e-12)
    assert float(escalate) == pytest.approx(expected_escalate, rel=1e-12)
    with pytest.raises(InputError, match="scale"):
        action_probabilities(u11, u13, u14, u24, "logit", "agent", 0.0)
    with pytest.raises(InputError, match="u24"):
        action_probabilities(u11, u13, u14, np.nan, "logit", "agent", 1.0)


# =============================================================================================
# The rest of games 1.1.2 (egame122, egame123, ultimatum, Leblang's egame12, vuong, clarke),
# against numbers produced by running games itself: tests/fixtures/games/make_games.R writes
# the fixtures read here (coefficients, standard errors, log-likelihoods, test statistics).
# "<name>" is games at its default tolerance (what a user gets), "<name>_tight" the same fit
# with reltol = 1e-14 (games' estimate of the exact maximum, compared to 1e-4 in coefficients;
# at the default tolerance games stops up to ~2e-3 short of it, e.g. egame122 logit).
# =============================================================================================
from pathlib import Path  # noqa: E402

from coercive.estimate.compare import clarke, vuong  # noqa: E402
from coercive.estimate.egame122 import fit_egame122  # noqa: E402
from coercive.estimate.egame123 import fit_egame123  # noqa: E402
from coercive.estimate.profile import profile  # noqa: E402
from coercive.estimate.ultimatum import fit_ultimatum  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "games"
GAMES_FITS = pd.read_csv(FIXTURES / "fits.csv").set_index("model")
F122 = "y ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2"
F123 = "y ~ x1 + x2 | 0 | x3 | x4 + x5 | 0 | x6 | x7 | x8"
FULT = "offer + accept ~ x1 + x2 + x3 + x4 + w1 + w2 | z1 + z2 + z3 + z4 + w1 + w2"
FLEBLANG = (
    "outcome ~ capcont + lreserves + overval + creditgrow + USinterest + service"
    " + contagion + prioratt - 1 | 1 | 1 | unifgov + lexports + preelec + postelec"
    " + rightgov + realinterest + capcont + lreserves"
)

GAMES_CASES = {
    "egame122_probit_agent": lambda: fit_egame122(F122, load("data_122")),
    "egame122_logit_agent": lambda: fit_egame122(F122, load("data_122"), link="logit"),
    "egame122_indicators": lambda: fit_egame122(
        "a1 + a2 ~ x1 + x2 | x3 + f1 | 0 | x4 + x5 | z1 + z2 | z3 + f2", load("data_122")
    ),
    "egame123_probit_private": lambda: fit_egame123(F123, load("data_123"), error="private"),
    "egame123_logit_agent": lambda: fit_egame123(F123, load("data_123"), link="logit"),
    "ultimatum": lambda: fit_ultimatum(FULT, load("data_ult"), max_offer=15),
    "ultimatum_offer": lambda: fit_ultimatum(
        FULT.replace("offer + accept", "offer"), load("data_ult"), max_offer=15, outcome="offer"
    ),
    "ultimatum_fixed_scales": lambda: fit_ultimatum(
        FULT, load("data_ult"), max_offer=15, s1=5, s2=1
    ),
    "leblang2003": lambda: fit_deterrence(FLEBLANG, load("leblang2003"), error="private"),
}


@pytest.fixture(scope="module")
def games_fits() -> dict:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # fixed scales: NaN standard errors
        return {name: fit() for name, fit in GAMES_CASES.items()}


@pytest.mark.parametrize("name", list(GAMES_CASES))
def test_reproduces_games_fit(games_fits: dict, name: str) -> None:
    fit = games_fits[name]
    reference = pd.read_csv(FIXTURES / f"{name}_tight_coef.csv").set_index("term")
    assert fit.converged, fit.notes
    assert fit.nobs == GAMES_FITS.loc[name, "nobs"]
    assert list(fit.params.index) == list(reference.index)
    np.testing.assert_allclose(fit.params.to_numpy(), reference.estimate.to_numpy(), atol=1e-4)
    # our maximum is games' tight one; games' default stops within 1e-3 of it
    assert fit.llf == pytest.approx(GAMES_FITS.loc[name + "_tight", "loglik"], abs=1e-6)
    assert fit.llf == pytest.approx(GAMES_FITS.loc[name, "loglik"], abs=1e-3)
    assert fit.llf >= GAMES_FITS.loc[name, "loglik"] - 1e-7
    known = reference.std_error.notna().to_numpy()
    np.testing.assert_allclose(
        fit.bse.to_numpy()[known], reference.std_error.to_numpy()[known], rtol=1e-3
    )
    assert fit.bse[~known].isna().all()  # games' fixed scales have no standard error
    loglik_obs = fit.extra["loglik_obs"]
    assert loglik_obs.shape == (fit.nobs,)
    assert loglik_obs.sum() == pytest.approx(fit.llf, abs=1e-8)


def test_issue_reference_loglikelihoods(games_fits: dict) -> None:
    # the figures issue 10 quotes from games
    assert games_fits["egame122_probit_agent"].llf == pytest.approx(-1239.234, abs=1e-3)
    assert games_fits["egame123_probit_private"].llf == pytest.approx(-559.3088, abs=1e-3)
    assert games_fits["ultimatum"].llf == pytest.approx(-3717.679, abs=1e-3)
    assert games_fits["leblang2003"].llf == pytest.approx(-482.0155, abs=1e-3)


@pytest.mark.parametrize(
    "name", ["egame122_probit_agent", "egame123_probit_private", "egame123_logit_agent"]
)
def test_tree_game_predictions_are_outcome_probabilities(games_fits: dict, name: str) -> None:
    fit = games_fits[name]
    predicted = fit.predict()
    np.testing.assert_allclose(predicted.sum(axis=1), 1.0, rtol=1e-12)
    data = load("data_122" if name.startswith("egame122") else "data_123")
    codes = pd.Categorical(data.y).codes
    observed = predicted.to_numpy()[np.arange(len(codes)), codes]
    np.testing.assert_allclose(np.log(observed), fit.extra["loglik_obs"], rtol=1e-8, atol=1e-14)


def test_ultimatum_acceptance_probability(games_fits: dict) -> None:
    fit = games_fits["ultimatum"]
    predicted = fit.predict()
    s2 = math.exp(fit.params["log(s2)"])
    data = load("data_ult")
    np.testing.assert_allclose(
        predicted.p_accept, 1 / (1 + np.exp(-(data.offer - predicted.R2) / s2)), rtol=1e-12
    )


# --- Vuong and Clarke -----------------------------------------------------------------------
def test_vuong_and_clarke_reproduce_games_example() -> None:
    # games' example (man/vuong.Rd) on war1800: the per-row log-likelihoods of games' two fits
    # are the fixture, so the test checks the statistics, not the (ill-conditioned) fits.
    rows = pd.read_csv(FIXTURES / "war1800_nonnest_loglik_obs.csv")
    expected = pd.read_csv(FIXTURES / "nonnest.csv").set_index("test")
    model1 = (rows.loglik1.to_numpy(), int(expected.loc["vuong", "nparams1"]))
    model2 = (rows.loglik2.to_numpy(), int(expected.loc["vuong", "nparams2"]))
    v = vuong(model1, model2)
    c = clarke(model1, model2)
    assert v.statistic == pytest.approx(expected.loc["vuong", "statistic"], rel=1e-8)
    assert v.pvalue == pytest.approx(expected.loc["vuong", "p_value"], rel=1e-6)
    assert c.statistic == expected.loc["clarke", "statistic"] == 158
    assert c.pvalue == pytest.approx(expected.loc["clarke", "p_value"], rel=1e-6)
    # the issue's printed figures
    assert round(v.statistic, 1) == 1.7 and round(v.pvalue, 3) == 0.087
    assert round(100 * c.statistic / c.nobs) == 56 and round(c.pvalue, 3) == 0.049
    assert v.preferred is None and c.preferred == 1
    assert "158 (56%)" in c.summary()


def test_vuong_on_fitted_models_is_antisymmetric(war1800: pd.DataFrame) -> None:
    regime = fit_deterrence(
        "esc + war ~ regime1 | 0 | regime1 + regime2 | regime1 + regime2", war1800
    )
    other = fit_deterrence(FORMULA, war1800)
    assert regime.nobs == other.nobs == 282
    forward, backward = vuong(regime, other), vuong(other, regime)
    assert forward.statistic == pytest.approx(-backward.statistic, rel=1e-12)
    assert clarke(regime, other).statistic + clarke(other, regime).statistic <= 282


def test_nonnested_tests_refuse_different_rows(games_fits: dict) -> None:
    with pytest.raises(InputError, match="different rows"):
        vuong(games_fits["ultimatum"], games_fits["egame122_probit_agent"])
    with pytest.raises(TypeError, match="loglik_obs"):
        clarke(object(), games_fits["ultimatum"])


# --- profile likelihood ---------------------------------------------------------------------
def test_profile_peaks_at_the_fit(games_fits: dict) -> None:
    fit = games_fits["egame123_logit_agent"]
    result = profile(fit, which=["u3(6):x8", 0], steps=2, dist=2.0)
    assert len(result.table) == 2 * 5
    assert result.better_fit is None
    for _, rows in result.table.groupby("parameter"):
        assert rows.loglik.max() == pytest.approx(fit.llf, abs=1e-9)
        assert (rows.loglik <= fit.llf + 1e-6).all()
        # a quadratic log-likelihood drops by t^2/2 = 2 at t = 2 standard errors; this one is
        # close to quadratic, so the drop lies well within (1, 4)
        two_se = rows.loc[rows.offset.abs() == 2.0, "loglik"].to_numpy()
        assert np.all((fit.llf - two_se > 1.0) & (fit.llf - two_se < 4.0))
    figure = result.plot()
    assert len([axis for axis in figure.axes if axis.get_visible()]) == 2


def test_profile_finds_a_better_fit_than_a_stopped_one() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stopped = fit_egame123(F123, load("data_123"), maxiter=1, start=np.zeros(14))
    result = profile(stopped, which=[0], steps=1, dist=1.0, use_se=False)
    assert result.better_fit is not None
    assert result.table.loglik.max() > stopped.llf


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fit, formula, match",
    [
        (fit_egame122, "y ~ x1 | x2 | 0 | x4", "expected 6 right-hand parts"),
        (fit_egame122, "y ~ x1 - 1 | x1 | x1 | x1 | z1 | z2", "regressor 'x1' enters all"),
        (fit_egame122, "y ~ 1 | 1 | 1 | 1 | z1 | z2", "the constant enters all"),
        (fit_egame122, "a1 ~ x1 | 0 | 0 | 1 | z1 | z2", "exactly 4 values"),
        (fit_egame123, "y ~ x1 | 0 | x3 | x4", "expected 8 right-hand parts"),
        (fit_egame123, "y ~ x1 | 0 | x3 | x4 | x6 - 1 | x6 | x6 | x8", "regressor 'x6' enters all"),
    ],
)
def test_bad_tree_models_are_refused(fit, formula: str, match: str) -> None:
    data = load("data_122" if fit is fit_egame122 else "data_123")
    with pytest.raises(InputError, match=match):
        fit(formula, data)


def test_constant_outcome_is_refused() -> None:
    data = load("data_122").assign(y=lambda frame: frame.y.iloc[[0]].repeat(len(frame)).values)
    with pytest.raises(InputError, match="no variation"):
        fit_egame122(F122, data)


def test_bad_ultimatum_input_is_refused() -> None:
    data = load("data_ult")
    with pytest.raises(InputError, match="expected 2 right-hand parts"):
        fit_ultimatum("offer + accept ~ x1", data, max_offer=15)
    with pytest.raises(InputError, match="outside"):
        fit_ultimatum(FULT, data, max_offer=10)
    with pytest.raises(InputError, match="outcome='both' needs"):
        fit_ultimatum(FULT.replace("offer + accept", "offer"), data, max_offer=15)
    with pytest.raises(InputError, match="s1"):
        fit_ultimatum(FULT, data, max_offer=15, s1=-1.0)
    with pytest.raises(InputError, match="must be 0 or 1"):
        fit_ultimatum(FULT, data.assign(accept=data.accept * 2), max_offer=15)


def test_nonconvergence_is_reported_with_the_reason() -> None:
    with pytest.warns(RuntimeWarning, match="did not report convergence") as caught:
        fit = fit_egame122(F122, load("data_122"), maxiter=1, start=np.zeros(17))
    # Attributed to the caller's line, not to a line inside the library (whatever helpers
    # the fit passes through on its way to the results object).
    assert [w.filename for w in caught] == [__file__] * len(caught)
    assert not fit.converged
    assert "did not converge" in fit.extra["converged_reason"]
    assert any("did not converge" in note for note in fit.notes)
